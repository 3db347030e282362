import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Interop tests start real servers on loopback; two cores do not like many at once.
    maxWorkers: 2,
  },
});
