// `npm run fuzz [-- --seconds N] [--runs N] [--target a,b] [--skip a,b] [--seed N]`: fuzz every target (or one) for a set time,
// growing test/fuzz/corpus/<target>/ with inputs that took a new path. Prints inputs, exec/s and the slowest input.
import { Escape, check } from "./harness.js";
import { burst, loadCorpus } from "./engine.js";
import { targets } from "./targets/index.js";

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

/**
 * A target stops at `runs` inputs (default 10^6) or after this many seconds. Measured here on a loaded 2-core machine,
 * the slowest parser target (encrypted-private-key) runs ~5,000 exec/s: 300 s lets every parser target reach 10^6.
 * verify-chain (signature checks on every input, ~500 exec/s) does not; give it more with --seconds.
 */
const DEFAULT_SECONDS = 300;
const seconds = Number(arg("seconds") ?? process.env.FUZZ_SECONDS ?? DEFAULT_SECONDS);
const runs = Number(arg("runs") ?? 1_000_000);
const seed = Number(arg("seed") ?? Date.now() % 2 ** 31);
const only = arg("target")?.split(",");
const skip = arg("skip")?.split(",") ?? [];

console.log(`fuzz: seed ${seed}, up to ${runs} inputs or ${seconds} s per target`);
let failed = false;
for (const target of targets) {
  if ((only && !only.includes(target.name)) || skip.includes(target.name)) continue;
  const seeds = loadCorpus(target);
  try {
    const s = burst(target, seeds, { seed, numRuns: runs, timeLimitMs: seconds * 1000, saveNew: true });
    const rate = Math.round(s.executed / (s.elapsedMs / 1000));
    // The slowest single measurement may be a GC pause or a busy machine: re-measure that input, keep the best of 5.
    let again = Infinity;
    for (let i = 0; i < 5; i++) again = Math.min(again, check(target, s.slowestInput).cpuMs);
    console.log(
      `${target.name.padEnd(22)} ${String(s.executed).padStart(8)} inputs  ${String(rate).padStart(7)} exec/s  ` +
        `slowest ${s.slowestMs.toFixed(2)} ms (${s.slowestLength} B, re-measured ${again.toFixed(2)} ms)  outcomes ${s.outcomes}  corpus +${s.added}  escapes 0`,
    );
  } catch (e) {
    failed = true;
    const cause = e instanceof Error && e.cause instanceof Escape ? e.cause : e;
    console.log(`${target.name.padEnd(22)} ESCAPE`);
    console.log(cause instanceof Error ? (cause.stack ?? cause.message) : String(cause));
    if (e instanceof Error) console.log(e.message.split("\n").slice(0, 12).join("\n"));
  }
}
process.exitCode = failed ? 1 : 0;
