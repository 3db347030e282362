// `npm run bench`: every figure of issue 5 in one run, as ratios against baselines measured in the same run.
// Prints Markdown tables and writes bench/results.json. BENCH_N (default 100) sets the measured handshakes per row.
import { execFileSync, spawn } from "node:child_process";
import { Socket } from "node:net";
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus, totalmem, release, platform, arch, loadavg } from "node:os";
import { fileURLToPath } from "node:url";
import { loadDriver, type DriverName } from "./clients/index.js";
import { closeSocket, type Connection, type Driver } from "./clients/types.js";
import { BULK_BYTES, bulkScenario, interleavedBulk } from "./bulk.js";
import { COLD_CLIENTS, measureCold, type ColdResult } from "./cold.js";
import { floorBreakdown, prepareFloor, rsaSchemeSpread, type FloorResult } from "./floor.js";
import { measureInterleaved, type Contender, type HandshakeStats } from "./measure.js";
import type { MemoryConfig, MemoryRow } from "./memory-child.js";
import { makeBenchPki } from "./pki.js";
import { renderReport } from "./report.js";
import { BULK_SUITES, HANDSHAKE_SCENARIOS, LEGACY_SCENARIO, type Scenario } from "./scenarios.js";
import { SERVER_KINDS, startServers, type ServerKind } from "./servers.js";
import { measureSize, PROFILES, type SizeResult } from "./size.js";
import { measureResumption, RESUME_CASES, type ResumeRow } from "./resume.js";

const N = Number(process.env.BENCH_N ?? 100);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 10);
const benchDir = fileURLToPath(new URL(".", import.meta.url));
const tmpDir = `${benchDir}.tmp`;
const log = (line: string): void => void process.stderr.write(`${line}\n`);

export interface HandshakeRow {
  scenario: string;
  label: string;
  server: ServerKind;
  client: string;
  result?: HandshakeStats;
  skipped?: string;
}

export interface BulkRow {
  suite: string;
  client: string;
  /** The same transfer over plain TCP (no TLS), measured next to it. */
  tcpCpuMs?: number;
  cpuMs?: number;
  wallMs?: number;
  mibPerSec?: number;
  rawCpuMs: number;
  skipped?: string;
}

export interface Results {
  date: string;
  machine: { cpu: string; cores: number; memoryGiB: number; os: string; loadavgAtStart: number[] };
  node: string;
  openssl: string;
  commit: string;
  settings: { handshakesPerRow: number; warmup: number; bulkBytesEachWay: number };
  /** Per-part breakdown of each floor (each part timed on its own). */
  floors: Record<string, FloorResult>;
  /** The floors (and a bare TCP connect) timed interleaved with the handshakes of the same block. */
  references: Array<{ scenario: string; server: ServerKind; floor?: HandshakeStats; floorWarm?: HandshakeStats; tcpConnect?: HandshakeStats }>;
  rsaSchemeSpread: { pkcs1Ms: number; pssMs: number };
  handshakes: HandshakeRow[];
  bulk: BulkRow[];
  cold: { scenario: string; server: ServerKind; results: ColdResult[] };
  memory: MemoryRow[];
  size: SizeResult[];
  /** Resumed vs full handshake client CPU against openssl s_server (issue 7); absent in older results. */
  resumption?: ResumeRow[];
  durationSec: number;
  /** Wall seconds per section, to keep the run under 5 minutes. */
  sectionSec: Record<string, number>;
}

/** The transport alone: a TCP connection, no TLS — what any client pays to Node's net layer. */
function tcpConnect(host: string, port: number, withStream = false): Promise<Connection> {
  return new Promise((resolve, reject) => {
    const socket = new Socket();
    socket.setNoDelay(true);
    socket.once("error", reject);
    socket.connect({ host, port }, () => resolve({ close: () => closeSocket(socket), ...(withStream ? { stream: socket } : {}) }));
  });
}

function quiet(cmd: string, args: string[]): string {
  try {
    return execFileSync(cmd, args, { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
  } catch {
    return "unknown";
  }
}

function runMemoryChild(cfg: MemoryConfig): Promise<MemoryRow[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ["--expose-gc", "--max-semi-space-size=64", "--min-semi-space-size=64", "--import", "tsx", `${benchDir}memory-child.ts`],
      { stdio: ["ignore", "pipe", "inherit"], env: { ...process.env, BENCH_MEMORY_CONFIG: JSON.stringify(cfg, (k, v: unknown) => (k === "der" ? undefined : v)) } },
    );
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.on("exit", (code) => {
      const line = out.trim().split("\n").pop() ?? "";
      if (code === 0 && line.startsWith("[")) resolve(JSON.parse(line) as MemoryRow[]);
      else reject(new Error(`memory child exited ${code}: ${out.slice(-500)}`));
    });
  });
}

async function main(): Promise<void> {
  const started = Date.now();
  mkdirSync(tmpDir, { recursive: true });
  const results: Results = {
    date: new Date().toISOString(),
    machine: {
      cpu: cpus()[0]?.model ?? "unknown",
      cores: cpus().length,
      memoryGiB: Math.round(totalmem() / 2 ** 30),
      os: `${platform()} ${release()} ${arch()}`,
      loadavgAtStart: loadavg().map((l) => Math.round(l * 100) / 100),
    },
    node: process.version,
    openssl: quiet("openssl", ["version"]),
    commit: `${quiet("git", ["rev-parse", "--short", "HEAD"])}${quiet("git", ["status", "--porcelain", "--", "src"]) ? " (src/ modified)" : ""}`,
    settings: { handshakesPerRow: N, warmup: WARMUP, bulkBytesEachWay: BULK_BYTES },
    floors: {},
    references: [],
    rsaSchemeSpread: { pkcs1Ms: 0, pssMs: 0 },
    handshakes: [],
    bulk: [],
    cold: { scenario: HANDSHAKE_SCENARIOS[0].id, server: "node", results: [] },
    memory: [],
    size: [],
    durationSec: 0,
    sectionSec: {},
  };
  let sectionStart = Date.now();
  const section = (name: string): void => {
    results.sectionSec[name] = Math.round((Date.now() - sectionStart) / 100) / 10;
    sectionStart = Date.now();
  };

  log("bench: certificates (openssl CLI) …");
  const pki = makeBenchPki(tmpDir);
  log("bench: servers (node tls process, openssl s_server) …");
  const scenarios: Scenario[] = [...HANDSHAKE_SCENARIOS, LEGACY_SCENARIO];
  const servers = await startServers(pki, scenarios, BULK_SUITES);
  try {
    const names: DriverName[] = ["microtls", "node:tls", "@reclaimprotocol/tls", "node-forge"];
    const drivers: Driver[] = [];
    for (const n of names) drivers.push(await loadDriver(n));
    const ours = drivers[0];
    // The core without the Node adapter, only where it explains something (keeps the run under 5 minutes).
    const core = await loadDriver("microtls core (no adapter)");
    const CORE_SCENARIOS = new Set(["ecdsa-x25519", "rsa-kx"]);
    if (ours.unavailable) log(`bench: microtls ${ours.unavailable}`);

    section("setup");
    log(`bench: handshakes, interleaved with their floors (${WARMUP} warm-up + ${N} measured rounds per block) …`);
    const FLOOR = "floor";
    const FLOOR_WARM = "floor, chain checks cached";
    const TCP = "bare TCP connect";
    for (const s of scenarios) {
      const floor = HANDSHAKE_SCENARIOS.includes(s) ? prepareFloor(s, pki) : null;
      if (floor) results.floors[s.id] = floorBreakdown(floor);
      for (const server of SERVER_KINDS) {
        const endpoint = servers.handshake(server, s);
        const contenders: Contender[] = [];
        const rows: HandshakeRow[] = [];
        for (const d of CORE_SCENARIOS.has(s.id) ? [...drivers, core] : drivers) {
          const row: HandshakeRow = { scenario: s.id, label: s.label, server, client: d.name };
          const why = d.unavailable ?? d.unsupported(s);
          if (why) {
            // Rows for a client that cannot do the scenario are noise; "not yet available" rows are kept.
            if (d.unavailable) results.handshakes.push({ ...row, skipped: why });
            continue;
          }
          results.handshakes.push(row);
          const connect = () => d.connect({ endpoint, scenario: s, pki });
          try {
            await (await connect()).close(); // a client that cannot connect must not stall the others
            contenders.push({ name: d.name, run: connect });
            rows.push(row);
          } catch (e) {
            row.skipped = `failed: ${(e as Error).message}`;
            log(`  ${s.id} / ${server} / ${d.name}: ${row.skipped}`);
          }
        }
        if (floor) {
          contenders.push({ name: FLOOR, run: () => floor.once() });
          contenders.push({ name: FLOOR_WARM, run: () => floor.onceWarm() });
        }
        contenders.push({ name: TCP, run: () => tcpConnect(endpoint.host, endpoint.port) });
        const m = await measureInterleaved(contenders, WARMUP, N);
        for (const row of rows) {
          const got = m.get(row.client);
          if (got && got.cpuMs.n > 0) row.result = got;
          else row.skipped = `failed: ${got?.lastError ?? "no samples"}`;
          if (got?.errors) log(`  ${s.id} / ${server} / ${row.client}: ${got.errors} failed connections (${got.lastError})`);
        }
        results.references.push({ scenario: s.id, server, floor: m.get(FLOOR), floorWarm: m.get(FLOOR_WARM), tcpConnect: m.get(TCP) });
        log(
          `  ${s.id} / ${server}: ` +
            [...m.entries()].map(([name, r]) => `${name} ${r.cpuMs.median.toFixed(2)}`).join(", ") +
            " (CPU ms)",
        );
      }
    }

    results.rsaSchemeSpread = rsaSchemeSpread(pki);
    section("handshakes");

    log("bench: bulk (raw AEAD, plain TCP, node:tls and microtls interleaved in 4 slices) …");
    for (const b of BULK_SUITES) {
      const scenario = bulkScenario(b);
      const rows: BulkRow[] = drivers.slice(0, 2).map((d) => ({ suite: b.label, client: d.name, rawCpuMs: 0 }));
      results.bulk.push(...rows);
      const conns: Array<{ name: string; conn: Connection }> = [];
      try {
        const tcp = servers.tcpEcho();
        conns.push({ name: "tcp", conn: await tcpConnect(tcp.host, tcp.port, true) });
        for (const [i, d] of drivers.slice(0, 2).entries()) {
          const why = d.unavailable ?? d.unsupported(scenario);
          if (why) rows[i].skipped = why;
          else conns.push({ name: d.name, conn: await d.connect({ endpoint: servers.bulk(b), scenario, pki }) });
        }
        const m = await interleavedBulk(b.aead, conns);
        for (const row of rows) {
          row.rawCpuMs = m.rawCpuMs;
          row.tcpCpuMs = m.byName.get("tcp")?.cpuMs;
          const got = m.byName.get(row.client);
          if (got) Object.assign(row, got);
          if (got) log(`  ${b.label} / ${row.client}: cpu ${got.cpuMs.toFixed(0)} ms (raw AEAD ${m.rawCpuMs.toFixed(0)} ms), ${got.mibPerSec.toFixed(1)} MiB/s`);
        }
      } catch (e) {
        for (const row of rows) row.skipped ??= `failed: ${(e as Error).message}`;
        log(`  ${b.label}: failed: ${(e as Error).message}`);
      } finally {
        for (const c of conns) await c.conn.close();
      }
    }
    section("bulk");
    log("bench: cold start (5 fresh processes per client) …");
    const coldScenario = HANDSHAKE_SCENARIOS[0];
    for (const c of COLD_CLIENTS) {
      try {
        results.cold.results.push(await measureCold(tmpDir, c, { endpoint: servers.handshake("node", coldScenario), scenario: coldScenario, pki }));
      } catch (e) {
        results.cold.results.push({ client: c.name, runs: [], unavailable: `failed: ${(e as Error).message}` });
      }
    }

    section("cold start");
    log("bench: memory (child process, --expose-gc) …");
    const memTargets = [BULK_SUITES[0], BULK_SUITES[2]].map((b) => ({ key: b.label, endpoint: servers.bulk(b), scenario: bulkScenario(b) }));
    try {
      results.memory = await runMemoryChild({
        drivers: ["microtls", "microtls core (no adapter)", "@reclaimprotocol/tls", "node:tls"],
        targets: memTargets,
        pki,
        floors: [HANDSHAKE_SCENARIOS[0]],
        samples: 10,
        idleConnections: 12,
      });
    } catch (e) {
      log(`  memory failed: ${(e as Error).message}`);
    }
  } finally {
    servers.close();
  }

  section("memory");
  log("bench: size (esbuild) …");
  for (const p of PROFILES) results.size.push(await measureSize(p.profile, p.entry, p.doesNotNeed));
  section("size");
  log("bench: resumed vs full handshake (openssl s_server, session tickets) …");
  try {
    results.resumption = await measureResumption(pki, RESUME_CASES, N, WARMUP);
  } catch (e) {
    log(`  resumption failed: ${(e as Error).message}`);
  }
  section("resumption");

  results.durationSec = Math.round((Date.now() - started) / 1000);
  writeFileSync(`${benchDir}results.json`, `${JSON.stringify(results, null, 2)}\n`);
  process.stdout.write(renderReport(results));
  log(
    `bench: done in ${results.durationSec} s (${Object.entries(results.sectionSec)
      .map(([k, v]) => `${k} ${v} s`)
      .join(", ")}); wrote bench/results.json`,
  );
}

main().then(
  () => process.exit(0),
  (e) => {
    process.stderr.write(`bench failed: ${(e as Error).stack ?? e}\n`);
    process.exit(1);
  },
);
