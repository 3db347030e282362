// Measurements for the README "Runtimes" table, written to bench/results-engines.json (a measurement, not a test):
//   - handshake and whole-session times per engine and suite (median of N runs), as ratios to the same bundle in a
//     fresh node:vm context measured in the same run;
//   - native QuickJS memory: the smallest --memory-limit at which handshake + 16 KiB echo +
//     close_notify pass, found by bisection and confirmed by 3 passes in a row; plus the same for the parts
//     (engine + driver alone, the bundle loaded, noble AES alone, the asn1 stack alone and parsing the chain).
// Run: npx tsx test/engines/measure.ts [--runs N] [--skip-times] [--skip-memory]
import { bisectLimit } from "./bisect.js";
import { build } from "esbuild";
import { spawn } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pemToDer, standardPki, TEST_HOST } from "../helpers/pki.js";
import { buildNativeEngines, ECHO_BYTES, echoMain, engineBundles, engineScripts, ENGINE_SUITES } from "./harness.js";
import { CACHE_DIR, REPO_ROOT, runInEngine, sessionTimes, type EngineName } from "./host.js";

const args = process.argv.slice(2);
const RUNS = Number(args[args.indexOf("--runs") + 1]) || 9;
const KiB = 1024;

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const round1 = (x: number) => Math.round(x * 10) / 10;
const toHex = (b: Uint8Array) => Buffer.from(b).toString("hex");

/** Probe bundles that isolate one dependency, for attributing memory. */
async function probeBundles(dir: string): Promise<{ aes: string; asn1: string; bundleNoAes: string }> {
  mkdirSync(dir, { recursive: true });
  const common = {
    bundle: true,
    format: "iife" as const,
    platform: "neutral" as const,
    mainFields: ["module", "main"],
    target: "es2020",
    minify: true,
    inject: [join(REPO_ROOT, "scripts", "engine-shims.mjs")],
    define: { "Object.hasOwn": "microtlsHasOwn" },
    logLevel: "silent" as const,
  };
  const aes = join(dir, "probe-aes.js");
  await build({
    ...common,
    stdin: { contents: 'export { gcm } from "@noble/ciphers/aes.js";', resolveDir: REPO_ROOT, loader: "ts" },
    globalName: "aesProbe",
    outfile: aes,
  });
  const asn1 = join(dir, "probe-asn1.js");
  await build({
    ...common,
    stdin: {
      contents:
        'import { AsnConvert } from "@peculiar/asn1-schema"; import { Certificate } from "@peculiar/asn1-x509";\n' +
        "export function parseCertificate(der) { return AsnConvert.parse(der, Certificate); }",
      resolveDir: REPO_ROOT,
      loader: "js",
    },
    globalName: "asn1Probe",
    outfile: asn1,
  });
  // The public bundle with noble's AES replaced by a stub: what a ChaCha20-only build would cost.
  const bundleNoAes = join(dir, "microtls.engine-no-aes.js");
  await build({
    ...common,
    stdin: {
      contents: 'export * from "./src/index.ts"; import * as x509 from "./src/x509/index.ts"; export const verifyChain = x509.verifyChain;',
      resolveDir: REPO_ROOT,
      loader: "ts",
    },
    globalName: "microtls",
    outfile: bundleNoAes,
    plugins: [
      {
        name: "no-aes",
        setup(b) {
          b.onResolve({ filter: /^@noble\/ciphers\/aes\.js$/ }, () => ({ path: "noble-aes-stub", namespace: "stub" }));
          b.onLoad({ filter: /.*/, namespace: "stub" }, () => ({
            contents: 'export function gcm() { throw new Error("AES removed from this build"); }',
            loader: "js",
          }));
        },
      },
    ],
  });
  return { aes, asn1, bundleNoAes };
}

/** Bytes of the minified engine bundle per package / source folder (esbuild's metafile). */
async function bundleComposition(): Promise<Record<string, number>> {
  const r = await build({
    stdin: {
      contents: 'export * from "./src/index.ts"; import * as x509 from "./src/x509/index.ts"; export const verifyChain = x509.verifyChain;',
      resolveDir: REPO_ROOT,
      loader: "ts",
    },
    bundle: true,
    format: "iife",
    globalName: "microtls",
    platform: "neutral",
    mainFields: ["module", "main"],
    target: "es2020",
    minify: true,
    inject: [join(REPO_ROOT, "scripts", "engine-shims.mjs")],
    define: { "Object.hasOwn": "microtlsHasOwn" },
    write: false,
    metafile: true,
    logLevel: "silent",
  });
  const byPart: Record<string, number> = {};
  for (const [file, info] of Object.entries(Object.values(r.metafile!.outputs)[0].inputs)) {
    const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(file);
    const part = pkg ? pkg[1] : file.split("/").slice(0, 2).join("/");
    byPart[part] = (byPart[part] ?? 0) + info.bytesInOutput;
  }
  return Object.fromEntries(Object.entries(byPart).sort((a, b) => b[1] - a[1]));
}

const bisect = bisectLimit;

async function main(): Promise<void> {
  buildNativeEngines();
  const bundles = await engineBundles("qjs");
  const probes = await probeBundles(join(CACHE_DIR, "bundle", "probes"));
  const pki = standardPki();
  const results: Record<string, unknown> = {
    generatedAt: new Date().toISOString(),
    machine: "2 shared cores; engines built by test/engines/build-engines.sh",
    engines: {
      xs: "Moddable XS via @agoric/xsnap 0.15.0 (xsnap-worker, release build)",
      qjs: "QuickJS 2021-03-27 via qjsc 0.3.0 (native qjs)",
      wasm: "QuickJS 2025-09-13 via quickjs-emscripten 0.32.0 (release-sync WASM, run from Node)",
      node: `baseline: the same bundle in a fresh node:vm context, Node ${process.version}`,
    },
    bundleBytes: readFileSync(bundles.bundle).length,
    bundleComposition: await bundleComposition(),
    echoBytes: ECHO_BYTES,
  };

  // The TLS peer runs in a child process: in-process engines measure this process's CPU time.
  const peer = spawn(process.execPath, ["--import", "tsx", join(REPO_ROOT, "test", "engines", "echo-server.ts")], {
    stdio: ["pipe", "pipe", "inherit"],
  });
  const peerInfo = await new Promise<{ rootPem: string; ports: Record<string, number> }>((resolve, reject) => {
    let out = "";
    peer.stdout!.on("data", (d: Buffer) => {
      out += d.toString("utf8");
      if (out.includes("\n")) resolve(JSON.parse(out.slice(0, out.indexOf("\n"))) as { rootPem: string; ports: Record<string, number> });
    });
    peer.once("exit", (code) => reject(new Error(`echo server exited (${code})`)));
  });
  const session = async (engine: EngineName, suite: string, memoryLimit?: number, bundle = bundles.bundle) => {
    const cfg = { suite, serverName: TEST_HOST, caPem: peerInfo.rootPem, echoBytes: ECHO_BYTES };
    return runInEngine(engine, { scripts: engineScripts(engine, bundle), main: echoMain(engine, cfg), port: peerInfo.ports[suite], memoryLimit, timeoutMs: 60_000 });
  };

  if (!args.includes("--skip-times")) {
    // Round-robin over the engines so that load from other processes on this shared machine hits all of them alike.
    const engines: EngineName[] = ["node", "xs", "qjs", "wasm"];
    const times: Record<string, Record<string, unknown>> = {};
    for (const { suite } of ENGINE_SUITES) {
      const hs: Record<string, number[]> = {};
      const total: Record<string, number[]> = {};
      const cpu: Record<string, number[]> = {};
      for (const e of engines) (hs[e] = []), (total[e] = []), (cpu[e] = []);
      for (let i = 0; i < RUNS; i++) {
        for (const engine of engines) {
          const run = await session(engine, suite);
          const t = sessionTimes(run);
          if (!(run.result as { ok?: boolean } | null)?.ok || !t) throw new Error(`${engine} ${suite} failed: ${JSON.stringify(run.result)} ${run.stderr}`);
          hs[engine].push(t.handshakeMs);
          total[engine].push(t.totalMs);
          cpu[engine].push(t.handshakeCpuMs);
        }
      }
      times[suite] = {};
      for (const engine of engines) {
        times[suite][engine] = {
          handshakeMsMedian: round1(median(hs[engine])),
          handshakeMsMin: round1(Math.min(...hs[engine])),
          sessionMsMedian: round1(median(total[engine])),
          handshakeMedianVsNodeVm: round1(median(hs[engine]) / median(hs.node)),
          handshakeCpuMsMedian: round1(median(cpu[engine])),
          handshakeCpuVsNodeVm: round1(median(cpu[engine]) / median(cpu.node)),
          runs: RUNS,
        };
        console.log(suite, engine, times[suite][engine]);
      }
    }
    results.times = times;
    results.timesNote =
      "handshake = from TlsClient constructed to handshake() === 0 (includes loopback round trips, the server's work and " +
      "host-call overhead); session = construction through 16 KiB echo and close_notify. Engines run round-robin; medians " +
      "and minimums over the runs; ratios are to the node:vm baseline (fresh V8 context, cold JIT) measured in the same run. " +
      "The machine is shared (2 cores), so single runs vary by 2x: compare medians and ratios, not single numbers. " +
      "handshakeCpuMs is the engine's own CPU time over the same span (native engines: the child process's main thread, from /proc/<pid>/schedstat; " +
      "WASM and node:vm: the measuring process, whose TLS peer runs in a separate process), which other load disturbs less.";
  }

  if (!args.includes("--skip-memory")) {
    const chainDer = [pki.leaves.p256.der, pki.intermediate.der].map(toHex);
    const probeCfg = JSON.stringify({ chainDer, rootDer: toHex(pemToDer(pki.rootPem)), serverName: TEST_HOST });
    const glue = (e: EngineName) => engineScripts(e, "").slice(1); // glue + driver
    const okRun = async (e: EngineName, scripts: string[], main: string, limit: number) =>
      (await runInEngine(e, { scripts, main, memoryLimit: limit, timeoutMs: 60_000 })).result?.ok === true;
    const memory: Record<string, Record<string, number | null>> = {};
    // Native QuickJS only: quickjs-emscripten 0.32's WASM build has no malloc_usable_size, so its QuickJS counts about
    // 8 bytes per allocation and setMemoryLimit only refuses single allocations above the limit (checked: six 256 KiB
    // typed arrays fit under a 600 KiB limit). Its numbers would be meaningless.
    for (const engine of ["qjs"] as EngineName[]) {
      const m: Record<string, number | null> = {};
      const parts: Array<[string, (limit: number) => Promise<boolean>]> = [
        ["engine+driver", (l) => okRun(engine, glue(engine), "microtlsDriver.describe()", l)],
        ["bundle loaded", (l) => okRun(engine, engineScripts(engine, bundles.bundle), "microtlsDriver.describe()", l)],
        ["bundle without AES loaded", (l) => okRun(engine, engineScripts(engine, probes.bundleNoAes), "microtlsDriver.describe()", l)],
        ["noble AES module loaded", (l) => okRun(engine, [probes.aes, ...glue(engine)], "microtlsDriver.describe()", l)],
        ["asn1 stack loaded", (l) => okRun(engine, [probes.asn1, ...glue(engine)], "microtlsDriver.describe()", l)],
        ["asn1 stack parsing the 3-certificate chain", (l) => okRun(engine, [probes.asn1, ...glue(engine)], `microtlsDriver.probe("asn1", ${probeCfg})`, l)],
        ["bundle verifying the chain (verifyChain)", (l) => okRun(engine, engineScripts(engine, bundles.bundle), `microtlsDriver.probe("x509", ${probeCfg})`, l)],
      ];
      for (const { suite } of ENGINE_SUITES) {
        parts.push([`session ${suite}`, async (l) => (await session(engine, suite, l)).result?.ok === true]);
      }
      parts.push([
        "session TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256, bundle without AES",
        async (l) => (await session(engine, ENGINE_SUITES[0].suite, l, probes.bundleNoAes)).result?.ok === true,
      ]);
      for (const [name, passes] of parts) {
        m[name] = await bisect(passes);
        console.log(engine, name, m[name] === null ? "fails even at 64 MiB" : `${(m[name]! / KiB).toFixed(0)} KiB`);
      }
      memory[engine] = m;
    }
    results.memoryLimitBytes = memory;
    results.memoryNote =
      "Smallest QuickJS memory limit (bytes, 16 KiB steps, 3 passes in a row) at which each scenario completes. QuickJS " +
      "counts every malloc'd byte including garbage not yet collected, so this is what --memory-limit must be set to, not a " +
      "live-heap size. Native qjs 2021-03-27 (64-bit) with --memory-limit. Not measured for QuickJS-WASM: quickjs-emscripten " +
      "0.32's build lacks malloc_usable_size, so its limit does not count cumulative use (six 256 KiB typed arrays fit under " +
      "a 600 KiB limit).";
  }

  peer.stdin!.end();
  const out = join(REPO_ROOT, "bench", "results-engines.json");
  let previous: Record<string, unknown> = {};
  try {
    previous = JSON.parse(readFileSync(out, "utf8")) as Record<string, unknown>;
  } catch {
    // first run
  }
  writeFileSync(out, JSON.stringify({ ...previous, ...results }, null, 2) + "\n");
  console.log(`wrote ${out}`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
