// microtls (through microtls/node) against @reclaimprotocol/tls on the overhead bench's four suites, interleaved
// round by round against `openssl s_server` (process CPU from connect to handshake done, as bench/run.ts does).
//   node --expose-gc --import tsx bench/vs-reclaim.ts        (BENCH_N=40 by default)
import { mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { loadDriver } from "./clients/index.js";
import { measureInterleaved, type Contender } from "./measure.js";
import { OVERHEAD_SCENARIOS } from "./overhead-scenarios.js";
import { makeBenchPki } from "./pki.js";
import { startServers } from "./servers.js";

async function main(): Promise<void> {
  const tmp = `${fileURLToPath(new URL(".", import.meta.url))}.tmp/vs-reclaim`;
  mkdirSync(tmp, { recursive: true });
  const pki = makeBenchPki(tmp);
  const servers = await startServers(pki, OVERHEAD_SCENARIOS, []);
  const drivers = [await loadDriver("microtls"), await loadDriver("@reclaimprotocol/tls")];
  const N = Number(process.env.BENCH_N ?? 40);
  try {
    for (const s of OVERHEAD_SCENARIOS) {
      const endpoint = servers.handshake("openssl", s);
      const contenders: Contender[] = drivers
        .filter((d) => d.unavailable === null && d.unsupported(s) === null)
        .map((d) => ({ name: d.name, run: () => d.connect({ endpoint, scenario: s, pki }) }));
      const r = await measureInterleaved(contenders, 10, N);
      const ours = r.get("microtls")?.cpuMs.median ?? NaN;
      const theirs = r.get("@reclaimprotocol/tls")?.cpuMs.median ?? NaN;
      const errs = [...r].filter(([, v]) => v.errors).map(([k, v]) => `${k}: ${v.errors} errors (${v.lastError})`);
      console.log(`${s.label}: microtls ${ours.toFixed(2)} ms, reclaim ${theirs.toFixed(2)} ms, reclaim ÷ microtls ${(theirs / ours).toFixed(2)}× ${errs.join("; ")}`);
    }
  } finally {
    servers.close();
  }
}

void main();
