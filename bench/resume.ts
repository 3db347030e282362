// Resumed against full handshake, client CPU (issue 7: target ≤ 0.05×). Runs on its own:
//   node --import tsx bench/resume.ts          (BENCH_N handshakes of each kind, default 100; BENCH_WARMUP, default 20)
// The peer is `openssl s_server` in its own process (session tickets on, its default), so none of its work is
// charged to our clock. Full and resumed handshakes alternate, one each per round, so both see the same machine
// load; each resumed handshake offers the session the previous one left (the server may renew its ticket).
//
// Two CPU figures per handshake, both from process.cpuUsage:
//  - "core": the sum over the client.handshake() calls, i.e. the sans-I/O client's own work;
//  - "process": connect to handshake complete, which adds the socket and event-loop work any client pays.
import { spawn, type ChildProcess } from "node:child_process";
import { Socket } from "node:net";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { TlsConnection, type TlsSession } from "../src/index.js";
import { TrustStore } from "../src/x509/index.js";
import { cpuMsSince, stats, type Stats } from "./measure.js";
import { BENCH_HOST, makeBenchPki, type BenchChain, type BenchPki, type ChainKind } from "./pki.js";

const HOST = "127.0.0.1";

export interface ResumeCase {
  id: string;
  label: string;
  chain: ChainKind;
  suite: string;
  opensslCipher: string;
}

export const RESUME_CASES: ResumeCase[] = [
  {
    id: "ecdsa-x25519",
    label: "ECDHE-ECDSA P-256 leaf, x25519",
    chain: "ecdsa",
    suite: "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
    opensslCipher: "ECDHE-ECDSA-AES128-GCM-SHA256",
  },
  {
    id: "rsa-x25519",
    label: "ECDHE-RSA-2048 leaf, x25519",
    chain: "rsa",
    suite: "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
    opensslCipher: "ECDHE-RSA-AES128-GCM-SHA256",
  },
];

export interface ResumeRow {
  id: string;
  label: string;
  n: number;
  full: { coreCpuMs: Stats; processCpuMs: Stats };
  resumed: { coreCpuMs: Stats; processCpuMs: Stats };
  /** resumed median ÷ full median. */
  coreRatio: number;
  processRatio: number;
  /** Resumed handshakes the server declined (they ran in full and are not in the resumed figures). */
  declined: number;
}

interface Server {
  port: number;
  child: ChildProcess;
}

export function startOpenssl(chain: BenchChain, c: ResumeCase): Promise<Server> {
  const args = [
    "s_server", "-accept", `${HOST}:0`, "-tls1_2",
    "-cert", chain.leaf.certPath, "-key", chain.leaf.keyPath, "-cert_chain", chain.intermediateFile,
    "-cipher", c.opensslCipher, "-groups", "X25519",
  ];
  // stdin stays an open pipe: at EOF on stdin s_server would end each session by itself.
  const child = spawn("openssl", args, { stdio: ["pipe", "pipe", "pipe"] });
  child.stderr!.on("data", () => {});
  return new Promise((resolve, reject) => {
    const rl = createInterface({ input: child.stdout! });
    const timer = setTimeout(() => reject(new Error("openssl s_server not ready after 20 s")), 20_000);
    rl.on("line", (line) => {
      const m = /^ACCEPT .*:(\d+)$/.exec(line);
      if (!m) return;
      clearTimeout(timer);
      resolve({ port: Number(m[1]), child });
    });
    child.once("exit", (code) => reject(new Error(`openssl s_server exited (${code})`)));
  });
}

interface Handshake {
  coreCpuMs: number;
  processCpuMs: number;
  resumed: boolean;
  session: TlsSession | null;
}

const random = (b: Uint8Array): void => {
  globalThis.crypto.getRandomValues(b as Uint8Array<ArrayBuffer>);
};

/** One connection: handshake over a net.Socket with the smallest pump, then a clean close (outside the timing). */
export function handshakeOnce(port: number, ca: TrustStore, c: ResumeCase, session: TlsSession | null): Promise<Handshake> {
  const conn = new TlsConnection({
    serverName: BENCH_HOST,
    ca,
    cipherSuites: [c.suite],
    // OpenSSL (RFC 4492 §5.1) wants an ECDSA leaf's curve in supported_groups too; the server picks x25519.
    groups: c.chain === "ecdsa" ? ["x25519", "secp256r1"] : ["x25519"],
    random,
    ...(session ? { session } : {}),
  });
  const socket = new Socket();
  socket.setNoDelay(true);
  let core = 0;
  const start = process.cpuUsage();
  /** The engine's output, taken inside the "core" timing; written to the socket (transport work) outside it. */
  const takeOutput = (): Uint8Array => {
    const out = conn.output();
    conn.consumed(out.length);
    return out;
  };
  return new Promise((resolve, reject) => {
    const step = (chunk?: Buffer): void => {
      const c0 = process.cpuUsage();
      if (chunk) conn.feed(chunk);
      const out = takeOutput();
      core += cpuMsSince(c0);
      if (out.length > 0) socket.write(out);
      if (conn.error) {
        socket.destroy();
        reject(conn.error);
        return;
      }
      if (!conn.handshakeComplete) return;
      const processCpuMs = cpuMsSince(start);
      const result: Handshake = { coreCpuMs: core, processCpuMs, resumed: conn.resumed, session: conn.session };
      // close_notify first: OpenSSL drops a session from its cache when a connection ends uncleanly.
      conn.close();
      socket.write(takeOutput());
      socket.removeAllListeners("data");
      socket.on("data", () => {});
      socket.once("close", () => resolve(result));
      socket.end();
    };
    socket.on("data", (d: Buffer) => step(d));
    socket.once("error", reject);
    socket.connect({ host: HOST, port }, () => step());
  });
}

const gc = (globalThis as { gc?: (opts?: { type: "minor" | "major" }) => void }).gc;

export async function measureResumption(pki: BenchPki, cases = RESUME_CASES, count = 100, warmup = 20): Promise<ResumeRow[]> {
  const rows: ResumeRow[] = [];
  for (const c of cases) {
    const chain = pki[c.chain];
    const server = await startOpenssl(chain, c);
    try {
      const ca = new TrustStore(chain.rootPem);
      const first = await handshakeOnce(server.port, ca, c, null);
      let session = first.session;
      if (!session) throw new Error(`${c.id}: the full handshake left no session to resume`);
      const full = { core: [] as number[], proc: [] as number[] };
      const resumed = { core: [] as number[], proc: [] as number[] };
      let declined = 0;
      for (let round = 0; round < warmup + count; round++) {
        // Alternate which kind goes first, so neither always follows the other's garbage or cache state.
        const order = round % 2 === 0 ? ["full", "resumed"] : ["resumed", "full"];
        for (const kind of order) {
          gc?.({ type: "minor" });
          const h = await handshakeOnce(server.port, ca, c, kind === "resumed" ? session : null);
          if (kind === "resumed") {
            if (h.session) session = h.session;
            if (!h.resumed) {
              declined++;
              continue;
            }
          } else if (h.resumed) {
            throw new Error("a handshake without a session resumed");
          }
          if (round < warmup) continue;
          const into = kind === "full" ? full : resumed;
          into.core.push(h.coreCpuMs);
          into.proc.push(h.processCpuMs);
        }
      }
      const f = { coreCpuMs: stats(full.core), processCpuMs: stats(full.proc) };
      const r = { coreCpuMs: stats(resumed.core), processCpuMs: stats(resumed.proc) };
      rows.push({
        id: c.id,
        label: c.label,
        n: count,
        full: f,
        resumed: r,
        coreRatio: r.coreCpuMs.median / f.coreCpuMs.median,
        processRatio: r.processCpuMs.median / f.processCpuMs.median,
        declined,
      });
    } finally {
      server.child.kill();
    }
  }
  return rows;
}

export function renderResumption(rows: ResumeRow[]): string {
  const ms = (v: number): string => v.toFixed(2);
  const lines = [
    "| leaf, group (openssl s_server, tickets) | full: core / process CPU ms | resumed: core / process CPU ms | resumed ÷ full (core) | resumed ÷ full (process) | target |",
    "|---|---|---|---|---|---|",
  ];
  for (const r of rows) {
    lines.push(
      `| ${r.label} | ${ms(r.full.coreCpuMs.median)} / ${ms(r.full.processCpuMs.median)} | ${ms(r.resumed.coreCpuMs.median)} / ${ms(r.resumed.processCpuMs.median)} ` +
        `| ${r.coreRatio.toFixed(3)} | ${r.processRatio.toFixed(3)} | ≤ 0.05 |` + (r.declined ? ` (${r.declined} declined)` : ""),
    );
  }
  return `${lines.join("\n")}\n\nMedians of ${rows[0]?.n ?? 0} handshakes of each kind after warm-up, interleaved. "core" = CPU inside TlsClient.handshake(); "process" = connect to handshake complete.\n`;
}

async function main(): Promise<void> {
  const benchDir = fileURLToPath(new URL(".", import.meta.url));
  const pki = makeBenchPki(`${benchDir}.tmp/resume`);
  const count = Number(process.env.BENCH_N ?? 100);
  const warmup = Number(process.env.BENCH_WARMUP ?? 20);
  const rows = await measureResumption(pki, RESUME_CASES, count, warmup);
  process.stdout.write(renderResumption(rows));
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().catch((e: unknown) => {
    process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
    process.exitCode = 1;
  });
}
