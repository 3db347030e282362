// Runs scripts in the JerryScript host (host.c, built by build-jerry.sh) as a child process and serves its host calls
// with test/engines/host.ts's operations, plus two of its own: "C" (re)connects the socket to the same port, so that
// one engine can run two sessions (cold, then warm), and "X" ends it (TCPClient.stop()). Also collects the host's
// memory lines. No vitest here: the benches (bench/device-jerry.ts, bench/jerry-host.ts) use it too.
import { tokenizer, tokTypes } from "acorn";
import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { buildEngineBundles, type EngineBundleName } from "../../../scripts/build-engine-bundle.mjs";
import { CACHE_DIR, childCpuMs, ENGINE_DIR, NetstringReader, REPO_ROOT, serve, SocketRelay, writeNetstring, type EngineRun, type HostState } from "../host.js";

export const JERRY_DIR = join(ENGINE_DIR, "jerry");
export const JERRY_TARBALL = join(process.env.MICROTLS_SHARED ?? join(REPO_ROOT, "..", "shared"), "engines", "jerryscript-5020015.tar.gz");

/**
 * The bundle the JerryScript runs load (its crypto-vector twin is `<name>-test`). The full "microtls.engine" needs a
 * heap of megabytes; the device profile's "microtls.device" is the one meant for 512 KB.
 */
export const JERRY_BUNDLE = process.env.MICROTLS_JERRY_BUNDLE ?? "microtls.device";
/** The patched build the tests run in: "big" (64 MB heap) fits any bundle; "heap512" is the stock heap size. */
export const JERRY_TEST_VARIANT = process.env.MICROTLS_JERRY_VARIANT ?? "heap512";

/** True when ../shared/engines holds the JerryScript sources (CI); otherwise the JerryScript tests skip. */
export function jerryAvailable(): boolean {
  return existsSync(JERRY_TARBALL);
}

/** Builds (or finds cached) the given variants; returns their folders. A cold variant takes about a minute. */
export function buildJerry(...variants: string[]): string[] {
  const out = execFileSync("bash", [join(JERRY_DIR, "build-jerry.sh"), ...variants], {
    stdio: ["ignore", "pipe", "inherit"],
    timeout: 1_800_000,
    encoding: "utf8",
  });
  return out.trim().split("\n");
}

export function jerryBin(variant: string, tool: "jerry" | "jerry-snapshot" | "microtls-jerry"): string {
  return join(CACHE_DIR, `jerry-${variant}`, "bin", tool);
}

/** The bundle and its test twin, freshly built with `npm run build`'s recipe into the cache. */
export async function jerryBundles(name = JERRY_BUNDLE): Promise<{ bundle: string; testBundle: string }> {
  // A string, not EngineBundleName: the device bundle's name joins that type on another branch.
  const names = [name, `${name}-test`] as EngineBundleName[];
  const [bundle, testBundle] = await buildEngineBundles({ outdir: join(CACHE_DIR, "bundle", "jerry"), names });
  return { bundle, testBundle };
}

/** The engine glue (none needed: the host defines microtlsHostCall natively) plus the driver, after the bundle. */
export function jerryScripts(bundle: string | { snapshot: string }): Array<string | { snapshot: string }> {
  return [bundle, join(ENGINE_DIR, "driver.js")];
}

/** `jerry-snapshot generate` of one script; returns the snapshot's path. */
export function makeSnapshot(variant: string, script: string, out = `${script}.${variant}.snapshot`): string {
  execFileSync(jerryBin(variant, "jerry-snapshot"), ["generate", "-o", out, script], { stdio: ["ignore", "pipe", "pipe"] });
  return out;
}

/** `jerry-snapshot litdump --format list`: the snapshot's literals, for the host's --magic-strings. */
export function literalList(variant: string, snapshot: string, out = `${snapshot}.literals.list`): string {
  execFileSync(jerryBin(variant, "jerry-snapshot"), ["litdump", "--format", "list", "-o", out, snapshot], { stdio: ["ignore", "pipe", "pipe"] });
  return out;
}

/**
 * A static snapshot of a bundle: all of it, bytecode and literal tables, executes from the file (flash) and nothing
 * of it is copied to the heap; its strings are the literal list, which the host registers as external magic strings
 * (runInJerry's magicStrings; firmware compiles `litdump --format c`'s array in). Static snapshots take only magic
 * strings and small integers as literals, so the source is first rewritten: a regular expression literal becomes
 * `new RegExp(source, flags)` (a literal makes a fresh object each time too) and a number that is not a 28-bit
 * integer becomes `Number("0x...")` (JerryScript reads a decimal "4294967295" literal as a number again).
 */
export function staticSnapshot(variant: string, bundle: string, ...more: string[]): { snapshot: string; literals: string } {
  // More scripts (e.g. the application) join the same image: static snapshots must share one literal list.
  const code = [bundle, ...more].map((f) => readFileSync(f, "utf8")).join(";\n");
  const edits: Array<[number, number, string]> = [];
  for (const token of tokenizer(code, { ecmaVersion: 2020 })) {
    const t = token as typeof token & { value: unknown };
    if (t.type === tokTypes.regexp) {
      const { pattern, flags } = t.value as { pattern: string; flags: string };
      edits.push([t.start, t.end, `new RegExp(${JSON.stringify(pattern)},${JSON.stringify(flags)})`]);
    } else if (t.type === tokTypes.num && typeof t.value === "number" && !(Number.isInteger(t.value) && Math.abs(t.value) < 2 ** 27)) {
      const v = t.value as number;
      edits.push([t.start, t.end, ` Number(${JSON.stringify(Number.isInteger(v) ? `0x${v.toString(16)}` : String(v))})`]);
    }
  }
  let out = code;
  for (const [a, b, r] of edits.sort((x, y) => y[0] - x[0])) out = out.slice(0, a) + r + out.slice(b);
  const source = `${bundle}${more.length ? "+app" : ""}.static.js`;
  writeFileSync(source, out);
  // The literals of an ordinary snapshot of the same source, then the static one against that list.
  const literals = literalList(variant, makeSnapshot(variant, source, `${source}.${variant}.snapshot`), `${source}.${variant}.literals.list`);
  const snapshot = `${source}.${variant}.static.snapshot`;
  execFileSync(jerryBin(variant, "jerry-snapshot"), ["generate", "--static", "--load-literals-list-format", literals, "-o", snapshot, source], { stdio: ["ignore", "pipe", "pipe"] });
  return { snapshot, literals };
}

export interface MemoryLine {
  moment: string;
  allocated: number;
  peak: number;
}

export interface JerryRun extends EngineRun {
  /** The host's jerry_heap_stats at each mark ("M"), in order, and at exit. */
  memory: MemoryLine[];
  /** Every mark, in order (EngineRun.marks keeps only the last of each name). */
  markHistory: Array<{ name: string; ms: number; cpuMs: number }>;
  /** Every result ("D"), in order. */
  results: Array<Record<string, unknown>>;
  /** The engine's --mem-stats report at exit, e.g. "Peak allocated byte code data" -> bytes. */
  engineStats: Record<string, number>;
}

export interface JerryRunOptions {
  variant: string;
  /** Script files, or snapshots to execute in place, loaded in order. */
  scripts: Array<string | { snapshot: string }>;
  /** A JavaScript expression run last, e.g. `microtlsDriver.runEcho({...})`. */
  main?: string;
  /** Connect to this port on loopback before starting, and again on each "C" call. */
  port?: number;
  /** A literal list (literalList()) the host registers as external magic strings before loading anything. */
  magicStrings?: string;
  /** Connect only when the engine asks ("C"), as TCPClient.connect does in tcp-app.js. */
  lazyConnect?: boolean;
  timeoutMs?: number;
}

export async function runInJerry(opts: JerryRunOptions): Promise<JerryRun> {
  const tmp = mkdtempSync(join(tmpdir(), "microtls-jerry-"));
  const args: string[] = opts.magicStrings ? ["--magic-strings", opts.magicStrings] : [];
  for (const s of opts.scripts) typeof s === "string" ? args.push(s) : args.push("--snapshot", s.snapshot);
  if (opts.main !== undefined) {
    // As a file rather than an argument: crypto-vector payloads can exceed what one argv string may hold.
    const mainFile = join(tmp, "main.js");
    writeFileSync(mainFile, `(${opts.main});\n`);
    args.push(mainFile);
  }
  const state: HostState = {
    relay: opts.port === undefined || opts.lazyConnect ? null : await SocketRelay.connect(opts.port),
    t0: performance.now(),
    marks: {},
    cpuMarks: {},
    cpu: () => NaN,
    result: null,
    calls: 0,
    waits: 0,
    canBlock: true,
  };
  const child = spawn(jerryBin(opts.variant, "microtls-jerry"), args, { stdio: ["pipe", "pipe", "pipe"] });
  state.t0 = performance.now();
  const pid = child.pid;
  // The engine is blocked in a host call whenever we read this, so its CPU time is exact to the tick.
  state.cpu = () => (pid === undefined ? NaN : childCpuMs(pid));
  let stderr = "";
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString("utf8")));
  child.stdin.on("error", () => {}); // the engine may exit (e.g. out of memory) while we write
  const exited = new Promise<number | null>((resolve) => child.once("close", (code, signal) => resolve(code ?? (signal ? -1 : null))));
  const timer = setTimeout(() => child.kill("SIGKILL"), opts.timeoutMs ?? 300_000);
  const reader = new NetstringReader(child.stdout);
  const markHistory: JerryRun["markHistory"] = [];
  const results: JerryRun["results"] = [];
  try {
    for (;;) {
      const msg = await reader.next();
      if (msg === null) break;
      if (msg[0] !== 0x3f /* ? */) throw new Error(`not a host call: ${msg.subarray(0, 40).toString("latin1")}`);
      const op = String.fromCharCode(msg[1]);
      const payload = msg.subarray(2);
      let reply: Buffer;
      if (op === "C") {
        if (opts.port === undefined) throw new Error("the engine asked to reconnect without a port");
        state.relay?.close();
        state.relay = await SocketRelay.connect(opts.port);
        reply = Buffer.alloc(0);
      } else if (op === "X") {
        // TCPClient.stop(): a FIN after everything sent (destroy() could drop a close_notify still queued).
        state.relay?.socket.end();
        reply = Buffer.alloc(0);
      } else {
        reply = await serve(state, op, payload);
        if (op === "M") {
          const name = payload.toString("latin1");
          markHistory.push({ name, ms: state.marks[name], cpuMs: state.cpuMarks[name] });
        }
        if (op === "D" && state.result) results.push(state.result);
      }
      writeNetstring(child.stdin, Buffer.concat([Buffer.of(0x2f /* / */), reply]));
    }
    child.stdin.end();
    if (reader.error) stderr += `\nhost: ${reader.error.message}`;
    const exitCode = await exited;
    return {
      result: state.result,
      marks: state.marks,
      cpuMarks: state.cpuMarks,
      stderr,
      exitCode,
      hostCalls: state.calls,
      waits: state.waits,
      memory: parseMemoryLines(stderr),
      markHistory,
      results,
      engineStats: parseEngineStats(stderr),
    };
  } finally {
    clearTimeout(timer);
    if (child.exitCode === null) child.kill("SIGKILL");
    state.relay?.close();
    rmSync(tmp, { recursive: true, force: true });
  }
}

function parseMemoryLines(stderr: string): MemoryLine[] {
  const out: MemoryLine[] = [];
  for (const m of stderr.matchAll(/^microtls-jerry-mem (\S*) allocated=(\d+) peak=(\d+)/gm)) {
    out.push({ moment: m[1], allocated: Number(m[2]), peak: Number(m[3]) });
  }
  return out;
}

function parseEngineStats(stderr: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const m of stderr.matchAll(/^ {2}([A-Z][a-z][^=\n]*?) = (\d+) bytes$/gm)) out[m[1]] = Number(m[2]);
  return out;
}

/** One-line summary of a run for assertion messages. */
export function explainJerry(run: JerryRun): string {
  return JSON.stringify({ result: run.result, exitCode: run.exitCode, stderr: run.stderr.slice(0, 3000) });
}
