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
    sock.on("error", (e) => {
      eof = true;
      if (inbound.length === 0 && !done) step();
      if (!done) finish({ error: e });
    });
  });
}
