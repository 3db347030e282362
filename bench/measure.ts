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
}

/** Sequential handshakes: `warmup` unmeasured, then `count` measured from TCP connect to handshake done. */
export async function measureHandshakes(connect: () => Promise<Connection>, warmup: number, count: number): Promise<HandshakeStats> {
  const cpu: number[] = [];
  const wall: number[] = [];
  for (let i = 0; i < warmup + count; i++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    const conn = await connect();
    const t1 = performance.now();
    const c = cpuMsSince(c0);
    await conn.close();
    if (i >= warmup) {
      cpu.push(c);
      wall.push(t1 - t0);
    }
  }
  return { cpuMs: stats(cpu), wallMs: stats(wall) };
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
