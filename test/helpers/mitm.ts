// A man in the middle on loopback for the hostile-server suite: a TCP proxy that parses the TLS record stream in both
// directions and hands each complete record to a script, which forwards, mutates, drops, holds, replays or injects.
// Also a driver that runs a microtls TlsClient straight over a net.Socket (no adapter), so the suite sees the
// client's own return values and errors, each case bounded by a timeout.
import * as net from "node:net";
import { TlsClient, WANT_READ } from "../../src/client.js";
import type { TlsClientOptions } from "../../src/handshake/config.js";
import { TlsError } from "../../src/errors.js";
import { standardPki, TEST_HOST } from "./pki.js";
import { LOOPBACK } from "./servers.js";

export const HS = { server_hello: 2, new_session_ticket: 4, certificate: 11, server_key_exchange: 12, server_hello_done: 14 } as const;

export interface Rec {
  type: number;
  version: number;
  fragment: Buffer;
  /** The whole record as it came (header included). */
  raw: Buffer;
  /** Index of the record in its direction, and the stream offset of its first header byte. */
  index: number;
  offset: number;
}

export interface Ctx {
  toClient(bytes: Uint8Array): void;
  toServer(bytes: Uint8Array): void;
  /** Half-closes the client's side (EOF after what was sent). */
  endClient(): void;
  /** The server has sent its ChangeCipherSpec (records after it are protected). */
  serverCcsSeen: boolean;
  clientCcsSeen: boolean;
  /** Scratch space for scripts that hold records. */
  state: Record<string, unknown>;
}

export interface MitmScript {
  /** Each complete server→client record; the default forwards it unchanged. */
  server?(rec: Rec, ctx: Ctx): void;
  /** Each complete client→server record; the default forwards it unchanged. */
  client?(rec: Rec, ctx: Ctx): void;
}

export interface Plain {
  /** The client's plaintext alerts (sent before its own ChangeCipherSpec): [level, description]. */
  clientAlerts: Array<[number, number]>;
  serverRecords: Rec[];
  clientRecords: Rec[];
  /** The connection's Ctx.state, for what the script counted. */
  state: Record<string, unknown>;
}

export function record(type: number, fragment: Uint8Array, version = 0x0303): Buffer {
  const out = Buffer.alloc(5 + fragment.length);
  out[0] = type;
  out.writeUInt16BE(version, 1);
  out.writeUInt16BE(fragment.length, 3);
  out.set(fragment, 5);
  return out;
}

export function handshakeMessage(type: number, body: Uint8Array): Buffer {
  const out = Buffer.alloc(4 + body.length);
  out[0] = type;
  out.writeUIntBE(body.length, 1, 3);
  out.set(body, 4);
  return out;
}

/** Parses complete records off the front of `buf`; returns them and what is left. */
function takeRecords(buf: Buffer, index: number, offset: number): { recs: Rec[]; rest: Buffer } {
  const recs: Rec[] = [];
  let at = 0;
  while (at + 5 <= buf.length) {
    const len = buf.readUInt16BE(at + 3);
    if (at + 5 + len > buf.length) break;
    const raw = buf.subarray(at, at + 5 + len);
    recs.push({ type: raw[0], version: raw.readUInt16BE(1), fragment: raw.subarray(5), raw, index: index + recs.length, offset: offset + at });
    at += 5 + len;
  }
  return { recs, rest: buf.subarray(at) };
}

export interface Mitm {
  port: number;
  /** What the last connection saw (reset per connection). */
  last: Plain;
  script: MitmScript;
  close(): Promise<void>;
}

/** A proxy on loopback to upstreamPort; `script` may be replaced between connections. */
export async function startMitm(upstreamPort: number, script: MitmScript = {}): Promise<Mitm> {
  const sockets = new Set<net.Socket>();
  const mitm: Mitm = {
    port: 0,
    last: { clientAlerts: [], serverRecords: [], clientRecords: [], state: {} },
    script,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
  const server = net.createServer({ allowHalfOpen: true }, (down) => {
    const s = mitm.script;
    const seen: Plain = { clientAlerts: [], serverRecords: [], clientRecords: [], state: {} };
    mitm.last = seen;
    const up = net.connect({ host: LOOPBACK, port: upstreamPort, allowHalfOpen: true });
    for (const sock of [down, up]) {
      sockets.add(sock);
      sock.once("close", () => sockets.delete(sock));
      sock.on("error", () => {
        down.destroy();
        up.destroy();
      });
    }
    const ctx: Ctx = {
      toClient: (b) => void (!down.destroyed && !down.writableEnded && down.write(Buffer.from(b))),
      toServer: (b) => void (!up.destroyed && !up.writableEnded && up.write(Buffer.from(b))),
      endClient: () => void (!down.destroyed && down.end()),
      serverCcsSeen: false,
      clientCcsSeen: false,
      state: seen.state,
    };
    let fromServer = Buffer.alloc(0);
    let fromClient = Buffer.alloc(0);
    let sIndex = 0, sOffset = 0, cIndex = 0, cOffset = 0;
    up.on("data", (chunk: Buffer) => {
      const { recs, rest } = takeRecords(Buffer.concat([fromServer, chunk]), sIndex, sOffset);
      fromServer = Buffer.from(rest);
      for (const r of recs) {
        sIndex++;
        sOffset += r.raw.length;
        seen.serverRecords.push(r);
        if (s.server) s.server(r, ctx);
        else ctx.toClient(r.raw);
        if (r.type === 20) ctx.serverCcsSeen = true;
      }
    });
    down.on("data", (chunk: Buffer) => {
      const { recs, rest } = takeRecords(Buffer.concat([fromClient, chunk]), cIndex, cOffset);
      fromClient = Buffer.from(rest);
      for (const r of recs) {
        cIndex++;
        cOffset += r.raw.length;
        seen.clientRecords.push(r);
        if (r.type === 21 && !ctx.clientCcsSeen && r.fragment.length === 2) seen.clientAlerts.push([r.fragment[0], r.fragment[1]]);
        if (r.type === 20) ctx.clientCcsSeen = true;
        if (s.client) s.client(r, ctx);
        else ctx.toServer(r.raw);
      }
    });
    up.on("end", () => ctx.endClient());
    down.on("end", () => void (!up.destroyed && up.end()));
  });
  await new Promise<void>((resolve) => server.listen(0, LOOPBACK, () => resolve()));
  mitm.port = (server.address() as net.AddressInfo).port;
  return mitm;
}

/**
 * Holds the server's plaintext handshake records up to and including the one that completes ServerHelloDone, then
 * hands the parsed messages to `rewrite`, whose records go out instead; everything after is forwarded.
 */
export function rewriteFirstFlight(rewrite: (msgs: Buffer[]) => Buffer[]): MitmScript {
  return {
    server(rec, ctx) {
      const st = ctx.state as { done?: boolean; buf?: Buffer };
      if (st.done || rec.type !== 22) return ctx.toClient(rec.raw);
      st.buf = Buffer.concat([st.buf ?? Buffer.alloc(0), rec.fragment]);
      const msgs: Buffer[] = [];
      let at = 0;
      while (at + 4 <= st.buf.length) {
        const len = st.buf.readUIntBE(at + 1, 3);
        if (at + 4 + len > st.buf.length) break;
        msgs.push(st.buf.subarray(at, at + 4 + len));
        at += 4 + len;
      }
      if (at !== st.buf.length || msgs.length === 0 || msgs[msgs.length - 1][0] !== 14) return; // flight not complete yet
      st.done = true;
      for (const r of rewrite(msgs)) ctx.toClient(r);
    },
  };
}

/** One record per message (what the rewrite scripts re-emit by default). */
export const asRecords = (msgs: Buffer[]): Buffer[] => msgs.map((m) => record(22, m));

export interface Outcome {
  ok: boolean;
  error?: TlsError | Error;
  /** The case did not end within its timeout. */
  timedOut: boolean;
  /** Application data the client read (after the handshake). */
  appData: Buffer;
  /** read() returned 0 (the server's close_notify). */
  cleanEof: boolean;
  ms: number;
  client: TlsClient;
}

export interface DriveOptions {
  client?: Partial<TlsClientOptions>;
  /** Sent once the handshake is done; then the client reads until `readBytes` arrived, EOF or an error. */
  send?: Uint8Array;
  readBytes?: number;
  timeoutMs?: number;
}

/** Runs a client to port through one connection; never throws, the outcome says how it ended. */
export function drive(port: number, opts: DriveOptions = {}): Promise<Outcome> {
  const started = Date.now();
  const client = new TlsClient({ serverName: TEST_HOST, ca: standardPki().rootPem, ...opts.client } as TlsClientOptions);
  const sock = net.connect({ host: LOOPBACK, port, allowHalfOpen: true });
  const inbound: Buffer[] = [];
  let eof = false;
  client.setBio(
    (data) => {
      if (!sock.destroyed) sock.write(Buffer.from(data));
      return data.length;
    },
    (buf) => {
      if (inbound.length === 0) return eof ? 0 : WANT_READ;
      let n = 0;
      while (inbound.length > 0 && n < buf.length) {
        const head = inbound[0];
        const k = Math.min(head.length, buf.length - n);
        buf.set(head.subarray(0, k), n);
        n += k;
        if (k === head.length) inbound.shift();
        else inbound[0] = head.subarray(k);
      }
      return n;
    },
  );
  return new Promise<Outcome>((resolve) => {
    let established = false;
    let done = false;
    const app: Buffer[] = [];
    const readBuf = new Uint8Array(20_000);
    const finish = (o: Partial<Outcome>) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      const outcome: Outcome = { ok: false, timedOut: false, appData: Buffer.concat(app), cleanEof: false, ms: Date.now() - started, client, ...o };
      if (sock.destroyed) return resolve(outcome);
      // end(), not destroy(): the client's alert must reach the proxy, which the case then checks.
      const settle = setTimeout(() => sock.destroy(), 250);
      sock.once("close", () => {
        clearTimeout(settle);
        resolve(outcome);
      });
      sock.end();
      sock.resume();
    };
    const step = () => {
      if (done) return;
      try {
        if (!established) {
          if (client.handshake() !== 0) return;
          established = true;
          if (!opts.send) return finish({ ok: true });
          client.write(opts.send);
        }
        for (;;) {
          const n = client.read(readBuf);
          if (n === 0) return finish({ ok: true, cleanEof: true });
          if (n < 0) return;
          app.push(Buffer.from(readBuf.subarray(0, n)));
          if (opts.readBytes !== undefined && Buffer.concat(app).length >= opts.readBytes) return finish({ ok: true });
        }
      } catch (e) {
        finish({ error: e as Error });
      }
    };
    const timer = setTimeout(() => finish({ timedOut: true }), opts.timeoutMs ?? 5_000);
    sock.on("connect", step);
    sock.on("data", (c: Buffer) => {
      inbound.push(c);
      step();
    });
    sock.on("end", () => {
      eof = true;
      step();
    });
    // A reset is an EOF for the client: it must say TRUNCATED itself; only if it is not reading does the raw error stand.
    sock.on("error", (e) => {
      eof = true;
      step();
      if (!done) finish({ error: e });
    });
  });
}

// Per-family counts, printed by printTally (one process runs one test file, so one tally per file).
const tally = new Map<string, { cases: number; passed: number; detail: Map<string, number> }>();
export function count(family: string, passed: boolean, what: string): void {
  const t = tally.get(family) ?? { cases: 0, passed: 0, detail: new Map() };
  t.cases++;
  if (passed) t.passed++;
  t.detail.set(what, (t.detail.get(what) ?? 0) + 1);
  tally.set(family, t);
}

/** Why an outcome is not a clean rejection, or null when it is (code and alert as given when they are). */
export function rejection(o: Outcome, mitm: Mitm, code?: string, alert?: number): string | null {
  if (o.timedOut) return `timed out after ${o.ms} ms`;
  if (o.ok) return "succeeded";
  const e = o.error;
  if (!(e instanceof TlsError)) return `raw ${e?.constructor?.name}: ${e?.message}`;
  if (e.code === "INTERNAL_ERROR") return `internal error: ${e.message}`;
  if (code && e.code !== code) return `code ${e.code} (${e.message}), expected ${code}`;
  if (alert !== undefined && e.alert !== alert) return `alert ${e.alert} (${e.message}), expected ${alert}`;
  if (e.alert !== undefined && e.code !== "ALERT_RECEIVED" && e.code !== "TRANSPORT") {
    // What went on the wire: a plaintext alert the proxy can read, or (after our CCS) one encrypted alert record.
    const seen = mitm.last.clientAlerts;
    const last = mitm.last.clientRecords[mitm.last.clientRecords.length - 1];
    if (seen.length > 0) {
      if (seen[seen.length - 1][0] !== 2 || seen[seen.length - 1][1] !== e.alert) return `wire alert ${seen.join("/")} ≠ error.alert ${e.alert}`;
    } else if (!last || last.type !== 21) return `no alert record on the wire for ${e.code}/${e.alert}`;
  }
  return null;
}

export function label(o: Outcome): string {
  const e = o.error as TlsError | undefined;
  return o.ok ? "ok" : e?.alert !== undefined ? `${e.code}/${e.alert}` : `${e?.code ?? e?.message}`;
}

/** Forwards the server's stream with byte `at` xored by `mask`; ends the client's side if everyone goes quiet. */
export function flipAt(at: number, mask: number): MitmScript {
  return {
    server(rec, ctx) {
      let raw = rec.raw;
      if (at >= rec.offset && at < rec.offset + raw.length) {
        raw = Buffer.from(raw);
        raw[at - rec.offset] ^= mask;
        // A grown length leaves both ends waiting: cut the stream when nobody speaks for 300 ms.
        ctx.state.stall = setTimeout(() => ctx.endClient(), 300);
      }
      ctx.toClient(raw);
    },
    client(rec, ctx) {
      clearTimeout(ctx.state.stall as NodeJS.Timeout);
      ctx.toServer(rec.raw);
    },
  };
}

/** Re-frames the server's plaintext handshake bytes (before its CCS) into records of the given sizes. */
export function reframe(sizes: (i: number) => number, acrossRecords: boolean): MitmScript {
  return {
    server(rec, ctx) {
      if (rec.type !== 22 || ctx.serverCcsSeen) return ctx.toClient(rec.raw);
      const st = ctx.state as { pending?: Buffer; n?: number; emitted?: number };
      let data = acrossRecords ? Buffer.concat([st.pending ?? Buffer.alloc(0), rec.fragment]) : rec.fragment;
      // Coalescing stops at ServerHelloDone: nothing may follow it in its record.
      const endsFlight = data.length >= 4 && data[data.length - 4] === HS.server_hello_done && data.readUIntBE(data.length - 3, 3) === 0;
      const flush = !acrossRecords || endsFlight || rec.fragment[0] === HS.new_session_ticket;
      if (!flush) return void (st.pending = data);
      st.pending = undefined;
      while (data.length > 0) {
        const n = Math.max(1, Math.min(data.length, sizes((st.n = (st.n ?? 0) + 1))));
        ctx.toClient(record(22, data.subarray(0, n)));
        st.emitted = (st.emitted ?? 0) + 1;
        data = data.subarray(n);
      }
    },
  };
}


export function printTally(file: string): void {
  const lines = [...tally].map(([f, t]) => `  ${f}: ${t.passed}/${t.cases} passed (${[...t.detail].map(([k, v]) => `${k} ×${v}`).join(", ")})`);
  console.log(`${file} tally:\n${lines.join("\n")}`);
}
