// Cold start: from `import` of the client to its first completed handshake, in a fresh Node process each time
// (median of 5) — the path of a device waking from deep sleep. Each client is bundled with esbuild first, as an
// application would ship it, so the child measures loading the code, not compiling TypeScript.
import { execFile } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { build } from "esbuild";
import type { ConnectTarget } from "./clients/types.js";
import { stats, type Stats } from "./measure.js";

const execFileAsync = promisify(execFile);

export const COLD_CLIENTS = [
  { name: "microtls", file: "clients/microtls.ts", factory: "microtlsDriver" },
  { name: "node:tls", file: "clients/native.ts", factory: "nativeDriver" },
  { name: "@reclaimprotocol/tls", file: "clients/reclaim.ts", factory: "reclaimDriver" },
] as const;

export interface ColdRun {
  /** import() of the bundle and creating the driver. */
  importMs: number;
  /** First handshake, TCP connect included. */
  handshakeMs: number;
  /** importMs + handshakeMs: the figure compared with the warm handshake. */
  totalMs: number;
  cpuMs: number;
  /** Since the Node process started (Node's own boot included). */
  sinceProcessStartMs: number;
}

export interface ColdResult {
  client: string;
  runs: ColdRun[];
  totalMs?: Stats;
  importMs?: Stats;
  handshakeMs?: Stats;
  cpuMs?: Stats;
  bundleBytes?: number;
  unavailable?: string;
}

// Plain ESM so the child runs on bare `node`, no TypeScript loader in the way.
const CHILD = `
const [bundle, factory, target] = process.argv.slice(2);
const c0 = process.cpuUsage();
const t0 = performance.now();
const mod = await import(bundle);
const driver = await mod[factory]();
if (driver.unavailable) { console.log(JSON.stringify({ unavailable: driver.unavailable })); process.exit(0); }
const t1 = performance.now();
const conn = await driver.connect(JSON.parse(target));
const t2 = performance.now();
const cpu = process.cpuUsage(c0);
await conn.close();
console.log(JSON.stringify({ importMs: t1 - t0, handshakeMs: t2 - t1, totalMs: t2 - t0, cpuMs: (cpu.user + cpu.system) / 1000, sinceProcessStartMs: t2 }));
process.exit(0);
`;

export async function measureCold(tmpDir: string, client: (typeof COLD_CLIENTS)[number], target: ConnectTarget, runs = 5): Promise<ColdResult> {
  const dir = join(tmpDir, "cold");
  mkdirSync(dir, { recursive: true });
  const childPath = join(dir, "cold-child.mjs");
  writeFileSync(childPath, CHILD);
  const bundlePath = join(dir, `${client.factory}.mjs`);
  const result: ColdResult = { client: client.name, runs: [] };
  try {
    const out = await build({
      entryPoints: [fileURLToPath(new URL(`./${client.file}`, import.meta.url))],
      outfile: bundlePath,
      bundle: true,
      format: "esm",
      platform: "node",
      target: "node20",
      minify: true, // as an application would ship it
      logLevel: "silent",
      metafile: true,
      // CommonJS dependencies inside an ESM bundle still call require().
      banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
    });
    result.bundleBytes = Object.values(out.metafile.outputs)[0]?.bytes;
  } catch (e) {
    result.unavailable = `bundle failed: ${(e as Error).message.split("\n")[0]}`;
    return result;
  }
  // Only what the driver reads: the endpoint, the scenario and the root PEM.
  const slimTarget = {
    endpoint: target.endpoint,
    scenario: target.scenario,
    pki: { [target.scenario.chain]: { rootPem: target.pki[target.scenario.chain].rootPem } },
  };
  for (let i = 0; i < runs; i++) {
    const { stdout } = await execFileAsync(process.execPath, [childPath, pathToFileURL(bundlePath).href, client.factory, JSON.stringify(slimTarget)], {
      timeout: 60_000,
    });
    const parsed = JSON.parse(stdout.trim().split("\n").pop() ?? "{}") as ColdRun & { unavailable?: string };
    if (parsed.unavailable) {
      result.unavailable = parsed.unavailable;
      return result;
    }
    result.runs.push(parsed);
  }
  result.totalMs = stats(result.runs.map((r) => r.totalMs));
  result.importMs = stats(result.runs.map((r) => r.importMs));
  result.handshakeMs = stats(result.runs.map((r) => r.handshakeMs));
  result.cpuMs = stats(result.runs.map((r) => r.cpuMs));
  return result;
}
