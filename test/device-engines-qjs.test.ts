// The device bundle (dist/microtls.device.js) inside QuickJS 2021-03-27 (native qjs): the same suite as the full
// bundle's (test/engines/suite.ts), with the crypto vectors run over the device's own crypto (microtls.device-test.js).
import { DEVICE_PAIR } from "./engines/harness.js";
import { defineEngineTests } from "./engines/suite.js";

defineEngineTests("qjs", "QuickJS 2021-03-27 (native qjs), device profile", { pair: DEVICE_PAIR, transcripts: true });
