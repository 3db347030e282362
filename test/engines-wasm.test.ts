// The unmodified dist/microtls.engine.js inside QuickJS 2025-09-13 (WASM, quickjs-emscripten 0.32), over a real socket: see test/engines/.
import { defineEngineTests } from "./engines/suite.js";

defineEngineTests("wasm", "QuickJS 2025-09-13 (WASM, quickjs-emscripten 0.32)");
