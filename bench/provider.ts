// Handshake client CPU with the node:crypto provider vs node:tls, same servers, same run, interleaved round-robin
// (with microtls on its default noble provider alongside, for scale). Merges `nodeProvider` into bench/results.json.
//   node --expose-gc --import tsx bench/provider.ts        (BENCH_N handshakes per row, default 100)
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { createConnection } from "../src/node/connect.js";
import { nodeCryptoProvider } from "../src/node/native-provider.js";
import { TrustStore } from "../src/x509/index.js";
import { nativeDriver } from "./clients/native.js";
import { closeSocket, type ConnectTarget, type Connection } from "./clients/types.js";
import { measureInterleaved, type HandshakeStats } from "./measure.js";
import { BENCH_HOST, makeBenchPki } from "./pki.js";
import { HANDSHAKE_SCENARIOS } from "./scenarios.js";
import { SERVER_KINDS, startServers } from "./servers.js";

const N = Number(process.env.BENCH_N ?? 100);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 10);
const benchDir = fileURLToPath(new URL(".", import.meta.url));
const log = (line: string): void => void process.stderr.write(`${line}\n`);

const stores = new Map<string, TrustStore>();
function anchors(pem: string): TrustStore {
  let s = stores.get(pem);
  if (!s) stores.set(pem, (s = new TrustStore(pem)));
  return s;
}

/** microtls through microtls/node, as an application runs it; `native` picks the node:crypto provider. */
function microtls(t: ConnectTarget, native: boolean): Promise<Connection> {
  const socket = createConnection({
    host: t.endpoint.host,
    port: t.endpoint.port,
    serverName: BENCH_HOST,
    ca: anchors(t.pki[t.scenario.chain].rootPem),
    cipherSuites: [t.scenario.suite],
    ...(t.scenario.offered.length > 0 ? { groups: t.scenario.offered } : {}),
    ...(native ? { crypto: nodeCryptoProvider } : {}),
  });
  (socket.transport as { setNoDelay?: (on: boolean) => unknown }).setNoDelay?.(true);
  return new Promise((resolve, reject) => {
    socket.once("error", reject);
    socket.once("secureConnect", () => {
      socket.off("error", reject);
      socket.on("error", () => {});
      const want = t.scenario.group;
      if (want !== null && socket.client.group !== want) {
        socket.destroy();
        reject(new Error(`negotiated ${socket.client.group}, expected ${want}`));
        return;
      }
      resolve({ close: () => closeSocket(socket), stream: socket });
    });
  });
}

interface Row {
  scenario: string;
  server: string;
  nodeTlsCpuMs: number;
  nodeProviderCpuMs: number;
  nobleCpuMs: number;
  nodeProviderVsNodeTls: number;
  nobleVsNodeTls: number;
  errors?: Record<string, string>;
}

async function main(): Promise<void> {
  const tmpDir = `${benchDir}.tmp/provider`;
  mkdirSync(tmpDir, { recursive: true });
  const pki = makeBenchPki(tmpDir);
  const servers = await startServers(pki, HANDSHAKE_SCENARIOS, []);
  const native = nativeDriver();
  const rows: Row[] = [];
  const started = Date.now();
  try {
    for (const scenario of HANDSHAKE_SCENARIOS) {
      for (const server of SERVER_KINDS) {
        const target: ConnectTarget = { endpoint: servers.handshake(server, scenario), scenario, pki };
        const results = await measureInterleaved(
          [
            { name: "node:tls", run: () => native.connect(target) },
            { name: "microtls+node:crypto", run: () => microtls(target, true) },
            { name: "microtls+noble", run: () => microtls(target, false) },
          ],
          WARMUP,
          N,
        );
        const med = (name: string) => (results.get(name) as HandshakeStats).cpuMs.median;
        const errors: Record<string, string> = {};
        for (const [name, r] of results) if (r.errors) errors[name] = `${r.errors}: ${r.lastError}`;
        const row: Row = {
          scenario: scenario.id,
          server,
          nodeTlsCpuMs: round(med("node:tls")),
          nodeProviderCpuMs: round(med("microtls+node:crypto")),
          nobleCpuMs: round(med("microtls+noble")),
          nodeProviderVsNodeTls: round(med("microtls+node:crypto") / med("node:tls")),
          nobleVsNodeTls: round(med("microtls+noble") / med("node:tls")),
          ...(Object.keys(errors).length ? { errors } : {}),
        };
        rows.push(row);
        log(`${scenario.id} / ${server}: node:tls ${row.nodeTlsCpuMs} ms, node provider ${row.nodeProviderCpuMs} ms (${row.nodeProviderVsNodeTls}x), noble ${row.nobleCpuMs} ms (${row.nobleVsNodeTls}x)`);
      }
    }
  } finally {
    servers.close();
  }
  // The headline: the median over every scenario and server of the per-row ratio.
  const ratios = rows.map((r) => r.nodeProviderVsNodeTls).filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  const headline = ratios.length ? ratios[Math.floor((ratios.length - 1) / 2)] : NaN;
  const path = `${benchDir}results.json`;
  const results = JSON.parse(readFileSync(path, "utf8")) as Record<string, unknown>;
  results.nodeProvider = {
    handshakeCpuVsNodeTls: headline,
    date: new Date().toISOString(),
    node: process.version,
    handshakesPerRow: N,
    note: "client CPU per full handshake (median), microtls with crypto: nodeCryptoProvider vs node:tls, interleaved against the same servers; headline = median of the per-row ratios",
    rows,
    durationSec: Math.round((Date.now() - started) / 1000),
  };
  writeFileSync(path, JSON.stringify(results, null, 2) + "\n");
  log(`nodeProvider.handshakeCpuVsNodeTls = ${headline} (written to bench/results.json)`);
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}

main().then(
  () => process.exit(0),
  (e) => {
    process.stderr.write(`provider bench failed: ${(e as Error).stack ?? e}\n`);
    process.exit(1);
  },
);
