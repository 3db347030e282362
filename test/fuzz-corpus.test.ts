// CI side of `npm run fuzz`: every committed corpus input through its target, then a short seeded mutation burst
// per target. An escape (a non-TlsError exception, or CPU over the linear bound) fails with the input, shrunk.
import { describe, expect, it } from "vitest";
import { TlsError } from "../src/errors.js";
import { Escape, boundMs, check, type FuzzTarget } from "./fuzz/harness.js";
import { burst, loadCorpus } from "./fuzz/engine.js";
import { targets } from "./fuzz/targets/index.js";

const SEED = 20261202;
/** verify-chain checks signatures on every input (~500/s), the parsers run 10-40k/s: the same wall time for each. */
const RUNS: Record<string, number> = { "verify-chain": 1000 };
const DEFAULT_RUNS = 10_000;

console.log(`fuzz-corpus: burst seed ${SEED} (replay a failure with npm run fuzz -- --seed ${SEED} --target <name>)`);

describe("fuzz corpus replay and seeded burst", () => {
  for (const target of targets) {
    it(`${target.name}: corpus and ${RUNS[target.name] ?? DEFAULT_RUNS} mutated inputs, 0 escapes`, () => {
      const corpus = loadCorpus(target);
      expect(corpus.length, `test/fuzz/corpus/${target.name}/ holds seeds`).toBeGreaterThan(0);
      for (const input of corpus) check(target, input);
      const stats = burst(target, corpus, { seed: SEED, numRuns: RUNS[target.name] ?? DEFAULT_RUNS });
      // The seeds themselves plus every mutated input ran; a burst that hit only one outcome mutated nothing useful.
      expect(stats.executed).toBe(corpus.length + (RUNS[target.name] ?? DEFAULT_RUNS));
      expect(stats.outcomes).toBeGreaterThan(1);
    }, 30_000);
  }
});

describe("the harness catches what it must", () => {
  const raw: FuzzTarget = {
    name: "self-test",
    maxLength: 64,
    run(data) {
      if (data[0] === 0x42) throw new RangeError("offset out of bounds");
      throw new TlsError("DECODE_ERROR", "bad");
    },
  };
  it("a raw RangeError is an escape, a TlsError is not", () => {
    expect(check(raw, Uint8Array.of(1)).signature).toBe("DECODE_ERROR bad");
    expect(() => check(raw, Uint8Array.of(0x42))).toThrow(Escape);
    // The burst finds it from a seed one byte away.
    let caught: unknown;
    try {
      burst(raw, [Uint8Array.of(0x43)], { seed: SEED, numRuns: 5000 });
    } catch (e) {
      caught = e;
    }
    const escape = (caught as Error | undefined)?.cause;
    expect(escape).toBeInstanceOf(Escape);
    expect((escape as Escape).message).toMatch(/non-TlsError escaped: RangeError/);
  });
  it("an input over the linear bound is an escape", () => {
    const slow: FuzzTarget = {
      name: "self-test-slow",
      maxLength: 64,
      run(data) {
        const until = process.cpuUsage().user + (data[0] === 1 ? boundMs(data.length) * 1000 + 20_000 : 0);
        while (process.cpuUsage().user < until);
      },
    };
    expect(check(slow, Uint8Array.of(0)).cpuMs).toBeLessThan(boundMs(1));
    expect(() => check(slow, Uint8Array.of(1))).toThrow(/over the linear bound/);
  });
});
