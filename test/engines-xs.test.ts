// The unmodified dist/microtls.engine.js inside Moddable XS (xsnap-worker 0.15.0), over a real socket: see test/engines/.
import { defineEngineTests } from "./engines/suite.js";

defineEngineTests("xs", "Moddable XS (xsnap-worker 0.15.0)");
