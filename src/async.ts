// The `microtls/async` entry: CoreTlsConnection driven over a promise-based socket (Deno, Bun, Workers, Moddable, a
// WebSocket bridge). ECMAScript only: no timers, no text codecs, no global AbortSignal, so any engine with promises runs it.
import { CoreTlsConnection } from "./connection.js";
import { TlsError, tlsError } from "./errors.js";

export { CoreTlsConnection, TlsConnection } from "./connection.js";
export type { ConnectionStatus, ClientState } from "./connection.js";
export type { TlsClientOptions } from "./handshake/config.js";
export { TlsError } from "./errors.js";
export type { TlsErrorCode } from "./errors.js";

/**
 * A byte stream with promises. read() resolves null at end of stream; what it gives is used up before read() is called
 * again, so it may hand out views of one buffer. write() may keep the bytes it is given (they are never changed).
 */
export interface AsyncSocket {
  read(): Promise<Uint8Array | null>;
  write(bytes: Uint8Array): Promise<void>;
  close?(): void | Promise<void>;
}

/** The part of an AbortSignal used here, so engines without one can pass their own. */
export interface AbortSignalLike {
  readonly aborted: boolean;
  readonly reason?: unknown;
  addEventListener(type: "abort", listener: () => void): void;
  removeEventListener(type: "abort", listener: () => void): void;
}

export interface AsyncTlsOptions {
  /** Aborting it (before or during any call) fails every pending and later call with ABORTED and closes the socket. */
  signal?: AbortSignalLike;
}

const RELEASED = Symbol("released");
const noop = () => {};
/** A call that may throw synchronously or not return a promise, as a promise. */
const attempt = <T>(f: () => T | Promise<T>): Promise<T> => new Promise<T>((resolve) => resolve(f()));

/**
 * Drives `connection` over `socket`. One socket.read() at a time, shared by whoever waits for bytes; writes (and the
 * handshake's flights, and close_notify) go out in call order, one socket.write() at a time, each output() chunk once.
 * read() and write() may run concurrently. Any failure is the connection's sticky `error`: after it, the fatal alert
 * (if one is due) is sent best-effort, the socket is closed, and every pending and later call rejects with it.
 */
export class AsyncTlsClient {
  readonly connection: CoreTlsConnection;
  private readonly socket: AsyncSocket;
  private inbound: Promise<void> | null = null;
  private outbound: Promise<unknown> = Promise.resolve();
  private handshaking: Promise<void> | null = null;
  private socketClosed: Promise<void> | null = null;
  private eof = false;
  /**
   * socket.write() failed after the handshake. Writers hear it at once; readers first get what the server had already
   * sent (an early answer: a 413 during an upload, then a reset), then this error.
   */
  private writeLost: TlsError | null = null;
  /** Resolves when the socket is given up (closed, aborted, failed): waits on it end then. */
  private readonly released: Promise<typeof RELEASED>;
  private release: () => void = noop;
  private unlisten: () => void = noop;

  constructor(connection: CoreTlsConnection, socket: AsyncSocket, options: AsyncTlsOptions = {}) {
    if (!(connection instanceof CoreTlsConnection)) throw tlsError("config", "AsyncTlsClient needs a CoreTlsConnection");
    if (!socket || typeof socket.read !== "function" || typeof socket.write !== "function") throw tlsError("config", "the socket needs read() and write()");
    this.connection = connection;
    this.socket = socket;
    this.released = new Promise((resolve) => (this.release = () => resolve(RELEASED)));
    const signal = options.signal;
    if (signal) {
      const onAbort = () => this.fail(abortError(signal.reason));
      if (signal.aborted) onAbort();
      else {
        signal.addEventListener("abort", onAbort);
        this.unlisten = () => signal.removeEventListener("abort", onAbort);
      }
    }
  }

  /** Resolves once the handshake is complete; rejects with the TlsError that ended it. */
  handshake(): Promise<void> {
    if (!this.handshaking) this.handshaking = this.runHandshake();
    return this.handshaking;
  }

  /** The next decrypted bytes (now the caller's), or null once the peer's close_notify (or our close()) ended reading. */
  async read(): Promise<Uint8Array | null> {
    const c = this.connection;
    for (;;) {
      // Data that arrived before a failure is delivered before the failure is.
      const piece = c.take();
      if (piece) return piece;
      if (c.error) return this.settle();
      if (!c.handshakeComplete) await this.handshake();
      else if (c.receiveClosed) return null;
      else {
        // Our own pending bytes (a no_renegotiation warning) must not wait for the peer to speak first; nor for a writer.
        if (c.pendingOutput > 0) void this.flush();
        await this.pull();
      }
    }
  }

  /** Resolves once data's records are handed to socket.write, after any earlier write. Keep data unchanged until then. */
  async write(data: Uint8Array): Promise<void> {
    if (!(data instanceof Uint8Array)) throw tlsError("config", "write needs a Uint8Array");
    await this.handshake();
    const c = this.connection;
    await this.serial(async () => {
      let at = 0;
      do {
        if (c.error || this.writeLost) return;
        // One record per turn: a large write does not become one large buffer.
        const n = Math.min(c.sendFragmentLimit, data.length - at);
        try {
          c.write(data.subarray(at, (at += n))); // CLOSED after close(): the caller's to see
        } catch (e) {
          if (!c.error) throw e;
          return;
        }
        await this.drain();
      } while (at < data.length);
    });
    if (this.writeLost) throw this.writeLost;
    if (c.error) return this.settle();
  }

  /** Sends close_notify after every earlier write, then closes the socket. After a failure it only closes the socket. */
  async close(): Promise<void> {
    const c = this.connection;
    await this.serial(async () => {
      c.close();
      await this.drain();
    });
    await this.closeSocket();
  }

  // ---- the pump ----

  private async runHandshake(): Promise<void> {
    const c = this.connection;
    for (;;) {
      await this.flush();
      if (c.error) return this.settle();
      if (c.handshakeComplete) return;
      if (c.writeClosed) throw tlsError("closed", "the handshake was abandoned by close()");
      await this.pull();
    }
  }

  /** Runs task after every earlier one (writes, flights, close_notify), whether they succeeded or not. */
  private serial<T>(task: () => Promise<T>): Promise<T> {
    const run = this.outbound.then(task);
    this.outbound = run.then(noop, noop);
    return run;
  }

  private flush(): Promise<void> {
    return this.serial(() => this.drain());
  }

  /** Hands output() to socket.write until none is left; never rejects (a failure becomes the connection's error). */
  private async drain(): Promise<void> {
    const c = this.connection;
    for (let out = c.output(); out.length > 0 && !this.socketClosed && !this.writeLost; out = c.output()) {
      try {
        if ((await this.until(attempt(() => this.socket.write(out)))) === RELEASED) return;
      } catch (e) {
        return this.lost("write", e);
      }
      c.consumed(out.length);
    }
  }

  /** Feeds the connection from one socket.read(), shared by every caller waiting for bytes. Never rejects. */
  private pull(): Promise<void> {
    if (this.eof) throw tlsError("closed", "the transport has ended"); // unreachable: end() closes or fails the connection
    if (!this.inbound) {
      this.inbound = this.until(attempt(() => this.socket.read())).then(
        (bytes) => {
          this.inbound = null;
          if (bytes === RELEASED) return;
          if (bytes === null) this.endOfStream();
          else if (bytes instanceof Uint8Array) this.connection.feed(bytes);
          else this.lost("read", `resolved with ${typeof bytes}: expected a Uint8Array or null`);
        },
        (e) => {
          this.inbound = null;
          this.lost("read", e);
        },
      );
    }
    return this.inbound;
  }

  private until<T>(p: Promise<T>): Promise<T | typeof RELEASED> {
    return Promise.race([p, this.released]);
  }

  private endOfStream(): void {
    if (this.eof) return;
    this.eof = true;
    this.connection.end();
  }

  /** The connection has failed: its alert goes out if the socket takes it, the socket is closed, the error thrown. */
  private async settle(): Promise<never> {
    // After a lost write, the stream's end without close_notify is that loss, not a truncation by an attacker.
    const failed = this.connection.error as TlsError;
    const error = this.writeLost && failed.code === "TRUNCATED" ? this.writeLost : failed;
    await this.flush();
    await this.closeSocket();
    throw error;
  }

  /** The link is gone (a socket call rejected) or the signal aborted: no alert, every wait ends now. */
  private fail(error: TlsError): void {
    this.connection.abort(error);
    void this.closeSocket();
  }

  private lost(what: "read" | "write", e: unknown): void {
    // A read that fails because we closed the socket is just the end of the stream.
    if (this.socketClosed) return;
    const reason = typeof e === "string" ? `socket.${what}() ${e}` : `socket.${what}() failed: ${messageOf(e)}`;
    const error = tlsError("transport", reason);
    (error as { cause?: unknown }).cause = e;
    if (what === "write" && this.connection.handshakeComplete && !this.eof) {
      // The reading side may still hold the server's answer: let readers have it (read() ends as the socket does).
      this.writeLost = error;
      return;
    }
    this.fail(error);
  }

  private closeSocket(): Promise<void> {
    if (!this.socketClosed) {
      this.unlisten();
      // Set first: the waits it releases see a closed socket. A read still in flight is abandoned, as an end of stream.
      this.socketClosed = attempt(() => this.socket.close?.()).then(noop, noop);
      this.release();
      this.endOfStream();
    }
    return this.socketClosed;
  }
}

/** An error's message, also for an Error of another realm (a host's socket, a vm context). */
const messageOf = (e: unknown): string => (e && typeof (e as Error).message === "string" ? (e as Error).message : String(e));

function abortError(reason: unknown): TlsError {
  const error = tlsError("aborted", `the connection was aborted (signal): ${messageOf(reason ?? "aborted")}`);
  (error as { cause?: unknown }).cause = reason;
  return error;
}
