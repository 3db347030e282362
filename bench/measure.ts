// Timing helpers: per-operation client CPU (process.cpuUsage, whole process) and wall time, reported as medians.
import { performance } from "node:perf_hooks";
import type { Connection } from "./clients/types.js";

export interface Stats {
  n: number;
  median: number;
  p25: number;
  p75: number;
}

export function stats(values: number[]): Stats {
  const v = [...values].sort((a, b) => a - b);
  const at = (q: number): number => {
    if (v.length === 0) return NaN;
    const pos = (v.length - 1) * q;
    const lo = Math.floor(pos);
    const hi = Math.ceil(pos);
    return v[lo] + (v[hi] - v[lo]) * (pos - lo);
  };
  return { n: v.length, median: at(0.5), p25: at(0.25), p75: at(0.75) };
}

export function cpuMsSince(start: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(start);
  return (d.user + d.system) / 1000;
}

export interface HandshakeStats {
  cpuMs: Stats;
  wallMs: Stats;
  /** Operations that threw (not timed); the contender is dropped after MAX_ERRORS. */
  errors?: number;
  lastError?: string;
}

const MAX_ERRORS = 5;

/** One contender in an interleaved measurement: a client's handshake, or a floor computed in-process. */
export interface Contender {
  name: string;
  /** Resolves to the connection (closed outside the timing), or nothing for an in-process computation. */
  run(): Promise<Connection> | void;
}

const gc = (globalThis as { gc?: (opts?: { type: "minor" | "major" }) => void }).gc;

/**
 * Round-robin: every round times each contender once, the starting contender rotating, so all of them see the
 * same machine load (the box is shared; sequential blocks would compare different moments). A minor GC before
 * each timed operation empties the nursery, so one contender's garbage is not collected on another's clock.
 */
export async function measureInterleaved(contenders: Contender[], warmup: number, count: number): Promise<Map<string, HandshakeStats>> {
  const cpu = new Map<string, number[]>(contenders.map((c) => [c.name, []]));
  const wall = new Map<string, number[]>(contenders.map((c) => [c.name, []]));
  const errors = new Map<string, { count: number; last: string }>();
  let active = contenders.slice();
  for (let round = 0; round < warmup + count; round++) {
    const order = active.slice();
    for (let k = 0; k < order.length; k++) {
      const c = order[(round + k) % order.length];
      gc?.({ type: "minor" });
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      let conn: Connection | void;
      try {
        conn = await c.run();
      } catch (e) {
        // One flaky connection must not sink the whole run; a contender that keeps failing is dropped.
        const err = errors.get(c.name) ?? { count: 0, last: "" };
        err.count++;
        err.last = (e as Error).message;
        errors.set(c.name, err);
        if (err.count >= MAX_ERRORS) active = active.filter((a) => a !== c);
        continue;
      }
      const t1 = performance.now();
      const used = cpuMsSince(c0);
      if (conn) await conn.close();
      if (round >= warmup) {
        cpu.get(c.name)!.push(used);
        wall.get(c.name)!.push(t1 - t0);
      }
    }
  }
  return new Map(
    contenders.map((c) => {
      const err = errors.get(c.name);
      const r: HandshakeStats = { cpuMs: stats(cpu.get(c.name)!), wallMs: stats(wall.get(c.name)!) };
      if (err) Object.assign(r, { errors: err.count, lastError: err.last });
      return [c.name, r];
    }),
  );
}

/** CPU per call of a synchronous operation: median over `batches` batches of `perBatch` calls. */
export function cpuPerOp(op: () => void, batches: number, perBatch: number): number {
  for (let i = 0; i < perBatch; i++) op(); // warm-up
  const per: number[] = [];
  for (let b = 0; b < batches; b++) {
    const c0 = process.cpuUsage();
    for (let i = 0; i < perBatch; i++) op();
    per.push(cpuMsSince(c0) / perBatch);
  }
  return stats(per).median;
}
