import { forwardAgreedParameters, type AgreedParameters } from "./agreed-parameters.js";
import { CoreTlsConnection, type ClientState } from "./connection.js";
import { TlsError, tlsError } from "./errors.js";
import { NO_TABLES, type AlgorithmTables, type TlsClientOptions } from "./handshake/config.js";
import { ALL_ALGORITHMS } from "./handshake/name-tables.js";

export type { ClientState } from "./connection.js";
export { MAX_HELLO_REQUESTS } from "./connection-records.js";

/** The transport cannot give bytes now: call again when it is readable. */
export const WANT_READ = -2;
/** The transport cannot take bytes now: call again when it is writable. */
export const WANT_WRITE = -3;

/** Gives bytes to the transport: returns how many it accepted (may be fewer), or WANT_WRITE. */
export type SendFn = (data: Uint8Array) => number;
/** Fills buf from the transport: returns the count (> 0), 0 at end of stream, or WANT_READ. */
export type RecvFn = (buf: Uint8Array) => number;

// One receive buffer shared by every client: JS runs one call at a time and the connection reads what it is fed in
// place, keeping (copying) only a record's partial tail, so an idle connection holds no receive buffer of its own.
// It is made on first use, as large as the largest record a client so far may receive (a whole record per recv), so a
// device that asks for max_fragment_length never has one of 16 KiB.
let recvBuffer: Uint8Array | null = null;
/** The largest protected record: header, plaintext, and the AEAD's explicit nonce and tag (RFC 5246 §6.2.3). */
const recordBytes = (plaintext: number) => 5 + plaintext + 24;

export interface CoreTlsClient extends Readonly<AgreedParameters> {}

/**
 * A TLS 1.2 client over any byte stream, in Mbed TLS's shape: the application gives it send/recv functions (setBio)
 * and calls handshake/read/write/close until they stop answering WANT_READ/WANT_WRITE. A thin pump over the push
 * engine, `connection` (connection.ts), which does all the TLS. This is the `microtls/core` client: suites, groups and
 * the signature verifier come in as objects; TlsClient below is the same client taking names.
 */
export class CoreTlsClient {
  /** The push engine underneath, for drivers that feed it themselves (microtls/node does). */
  readonly connection: CoreTlsConnection;
  private sendFn: SendFn | null = null;
  private recvFn: RecvFn | null = null;
  private readonly receiveLimit: number;

  /** `tables` say what names in the options resolve to (none by default: objects only). */
  constructor(options: TlsClientOptions, tables: AlgorithmTables = NO_TABLES) {
    this.connection = new CoreTlsConnection(options, tables);
    this.receiveLimit = options.maxFragmentLength ?? options.recordSizeLimit ?? 16384;
  }

  setBio(send: SendFn, recv: RecvFn): void {
    if (typeof send !== "function" || typeof recv !== "function") throw tlsError("config", "setBio needs send and recv functions");
    this.sendFn = send;
    this.recvFn = recv;
  }

  /** 0 once the handshake is complete, else WANT_READ/WANT_WRITE. Throws TlsError. */
  handshake(): number {
    this.requireBio();
    const c = this.connection;
    for (;;) {
      this.settle();
      if (!this.flush()) return WANT_WRITE;
      if (c.handshakeComplete) return 0;
      if (c.writeClosed) throw tlsError("closed", "the handshake was abandoned by close()");
      if (this.pull() === WANT_READ) return WANT_READ;
    }
  }

  /** Bytes of `buf` filled (> 0), 0 once the server's close_notify arrived, or WANT_READ/WANT_WRITE. */
  read(buf: Uint8Array): number {
    if (!(buf instanceof Uint8Array) || buf.length === 0) throw tlsError("config", "read needs a non-empty Uint8Array");
    const c = this.connection;
    // Data that arrived before a failure is delivered before the failure is.
    const early = c.read(buf);
    if (early > 0) return early;
    if (!c.handshakeComplete) {
      const r = this.handshake();
      if (r !== 0) return r;
    }
    for (;;) {
      this.settle();
      // Our own pending bytes (a write's tail, a no_renegotiation warning) must not wait for the peer to speak first.
      const flushed = this.flush();
      const n = c.read(buf);
      if (n > 0) return n;
      if (c.receiveClosed) return 0;
      if (this.pull() === WANT_READ) return flushed ? WANT_READ : WANT_WRITE;
    }
  }

  /** Bytes of `data` consumed (queued and protected; they go out on this or a later call), or WANT_READ/WANT_WRITE. */
  write(data: Uint8Array): number {
    if (!(data instanceof Uint8Array)) throw tlsError("config", "write needs a Uint8Array");
    const c = this.connection;
    this.settle();
    if (c.writeClosed) throw tlsError("closed", "write after close()");
    if (!c.handshakeComplete) {
      const r = this.handshake();
      if (r !== 0) return r;
    }
    // Partial sends resume first: a record's tail always goes out before anything new.
    if (!this.flush()) return WANT_WRITE;
    let consumed = 0;
    while (consumed < data.length) {
      // One record per chunk (2^14, or a negotiated limit): no write buffer beyond a record's size.
      consumed += c.write(data.subarray(consumed, consumed + c.sendFragmentLimit));
      if (!this.flush()) break;
    }
    return consumed;
  }

  /** Sends close_notify once: 0 when it is out, WANT_WRITE to call again. After a fatal error it returns 0 quietly. */
  close(): number {
    const c = this.connection;
    if (c.error) return 0;
    c.close();
    if (c.pendingOutput === 0) return 0;
    this.requireBio();
    return this.flush() ? 0 : WANT_WRITE;
  }

  get state(): ClientState {
    return this.connection.state;
  }
  /** The error that closed the connection, if one did: every later call throws it again. */
  get error(): TlsError | null {
    return this.connection.error;
  }
  /** Wire bytes waiting for the transport. */
  get pendingOutput(): number {
    return this.connection.pendingOutput;
  }

  // ---- the pump ----

  private requireBio(): void {
    if (!this.sendFn || !this.recvFn) throw tlsError("config", "call setBio(send, recv) before handshake/read/write");
  }

  /** Once the connection has failed: its alert goes out if the transport takes it now, and the error is thrown. */
  private settle(): void {
    const error = this.connection.error;
    if (!error) return;
    try {
      if (this.sendFn) this.flush();
    } catch {
      // Best effort: the original error is what the caller needs.
    }
    throw error;
  }

  /** Sends the connection's output; false when the transport pushed back (WANT_WRITE). */
  private flush(): boolean {
    const c = this.connection;
    for (let out = c.output(); out.length > 0; out = c.output()) {
      let n: number;
      try {
        n = (this.sendFn as SendFn)(out);
      } catch (e) {
        throw this.transportFailed("send", e);
      }
      if (n === WANT_WRITE || n === 0) return false;
      if (typeof n !== "number" || !(n > 0 && n <= out.length) || Math.floor(n) !== n) {
        throw this.transportFailed("send", `returned ${String(n)}: expected 1..${out.length} or WANT_WRITE`);
      }
      c.consumed(n);
    }
    return true;
  }

  /** Feeds the connection from the transport: bytes read, 0 at EOF, or WANT_READ. */
  private pull(): number {
    const size = recordBytes(this.receiveLimit);
    if (!recvBuffer || recvBuffer.length < size) recvBuffer = new Uint8Array(size);
    const buf = recvBuffer;
    let n: number;
    try {
      n = (this.recvFn as RecvFn)(buf);
    } catch (e) {
      throw this.transportFailed("recv", e);
    }
    if (n === WANT_READ) return n;
    if (n === 0) this.connection.end();
    else if (typeof n !== "number" || !(n > 0 && n <= buf.length) || Math.floor(n) !== n) {
      throw this.transportFailed("recv", `returned ${String(n)}: expected 1..${buf.length}, 0 or WANT_READ`);
    } else this.connection.feed(buf.subarray(0, n));
    return n;
  }

  /** A transport that throws or lies ends the connection, with no alert: the link cannot be trusted to carry one. */
  private transportFailed(what: "send" | "recv", e: unknown): TlsError {
    const reason = typeof e === "string" ? `${what} ${e}` : `the transport's ${what} failed: ${e instanceof Error ? e.message : String(e)}`;
    const error = tlsError("transport", reason);
    this.connection.abort(error);
    return this.connection.error ?? error;
  }
}
forwardAgreedParameters(CoreTlsClient, (client) => client.connection);

/** The client of the `microtls` entry: every suite, group and signature algorithm, chosen by name or object. */
export class TlsClient extends CoreTlsClient {
  constructor(options: TlsClientOptions) {
    super(options, ALL_ALGORITHMS);
  }
}
