// The device table for the engines built from ../shared/engines (Moddable XS xst, QuickJS-ng): per engine, for one
// engine bundle, the peak heap after loading, after a handshake and after a handshake plus 16 KiB echo, and the
// handshake CPU of a fresh engine (cold) and of a second handshake in the same engine (warm). A measurement, not a
// test: writes bench/results.json `device.xs` and `device.quickjs` (other keys kept) and prints a Markdown table.
//   XS:         peak chunk heap + peak slot heap, as patched xst reports at exit (test/engines/xst-hostcall.patch),
//               with small heaps growing in small steps (XST_CREATION) so that XS collects before it grows;
//   QuickJS-ng: the smallest --memory-limit that passes, by bisection (16 KiB steps, then 3 passes in a row).
// Run: npm run bench:device -- [--bundle microtls.engine|microtls.device] [--runs N]
import { bisectLimit } from "../test/engines/bisect.js";
import { execFileSync, spawn } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { buildEngineBundles, type EngineBundleName } from "../scripts/build-engine-bundle.mjs";
import { TEST_HOST } from "../test/helpers/pki.js";
import { BUNDLE_PAIRS, buildSourceEngine, ECHO_BYTES, engineScripts, ENGINE_SUITES, SHARED_ENGINES, sharedEnginesPresent, SOURCE_ENGINE_PAIR } from "../test/engines/harness.js";
import { CACHE_DIR, ENGINE_BIN, REPO_ROOT, runInEngine, XST_CREATION, type EngineRun, type XstMemory } from "../test/engines/host.js";

const args = process.argv.slice(2);
const arg = (name: string): string | undefined => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const BUNDLE = arg("--bundle") ?? SOURCE_ENGINE_PAIR.bundle;
const RUNS = Number(arg("--runs")) || 7;
const KiB = 1024;

/** The target scenario: ECDHE-ECDSA over P-256 (key exchange and certificates) with ChaCha20-Poly1305. */
const MAIN = { suite: ENGINE_SUITES[0].suite, groups: ["secp256r1"] };
/** The other device suite, recorded alongside: ECDHE-RSA over x25519 with AES-128-GCM. */
const OTHER = { suite: ENGINE_SUITES[1].suite, groups: ["x25519"] };
type Scenario = { suite: string; groups: string[] };
type Phase = "load" | "handshake" | "handshakeEcho";
const PHASES: Phase[] = ["load", "handshake", "handshakeEcho"];

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const round1 = (x: number) => Math.round(x * 10) / 10;
const kib = (b: number | null | undefined) => (b == null ? "—" : `${Math.round(b / KiB).toLocaleString("en-US")} KiB`);

type Engine = "xst" | "qjsng";

async function main(): Promise<void> {
  if (!sharedEnginesPresent()) throw new Error(`${SHARED_ENGINES} is absent: the engines are built from its tarballs`);
  const pair = BUNDLE_PAIRS[BUNDLE];
  if (!pair) throw new Error(`unknown bundle ${BUNDLE} (one of ${Object.keys(BUNDLE_PAIRS).join(", ")})`);
  buildSourceEngine("xst");
  buildSourceEngine("qjsng");
  const [bundle] = await buildEngineBundles({ outdir: join(CACHE_DIR, "bundle", "device-bench"), names: [pair.bundle as EngineBundleName] });

  // The TLS peer runs in its own process, so that nothing else shares the engine's CPU accounting.
  const peer = spawn(process.execPath, ["--import", "tsx", join(REPO_ROOT, "test", "engines", "echo-server.ts")], { stdio: ["pipe", "pipe", "inherit"] });
  const peerInfo = await new Promise<{ rootPem: string; ports: Record<string, number> }>((resolve, reject) => {
    let out = "";
    peer.stdout!.on("data", (d: Buffer) => {
      out += d.toString("utf8");
      if (out.includes("\n")) resolve(JSON.parse(out.slice(0, out.indexOf("\n"))) as { rootPem: string; ports: Record<string, number> });
    });
    peer.once("exit", (code) => reject(new Error(`echo server exited (${code})`)));
  });

  /** One engine process: load the bundle only, or run `sessions` sessions (echoBytes 0: handshake and close only). */
  // Times are taken with xst's stock heaps: with the small measuring heaps a 3 MB live set makes XS collect every few
  // KiB, and the CPU would measure the collector rather than TLS.
  const run = async (engine: Engine, phase: Phase | "twice", sc: Scenario, memoryLimit?: number): Promise<EngineRun> => {
    const scripts = engineScripts(engine, bundle);
    const xstCreation = phase === "twice" ? "stock" : XST_CREATION;
    if (phase === "load") return runInEngine(engine, { scripts, main: "microtlsDriver.describe()", memoryLimit, xstCreation, timeoutMs: 60_000 });
    const cfg = { suite: sc.suite, groups: sc.groups, serverName: TEST_HOST, caPem: peerInfo.rootPem, echoBytes: phase === "handshakeEcho" ? ECHO_BYTES : 0 };
    const main = `microtlsDriver.runSessions(${JSON.stringify(cfg)}, ${phase === "twice" ? 2 : 1})`;
    return runInEngine(engine, { scripts, main, port: peerInfo.ports[sc.suite], memoryLimit, xstCreation, timeoutMs: 120_000 });
  };
  const passed = (r: EngineRun, phase: Phase | "twice") => {
    const res = r.result as { ok?: boolean; exports?: string[] | null } | null;
    return res?.ok === true && (phase !== "load" || (res.exports?.includes("TlsClient") ?? false));
  };

  /** Cold and warm handshake CPU (ms): a fresh engine's first handshake and the second one in the same engine. */
  const times = async (engine: Engine, sc: Scenario) => {
    const cold: number[] = [];
    const warm: number[] = [];
    const load: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const r = await run(engine, "twice", sc);
      if (!passed(r, "twice")) throw new Error(`${engine} ${sc.suite}: ${JSON.stringify(r.result)} ${r.stderr.slice(0, 1000)}`);
      const c = r.cpuMarks;
      // From `new TlsClient` to handshake() === 0: the client's own work, key generation and verification included.
      cold.push(c.handshake - c.start);
      warm.push(c["2.handshake"] - c["2.start"]);
      load.push(c.start);
    }
    return {
      coldHandshakeMs: round1(median(cold)),
      warmHandshakeMs: round1(median(warm)),
      coldOverWarm: round1(median(cold) / median(warm)),
      loadCpuMs: round1(median(load)),
      coldRunsMs: cold.map(round1),
      warmRunsMs: warm.map(round1),
    };
  };

  // ---- XS ----
  const xsPeak = async (phase: Phase, sc: Scenario) => {
    // Key sizes and GC timing vary a little from run to run: the largest of three.
    let worst: (XstMemory & { bytes: number }) | null = null;
    for (let i = 0; i < 3; i++) {
      const r = await run("xst", phase, sc);
      if (!passed(r, phase) || !r.xstMemory) throw new Error(`xst ${phase} ${sc.suite}: ${JSON.stringify(r.result)} ${r.stderr.slice(0, 1000)}`);
      const m = r.xstMemory;
      const bytes = m.peakChunksSize + m.peakHeapCount * m.slotSize;
      if (!worst || bytes > worst.bytes) worst = { ...m, bytes };
    }
    return worst!;
  };
  const xsBaselineRun = await runInEngine("xst", { scripts: engineScripts("xst", bundle).slice(1), main: "microtlsDriver.describe()" });
  const base = xsBaselineRun.xstMemory!;
  const xsVersion = execFileSync(ENGINE_BIN.xst, ["-v"], { encoding: "utf8" }).split("\n")[0].trim();
  const xs: Record<string, unknown> = {
    engine: `Moddable XS ${base.version}: xst from moddable-xs-48ee02d (GOAL=release) with test/engines/xst-hostcall.patch; "${xsVersion}"`,
    version: base.version,
    bundle: pair.bundle,
    suite: MAIN.suite,
    group: MAIN.groups[0],
    timesCreation: "xst's stock heaps (16 MiB chunks, 1 Mi slots): no collector pressure",
    creation: { initialChunkSize: XST_CREATION[0], incrementalChunkSize: XST_CREATION[1], initialHeapCount: XST_CREATION[2], incrementalHeapCount: XST_CREATION[3], stackCount: XST_CREATION[4] },
    baselineBytes: base.peakChunksSize + base.peakHeapCount * base.slotSize,
  };
  const peakBytes: Record<string, number> = {};
  const parts: Record<string, unknown> = {};
  for (const phase of PHASES) {
    const m = await xsPeak(phase, MAIN);
    peakBytes[phase] = m.bytes;
    parts[phase] = {
      chunkBytes: m.peakChunksSize,
      slots: m.peakHeapCount,
      slotBytes: m.peakHeapCount * m.slotSize,
      slotSize: m.slotSize,
      // Not in peakBytes: the stack is its own allocation (creation.stackCount slots), sized separately on a device.
      stackSlots: m.peakStackCount,
    };
    console.error(`xs ${phase}: ${kib(m.bytes)} (chunks ${kib(m.peakChunksSize)}, ${m.peakHeapCount} slots; stack ${m.peakStackCount} slots)`);
  }
  xs.peakBytes = peakBytes;
  xs.peakParts = parts;
  xs.otherSuite = { suite: OTHER.suite, group: OTHER.groups[0], peakBytes: { handshakeEcho: (await xsPeak("handshakeEcho", OTHER)).bytes } };
  Object.assign(xs, await times("xst", MAIN));
  (xs.otherSuite as Record<string, unknown>).times = await times("xst", OTHER);
  console.error(`xs cold ${String(xs.coldHandshakeMs)} ms, warm ${String(xs.warmHandshakeMs)} ms`);

  // ---- QuickJS-ng ----
  const bisect = bisectLimit;
  const qjsVersion = execFileSync(ENGINE_BIN.qjsng, ["--version"], { encoding: "utf8" }).trim();
  const quickjs: Record<string, unknown> = {
    engine: `QuickJS-ng ${qjsVersion.replace(/^.*version\s*/i, "")}: qjs from quickjs-ng-05b2db9 (cmake Release)`,
    version: qjsVersion.replace(/^.*version\s*/i, ""),
    bundle: pair.bundle,
    suite: MAIN.suite,
    group: MAIN.groups[0],
    baselineMemoryLimitBytes: await bisect(
      async (l) => (await runInEngine("qjsng", { scripts: engineScripts("qjsng", bundle).slice(1), main: "microtlsDriver.describe()", memoryLimit: l })).result?.ok === true,
    ),
  };
  const limits: Record<string, number | null> = {};
  for (const phase of PHASES) {
    limits[phase] = await bisect(async (l) => passed(await run("qjsng", phase, MAIN, l), phase));
    console.error(`quickjs ${phase}: ${kib(limits[phase])}`);
  }
  quickjs.memoryLimitBytes = limits;
  quickjs.otherSuite = {
    suite: OTHER.suite,
    group: OTHER.groups[0],
    memoryLimitBytes: { handshakeEcho: await bisect(async (l) => passed(await run("qjsng", "handshakeEcho", OTHER, l), "handshakeEcho")) },
  };
  Object.assign(quickjs, await times("qjsng", MAIN));
  (quickjs.otherSuite as Record<string, unknown>).times = await times("qjsng", OTHER);
  console.error(`quickjs cold ${String(quickjs.coldHandshakeMs)} ms, warm ${String(quickjs.warmHandshakeMs)} ms`);
  peer.stdin!.end();

  // ---- results.json: device.xs and device.quickjs hold the bundle just measured, byBundle keeps each bundle's ----
  const file = join(REPO_ROOT, "bench", "results.json");
  const results = JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>;
  const device = (results.device ?? {}) as Record<string, unknown>;
  const withHistory = (key: string, rec: Record<string, unknown>) => {
    const prev = (device[key] ?? {}) as { byBundle?: Record<string, unknown> };
    const measuredAt = new Date().toISOString();
    const summary = Object.fromEntries(
      ["peakBytes", "memoryLimitBytes", "coldHandshakeMs", "warmHandshakeMs", "coldOverWarm"].filter((k) => k in rec).map((k) => [k, rec[k]]),
    );
    device[key] = { ...prev, ...rec, measuredAt, byBundle: { ...(prev.byBundle ?? {}), [pair.bundle]: { ...summary, measuredAt } } };
  };
  withHistory("xs", xs);
  withHistory("quickjs", quickjs);
  device.enginesNote =
    "xs and quickjs: the bundle in the engines built from ../shared/engines, one engine process per run, against a Node TLS " +
    "server in another process on loopback, ECDHE-ECDSA P-256 (key exchange and certificates) with ChaCha20-Poly1305 " +
    "(otherSuite: ECDHE-RSA x25519 AES-128-GCM). peakBytes (XS) = peak chunk heap + peak slot count x slot size, as xst " +
    "reports at exit, the largest of 3 runs (peakParts.stackSlots: the stack's high-water mark, not included); XS keeps " +
    "bytecode outside both heaps, as a device keeps it in flash; slots are " +
    "32 bytes on this 64-bit build (16 on a 32-bit device); baselineBytes is the engine with the driver and no bundle " +
    "(built-ins a device keeps in ROM). memoryLimitBytes (QuickJS-ng) = the smallest --memory-limit at which the run " +
    "passes, 16 KiB steps, 3 passes in a row; it counts garbage not yet collected. coldHandshakeMs: engine CPU from new " +
    "TlsClient to handshake() === 0 in a fresh engine (bundle already loaded); warmHandshakeMs: the same for a second " +
    `session in the same engine; medians of ${RUNS} runs, CPU from /proc/<pid>/schedstat; XS times with xst's stock ` +
    "heaps (see xs.timesCreation), since the small measuring heaps make XS collect every few KiB at this live size.";
  results.device = device;
  writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);

  const row = (name: string, version: string, peak: Record<string, number | null>, t: Record<string, unknown>) =>
    `| ${name} | ${version} | ${kib(peak.load)} | ${kib(peak.handshake)} | ${kib(peak.handshakeEcho)} | ${String(t.coldHandshakeMs)} ms | ${String(t.warmHandshakeMs)} ms | ${String(t.coldOverWarm)} |`;
  console.log(`\nDevice engines, bundle ${pair.bundle}, ${MAIN.suite} over P-256 (heap: XS peak chunks + slots; QuickJS-ng smallest --memory-limit)\n`);
  console.log("| engine | version | load | handshake | handshake + 16 KiB echo | cold handshake CPU | warm | cold ÷ warm |");
  console.log("|---|---|---|---|---|---|---|---|");
  console.log(row("Moddable XS (xst)", String(xs.version), peakBytes, xs));
  console.log(row("QuickJS-ng", String(quickjs.version), limits, quickjs));
  console.log(`\nXS baseline (engine + driver, no bundle): ${kib(xs.baselineBytes as number)}; QuickJS-ng baseline: ${kib(quickjs.baselineMemoryLimitBytes as number)}. Wrote ${file}`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
