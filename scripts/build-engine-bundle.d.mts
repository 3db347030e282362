export type EngineBundleName = "microtls.engine" | "microtls.engine-test";
/** Builds the single-file engine bundles into `outdir` (default dist/); returns the files written. */
export function buildEngineBundles(opts?: { outdir?: string; names?: EngineBundleName[]; minify?: boolean }): Promise<string[]>;
