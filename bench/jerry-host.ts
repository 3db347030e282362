// The Photon-class JerryScript host (issue #11) for bench/results.json `jerryHost` (a measurement, not a test):
// microtls.native.js (Mbed TLS natives, no noble) in the 16-bit-pointer build, the application speaking through
// TLSTCPClient to openssl s_server -rev: ECDHE-ECDSA P-256 (ChaCha20-Poly1305), verified, max_fragment_length 1024
// agreed, a 16 KiB echo (16 lines of 1 KiB, answered reversed), close_notify.
//   - peakBytes: JerryScript's Peak allocated (jerry_heap_stats) at the marks, in the cp16-512 build, with the bundle
//     as firmware keeps it (with the application, tcp-app.js, one static snapshot executed in place, its literals
//     registered as external magic strings);
//     the same for an ordinary snapshot and for the bundle parsed from source, to show what each step saves;
//   - the heap's parts (the engine's --mem-stats peaks): bytecode, strings, objects, properties, and what is left for
//     buffers (ArrayBuffer storage is in no category: at least peak minus the category peaks);
//   - memHeapKB: the smallest --mem-heap cp16 build that passes, bisected in 4 KB steps between a build that fails
//     and one that passes (each build takes about a minute); then the same session again and the ECDHE-RSA one there.
// Run: npx tsx bench/jerry-host.ts [--step 4] [--skip-bisect]
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { buildEngineBundles } from "../scripts/build-engine-bundle.mjs";
import { CACHE_DIR, REPO_ROOT } from "../test/engines/host.js";
import { buildJerry, JERRY_DIR, makeSnapshot, literalList, runInJerry, staticSnapshot, type JerryRun } from "../test/engines/jerry/run.js";
import { standardPki, TEST_HOST, type KeyKind } from "../test/helpers/pki.js";
import { closeAllServers, startOpensslServer } from "../test/helpers/servers.js";

const args = process.argv.slice(2);
const arg = (name: string) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const STEP = Number(arg("--step")) || 4;
const KB = 1024;
const ECHO = { lines: 16, lineLength: 1024 };
const MEASURE = "cp16-512";

type Code = { kind: "static" | "snapshot" | "source"; scripts: Array<string | { snapshot: string }>; magicStrings?: string };

async function main(): Promise<void> {
  buildJerry(MEASURE);
  const [bundle] = await buildEngineBundles({ outdir: join(CACHE_DIR, "bundle", "jerry"), names: ["microtls.native"] });
  const pki = standardPki();
  const app = join(JERRY_DIR, "tcp-app.js");

  // Made once with the cp16-512 tools: a snapshot depends on the engine's options, not its heap size (and the
  // generator needs more heap than the running bundle).
  const codeFor = (variant: string, kind: Code["kind"]): Code => {
    if (kind === "source") return { kind, scripts: [bundle, app] };
    if (kind === "snapshot") {
      const snapshot = makeSnapshot(variant, bundle);
      return { kind, scripts: [{ snapshot }, app], magicStrings: literalList(variant, snapshot) };
    }
    // The firmware image: the bundle and the application in one static snapshot.
    const flash = staticSnapshot(variant, bundle, app);
    return { kind, scripts: [{ snapshot: flash.snapshot }], magicStrings: flash.literals };
  };

  const session = async (variant: string, code: Code, leaf: KeyKind = "p256"): Promise<JerryRun> => {
    const cipher = leaf === "p256" ? "ECDHE-ECDSA-CHACHA20-POLY1305" : "ECDHE-RSA-AES128-GCM-SHA256";
    const s = await startOpensslServer({ certFile: pki.leaves[leaf].certPath, chainFile: pki.intermediateFile, keyFile: pki.leaves[leaf].keyPath, mode: "rev", cipher });
    try {
      const cfg = { port: s.port, caPem: pki.rootPem, host: TEST_HOST, maxFragmentLength: 1024, ...ECHO };
      return await runInJerry({ variant, scripts: code.scripts, magicStrings: code.magicStrings, main: `microtlsTcpApp.runEcho(${JSON.stringify(cfg)})`, port: s.port, lazyConnect: true, timeoutMs: 300_000 });
    } finally {
      await s.close();
    }
  };
  const passed = (run: JerryRun) => {
    const r = run.result as { ok?: boolean; received?: number; wrong?: number; maxFragmentLength?: number } | null;
    return run.exitCode === 0 && r?.ok === true && r.received === ECHO.lines * ECHO.lineLength && r.wrong === 0 && r.maxFragmentLength === 1024;
  };
  const peaks = (run: JerryRun) => {
    const at = (m: string) => run.memory.find((l) => l.moment === m)?.peak ?? NaN;
    return { load: at("start"), handshake: at("handshake"), handshakeEcho: at("closed") };
  };
  const parts = (run: JerryRun) => {
    const s = run.engineStats;
    const byteCode = s["Peak allocated byte code data"], strings = s["Peak allocated string data"];
    const objects = s["Peak allocated object data"], properties = s["Peak allocated property data"];
    return { byteCode, strings, objects, properties, buffersAtLeast: s["Peak allocated"] - byteCode - strings - objects - properties };
  };

  const codes = { static: codeFor(MEASURE, "static"), snapshot: codeFor(MEASURE, "snapshot"), source: codeFor(MEASURE, "source") };
  const measured: Record<string, { peakBytes: ReturnType<typeof peaks>; parts: ReturnType<typeof parts> }> = {};
  for (const kind of ["static", "snapshot", "source"] as const) {
    const run = await session(MEASURE, codes[kind]);
    if (!passed(run)) throw new Error(`${kind} session failed: ${JSON.stringify(run.result)} ${run.stderr.slice(0, 2000)}`);
    measured[kind] = { peakBytes: peaks(run), parts: parts(run) };
    console.log(kind, JSON.stringify(measured[kind]));
  }

  // Bisection over --mem-heap (KB) on the static form: `fail` failed (or is assumed to), `pass` passed.
  const tried: Array<{ memHeapKB: number; passed: boolean; exitCode: number | null }> = [];
  const tryHeap = async (kb: number): Promise<boolean> => {
    const variant = `cp16-${kb}`;
    buildJerry(variant);
    const run = await session(variant, codes.static);
    tried.push({ memHeapKB: kb, passed: passed(run), exitCode: run.exitCode });
    console.log(`cp16-${kb}: ${passed(run) ? "passes" : `fails (exit ${run.exitCode})`}`);
    return passed(run);
  };
  let memHeapKB: number | null = null;
  let smallest: { parts: ReturnType<typeof parts>; passesAgain: boolean; rsaPasses: boolean } | null = null;
  if (!args.includes("--skip-bisect")) {
    let pass = Math.ceil(measured.static.peakBytes.handshakeEcho / KB / STEP) * STEP;
    let fail = Math.floor(measured.static.peakBytes.load / KB / STEP) * STEP;
    while (!(await tryHeap(pass))) (fail = pass), (pass += 2 * STEP);
    while (pass - fail > STEP) {
      const mid = fail + Math.floor((pass - fail) / 2 / STEP) * STEP;
      if (await tryHeap(mid)) pass = mid;
      else fail = mid;
    }
    // The lower end was assumed to fail from the load peak: confirm it (and go on down if it passes after all).
    while (fail > 0 && !tried.some((t) => t.memHeapKB === fail) && (await tryHeap(fail))) (pass = fail), (fail -= STEP);
    memHeapKB = pass;
    const variant = `cp16-${pass}`;
    const again = await session(variant, codes.static);
    const rsa = await session(variant, codes.static, "rsa2048");
    smallest = { parts: parts(again), passesAgain: passed(again), rsaPasses: passed(rsa) };
  }
  await closeAllServers();

  const jerryHost = {
    generatedAt: new Date().toISOString(),
    engine: "JerryScript 3.0 (5020015), patched (test/engines/jerry/*.patch), 16-bit compressed pointers, MinSizeRel; Mbed TLS 2.28 natives",
    bundle: "microtls.native",
    bundleBytes: readFileSync(bundle).length,
    session: `TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256 (x25519), verified chain, max_fragment_length 1024, ${ECHO.lines * ECHO.lineLength}-byte echo through TLSTCPClient, close_notify; openssl s_server -rev on loopback`,
    peakBytes: measured.static.peakBytes.handshakeEcho,
    peakBytesByPhase: measured.static.peakBytes,
    parts: measured.static.parts,
    memHeapKB,
    smallestBuild: smallest,
    bisection: tried,
    compare: { snapshot: measured.snapshot, source: measured.source },
    note:
      "peakBytes = Peak allocated after the handshake, the echo and close_notify, in the cp16-512 build (its collector " +
      "runs every 8 KB allocated), the bundle and the application (tcp-app.js) as one static snapshot executed in place " +
      "with its literals as external magic strings (staticSnapshot in test/engines/jerry/run.ts). parts = the engine's --mem-stats category peaks; " +
      "buffersAtLeast = Peak allocated minus the category peaks (ArrayBuffer storage is in none of them). memHeapKB = " +
      `the smallest --mem-heap tried, in ${STEP} KB steps, where the session passes (a tight heap collects sooner, so it ` +
      "can be below peakBytes); smallestBuild = that build's second run and its ECDHE-RSA run. compare: an ordinary " +
      "snapshot (header and literal table of every function copied to the heap; its literals as magic strings too; " +
      "tcp-app.js parsed from source) and everything parsed from source.",
  };
  const out = join(REPO_ROOT, "bench", "results.json");
  const results = JSON.parse(readFileSync(out, "utf8")) as Record<string, unknown>;
  results.jerryHost = jerryHost;
  writeFileSync(out, JSON.stringify(results, null, 2) + "\n");
  console.log(JSON.stringify(jerryHost, null, 2));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
