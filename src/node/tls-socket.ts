// A Node Duplex over the push engine (the client's connection): bytes from the transport are fed to it as they
// arrive, its output goes to the transport, and what it decrypts is pushed to the readable side. Everything is
// event-driven, so it never blocks the event loop and can share it with an in-process server.
import { X509Certificate } from "node:crypto";
import { Duplex } from "node:stream";
import type { Socket } from "node:net";
import type { DetailedPeerCertificate, PeerCertificate } from "node:tls";
import type { TlsClient } from "../client.js";
import type { CoreTlsConnection } from "../connection.js";
import { TlsError } from "../errors.js";
import { encodeSession } from "../handshake/session.js";
import { cipherInfo, nodeVerifyCode, peerCertificate, type CipherNameAndProtocol } from "./peer-certificate.js";

export interface TlsSocketOptions {
  /** ms until the handshake must be complete, counted from construction (TCP connect included); 0 = none. Default 30 000. */
  handshakeTimeout?: number;
  /** Whether the client verifies the chain (the client's `verify`; default true): what `authorized` reports. */
  verify?: boolean;
}

// After our close_notify / a fatal alert, how long the transport may take to flush before it is torn down.
const FLUSH_GRACE_MS = 1000;
// After the transport failed, how long what already arrived waits for a reader before the socket gives up.
const DELIVER_GRACE_MS = 10_000;

type State = "handshaking" | "open" | "closed";

function transportError(e: Error): TlsError {
  const err = new TlsError("TRANSPORT", `transport failed: ${e.message}`);
  (err as TlsError & { cause?: unknown }).cause = e;
  return err;
}

function asTlsError(e: unknown): Error {
  return e instanceof Error ? e : new TlsError("INTERNAL_ERROR", String(e));
}

export class TlsSocket extends Duplex {
  readonly client: TlsClient;
  readonly transport: Duplex;
  private readonly conn: CoreTlsConnection;

  private state: State = "handshaking";
  private handshakeDuration: number | null = null;
  private readonly startedAt = Date.now();
  private transportEnded = false;
  private eofPushed = false;
  private pendingWrite: { chunk: Buffer; callback: (error?: Error | null) => void } | null = null;
  private pendingFinal: ((error?: Error | null) => void) | null = null;
  private drainWaiter: ((error?: Error | null) => void) | null = null;
  private handshakeTimer: ReturnType<typeof setTimeout> | null = null;
  private pumping = false;
  private pumpAgain = false;
  private readonly verifying: boolean;
  /** The transport failed (EPIPE, ECONNRESET) after the handshake: reads go on with what arrived, writes stop. */
  private transportFailure: TlsError | null = null;
  /** Records encrypted after the handshake, waiting for the next turn of the event loop (see sendOutput). */
  private outQueue: Buffer[] = [];
  private outScheduled = false;
  private closeQueued = false;

  constructor(client: TlsClient, transport: Duplex, options: TlsSocketOptions = {}) {
    super({ allowHalfOpen: false });
    this.client = client;
    this.transport = transport;
    this.verifying = options.verify !== false;
    this.conn = client.connection;
    transport.on("data", (chunk: Buffer) => {
      if (this.transportEnded) return;
      this.conn.feed(chunk); // read in place: the chunk is Node's to reuse once feed returns
      this.pump();
    });
    // A transport that closes without 'end' (reset, destroy) is an EOF for the client too.
    transport.on("end", () => this.onTransportEnd());
    transport.on("close", () => this.onTransportEnd());
    transport.on("error", (e: Error) => this.onTransportError(e));
    transport.on("drain", () => this.pump());
    const timeout = options.handshakeTimeout ?? 30_000;
    if (timeout > 0) {
      this.handshakeTimer = setTimeout(() => {
        const error = new TlsError("TIMEOUT", `TLS handshake did not complete within ${timeout} ms (handshakeTimeout)`);
        this.conn.abort(error);
        this.destroy(error);
      }, timeout);
    }
    // Start on the next tick so the caller can attach 'secureConnect' / 'error' listeners first.
    process.nextTick(() => this.pump());
  }

  /** Wall-clock ms the handshake took (from construction, TCP connect included); null until done. */
  get handshakeMs(): number | null {
    return this.handshakeDuration;
  }

  /** True once the handshake completed. */
  get secure(): boolean {
    return this.state !== "handshaking";
  }

  // What the handshake agreed, straight from the client.
  get cipherSuite(): TlsClient["cipherSuite"] {
    return this.client.cipherSuite;
  }
  /** As node:tls: the agreed protocol, false when none was agreed, null before the handshake. */
  get alpnProtocol(): string | false | null {
    return this.secure ? (this.client.alpnProtocol ?? false) : null;
  }
  get peerCertificates(): TlsClient["peerCertificates"] {
    return this.client.peerCertificates;
  }
  get extendedMasterSecret(): TlsClient["extendedMasterSecret"] {
    return this.client.extendedMasterSecret;
  }
  get maxFragmentLength(): TlsClient["maxFragmentLength"] {
    return this.client.maxFragmentLength;
  }
  get group(): TlsClient["group"] {
    return this.client.group;
  }
  get verifyFlags(): TlsClient["verifyFlags"] {
    return this.client.verifyFlags;
  }
  /** What to keep (encoded) for the next connection; see encodeSession. */
  get session(): TlsClient["session"] {
    return this.client.session;
  }
  get resumed(): TlsClient["resumed"] {
    return this.client.resumed;
  }

  /**
   * A server that answers early (a 413 during an upload) and closes makes our next write fail with EPIPE or
   * ECONNRESET. Its answer has already arrived: deliver it, end the readable side, and only then fail.
   */
  private onTransportError(e: Error): void {
    this.failTransport(transportError(e));
  }

  private onTransportEnd(): void {
    if (this.transportEnded) return;
    this.transportEnded = true;
    this.conn.end();
    this.pump();
  }

  private failTransport(err: TlsError): void {
    if (this.transportFailure) return; // already delivering; the first cause is the one reported
    if (this.state !== "open" || this.readableEnded) return void this.destroy(err);
    this.transportFailure = err;
    if (!this.transportEnded) {
      this.transportEnded = true;
      this.conn.end(); // what arrived is still read; then the readable side ends and the socket fails
    }
    this.once("end", () => this.destroy(err));
    const timer = setTimeout(() => this.destroy(err), DELIVER_GRACE_MS);
    timer.unref?.();
    this.once("close", () => clearTimeout(timer));
    this.pump();
  }

  // --- the engine's output ---------------------------------------------------------------------

  /** Hands the connection's output to the transport. */
  private sendOutput(): void {
    const out = this.conn.output();
    if (out.length === 0) return;
    this.conn.consumed(out.length);
    if (this.transport.destroyed || this.transport.writableEnded) return; // nowhere to go; the error surfaces elsewhere
    // A view, not a copy: the connection never writes into bytes it has handed out (test/interop-node-adapter.test.ts
    // checks that it stays so). Node buffers what the transport cannot take yet; _write applies the backpressure.
    const buf = Buffer.from(out.buffer, out.byteOffset, out.byteLength);
    if (this.state !== "open") {
      this.transport.write(buf);
      return;
    }
    // Application records reach the transport only after the event loop has polled it once more. A server that
    // answers early and closes (a 413 during an upload) resets the connection: a write that meets the reset fails
    // (EPIPE), net.Socket then closes the descriptor, and an answer still unread in the kernel is gone. Polling
    // first reads it; the window left is the few microseconds between the poll and the write.
    this.outQueue.push(buf);
    if (!this.outScheduled) {
      this.outScheduled = true;
      setImmediate(() => setImmediate(() => this.flushOut()));
    }
  }

  private flushOut(): void {
    this.outScheduled = false;
    const queue = this.outQueue;
    this.outQueue = [];
    const t = this.transport;
    if (this.transportFailure || t.destroyed || t.writableEnded) return; // writers hear it from _destroy
    for (const b of queue) {
      t.write(b);
      if (t.destroyed) return;
    }
    this.pump();
  }

  /** Every record produced so far is on the transport. */
  private get flushed(): boolean {
    return this.outQueue.length === 0 && !this.outScheduled;
  }

  // --- Duplex -------------------------------------------------------------------------------

  override _read(): void {
    // The reader wants more: let the transport flow again (fillReadable paused it when the readable side was full).
    if (this.transport.isPaused()) this.transport.resume();
    this.pump();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.enqueueWrite(chunk, callback);
  }

  private enqueueWrite(chunk: Buffer, callback: (error?: Error | null) => void): void {
    if (chunk.length === 0) return callback();
    if (this.transportFailure) {
      // Parked: the failure reaches the writer when the socket is destroyed, after the reader got what arrived.
      this.pendingWrite = { chunk, callback };
      return;
    }
    if (this.transport.destroyed || this.transport.writableEnded) {
      // Never report data as written that can no longer reach the peer; but first deliver what did arrive.
      this.pendingWrite = { chunk, callback };
      return this.failTransport(new TlsError("TRANSPORT", "write after the connection closed"));
    }
    this.pendingWrite = { chunk, callback };
    this.pump();
  }

  /** Corked or queued writes go out together: fewer, fuller records (each costs a header and a tag). */
  override _writev(chunks: Array<{ chunk: Buffer; encoding: BufferEncoding }>, callback: (error?: Error | null) => void): void {
    this.enqueueWrite(Buffer.concat(chunks.map((c) => c.chunk)), callback);
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.pendingFinal = callback;
    this.pump();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.state = "closed";
    this.clearHandshakeTimer();
    this.releaseTransport();
    // Writers waiting for a drain that will never come.
    const pw = this.pendingWrite;
    this.pendingWrite = null;
    const pf = this.pendingFinal;
    this.pendingFinal = null;
    const dw = this.drainWaiter;
    this.drainWaiter = null;
    const err = error ?? new TlsError("CLOSED", "the TLS socket was destroyed");
    pw?.callback(err);
    pf?.(err);
    dw?.(err);
    callback(error);
  }

  // --- the driver ---------------------------------------------------------------------------

  /** Runs the client as far as it can go with the bytes at hand; re-entrant calls are folded into one loop. */
  private pump(): void {
    if (this.pumping) {
      this.pumpAgain = true;
      return;
    }
    this.pumping = true;
    try {
      do {
        this.pumpAgain = false;
        this.step();
      } while (this.pumpAgain && !this.destroyed);
    } catch (e) {
      // After a transport failure the client's TRUNCATED is expected: end the readable side so what was
      // already pushed is still read; the transport's error follows on 'end'.
      if (this.transportFailure && !this.readableEnded) this.endReadable();
      else this.destroy(asTlsError(e));
    } finally {
      this.pumping = false;
    }
  }

  private step(): void {
    if (this.destroyed || this.state === "closed") return;
    const c = this.conn;
    if (this.state === "handshaking") {
      this.sendOutput(); // the ClientHello, our flights, or the fatal alert
      if (c.error) throw c.error;
      if (!c.handshakeComplete) {
        // Wait for 'data'; never on a dead transport (its end turns into TRUNCATED above, so this is a safety net).
        if (this.transportEnded) throw new TlsError("TRANSPORT", "the connection closed during the TLS handshake");
        return;
      }
      this.state = "open";
      this.handshakeDuration = Date.now() - this.startedAt;
      this.clearHandshakeTimer();
      this.emit("secureConnect");
    }
    if (!this.transportFailure) {
      this.settleWriter();
      this.flushWrite();
      this.flushFinal();
    }
    this.fillReadable();
  }

  private flushWrite(): void {
    const w = this.pendingWrite;
    if (!w) return;
    // A record's worth at a time: the first record is on its way before a large write is all encrypted.
    const step = this.conn.sendFragmentLimit;
    for (let at = 0; at < w.chunk.length; at += step) {
      this.conn.write(w.chunk.subarray(at, at + step));
      this.sendOutput();
    }
    this.pendingWrite = null;
    // The writer hears back once the records are on the transport and it has room again (backpressure, see
    // settleWriter); if the socket dies first, _destroy gives it the error.
    this.drainWaiter = w.callback;
  }

  private settleWriter(): void {
    if (!this.drainWaiter || !this.flushed || this.transport.writableNeedDrain) return;
    const cb = this.drainWaiter;
    this.drainWaiter = null;
    cb();
  }

  private flushFinal(): void {
    if (!this.pendingFinal || this.pendingWrite || this.drainWaiter) return;
    if (!this.closeQueued) {
      this.conn.close();
      this.sendOutput();
      this.closeQueued = true;
    }
    if (!this.flushed) return; // our close_notify goes out first
    const done = this.pendingFinal;
    this.pendingFinal = null;
    this.transport.end();
    done();
  }

  /** Pushes what the connection decrypted (each piece as it is: no copy), then its end or its failure. */
  private fillReadable(): void {
    const c = this.conn;
    for (let piece = c.take(); piece !== null && !this.destroyed; piece = c.take()) {
      // The readable side is full: stop reading the transport until the reader asks again (_read).
      if (!this.push(Buffer.from(piece.buffer, piece.byteOffset, piece.byteLength))) this.transport.pause();
    }
    this.sendOutput(); // a no_renegotiation warning answered while reading
    if (c.error) throw c.error; // only after the data that arrived before it
    if (c.receiveClosed) this.endReadable(); // the peer's close_notify
  }

  private endReadable(): void {
    if (this.eofPushed) return;
    this.eofPushed = true;
    this.push(null);
  }

  private clearHandshakeTimer(): void {
    if (this.handshakeTimer) clearTimeout(this.handshakeTimer);
    this.handshakeTimer = null;
  }

  /** Lets queued bytes (our close_notify or fatal alert) reach the wire, then closes the transport. */
  private releaseTransport(): void {
    const t = this.transport;
    if (t.destroyed) return;
    // Records still queued (a fatal alert, our close_notify) go out before the end.
    if (!this.transportFailure && !t.writableEnded) for (const b of this.outQueue) t.write(b);
    this.outQueue = [];
    t.on("error", () => {}); // nobody listens any more
    if (!t.writableEnded) t.end();
    if (t.writableFinished) {
      t.destroy();
      return;
    }
    const timer = setTimeout(() => t.destroy(), FLUSH_GRACE_MS);
    timer.unref?.();
    t.once("finish", () => {
      clearTimeout(timer);
      t.destroy();
    });
  }

  // --- net.Socket look-alikes (http, ws and MQTT.js call some of these) -----------------------

  private get netSocket(): Socket | null {
    const t = this.transport as Partial<Socket>;
    return typeof t.setNoDelay === "function" ? (this.transport as Socket) : null;
  }

  setNoDelay(noDelay?: boolean): this {
    this.netSocket?.setNoDelay(noDelay);
    return this;
  }

  setKeepAlive(enable?: boolean, initialDelay?: number): this {
    this.netSocket?.setKeepAlive(enable, initialDelay);
    return this;
  }

  setTimeout(ms: number, callback?: () => void): this {
    const s = this.netSocket;
    if (s) {
      s.setTimeout(ms);
      s.removeAllListeners("timeout");
      if (ms > 0) s.on("timeout", () => this.emit("timeout"));
    }
    if (callback) this.once("timeout", callback);
    return this;
  }

  ref(): this {
    this.netSocket?.ref();
    return this;
  }

  unref(): this {
    this.netSocket?.unref();
    return this;
  }

  get remoteAddress(): string | undefined {
    return this.netSocket?.remoteAddress;
  }

  get remotePort(): number | undefined {
    return this.netSocket?.remotePort;
  }

  get localAddress(): string | undefined {
    return this.netSocket?.localAddress;
  }

  get localPort(): number | undefined {
    return this.netSocket?.localPort;
  }

  readonly encrypted = true;

  // --- node:tls TLSSocket look-alikes: code written for a TLSSocket reads the session the same way ---

  /** True once the handshake completed with the chain and the name verified (always, unless `verify: false`). */
  get authorized(): boolean {
    return this.secure && this.verifying;
  }

  /** Why `authorized` is false, as Node's code string; null when authorized or before the handshake, as node:tls. */
  get authorizationError(): string | null {
    if (this.authorized || !this.secure) return null;
    return nodeVerifyCode(this.client.verifyFlags);
  }

  /** The leaf as node:tls returns it; `detailed`: with `issuerCertificate` links along the chain as sent. {} before the handshake. */
  getPeerCertificate(detailed: true): DetailedPeerCertificate;
  getPeerCertificate(detailed?: false): PeerCertificate;
  getPeerCertificate(detailed?: boolean): PeerCertificate | DetailedPeerCertificate;
  getPeerCertificate(detailed = false): PeerCertificate | DetailedPeerCertificate {
    if (!this.secure) return {} as PeerCertificate;
    return peerCertificate(this.client.peerCertificates.map((c) => c.der), detailed) as PeerCertificate;
  }

  getPeerX509Certificate(): X509Certificate | undefined {
    const leaf = this.secure ? this.client.peerCertificates[0] : undefined;
    return leaf ? new X509Certificate(leaf.der) : undefined;
  }

  /** { name: OpenSSL's name, standardName: the IANA name, version: "TLSv1.2" }; null before the handshake. */
  getCipher(): CipherNameAndProtocol | null {
    const suite = this.secure ? this.client.cipherSuite : null;
    return suite ? cipherInfo(suite) : null;
  }

  /** "TLSv1.2" (the only version microtls speaks) once the handshake completed, else null. */
  getProtocol(): string | null {
    return this.secure ? "TLSv1.2" : null;
  }

  /** The session to resume with (pass it back as `session`), encoded; undefined when there is none. Holds secrets. */
  getSession(): Buffer | undefined {
    const session = this.client.session;
    if (!session) return undefined;
    const bytes = encodeSession(session);
    return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  isSessionReused(): boolean {
    return this.client.resumed;
  }
}
