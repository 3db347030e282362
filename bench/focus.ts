// A quick look at one part of the bench while working on it, without the full run or touching results.json:
//   FOCUS=cold|bulk|handshake[,...] node --expose-gc --import tsx bench/focus.ts
// cold: 5 (FOCUS_RUNS) fresh processes per client; bulk: 16 MiB each way (FOCUS_MIB) per AEAD, microtls vs raw;
// handshake: microtls vs the warm floor against openssl s_server, BENCH_N rounds (default 40).
import { execFileSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { build } from "esbuild";
import { loadDriver } from "./clients/index.js";
import { bulkScenario, interleavedBulk } from "./bulk.js";
import { COLD_CLIENTS, measureCold } from "./cold.js";
import { prepareFloor } from "./floor.js";
import { measureInterleaved, type Contender } from "./measure.js";
import { makeBenchPki } from "./pki.js";
import { BULK_SUITES, HANDSHAKE_SCENARIOS } from "./scenarios.js";
import { startServers } from "./servers.js";

const focus = new Set((process.env.FOCUS ?? "cold,bulk,handshake").split(","));
const N = Number(process.env.BENCH_N ?? 40);
const tmpDir = `${fileURLToPath(new URL(".", import.meta.url))}.tmp-focus`;
const log = (line: string): void => void process.stdout.write(`${line}\n`);

async function main(): Promise<void> {
  mkdirSync(tmpDir, { recursive: true });
  const pki = makeBenchPki(tmpDir);
  const servers = await startServers(pki, HANDSHAKE_SCENARIOS, BULK_SUITES);
  try {
    const ours = await loadDriver("microtls");
    if (focus.has("cold")) {
      const s = HANDSHAKE_SCENARIOS[0];
      const names = (process.env.FOCUS_COLD ?? "microtls").split(",");
      for (const c of COLD_CLIENTS.filter((c) => names.includes(c.name))) {
        const r = await measureCold(tmpDir, c, { endpoint: servers.handshake("node", s), scenario: s, pki }, Number(process.env.FOCUS_RUNS ?? 5));
        if (process.env.FOCUS_PROF) {
          // One more cold run under the CPU profiler, written to FOCUS_PROF (a directory).
          const target = { endpoint: servers.handshake("node", s), scenario: s, pki: { [s.chain]: { rootPem: pki[s.chain].rootPem } } };
          const dir = join(tmpDir, "cold");
          // Readable names in the profile: the same bundle, unminified.
          await build({
            entryPoints: [fileURLToPath(new URL(`./${c.file}`, import.meta.url))],
            outfile: join(dir, `${c.factory}.mjs`),
            bundle: true,
            format: "esm",
            platform: "node",
            target: "node20",
            logLevel: "silent",
            banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
          });
          execFileSync(process.execPath, ["--cpu-prof", "--cpu-prof-interval", "100", "--cpu-prof-dir", process.env.FOCUS_PROF, join(dir, "cold-child.mjs"), pathToFileURL(join(dir, `${c.factory}.mjs`)).href, c.factory, JSON.stringify(target)]);
        }
        log(`cold ${c.name}: import ${r.importMs?.median.toFixed(1)} ms, first handshake ${r.handshakeMs?.median.toFixed(1)} ms, total ${r.totalMs?.median.toFixed(1)} ms (runs: ${r.runs.map((x) => x.totalMs.toFixed(0)).join(" ")})`);
      }
      // The warm wall time the cold figure is divided by, on the same endpoint.
      const endpoint = servers.handshake("node", s);
      const m = await measureInterleaved([{ name: "microtls", run: () => ours.connect({ endpoint, scenario: s, pki }) }], 10, 30);
      log(`warm microtls (node server): wall ${m.get("microtls")!.wallMs.median.toFixed(2)} ms, cpu ${m.get("microtls")!.cpuMs.median.toFixed(2)} ms`);
    }
    if (focus.has("handshake")) {
      const ids = (process.env.FOCUS_SCENARIOS ?? "ecdsa-x25519,rsa-kx").split(",");
      for (const s of HANDSHAKE_SCENARIOS.filter((x) => ids.includes(x.id))) {
        const floor = prepareFloor(s, pki);
        const endpoint = servers.handshake("openssl", s);
        const contenders: Contender[] = [
          { name: "microtls", run: () => ours.connect({ endpoint, scenario: s, pki }) },
          { name: "floor warm", run: () => floor.onceWarm() },
        ];
        const m = await measureInterleaved(contenders, 10, N);
        const a = m.get("microtls")!.cpuMs.median;
        const f = m.get("floor warm")!.cpuMs.median;
        log(`handshake ${s.id}: microtls ${a.toFixed(2)} ms cpu, warm floor ${f.toFixed(2)} ms, ratio ${(a / f).toFixed(2)}`);
      }
    }
    if (focus.has("bulk")) {
      const bytes = Number(process.env.FOCUS_MIB ?? 16) * 1024 * 1024;
      const wanted = (process.env.FOCUS_SUITES ?? "aes128gcm,aes256gcm,chacha").split(",");
      for (const b of BULK_SUITES.filter((x) => wanted.includes(x.id))) {
        const scenario = bulkScenario(b);
        const conn = await ours.connect({ endpoint: servers.bulk(b), scenario, pki });
        try {
          const m = await interleavedBulk(b.aead, [{ name: "microtls", conn }], bytes);
          const got = m.byName.get("microtls")!;
          log(`bulk ${b.label}: raw ${m.rawCpuMs.toFixed(0)} ms, microtls ${got.cpuMs.toFixed(0)} ms, bulk/raw ${(m.rawCpuMs / got.cpuMs).toFixed(2)}, ${got.mibPerSec.toFixed(1)} MiB/s`);
        } finally {
          await conn.close();
        }
      }
    }
  } finally {
    servers.close();
  }
}

main().then(
  () => process.exit(0),
  (e) => {
    process.stderr.write(`focus failed: ${(e as Error).stack ?? e}\n`);
    process.exit(1);
  },
);
