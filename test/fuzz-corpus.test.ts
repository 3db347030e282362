// CI side of `npm run fuzz`: every committed corpus input through its target, then a short seeded mutation burst
// per target. An escape (a non-TlsError exception, or CPU over the linear bound) fails with the input, shrunk.
import { describe, expect, it } from "vitest";
import { check } from "./fuzz/harness.js";
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
