// The device profile in native QuickJS 2021 (test/engines/): the smallest --memory-limit for load, handshake and
// handshake + 16 KiB echo, for dist/microtls.engine.js and dist/microtls.device.js side by side, with cold (first
// handshake in a fresh engine) CPU times. A measurement, not a test; writes bench/results-device.json.
// "handshake" is a session echoing 1 byte (the driver always echoes something before close_notify).
// Run: npx tsx bench/device.ts [--runs N]
import { bisectLimit } from "../test/engines/bisect.js";
import { spawn } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { join } from "node:path";
import { buildEngineBundles } from "../scripts/build-engine-bundle.mjs";
import { TEST_HOST } from "../test/helpers/pki.js";
import { buildNativeEngines, ECHO_BYTES, echoMain, engineScripts } from "../test/engines/harness.js";
import { CACHE_DIR, REPO_ROOT, runInEngine, sessionTimes } from "../test/engines/host.js";

const KiB = 1024;
const args = process.argv.slice(2);
const RUNS = Number(args[args.indexOf("--runs") + 1]) || 5;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

// QuickJS 2021 runs here fit well under 16 MiB: start the search there.
const bisect = (passes: (limit: number) => Promise<boolean>) => bisectLimit(passes, 64 * KiB, 16 * 1024 * KiB);

/** Bytes of the minified bundle per package / source folder, from esbuild's metafile. */
function composition(bundle: string): Record<string, number> {
  const meta = JSON.parse(readFileSync(`${bundle}.meta.json`, "utf8")) as { outputs: Record<string, { inputs: Record<string, { bytesInOutput: number }> }> };
  const byPart: Record<string, number> = {};
  for (const [file, info] of Object.entries(Object.values(meta.outputs)[0].inputs)) {
    const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(file);
    const part = pkg ? pkg[1] : file.startsWith("src/") ? file.split("/").slice(0, 2).join("/").replace(/\.ts$/, "") : file;
    byPart[part] = (byPart[part] ?? 0) + info.bytesInOutput;
  }
  return Object.fromEntries(Object.entries(byPart).sort((a, b) => b[1] - a[1]));
}

async function main(): Promise<void> {
  buildNativeEngines();
  const dir = join(CACHE_DIR, "bundle", "device-bench");
  const [engine, device] = await buildEngineBundles({ outdir: dir, names: ["microtls.engine", "microtls.device"], metafile: true });
  const peer = spawn(process.execPath, ["--import", "tsx", join(REPO_ROOT, "test", "engines", "echo-server.ts")], { stdio: ["pipe", "pipe", "inherit"] });
  const info = await new Promise<{ rootPem: string; ports: Record<string, number> }>((resolve, reject) => {
    let out = "";
    peer.stdout!.on("data", (d: Buffer) => {
      out += d.toString("utf8");
      if (out.includes("\n")) resolve(JSON.parse(out.slice(0, out.indexOf("\n"))));
    });
    peer.once("exit", (code) => reject(new Error(`echo server exited (${code})`)));
  });
  const scenarios = [
    { name: "ECDHE-ECDSA ChaCha20-Poly1305, x25519", suite: "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", groups: ["x25519", "secp256r1"] },
    { name: "ECDHE-ECDSA ChaCha20-Poly1305, P-256", suite: "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", groups: ["secp256r1"] },
    { name: "ECDHE-RSA AES-128-GCM, x25519", suite: "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", groups: ["x25519", "secp256r1"] },
  ];
  const run = (bundle: string, s: (typeof scenarios)[number], echoBytes: number, memoryLimit?: number) =>
    runInEngine("qjs", {
      scripts: engineScripts("qjs", bundle),
      main: echoMain("qjs", { suite: s.suite, serverName: TEST_HOST, caPem: info.rootPem, echoBytes, groups: s.groups } as never),
      port: info.ports[s.suite],
      memoryLimit,
      timeoutMs: 120_000,
    });
  const ok = async (p: ReturnType<typeof run>) => ((await p).result as { ok?: boolean } | null)?.ok === true;
  const results: Record<string, unknown> = { generatedAt: new Date().toISOString(), engine: "QuickJS 2021-03-27 (native qjs, 64-bit)" };
  for (const [label, bundle] of [["engine", engine], ["device", device]] as const) {
    const bytes = readFileSync(bundle);
    const r: Record<string, unknown> = { bundleBytes: bytes.length, bundleGzipBytes: gzipSync(bytes, { level: 9 }).length, composition: composition(bundle) };
    const load = await bisect((l) => ok(runInEngine("qjs", { scripts: engineScripts("qjs", bundle), main: "microtlsDriver.describe()", memoryLimit: l, timeoutMs: 60_000 }) as never));
    r.loadMemoryLimitBytes = load;
    console.log(label, "load", load! / KiB, "KiB");
    const per: Record<string, unknown> = {};
    for (const s of scenarios) {
      const hs = await bisect((l) => ok(run(bundle, s, 1, l)));
      const echo = await bisect((l) => ok(run(bundle, s, ECHO_BYTES, l)));
      const cpu: number[] = [];
      for (let i = 0; i < RUNS; i++) {
        const t = sessionTimes(await run(bundle, s, ECHO_BYTES));
        if (t) cpu.push(t.handshakeCpuMs);
      }
      per[s.name] = { handshakeMemoryLimitBytes: hs, handshakeEchoMemoryLimitBytes: echo, coldHandshakeCpuMsMedian: median(cpu), runs: cpu.length };
      console.log(label, s.name, per[s.name]);
    }
    r.sessions = per;
    results[label] = r;
  }
  peer.stdin!.end();
  results.note =
    "Smallest native qjs --memory-limit (16 KiB steps, 3 passes in a row). QuickJS counts every malloc'd byte, garbage not " +
    "yet collected included. Each session runs in a fresh engine, so its handshake CPU (engine process, 10 ms ticks) is " +
    "the cold one: the first key generation and signature checks of that engine.";
  const out = join(REPO_ROOT, "bench", "results-device.json");
  writeFileSync(out, JSON.stringify(results, null, 2) + "\n");
  console.log(`wrote ${out}`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
