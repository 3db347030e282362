// A seeded mutation fuzzer built on fast-check: NOT coverage-guided (@jazzer.js/core 4.0.0's prebuilt addon needs
// glibc 2.38, this machine has 2.36; 2.1.0 downloads its addon from GitHub). It mutates a pool of corpus inputs with
// libFuzzer-style edits, and keeps an input whose outcome (error code + message shape) was never seen before:
// a poor man's guidance that grows the pool along new parser paths.
import fc from "fast-check";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { createHash } from "node:crypto";
import { join } from "node:path";
import { check, type FuzzTarget } from "./harness.js";

export const CORPUS_ROOT = new URL("./corpus/", import.meta.url).pathname;

export function corpusDir(target: FuzzTarget): string {
  return join(CORPUS_ROOT, target.name);
}

export function loadCorpus(target: FuzzTarget): Uint8Array[] {
  const dir = corpusDir(target);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .sort()
    .map((f) => new Uint8Array(readFileSync(join(dir, f))));
}

type Edit =
  | { k: "flip"; at: number; bit: number }
  | { k: "set"; at: number; v: number }
  | { k: "insert"; at: number; bytes: Uint8Array }
  | { k: "delete"; at: number; n: number }
  | { k: "dup"; at: number; n: number }
  | { k: "len"; at: number; width: number; v: number }
  | { k: "splice"; at: number; other: number; from: number; n: number };

const INTERESTING = [0, 1, 0x7f, 0x80, 0xff, 0x100, 0x3fff, 0x4000, 0x4001, 0x7fff, 0x8000, 0xffff, 0x10000, 0xffffff];

const edit: fc.Arbitrary<Edit> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ k: fc.constant("flip" as const), at: fc.nat(), bit: fc.nat(7) }) },
  { weight: 4, arbitrary: fc.record({ k: fc.constant("set" as const), at: fc.nat(), v: fc.oneof(fc.nat(255), fc.constantFrom(0, 0xff, 0x7f, 0x80)) }) },
  { weight: 2, arbitrary: fc.record({ k: fc.constant("insert" as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }) }) },
  { weight: 2, arbitrary: fc.record({ k: fc.constant("delete" as const), at: fc.nat(), n: fc.integer({ min: 1, max: 64 }) }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant("dup" as const), at: fc.nat(), n: fc.integer({ min: 1, max: 256 }) }) },
  // Length fields are where parsers go wrong: overwrite 1-3 big-endian bytes with a boundary value.
  { weight: 3, arbitrary: fc.record({ k: fc.constant("len" as const), at: fc.nat(), width: fc.integer({ min: 1, max: 3 }), v: fc.constantFrom(...INTERESTING) }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant("splice" as const), at: fc.nat(), other: fc.nat(), from: fc.nat(), n: fc.integer({ min: 1, max: 512 }) }) },
);

function apply(base: Uint8Array, edits: Edit[], pool: Uint8Array[], max: number): Uint8Array {
  let out = base;
  for (const e of edits) {
    const n = out.length;
    const at = n === 0 ? 0 : e.at % n;
    switch (e.k) {
      case "flip":
        if (n) (out = out.slice())[at] ^= 1 << e.bit;
        break;
      case "set":
        if (n) (out = out.slice())[at] = e.v;
        break;
      case "insert":
        out = concat(out.subarray(0, at), e.bytes, out.subarray(at));
        break;
      case "delete":
        out = concat(out.subarray(0, at), out.subarray(at + e.n));
        break;
      case "dup":
        out = concat(out.subarray(0, at + e.n), out.subarray(at));
        break;
      case "len":
        if (n) {
          out = out.slice();
          for (let i = 0; i < e.width && at + i < n; i++) out[at + i] = (e.v >>> (8 * (e.width - 1 - i))) & 0xff;
        }
        break;
      case "splice": {
        const other = pool[e.other % pool.length];
        const from = other.length ? e.from % other.length : 0;
        out = concat(out.subarray(0, at), other.subarray(from, from + e.n));
        break;
      }
    }
  }
  return out.length > max ? out.subarray(0, max) : out;
}

function concat(...parts: Uint8Array[]): Uint8Array {
  let total = 0;
  for (const p of parts) total += p.length;
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

export interface BurstOptions {
  seed: number;
  numRuns: number;
  /** Stop after this long even if numRuns is not reached. */
  timeLimitMs?: number;
  /** Save inputs with a new outcome here (npm run fuzz); the CI replay saves nothing. */
  saveNew?: boolean;
  /** Caps on what one run adds to the corpus, to keep the committed corpus small (< 2 MB in all). */
  maxNewFiles?: number;
  maxNewBytes?: number;
}

export interface BurstStats {
  executed: number;
  elapsedMs: number;
  slowestMs: number;
  slowestLength: number;
  slowestInput: Uint8Array;
  outcomes: number;
  added: number;
}

/** Mutates the pool for numRuns inputs (or timeLimitMs); throws (via fast-check, shrunk) on the first Escape. */
export function burst(target: FuzzTarget, seeds: Uint8Array[], opts: BurstOptions): BurstStats {
  const pool = seeds.length > 0 ? seeds.slice() : [new Uint8Array(0)];
  const seen = new Set<string>();
  const stats: BurstStats = { executed: 0, elapsedMs: 0, slowestMs: 0, slowestLength: 0, slowestInput: new Uint8Array(0), outcomes: 0, added: 0 };
  let addedBytes = 0;
  const note = (data: Uint8Array, keep: boolean): void => {
    const o = check(target, data);
    stats.executed++;
    if (o.cpuMs > stats.slowestMs) {
      stats.slowestMs = o.cpuMs;
      stats.slowestLength = data.length;
      stats.slowestInput = data.slice();
    }
    if (!seen.has(o.signature)) {
      seen.add(o.signature);
      if (keep) {
        pool.push(data.slice());
        if (opts.saveNew && stats.added < (opts.maxNewFiles ?? 64) && addedBytes + data.length <= (opts.maxNewBytes ?? 64 << 10)) {
          save(target, data);
          stats.added++;
          addedBytes += data.length;
        }
      }
    }
  };
  const start = Date.now();
  for (const s of pool.slice()) note(s, false);
  const input = fc.oneof(
    { weight: 9, arbitrary: fc.tuple(fc.nat(), fc.array(edit, { minLength: 1, maxLength: 6 })).map(([i, edits]) => apply(pool[i % pool.length], edits, pool, target.maxLength)) },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: Math.min(target.maxLength, 512) }) },
  );
  fc.assert(
    fc.property(input, (data) => {
      note(data, true);
    }),
    { seed: opts.seed, numRuns: opts.numRuns, interruptAfterTimeLimit: opts.timeLimitMs, markInterruptAsFailure: false },
  );
  stats.elapsedMs = Date.now() - start;
  stats.outcomes = seen.size;
  return stats;
}

function save(target: FuzzTarget, data: Uint8Array): void {
  const dir = corpusDir(target);
  mkdirSync(dir, { recursive: true });
  const name = createHash("sha1").update(data).digest("hex").slice(0, 16);
  writeFileSync(join(dir, `found-${name}`), data);
}
