// The device bundle's size as a device receives it: dist/microtls.device.js built with the `npm run build` recipe,
// minified and gzipped, deps included, and what each part weighs (esbuild's metafile, bytes in the output).
// Writes bench/results.json `device.bundleBytes`, `device.bundleGzipBytes` and `device.bundleParts` (other keys kept).
// Run: npx tsx bench/device-size.ts
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { buildEngineBundles } from "../scripts/build-engine-bundle.mjs";
import { REPO_ROOT } from "../test/engines/host.js";

interface Meta {
  outputs: Record<string, { inputs: Record<string, { bytesInOutput: number }> }>;
}

/** src/crypto/x.ts -> "src/crypto"; node_modules/@noble/curves/... -> "@noble/curves". */
function partOf(input: string): string {
  const nm = input.lastIndexOf("node_modules/");
  if (nm >= 0) {
    const rest = input.slice(nm + "node_modules/".length).split("/");
    return rest[0].startsWith("@") ? `${rest[0]}/${rest[1]}` : rest[0];
  }
  const parts = input.split("/");
  return parts.length > 2 ? parts.slice(0, 2).join("/") : parts[0];
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "microtls-device-size-"));
  try {
    const [file] = await buildEngineBundles({ outdir: dir, names: ["microtls.device"], metafile: true });
    const code = readFileSync(file);
    const meta = JSON.parse(readFileSync(`${file}.meta.json`, "utf8")) as Meta;
    const parts: Record<string, number> = {};
    for (const out of Object.values(meta.outputs)) {
      for (const [input, { bytesInOutput }] of Object.entries(out.inputs)) {
        const p = partOf(input);
        parts[p] = (parts[p] ?? 0) + bytesInOutput;
      }
    }
    const sorted = Object.fromEntries(Object.entries(parts).sort((a, b) => b[1] - a[1]));
    const bundleBytes = code.length;
    const bundleGzipBytes = gzipSync(code, { level: 9 }).length;

    const resultsFile = join(REPO_ROOT, "bench", "results.json");
    const results = JSON.parse(readFileSync(resultsFile, "utf8")) as Record<string, unknown>;
    const device = (results.device ?? {}) as Record<string, unknown>;
    Object.assign(device, { bundleBytes, bundleGzipBytes, bundleParts: sorted, bundleMeasuredAt: new Date().toISOString() });
    results.device = device;
    writeFileSync(resultsFile, `${JSON.stringify(results, null, 2)}\n`);

    console.log(`dist/microtls.device.js: ${bundleBytes} bytes minified, ${bundleGzipBytes} gzipped (level 9)\n`);
    console.log("| part | bytes in the bundle |\n|---|---|");
    for (const [p, n] of Object.entries(sorted)) console.log(`| ${p} | ${n} |`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
