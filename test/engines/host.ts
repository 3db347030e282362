// The "firmware" side of the engine tests: a Node process that owns the real TCP socket, the CSPRNG and the clock,
// and serves the engine's host calls (see driver.js for the operations). XS and native QuickJS run as child
// processes speaking netstrings over pipes; QuickJS-WASM runs in-process with a native host function.
import { spawn } from "node:child_process";
import { randomFillSync } from "node:crypto";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import * as net from "node:net";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { performance } from "node:perf_hooks";
import type { Readable, Writable } from "node:stream";
import * as vm from "node:vm";

/**
 * "node" is the baseline: the same bundle in a fresh V8 context (node:vm), no Node globals, same host calls.
 * "xst" (Moddable XS) and "qjsng" (QuickJS-ng) are built from ../shared/engines by build-xst-qjsng.sh.
 */
export type EngineName = "xs" | "qjs" | "wasm" | "node" | "xst" | "qjsng";
type NativeEngine = "xs" | "qjs" | "xst" | "qjsng";

export const ENGINE_DIR = dirname(fileURLToPath(import.meta.url));
export const REPO_ROOT = join(ENGINE_DIR, "..", "..");
export const CACHE_DIR = process.env.MICROTLS_ENGINE_CACHE ?? join(REPO_ROOT, ".cache", "engines");
export const ENGINE_BIN = {
  xs: join(CACHE_DIR, "bin", "xsnap-worker"),
  qjs: join(CACHE_DIR, "bin", "qjs"),
  xst: join(CACHE_DIR, "bin", "xst"),
  qjsng: join(CACHE_DIR, "bin", "qjs-ng"),
};

/**
 * xst's heap sizes (MICROTLS_XST_CREATION, see xst-hostcall.patch): chunks of 64 KiB growing by 16 KiB, 1024 slots
 * growing by 512, a 4096-slot stack. Small steps make XS collect before it grows, as a device's fixed heap forces, so
 * the peaks are what a device would need, not how much garbage 16 MiB of stock xst heap lets pile up. (Steps of 4 KiB
 * and 128 slots lower the peak by under 1% but double the CPU time: XS then collects all the time.)
 */
export const XST_CREATION = [64 * 1024, 16 * 1024, 1024, 512, 4096];

/** What patched xst reports at exit: peak chunk bytes, peak slot and stack counts (slots: 32 bytes here, 16 on a 32-bit device). */
export interface XstMemory {
  version: string;
  peakChunksSize: number;
  maximumChunksSize: number;
  peakHeapCount: number;
  maximumHeapCount: number;
  slotSize: number;
  /** The stack's high-water mark and size, in slots. */
  peakStackCount: number;
  stackCount: number;
}

/** What a run reports: the driver's result (its "D" call), host-side timestamps of its marks, and diagnostics. */
export interface EngineRun<R = Record<string, unknown>> {
  result: R | null;
  /** ms since the engine process was started (or the WASM VM created), per mark name. */
  marks: Record<string, number>;
  /** CPU ms used so far at each mark: the engine process's (native) or this process's (in-process). */
  cpuMarks: Record<string, number>;
  stderr: string;
  exitCode: number | null;
  /** XS only: the meter the worker reports with each reply (heap slots in use, bytes allocated). */
  xsMeter?: { currentHeapCount: number; compute: number; allocate: number };
  /** xst only: the peaks it reports at exit. */
  xstMemory?: XstMemory;
  hostCalls: number;
  /** How often the driver waited for the socket after a WANT_READ (blocking engines) or yielded to the event loop. */
  waits: number;
}

// ----------------------------------------------------------------------------------------------------------
// The socket, seen the way a device's network stack would expose it: non-blocking reads plus "wait readable".

export class SocketRelay {
  private chunks: Buffer[] = [];
  private eof = false;
  private waiters: Array<() => void> = [];
  readonly socket: net.Socket;
  error: Error | null = null;

  private constructor(socket: net.Socket) {
    this.socket = socket;
    socket.on("data", (d: Buffer) => {
      this.chunks.push(d);
      this.wake();
    });
    socket.on("end", () => {
      this.eof = true;
      this.wake();
    });
    socket.on("error", (e) => {
      this.error = e;
      this.eof = true;
      this.wake();
    });
  }

  static connect(port: number, host = "127.0.0.1"): Promise<SocketRelay> {
    return new Promise((resolve, reject) => {
      const s = net.connect({ port, host }, () => {
        s.removeListener("error", reject);
        resolve(new SocketRelay(s));
      });
      s.once("error", reject);
      s.setNoDelay(true);
    });
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  /** Up to `max` buffered bytes; empty when nothing has arrived; null at end of stream. */
  take(max: number): Buffer | null {
    if (this.chunks.length === 0) return this.eof ? null : Buffer.alloc(0);
    const all = this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks);
    const out = all.subarray(0, max);
    this.chunks = all.length > max ? [all.subarray(max)] : [];
    return out;
  }

  readable(): Promise<void> {
    if (this.chunks.length > 0 || this.eof) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  send(data: Uint8Array): void {
    if (!this.socket.destroyed) this.socket.write(data);
  }

  close(): void {
    this.socket.destroy();
  }
}

// ----------------------------------------------------------------------------------------------------------
// Host operations, shared by every engine.

export interface HostState {
  relay: SocketRelay | null;
  /** Where "C" reconnects to. */
  port?: number;
  t0: number;
  marks: Record<string, number>;
  cpuMarks: Record<string, number>;
  /** CPU ms consumed by the engine so far. */
  cpu: () => number;
  result: Record<string, unknown> | null;
  calls: number;
  waits: number;
  /** true: "W" may wait (blocking engines); false: "W" answers "yield" (event-loop engine). */
  canBlock: boolean;
}

const EMPTY = Buffer.alloc(0);
const EOF_REPLY = Buffer.of(1);

function u32(b: Uint8Array): number {
  return ((b[0] << 24) | (b[1] << 16) | (b[2] << 8) | b[3]) >>> 0;
}

/** Serves one host call. Returns a promise only for a blocking "W". */
export function serve(state: HostState, op: string, payload: Buffer): Buffer | Promise<Buffer> {
  state.calls++;
  switch (op) {
    case "S":
      if (!state.relay) throw new Error("the engine sent data without a socket");
      state.relay.send(payload);
      return EMPTY;
    case "R": {
      if (!state.relay) throw new Error("the engine read without a socket");
      const got = state.relay.take(u32(payload));
      return got === null ? EOF_REPLY : Buffer.concat([Buffer.of(0), got]);
    }
    case "W": {
      if (!state.relay) throw new Error("the engine waited without a socket");
      state.waits++;
      if (!state.canBlock) return EOF_REPLY;
      return state.relay.readable().then(() => EMPTY);
    }
    case "N": {
      const n = u32(payload);
      if (n > 1 << 20) throw new Error(`random request too large: ${n}`);
      return randomFillSync(Buffer.alloc(n));
    }
    case "T":
      return Buffer.from(String(Date.now()), "latin1");
    case "C": {
      // A new connection to the same server: a second session in the same engine (warm handshake).
      if (!state.canBlock || state.port === undefined) throw new Error("reconnect needs a blocking engine and a port");
      state.relay?.close();
      return SocketRelay.connect(state.port).then((relay) => {
        state.relay = relay;
        return EMPTY;
      });
    }
    case "M":
      state.marks[payload.toString("latin1")] = performance.now() - state.t0;
      state.cpuMarks[payload.toString("latin1")] = state.cpu();
      return EMPTY;
    case "D":
      state.result = JSON.parse(payload.toString("latin1")) as Record<string, unknown>;
      return EMPTY;
    default:
      throw new Error(`unknown host operation ${JSON.stringify(op)}`);
  }
}

// ----------------------------------------------------------------------------------------------------------
// Netstrings ("<len>:<bytes>,") over a pipe.

export class NetstringReader {
  private buf: Buffer = Buffer.alloc(0);
  private queue: Buffer[] = [];
  private waiter: ((b: Buffer | null) => void) | null = null;
  private ended = false;
  /** Why reading stopped early: the engine wrote something that is not a netstring. */
  error: Error | null = null;

  constructor(stream: Readable) {
    stream.on("data", (d: Buffer) => {
      if (this.ended) return;
      this.buf = this.buf.length ? Buffer.concat([this.buf, d]) : d;
      try {
        this.parse();
      } catch (e) {
        this.error = e as Error;
        this.ended = true;
        this.queue = [];
        this.deliver();
      }
    });
    stream.on("end", () => {
      this.ended = true;
      this.deliver();
    });
    stream.on("error", () => {
      this.ended = true;
      this.deliver();
    });
  }

  private parse(): void {
    for (;;) {
      const colon = this.buf.indexOf(58);
      if (colon < 0) break;
      const len = Number(this.buf.subarray(0, colon).toString("latin1"));
      if (!Number.isInteger(len) || colon > 10) throw new Error(`bad netstring from engine: ${this.buf.subarray(0, 40).toString("latin1")}`);
      if (this.buf.length < colon + 1 + len + 1) break;
      if (this.buf[colon + 1 + len] !== 44) throw new Error("netstring from engine lacks its terminator");
      this.queue.push(this.buf.subarray(colon + 1, colon + 1 + len));
      this.buf = this.buf.subarray(colon + 2 + len);
    }
    this.deliver();
  }

  private deliver(): void {
    if (!this.waiter) return;
    if (this.queue.length > 0) {
      const w = this.waiter;
      this.waiter = null;
      w(this.queue.shift()!);
    } else if (this.ended) {
      const w = this.waiter;
      this.waiter = null;
      w(null);
    }
  }

  /** The next message, or null once the stream has ended. */
  next(): Promise<Buffer | null> {
    return new Promise((resolve) => {
      this.waiter = resolve;
      this.deliver();
    });
  }
}

export function writeNetstring(stream: Writable, body: Buffer): void {
  stream.write(Buffer.concat([Buffer.from(`${body.length}:`, "latin1"), body, Buffer.of(44)]));
}

/**
 * Serves "?<op><payload>" requests until a message that is not a request arrives (XS: "." or "!" ends an eval),
 * or the stream ends (QuickJS exits). Returns that final message, or null.
 */
async function servePipe(state: HostState, from: NetstringReader, to: Writable): Promise<Buffer | null> {
  for (;;) {
    const msg = await from.next();
    if (msg === null || msg[0] !== 0x3f /* ? */) return msg;
    const op = String.fromCharCode(msg[1]);
    const reply = await serve(state, op, msg.subarray(2));
    writeNetstring(to, Buffer.concat([Buffer.of(0x2f /* / */), reply]));
  }
}

// ----------------------------------------------------------------------------------------------------------
// The engines.

export interface RunOptions {
  /** Script files loaded in order (the bundle first), each as a classic script. */
  scripts: string[];
  /** One JavaScript expression run last, e.g. `microtlsDriver.runEcho({...})`. */
  main: string;
  /** Connect to this port on loopback before starting (omit for runs without a peer). */
  port?: number;
  /** QuickJS only: --memory-limit in bytes (native) / setMemoryLimit (WASM, which counts too little: see measure.ts). */
  memoryLimit?: number;
  /** xst only: heap sizes, default XST_CREATION; "stock": xst's own (16 MiB of chunks, 1 Mi slots, no pressure). */
  xstCreation?: number[] | "stock";
  /** Kill the engine after this many ms. */
  timeoutMs?: number;
}

export async function runInEngine(engine: EngineName, opts: RunOptions): Promise<EngineRun> {
  const relay = opts.port === undefined ? null : await SocketRelay.connect(opts.port);
  const inProcess = engine === "wasm" || engine === "node";
  const state: HostState = {
    relay,
    port: opts.port,
    t0: performance.now(),
    marks: {},
    cpuMarks: {},
    cpu: processCpuMs,
    result: null,
    calls: 0,
    waits: 0,
    canBlock: !inProcess,
  };
  try {
    if (engine === "wasm") return await runWasm(state, opts);
    if (engine === "node") return await runNodeVm(state, opts);
    return await runNative(engine, state, opts);
  } finally {
    state.relay?.close();
  }
}

let xstMainCount = 0;

async function runNative(engine: NativeEngine, state: HostState, opts: RunOptions): Promise<EngineRun> {
  let child;
  let toEngine: Writable;
  let fromEngine: Readable;
  let mainFile: string | null = null;
  if (engine === "xst") {
    // xst runs script files only: the main expression goes in one more. Host calls: fd 4 out, fd 3 in.
    const dir = join(CACHE_DIR, "tmp");
    mkdirSync(dir, { recursive: true });
    mainFile = join(dir, `xst-main-${process.pid}-${++xstMainCount}.js`);
    writeFileSync(mainFile, `${opts.main};\n`);
    const creation = opts.xstCreation ?? XST_CREATION;
    const env = { ...process.env, MICROTLS_XST_REPORT: "1", ...(creation === "stock" ? {} : { MICROTLS_XST_CREATION: creation.join(",") }) };
    child = spawn(ENGINE_BIN.xst, ["-s", ...opts.scripts, mainFile], { stdio: ["ignore", "pipe", "pipe", "pipe", "pipe"], env });
    toEngine = child.stdio[3] as Writable;
    fromEngine = child.stdio[4] as Readable;
  } else if (engine === "xs") {
    // fd 3: commands and replies to the machine; fd 4: the machine's requests and results.
    child = spawn(ENGINE_BIN.xs, [], { stdio: ["ignore", "pipe", "pipe", "pipe", "pipe"] });
    toEngine = child.stdio[3] as Writable;
    fromEngine = child.stdio[4] as Readable;
  } else {
    const args = ["--std"];
    // QuickJS-ng reads the limit in KiB unless suffixed; QuickJS 2021 reads bytes.
    if (opts.memoryLimit) args.push("--memory-limit", engine === "qjsng" ? `${opts.memoryLimit}b` : String(opts.memoryLimit));
    for (const s of opts.scripts) args.push("-I", s);
    args.push("-e", opts.main);
    child = spawn(engine === "qjsng" ? ENGINE_BIN.qjsng : ENGINE_BIN.qjs, args, { stdio: ["pipe", "pipe", "pipe"] });
    toEngine = child.stdin!;
    fromEngine = child.stdout!;
  }
  state.t0 = performance.now();
  const pid = child.pid;
  // The engine is blocked in a host call whenever we read this, so its CPU time is exact to the tick.
  state.cpu = () => (pid === undefined ? NaN : childCpuMs(pid));
  let stderr = "";
  child.stderr!.on("data", (d: Buffer) => (stderr += d.toString("utf8")));
  child.stdout?.on("data", (d: Buffer) => (engine === "xs" || engine === "xst") && (stderr += d.toString("utf8")));
  toEngine.on("error", () => {}); // the engine may exit (e.g. out of memory) while we write
  const exited = new Promise<number | null>((resolve) => child.once("close", (code) => resolve(code)));
  const timer = setTimeout(() => child.kill("SIGKILL"), opts.timeoutMs ?? 120_000);
  const reader = new NetstringReader(fromEngine);
  let xsMeter: EngineRun["xsMeter"];
  try {
    if (engine === "xs") {
      // Load each script as a program ("s"), then evaluate the main expression ("e"); every command answers
      // "." (done, with the meter) or "!" (an exception).
      const commands = [...opts.scripts.map((s) => `s${s}`), `e${opts.main}`];
      for (const cmd of commands) {
        writeNetstring(toEngine, Buffer.from(cmd, "utf8"));
        const end = await servePipe(state, reader, toEngine);
        if (end === null) break;
        const text = end.toString("latin1");
        if (end[0] === 0x21 /* ! */) {
          stderr += `\nxsnap: ${cmd.slice(0, 60)} failed: ${text.slice(1)}`;
          break;
        }
        const meter = /^\.(\{[^\x01]*\})\x01/.exec(text);
        if (meter) {
          const m = JSON.parse(meter[1]) as { currentHeapCount: number; compute: number; allocate: number };
          xsMeter = { currentHeapCount: m.currentHeapCount, compute: m.compute, allocate: m.allocate };
        }
      }
      toEngine.end(); // EOF on fd 3: the worker exits
    } else {
      await servePipe(state, reader, toEngine);
      toEngine.end();
    }
    if (reader.error) stderr += `\nhost: ${reader.error.message}`;
    const exitCode = await exited;
    const report = /^microtls-xst-memory (\{.*\})$/m.exec(stderr);
    const xstMemory = report ? (JSON.parse(report[1]) as XstMemory) : undefined;
    return { result: state.result, marks: state.marks, cpuMarks: state.cpuMarks, stderr, exitCode, xsMeter, xstMemory, hostCalls: state.calls, waits: state.waits };
  } finally {
    clearTimeout(timer);
    if (child.exitCode === null) child.kill("SIGKILL");
    if (mainFile) rmSync(mainFile, { force: true });
  }
}

async function runWasm(state: HostState, opts: RunOptions): Promise<EngineRun> {
  const { newQuickJSWASMModule } = await import("quickjs-emscripten");
  const { default: RELEASE_SYNC } = await import("@jitl/quickjs-wasmfile-release-sync");
  const module = await newQuickJSWASMModule(RELEASE_SYNC);
  const runtime = module.newRuntime();
  if (opts.memoryLimit) runtime.setMemoryLimit(opts.memoryLimit);
  runtime.setMaxStackSize(1024 * 1024);
  const qvm = runtime.newContext();
  state.t0 = performance.now();
  let stderr = "";
  const deadline = Date.now() + (opts.timeoutMs ?? 120_000);
  try {
    const hostFn = qvm.newFunction("__microtlsHost", (opHandle, payloadHandle) => {
      const op = qvm.getString(opHandle);
      const view = qvm.getArrayBuffer(payloadHandle);
      const payload = Buffer.from(view.value);
      view.dispose();
      return qvm.newArrayBuffer(serveSync(state, op, payload));
    });
    qvm.setProp(qvm.global, "__microtlsHost", hostFn);
    hostFn.dispose();
    const evaluate = (code: string, name: string): unknown => {
      const r = qvm.evalCode(code, name);
      if (r.error) {
        const err = qvm.dump(r.error) as { message?: string; stack?: string };
        r.error.dispose();
        throw new Error(`${name}: ${err?.message ?? JSON.stringify(err)}\n${err?.stack ?? ""}`);
      }
      const v = qvm.dump(r.value) as unknown;
      r.value.dispose();
      return v;
    };
    try {
      for (const s of opts.scripts) evaluate(readFileSync(s, "utf8"), s);
      // The main expression may return a step function (event-loop sessions): keep calling it while the socket
      // has data, as a device's event loop would.
      evaluate(`globalThis.__microtlsMain = (${opts.main});`, "main");
      await stepLoop(state, () => evaluate("typeof __microtlsMain === 'function' ? __microtlsMain() : true", "step"), deadline);
    } catch (e) {
      stderr += String((e as Error).message);
    }
    return { result: state.result, marks: state.marks, cpuMarks: state.cpuMarks, stderr, exitCode: null, hostCalls: state.calls, waits: state.waits };
  } finally {
    qvm.dispose();
    runtime.dispose();
  }
}

/** Host call for in-process engines: synchronous, so "W" answers "yield" (state.canBlock is false). */
function serveSync(state: HostState, op: string, payload: Buffer): ArrayBuffer {
  const reply = serve(state, op, payload);
  if (reply instanceof Promise) throw new Error("an in-process host call cannot block");
  return reply.buffer.slice(reply.byteOffset, reply.byteOffset + reply.length) as ArrayBuffer;
}

/** Steps the main expression's step function (if it returned one) each time the socket becomes readable. */
async function stepLoop(state: HostState, step: () => unknown, deadline: number): Promise<void> {
  while (step() === false) {
    if (Date.now() > deadline) throw new Error("timed out");
    await state.relay!.readable();
  }
}

async function runNodeVm(state: HostState, opts: RunOptions): Promise<EngineRun> {
  const context = vm.createContext({});
  context.__microtlsHost = (op: string, payload: ArrayBuffer) => serveSync(state, op, Buffer.from(payload));
  state.t0 = performance.now();
  let stderr = "";
  try {
    for (const s of opts.scripts) vm.runInContext(readFileSync(s, "utf8"), context, { filename: s });
    vm.runInContext(`globalThis.__microtlsMain = (${opts.main});`, context);
    const step = () => vm.runInContext("typeof __microtlsMain === 'function' ? __microtlsMain() : true", context) as unknown;
    await stepLoop(state, step, Date.now() + (opts.timeoutMs ?? 120_000));
  } catch (e) {
    stderr += String((e as Error).stack ?? e);
  }
  return { result: state.result, marks: state.marks, cpuMarks: state.cpuMarks, stderr, exitCode: null, hostCalls: state.calls, waits: state.waits };
}

/** This process's CPU time (user + system) in ms: for the in-process engines. */
function processCpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

const CLOCK_TICKS_PER_SECOND = 100; // Linux USER_HZ

/**
 * A child's CPU time in ms: its main thread's on-CPU nanoseconds from /proc/<pid>/schedstat (the engines run their
 * script on one thread), else utime + stime from /proc/<pid>/stat in 10 ms ticks.
 */
export function childCpuMs(pid: number): number {
  try {
    return Number(readFileSync(`/proc/${pid}/schedstat`, "latin1").split(" ")[0]) / 1e6;
  } catch {
    // no schedstat in this kernel: fall back to ticks
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "latin1");
    // Fields after the parenthesised command name: state is field 3, utime 14, stime 15.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_SECOND;
  } catch {
    return NaN;
  }
}

/** Handshake and whole-session times (wall clock and CPU) from a session's marks. */
export function sessionTimes(run: EngineRun): { handshakeMs: number; totalMs: number; handshakeCpuMs: number; totalCpuMs: number } | null {
  const m = run.marks;
  const c = run.cpuMarks;
  if (m.constructed === undefined || m.handshake === undefined || m.closed === undefined) return null;
  return {
    handshakeMs: m.handshake - m.constructed,
    totalMs: m.closed - m.start,
    handshakeCpuMs: c.handshake - c.constructed,
    totalCpuMs: c.closed - c.start,
  };
}
