import { defineConfig } from "tsup";
import { buildEngineBundles } from "./scripts/build-engine-bundle.mjs";

export default defineConfig({
  // cli: the `microtls` bin (package.json "bin"), on top of microtls/node.
  entry: { index: "src/index.ts", core: "src/core.ts", x509: "src/x509/index.ts", node: "src/node/index.ts", "tcp-client": "src/tcp-client.ts", async: "src/async.ts", cli: "src/node/cli/main.ts" },
  format: ["esm", "cjs"],
  dts: true,
  target: "es2020",
  sourcemap: false,
  clean: true,
  treeshake: true,
  // One shared chunk for CommonJS too, so TlsError is the same class from every entry.
  splitting: true,
  // dist/microtls.engine.js and dist/microtls.device.js: the one-file ES2020 scripts (global `microtls`) that
  // embedded engines load; the device one is the small profile of src/device.ts.
  async onSuccess() {
    await buildEngineBundles({ names: ["microtls.engine", "microtls.device"] });
  },
});
