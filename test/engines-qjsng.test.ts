// The bundle inside QuickJS-ng 0.16.2 (qjs built from ../shared/engines), over a real socket: see test/engines/.
// Skips in one line when ../shared/engines is absent.
import { defineSourceEngineTests } from "./engines/suite.js";

defineSourceEngineTests("qjsng", "QuickJS-ng 0.16.2 (native qjs, built from source)");
