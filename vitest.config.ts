import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // A fixed fast-check seed for every property test (FC_SEED overrides it).
    setupFiles: ["test/helpers/fast-check-seed.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Interop tests start real servers on loopback; two cores do not like many at once.
    maxWorkers: 2,
  },
});
