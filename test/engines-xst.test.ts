// The bundle inside Moddable XS 17.9.1 (xst built from ../shared/engines, with test/engines/xst-hostcall.patch), over
// a real socket: see test/engines/. Skips in one line when ../shared/engines is absent.
import { defineSourceEngineTests } from "./engines/suite.js";

defineSourceEngineTests("xst", "Moddable XS 17.9.1 (xst, built from source)");
