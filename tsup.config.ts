import { defineConfig } from "tsup";

export default defineConfig({
  entry: { index: "src/index.ts", x509: "src/x509/index.ts", node: "src/node/index.ts" },
  format: ["esm", "cjs"],
  dts: true,
  target: "es2020",
  sourcemap: false,
  clean: true,
  treeshake: true,
});
