// What counts as a fuzz failure ("escape"), shared by `npm run fuzz` and the CI corpus replay.
import { TlsError } from "../../src/errors.js";

export interface FuzzTarget {
  /** Also the corpus directory name: test/fuzz/corpus/<name>/. */
  name: string;
  /** Longest input the mutator makes (the target's own cap, e.g. one record or one handshake message). */
  maxLength: number;
  /** Feeds one input to the code under test. Throwing a TlsError is a pass; anything else escapes. */
  run(data: Uint8Array): void;
}

/**
 * The linear bound: CPU time for one input must stay under BASE_MS + PER_BYTE_MS × length.
 * BASE_MS is the 50 ms cap (it absorbs fixed costs: one signature check, a GC pause); 1 µs per byte is
 * about 10× what our parsers spend per byte, so only super-linear work (quadratic loops, huge exponents) crosses it.
 * Work that is not proportional to bytes (signature checks) is counted in budget units by the target itself.
 */
export const BASE_MS = 50;
export const PER_BYTE_MS = 0.001;
/** A first measurement over the bound is re-run this often; only if every run is over does it count (GC, load). */
const RETRIES = 3;

export function boundMs(length: number): number {
  return BASE_MS + PER_BYTE_MS * length;
}

export class Escape extends Error {
  constructor(
    readonly target: string,
    readonly input: Uint8Array,
    message: string,
    readonly error?: unknown,
  ) {
    super(`${target}: ${message} (input ${input.length} bytes: ${hexPrefix(input)})`);
  }
}

function hexPrefix(b: Uint8Array): string {
  let s = "";
  for (let i = 0; i < Math.min(b.length, 48); i++) s += b[i].toString(16).padStart(2, "0");
  return b.length > 48 ? `${s}…` : s;
}

export interface Outcome {
  /** "ok", or the TlsError code and its message with numbers masked: a cheap signature of which path the input took. */
  signature: string;
  cpuMs: number;
}

function cpuNow(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

function once(target: FuzzTarget, data: Uint8Array): Outcome {
  // Each run gets its own copy: a target must not be able to see a previous run's mutation of the buffer.
  const input = data.slice();
  const start = cpuNow();
  let signature = "ok";
  try {
    target.run(input);
  } catch (e) {
    if (!(e instanceof TlsError)) {
      const what = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
      throw new Escape(target.name, data, `non-TlsError escaped: ${what}`, e);
    }
    signature = `${e.code} ${e.message.replace(/[0-9a-fx]*[0-9][0-9a-fx]*/g, "#")}`;
  }
  return { signature, cpuMs: cpuNow() - start };
}

/** Runs one input; throws Escape on a non-TlsError or on a cost over the linear bound. */
export function check(target: FuzzTarget, data: Uint8Array): Outcome {
  let outcome = once(target, data);
  const limit = boundMs(data.length);
  for (let i = 0; i < RETRIES && outcome.cpuMs > limit; i++) {
    const again = once(target, data);
    if (again.cpuMs < outcome.cpuMs) outcome = again;
  }
  if (outcome.cpuMs > limit) {
    throw new Escape(target.name, data, `cost ${outcome.cpuMs.toFixed(1)} ms CPU, over the linear bound of ${limit.toFixed(1)} ms`);
  }
  return outcome;
}
