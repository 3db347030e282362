// The smallest memory limit at which an engine run passes, shared by the engine measurements
// (test/engines/measure.ts, bench/device.ts, bench/device-engines.ts).
const KiB = 1024;

/** Smallest limit (bytes, multiple of `step`) at which `passes` holds, confirmed by 3 passes in a row. */
export async function bisectLimit(passes: (limit: number) => Promise<boolean>, lo = 64 * KiB, hi = 64 * 1024 * KiB, step = 16 * KiB): Promise<number | null> {
  if (!(await passes(hi))) return null;
  while (hi - lo > step) {
    const mid = Math.round((lo + hi) / 2 / step) * step;
    if (await passes(mid)) hi = mid;
    else lo = mid;
  }
  // Near the threshold a run can differ (key sizes, GC timing): climb until three runs in a row pass.
  for (;;) {
    let ok = true;
    for (let i = 0; i < 3 && ok; i++) ok = await passes(hi);
    if (ok) return hi;
    hi += step;
  }
}
