// The unmodified dist/microtls.engine.js inside QuickJS 2021-03-27 (native qjs), over a real socket: see test/engines/.
import { defineEngineTests } from "./engines/suite.js";

defineEngineTests("qjs", "QuickJS 2021-03-27 (native qjs)");
