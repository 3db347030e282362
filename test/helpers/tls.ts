// Drives microtls against the interop servers: a TlsClient whose traffic is tapped (every byte it sends and
// receives is kept, what arrives can be cut to n bytes per feed), run by the Node adapter.
import { randomBytes } from "node:crypto";
import * as net from "node:net";
import { TlsClient } from "../../src/client.js";
import type { TlsClientOptions } from "../../src/handshake/config.js";
import { TlsSocket } from "../../src/node/tls-socket.js";
import { standardPki, TEST_HOST } from "./pki.js";
import { LOOPBACK } from "./servers.js";

export interface BioTap {
  /** What the client handed to the transport, in order (only the consumed part). */
  sent: Uint8Array[];
  /** What the client was fed, in order (after the recvLimit split). */
  received: Uint8Array[];
  recvCalls: number;
  /** The largest byte count a single feed (or recv) gave the client. */
  maxRecv: number;
}

/**
 * A TlsClient whose traffic is tapped at its push engine, so it sees the same bytes whichever driver runs it (the
 * Node adapter feeds the connection; setBio's pump does too). recvLimit splits what arrives into feeds of at most
 * that many bytes, as a transport that reads n bytes at a time.
 */
export class TappedClient extends TlsClient {
  readonly tap: BioTap = { sent: [], received: [], recvCalls: 0, maxRecv: 0 };

  constructor(options: TlsClientOptions, recvLimit = Infinity) {
    super(options);
    const conn = this.connection;
    const feed = conn.feed.bind(conn);
    const consumed = conn.consumed.bind(conn);
    conn.feed = (bytes) => {
      let status = conn.status;
      for (let at = 0; at < bytes.length; at += recvLimit) {
        const piece = bytes.subarray(at, Math.min(bytes.length, at + recvLimit));
        this.tap.recvCalls++;
        this.tap.received.push(piece.slice());
        this.tap.maxRecv = Math.max(this.tap.maxRecv, piece.length);
        status = feed(piece);
      }
      return status;
    };
    conn.consumed = (n) => {
      if (n > 0) this.tap.sent.push(conn.output().slice(0, n));
      consumed(n);
    };
  }
}

export interface OpenOptions extends Partial<TlsClientOptions> {
  recvLimit?: number;
  handshakeTimeout?: number;
}

/**
 * Connects to 127.0.0.1:port with a tapped client trusting the standard root and checking TEST_HOST, unless
 * the options say otherwise. Resolves after the handshake; rejects with the client's TlsError.
 */
export function openTls(port: number, options: OpenOptions = {}): Promise<{ socket: TlsSocket; client: TappedClient }> {
  const { recvLimit, handshakeTimeout = 15_000, ...clientOptions } = options;
  const client = new TappedClient({ serverName: TEST_HOST, ca: standardPki().rootPem, ...clientOptions }, recvLimit);
  const transport = net.connect({ host: LOOPBACK, port, allowHalfOpen: true });
  const socket = new TlsSocket(client, transport, { handshakeTimeout });
  return new Promise((resolve, reject) => {
    socket.once("error", reject);
    socket.once("secureConnect", () => {
      socket.off("error", reject);
      resolve({ socket, client });
    });
  });
}

/**
 * A handshake that must fail, for expectTlsErrorAsync: rejects with the error it failed with (or, if it succeeded,
 * closes the connection and rejects with a plain Error saying so).
 */
export async function refusedTls(port: number, options: OpenOptions = {}): Promise<never> {
  const { socket } = await openTls(port, options);
  socket.destroy();
  throw new Error("the handshake succeeded but was expected to fail");
}

/** Same as openTls, but resolves with the error the handshake failed with (and the client, for its tap). */
export async function failTls(port: number, options: OpenOptions = {}): Promise<{ error: Error & { code?: string; alert?: number; verifyFlags?: string[] } }> {
  try {
    const { socket } = await openTls(port, options);
    socket.destroy();
  } catch (e) {
    return { error: e as Error };
  }
  throw new Error("the handshake succeeded but was expected to fail");
}

/**
 * Rejects with the socket's first 'error', for expectTlsErrorAsync. Made before the error can happen and awaited
 * later, so it is marked handled: an early error waits for the await instead of counting as an unhandled rejection.
 */
export function socketError(socket: { once(event: "error", listener: (e: Error) => void): unknown }): Promise<never> {
  const failed = new Promise<never>((_, reject) => socket.once("error", reject));
  failed.catch(() => {});
  return failed;
}

/** Collects everything until the socket ends (close_notify) or errors; bounded by timeoutMs. */
export function readToEnd(socket: TlsSocket, timeoutMs = 20_000): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => reject(new Error(`no end of stream within ${timeoutMs} ms`)), timeoutMs);
    socket.on("data", (c: Buffer) => chunks.push(c));
    socket.once("end", () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks));
    });
    socket.once("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
  });
}

/** Reads until `done(bytesSoFar)` says so; bounded by timeoutMs. Leaves the socket open. */
export function readUntil(socket: TlsSocket, done: (soFar: Buffer) => boolean, timeoutMs = 20_000): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    let acc = Buffer.alloc(0);
    const finish = (err?: Error) => {
      clearTimeout(timer);
      socket.off("data", onData);
      socket.off("error", onError);
      socket.off("end", onEnd);
      if (err) reject(err);
      else resolve(acc);
    };
    const onData = (c: Buffer) => {
      acc = Buffer.concat([acc, c]);
      if (done(acc)) finish();
    };
    const onError = (e: Error) => finish(e);
    const onEnd = () => finish(done(acc) ? undefined : new Error(`stream ended after ${acc.length} bytes: ${acc.toString("latin1").slice(0, 200)}`));
    const timer = setTimeout(() => finish(new Error(`timed out after ${acc.length} bytes`)), timeoutMs);
    socket.on("data", onData);
    socket.once("error", onError);
    socket.once("end", onEnd);
  });
}

/** Polls `condition` until it holds; rejects after timeoutMs (events between processes have no other hook). */
export async function waitFor(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Resolves once the socket has emitted 'close' (at once if it already has). */
export function whenClosed(socket: TlsSocket, timeoutMs = 10_000): Promise<void> {
  if (socket.closed) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`socket not closed within ${timeoutMs} ms`)), timeoutMs);
    socket.once("close", () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/** Printable lines (gnutls-serv --echo answers line by line) totalling exactly `bytes`, each ending in LF. */
export function textLines(bytes: number, lineLength = 100): Buffer {
  const out = Buffer.alloc(bytes);
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  const noise = randomBytes(bytes);
  for (let i = 0; i < bytes; i++) out[i] = (i + 1) % lineLength === 0 || i === bytes - 1 ? 10 : alphabet.charCodeAt(noise[i] & 63);
  return out;
}

export interface WireRecord {
  type: number;
  version: number;
  length: number;
  fragment: Uint8Array;
}

/** Splits a byte stream into TLS records (a trailing partial record is reported with its declared length). */
export function parseRecords(chunks: Uint8Array[]): WireRecord[] {
  const all = Buffer.concat(chunks.map((c) => Buffer.from(c.buffer, c.byteOffset, c.byteLength)));
  const out: WireRecord[] = [];
  let at = 0;
  while (at + 5 <= all.length) {
    const length = all.readUInt16BE(at + 3);
    out.push({ type: all[at], version: all.readUInt16BE(at + 1), length, fragment: all.subarray(at + 5, at + 5 + length) });
    at += 5 + length;
  }
  return out;
}

/** Handshake message types in the plaintext records before the first ChangeCipherSpec. */
export function plaintextHandshakeTypes(records: WireRecord[]): Array<{ type: number; length: number }> {
  const buf: number[] = [];
  for (const r of records) {
    if (r.type === 20) break;
    if (r.type === 22) buf.push(...r.fragment);
  }
  const out: Array<{ type: number; length: number }> = [];
  let at = 0;
  while (at + 4 <= buf.length) {
    const length = (buf[at + 1] << 16) | (buf[at + 2] << 8) | buf[at + 3];
    out.push({ type: buf[at], length });
    at += 4 + length;
  }
  return out;
}

export { TEST_HOST };
