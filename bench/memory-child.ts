// Memory, in a process of its own started with --expose-gc and a 64 MB young generation, so a handshake's
// allocations stay in the nursery and `after − before` is what it allocated. A sample during which any GC
// ran (seen by v8.GCProfiler) is discarded. "Heap" = V8 heap used + ArrayBuffer backing stores (Uint8Arrays
// over 64 bytes live outside the V8 heap, and a TLS client is mostly Uint8Arrays).
import { Socket } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { GCProfiler } from "node:v8";
import { loadDriver, type DriverName } from "./clients/index.js";
import type { Connection } from "./clients/types.js";
import { prepareFloor } from "./floor.js";
import type { BenchPki } from "./pki.js";
import { pemToDer } from "../test/helpers/pki.js";
import type { Scenario } from "./scenarios.js";
import type { Endpoint } from "./servers.js";
import { stats } from "./measure.js";

export interface MemoryConfig {
  drivers: DriverName[];
  targets: Array<{ key: string; endpoint: Endpoint; scenario: Scenario }>;
  /** The whole PKI (JSON: the DER fields are rebuilt from the PEMs), for the floors. */
  pki: BenchPki;
  /** Scenarios whose floor allocation is measured too (full, and with the chain checks left out). */
  floors: Scenario[];
  samples: number;
  idleConnections: number;
}

export interface MemoryRow {
  driver: string;
  target: string;
  unavailable?: string;
  /** Median bytes allocated by one handshake (connect → handshake done). */
  allocatedPerHandshake?: number;
  allocatedHeapOnly?: number;
  allocatedSamples?: number;
  /** Bytes still held per idle established connection, after full GCs. */
  retainedPerConnection?: number;
  /** The same for a bare TCP socket to the same port: the part that is not TLS. */
  retainedBareSocket?: number;
}

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error("memory-child needs --expose-gc");
const fullGc = (): void => {
  gc();
  gc();
};
const usage = (): { heap: number; buffers: number } => {
  const m = process.memoryUsage();
  return { heap: m.heapUsed, buffers: m.arrayBuffers };
};

async function settle(): Promise<void> {
  // Backing stores are released (and credited) after the GC that found them dead: a few rounds.
  for (let i = 0; i < 3; i++) {
    fullGc();
    await sleep(20);
  }
}

function bareSocket(ep: Endpoint): Promise<Connection> {
  return new Promise((resolve, reject) => {
    const s = new Socket();
    s.once("error", reject);
    s.connect({ host: ep.host, port: ep.port }, () =>
      resolve({ close: () => new Promise<void>((r) => (s.destroyed ? r() : (s.once("close", () => r()), s.destroy()))) }),
    );
  });
}

/**
 * Bytes held per idle established connection, and per bare TCP socket to the same port. Closed TLS sockets can
 * stay reachable for a while (microtls/node keeps a closing transport up to 1 s to flush its close_notify), and
 * V8 only credits freed ArrayBuffers after they are collected, so the earlier samples' connections are given
 * time to go first; the bare sockets are measured before the TLS ones for the same reason.
 */
async function retained(connect: () => Promise<Connection>, bare: () => Promise<Connection>, n: number): Promise<{ tls: number; bare: number }> {
  await sleep(1500);
  await settle();
  const b0 = usage();
  const sockets: Connection[] = [];
  for (let i = 0; i < n; i++) sockets.push(await bare());
  await settle();
  const b1 = usage();
  for (const c of sockets) await c.close();
  await settle();
  const t0 = usage();
  const held: Connection[] = [];
  for (let i = 0; i < n; i++) held.push(await connect());
  await settle();
  const t1 = usage();
  for (const c of held) await c.close();
  const per = (a: { heap: number; buffers: number }, z: { heap: number; buffers: number }) => (z.heap + z.buffers - a.heap - a.buffers) / n;
  return { tls: per(t0, t1), bare: per(b0, b1) };
}

const cfg = JSON.parse(process.env.BENCH_MEMORY_CONFIG ?? "{}") as MemoryConfig;
const pki = cfg.pki;
for (const kind of ["ecdsa", "rsa"] as const) {
  for (const c of [pki[kind].root, pki[kind].intermediate, pki[kind].leaf]) c.der = pemToDer(c.certPem);
}
const rows: MemoryRow[] = [];

/** Bytes one synchronous operation allocates (median; samples with a GC in them are dropped). */
function allocatedBy(op: () => void, samples: number): { total: number; heap: number; n: number } {
  for (let i = 0; i < 5; i++) op();
  const total: number[] = [];
  const heap: number[] = [];
  for (let i = 0; i < samples; i++) {
    fullGc();
    const profiler = new GCProfiler();
    profiler.start();
    const before = usage();
    op();
    const after = usage();
    if ((profiler.stop()?.statistics.length ?? 0) > 0) continue;
    total.push(after.heap + after.buffers - before.heap - before.buffers);
    heap.push(after.heap - before.heap);
  }
  return { total: stats(total).median, heap: stats(heap).median, n: total.length };
}

for (const s of cfg.floors) {
  const floor = prepareFloor(s, pki);
  for (const [name, op] of [
    ["floor (noble)", () => floor.once()],
    ["floor, chain checks cached", () => floor.onceWarm()],
  ] as const) {
    const a = allocatedBy(op, cfg.samples);
    rows.push({ driver: name, target: s.label, allocatedPerHandshake: a.total, allocatedHeapOnly: a.heap, allocatedSamples: a.n });
  }
}
for (const name of cfg.drivers) {
  const driver = await loadDriver(name);
  for (const t of cfg.targets) {
    const row: MemoryRow = { driver: driver.name, target: t.key };
    rows.push(row);
    if (driver.unavailable || driver.unsupported(t.scenario)) {
      row.unavailable = driver.unavailable ?? driver.unsupported(t.scenario) ?? "";
      continue;
    }
    const connect = () => driver.connect({ endpoint: t.endpoint, scenario: t.scenario, pki });
    try {
      for (let i = 0; i < 5; i++) await (await connect()).close();
      const total: number[] = [];
      const heapOnly: number[] = [];
      for (let i = 0; i < cfg.samples; i++) {
        await settle();
        const profiler = new GCProfiler();
        profiler.start();
        const before = usage();
        const conn = await connect();
        const after = usage();
        const gcs = profiler.stop()?.statistics.length ?? 0;
        await conn.close();
        if (gcs > 0) continue;
        total.push(after.heap + after.buffers - before.heap - before.buffers);
        heapOnly.push(after.heap - before.heap);
      }
      row.allocatedPerHandshake = stats(total).median;
      row.allocatedHeapOnly = stats(heapOnly).median;
      row.allocatedSamples = total.length;
      const held = await retained(connect, () => bareSocket(t.endpoint), cfg.idleConnections);
      row.retainedPerConnection = held.tls;
      row.retainedBareSocket = held.bare;
    } catch (e) {
      row.unavailable = `failed: ${(e as Error).message}`;
    }
  }
}
process.stdout.write(`${JSON.stringify(rows)}\n`);
process.exit(0);
