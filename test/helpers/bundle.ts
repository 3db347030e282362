import { join } from "node:path";
import { build } from "esbuild";

/**
 * Bundles `contents` (TypeScript, resolved from the repo root) with esbuild and lists the input files that
 * contribute bytes to the output: what tree-shaking really kept. Dependency paths lose their node_modules prefix.
 */
export async function bundledInputs(contents: string, opts: { minify?: boolean } = {}): Promise<string[]> {
  const result = await build({
    stdin: { contents, resolveDir: join(__dirname, "..", ".."), loader: "ts" },
    bundle: true,
    write: false,
    minify: opts.minify ?? false,
    format: "esm",
    platform: "neutral",
    mainFields: ["module", "main"],
    metafile: true,
    logLevel: "silent",
  });
  return Object.entries(Object.values(result.metafile.outputs)[0].inputs)
    .filter(([, info]) => info.bytesInOutput > 0)
    .map(([path]) => path.replace(/.*node_modules\//, ""));
}
