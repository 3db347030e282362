export type EngineBundleName = "microtls.engine" | "microtls.engine-test" | "microtls.device" | "microtls.device-test" | "microtls.native";

/** metafile: also writes `<bundle>.meta.json` (esbuild's metafile) next to each bundle, for size accounting. */
export function buildEngineBundles(opts?: { outdir?: string; names?: EngineBundleName[]; minify?: boolean; metafile?: boolean }): Promise<string[]>;
