// The device bundle (dist/microtls.device.js) inside Moddable XS (xsnap-worker): the suite of test/engines/suite.ts.
import { DEVICE_PAIR } from "./engines/harness.js";
import { defineEngineTests } from "./engines/suite.js";

defineEngineTests("xs", "Moddable XS (xsnap-worker), device profile", { pair: DEVICE_PAIR, transcripts: true });
