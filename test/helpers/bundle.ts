import { join } from "node:path";
import { build } from "esbuild";

/**
 * Bundles `contents` (TypeScript, resolved from the repo root) with esbuild: the output code, and the input files that
 * contribute bytes to it (what tree-shaking really kept). Dependency paths lose their node_modules prefix.
 */
export async function bundle(contents: string, opts: { minify?: boolean; globalName?: string } = {}): Promise<{ inputs: string[]; code: string }> {
  const result = await build({
    stdin: { contents, resolveDir: join(__dirname, "..", ".."), loader: "ts" },
    bundle: true,
    write: false,
    minify: opts.minify ?? false,
    // With a globalName: a classic script defining that one global (as an engine loads it).
    ...(opts.globalName ? { format: "iife" as const, globalName: opts.globalName } : { format: "esm" as const }),
    platform: "neutral",
    mainFields: ["module", "main"],
    metafile: true,
    logLevel: "silent",
  });
  const inputs = Object.entries(Object.values(result.metafile.outputs)[0].inputs)
    .filter(([, info]) => info.bytesInOutput > 0)
    .map(([path]) => path.replace(/.*node_modules\//, ""));
  return { inputs, code: result.outputFiles[0].text };
}

/** The input files a bundle of `contents` keeps. */
export async function bundledInputs(contents: string, opts: { minify?: boolean } = {}): Promise<string[]> {
  return (await bundle(contents, opts)).inputs;
}
