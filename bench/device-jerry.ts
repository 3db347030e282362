// JerryScript device measurements for bench/results.json `device.jerryscript` (a measurement, not a test):
//   - peak heap ("Peak allocated" of JerryScript's mem-stats, read by the host at each mark) after loading the bundle,
//     after the handshake, and after the 16 KiB echo and close_notify, in the patched 64 MB-heap build (its GC runs
//     every 8 KB of allocation, as in any build over 256 KB, so the peaks are those of a small heap's workload);
//   - the same with the bundle in a snapshot executed in place (bytecode read from the mapped file, as from flash);
//   - cold handshake CPU (a fresh engine's first handshake) and warm (a second one in the same engine), medians;
//   - the confirming run: builds with --mem-heap at the measured peak rounded up, and checks the session passes there.
// The session is the target: ECDHE-ECDSA P-256 (group secp256r1) with ChaCha20-Poly1305, verified, 16 KiB
// echo, close_notify, against a Node TLS server on loopback.
// Run: npx tsx bench/device-jerry.ts [--bundle microtls.device] [--runs 5] [--skip-confirm]
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ECHO_BYTES, ENGINE_SUITES, startEchoServer, type EchoConfig } from "../test/engines/harness.js";
import { REPO_ROOT } from "../test/engines/host.js";
import { buildJerry, jerryBundles, jerryScripts, makeSnapshot, runInJerry, JERRY_BUNDLE, type JerryRun } from "../test/engines/jerry/run.js";
import { standardPki, TEST_HOST } from "../test/helpers/pki.js";
import { closeAllServers } from "../test/helpers/servers.js";

const args = process.argv.slice(2);
const arg = (name: string) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const BUNDLE = arg("--bundle") ?? JERRY_BUNDLE;
const RUNS = Number(arg("--runs")) || 5;
const KB = 1024;
const MEASURE_VARIANT = "big";

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

function peakAt(run: JerryRun, moment: string): number {
  const line = run.memory.find((m) => m.moment === moment);
  if (!line) throw new Error(`no memory line for "${moment}": ${run.stderr.slice(0, 2000)}`);
  return line.peak;
}

function ok(run: JerryRun): boolean {
  return run.results.length > 0 && run.results.every((r) => r.ok === true && r.echoMatches === true);
}

async function main(): Promise<void> {
  buildJerry(MEASURE_VARIANT);
  const { bundle } = await jerryBundles(BUNDLE);
  const snapshot = makeSnapshot(MEASURE_VARIANT, bundle);
  const pki = standardPki();
  const { suite, openssl, leaf } = ENGINE_SUITES.find((s) => s.suite === "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256")!;
  const { server } = await startEchoServer(pki, leaf, openssl);
  const cfg: EchoConfig & { groups: string[] } = { suite, serverName: TEST_HOST, caPem: pki.rootPem, echoBytes: ECHO_BYTES, groups: ["secp256r1"] };
  const once = `microtlsDriver.runEcho(${JSON.stringify(cfg)})`;
  // Two sessions in one engine: "C" reconnects the host's socket between them.
  const twice = `(${once}, microtlsHostCall("C", new Uint8Array(0)), ${once})`;
  const session = (variant: string, code: string | { snapshot: string }, main = once) =>
    runInJerry({ variant, scripts: jerryScripts(code), main, port: server.port, timeoutMs: 300_000 });

  // Peaks: one session from source, one from the snapshot.
  const src = await session(MEASURE_VARIANT, bundle);
  if (!ok(src)) throw new Error(`session failed: ${JSON.stringify(src.results)} ${src.stderr.slice(0, 3000)}`);
  const snap = await session(MEASURE_VARIANT, { snapshot });
  if (!ok(snap)) throw new Error(`snapshot session failed: ${JSON.stringify(snap.results)} ${snap.stderr.slice(0, 3000)}`);
  const parts = (run: JerryRun) => ({
    byteCode: run.engineStats["Peak allocated byte code data"],
    strings: run.engineStats["Peak allocated string data"],
    objects: run.engineStats["Peak allocated object data"],
    properties: run.engineStats["Peak allocated property data"],
  });

  // Cold and warm handshake CPU: the engine process's own CPU time (10 ms ticks) from constructed to handshake.
  const cold: number[] = [];
  const warm: number[] = [];
  const load: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const run = await session(MEASURE_VARIANT, bundle, twice);
    if (run.results.length !== 2 || !ok(run)) throw new Error(`cold/warm run failed: ${JSON.stringify(run.results)} ${run.stderr.slice(0, 3000)}`);
    const cpu = (name: string, nth: number) => run.markHistory.filter((m) => m.name === name)[nth].cpuMs;
    load.push(cpu("start", 0));
    cold.push(cpu("handshake", 0) - cpu("constructed", 0));
    warm.push(cpu("handshake", 1) - cpu("constructed", 1));
  }

  // The confirming runs: a build whose heap is the measured peak, rounded up to 16 KB; if that fails, 25 % more.
  const confirm: Array<{ memHeapKB: number; passed: boolean; from: string }> = [];
  const tryHeap = async (kb: number, code: string | { snapshot: string }, from: string) => {
    const variant = `heap${kb}`;
    buildJerry(variant);
    const c = typeof code === "string" ? code : { snapshot: makeSnapshot(variant, bundle) };
    const passed = ok(await session(variant, c));
    confirm.push({ memHeapKB: kb, passed, from });
    return passed;
  };
  const roundUp = (bytes: number) => Math.ceil(bytes / (16 * KB)) * 16;
  let memHeapKB: number | null = null;
  let snapshotMemHeapKB: number | null = null;
  if (!args.includes("--skip-confirm")) {
    for (const [peak, code, from] of [
      [peakAt(src, "closed"), bundle, "source"],
      [peakAt(snap, "closed"), { snapshot: "" }, "snapshot"],
    ] as const) {
      let found: number | null = null;
      for (const kb of [roundUp(peak), roundUp(peak * 1.25)]) {
        if (await tryHeap(kb, code, from)) {
          found = kb;
          break;
        }
      }
      if (from === "source") memHeapKB = found;
      else snapshotMemHeapKB = found;
    }
    // The target build: the stock 512 KB heap, when the peak says it may fit.
    if (peakAt(src, "closed") <= 512 * KB && !confirm.some((c) => c.memHeapKB === 512 && c.from === "source")) await tryHeap(512, bundle, "source");
    if (peakAt(snap, "closed") <= 512 * KB && !confirm.some((c) => c.memHeapKB === 512 && c.from === "snapshot")) await tryHeap(512, { snapshot: "" }, "snapshot");
  }
  closeAllServers();

  const jerryscript = {
    generatedAt: new Date().toISOString(),
    engine: "JerryScript 3.0 (5020015), patched (test/engines/jerry/*.patch), 32-bit compressed pointers, MinSizeRel",
    bundle: BUNDLE,
    bundleBytes: readFileSync(bundle).length,
    snapshotBytes: readFileSync(snapshot).length,
    session: `${suite}, group secp256r1, verified chain, ${ECHO_BYTES}-byte echo, close_notify; Node TLS server on loopback`,
    peakBytes: { load: peakAt(src, "start"), handshake: peakAt(src, "handshake"), handshakeEcho: peakAt(src, "closed") },
    peakParts: parts(src),
    snapshotPeakBytes: { load: peakAt(snap, "start"), handshake: peakAt(snap, "handshake"), handshakeEcho: peakAt(snap, "closed") },
    snapshotPeakParts: parts(snap),
    coldHandshakeMs: median(cold),
    warmHandshakeMs: median(warm),
    loadMs: median(load),
    handshakeRuns: RUNS,
    memHeapKB,
    snapshotMemHeapKB,
    confirmRuns: confirm,
    note:
      "Peaks are JerryScript's Peak allocated (jerry_heap_stats) at the marks: load = bundle and driver run, before the " +
      "client is constructed; handshake = handshake() returned 0; handshakeEcho = after the echo and close_notify. Measured " +
      "in a 64 MB-heap build (GC every 8 KB allocated, as in every build over 256 KB). snapshot* = the bundle from " +
      "`jerry-snapshot generate`, executed without copying (bytecode read in place from a read-only mapping; function " +
      "headers and literal tables still go to the heap). Handshake ms = the engine process's CPU time from TlsClient " +
      "constructed to handshake() === 0 (10 ms ticks), median of handshakeRuns; cold = a fresh engine's first handshake, " +
      "warm = the second in the same engine; loadMs = CPU to load the bundle. memHeapKB = the smallest --mem-heap build " +
      "tried that passed (the measured peak rounded up to 16 KB, else 25 % more): an upper bound, as a tight heap " +
      "collects garbage sooner.",
  };

  const out = join(REPO_ROOT, "bench", "results.json");
  const results = JSON.parse(readFileSync(out, "utf8")) as Record<string, unknown>;
  const device = (results.device ?? {}) as Record<string, unknown>;
  results.device = { ...device, jerryscript };
  writeFileSync(out, JSON.stringify(results, null, 2) + "\n");

  const kib = (b: number) => `${(b / KB).toFixed(0)} KiB`;
  const rows: Array<[string, string]> = [
    ["bundle", `${BUNDLE} (${kib(jerryscript.bundleBytes)}; snapshot ${kib(jerryscript.snapshotBytes)})`],
    ["peak: load", kib(jerryscript.peakBytes.load)],
    ["peak: handshake", kib(jerryscript.peakBytes.handshake)],
    ["peak: handshake + 16 KiB echo", kib(jerryscript.peakBytes.handshakeEcho)],
    ["  of which peaks: bytecode / strings / objects / properties", Object.values(jerryscript.peakParts).map(kib).join(" / ")],
    ["snapshot in place: load / handshake / + echo", Object.values(jerryscript.snapshotPeakBytes).map(kib).join(" / ")],
    ["  of which peaks: bytecode / strings / objects / properties", Object.values(jerryscript.snapshotPeakParts).map(kib).join(" / ")],
    ["cold handshake CPU (fresh engine)", `${jerryscript.coldHandshakeMs} ms`],
    ["warm handshake CPU (same engine)", `${jerryscript.warmHandshakeMs} ms`],
    ["cold ÷ warm", (jerryscript.coldHandshakeMs / jerryscript.warmHandshakeMs).toFixed(2)],
    ["bundle load CPU", `${jerryscript.loadMs} ms`],
    ["smallest --mem-heap tried that passed (source / snapshot)", `${memHeapKB ?? "-"} KB / ${snapshotMemHeapKB ?? "-"} KB`],
    ["confirm runs", confirm.map((c) => `${c.from} ${c.memHeapKB} KB ${c.passed ? "pass" : "FAIL"}`).join(", ") || "skipped"],
  ];
  console.log(`\n| JerryScript 3.0, patched: ${suite} | |\n|---|---|`);
  for (const [k, v] of rows) console.log(`| ${k} | ${v} |`);
  console.log(`\nwrote ${out} (device.jerryscript)`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
