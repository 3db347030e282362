// TLSTCPClient: TLS in the shape of a Particle Photon's TCPClient (connect, connected, write, available, read, stop),
// over any TCPClient-like socket. Blocking like the TCPClient it wraps: connect() returns once the handshake is done
// (or failed), write() once every byte is out. For engines with such a socket and nothing else (a device's firmware
// bindings); the `microtls/tcp-client` entry, and part of the JerryScript host's bundle (microtls.native.js).
import { CoreTlsClient, WANT_READ, WANT_WRITE } from "./client.js";
import { TlsError } from "./errors.js";
import type { TlsClientOptions } from "./handshake/config.js";

/** What TLSTCPClient needs of the socket under it: a Photon TCPClient's methods, with Uint8Array buffers. */
export interface TCPClientLike {
  /** Opens the TCP connection; truthy on success. */
  connect(host: string, port: number): boolean | number;
  /** Truthy while the connection is open (or unread bytes remain). */
  connected(): boolean | number;
  /** Sends bytes: the count taken (0: try again later), negative on error. */
  write(data: Uint8Array): number;
  /** Bytes that read() can return now without waiting. */
  available(): number;
  /** Fills buf with up to buf.length received bytes: the count, or negative (or 0) when there are none. */
  read(buf: Uint8Array): number;
  stop(): void;
}

export interface TLSTCPClientOptions extends Omit<TlsClientOptions, "serverName"> {
  /** The name the certificate must carry; defaults to connect()'s host. */
  serverName?: string;
  /**
   * Called whenever connect(), write() or stop() waits for the socket: a device's delay(1), or a host's "wait until
   * readable". Without it those calls poll the socket in a tight loop.
   */
  idle?: () => void;
  /**
   * connect(), write() and stop() give up after this long, with a TRANSPORT error. Default 30 s. Measured with
   * Date.now(): on a device whose clock does not run, only the socket's own end stops the wait.
   */
  timeoutMs?: number;
  /** Decrypted bytes available() can count ahead of read(); default 512 (more stays in the TLS client). */
  bufferSize?: number;
}

/** The TLS client class to use: microtls/core's CoreTlsClient (give it `crypto`), or an entry's TlsClient. */
export type TlsClientClass = new (options: TlsClientOptions) => CoreTlsClient;

export class TLSTCPClient {
  private client: CoreTlsClient | null = null;
  private failure: TlsError | null = null;
  private readonly staged: Uint8Array;
  private start = 0;
  private end = 0;

  constructor(
    private readonly socket: TCPClientLike,
    private readonly options: TLSTCPClientOptions,
    private readonly Client: TlsClientClass = CoreTlsClient,
  ) {
    if (!socket || typeof socket.connect !== "function" || typeof socket.read !== "function") throw new TlsError("CONFIG", "TLSTCPClient needs a TCPClient-like socket");
    this.staged = new Uint8Array(options.bufferSize ?? 512);
  }

  /** Connects and handshakes: true when the connection is verified and open; false with `error` set otherwise. */
  connect(host: string, port: number): boolean {
    this.stop();
    this.failure = null;
    const { idle: _idle, timeoutMs: _timeout, bufferSize: _size, ...tlsOptions } = this.options;
    let opened = false;
    try {
      const client = new this.Client({ ...tlsOptions, serverName: this.options.serverName ?? host });
      if (!this.socket.connect(host, port)) throw new TlsError("TRANSPORT", `could not connect to ${host}:${port}`);
      opened = true;
      client.setBio((d) => this.send(d), (b) => this.recv(b));
      this.client = client;
      this.wait(() => client.handshake());
      return true;
    } catch (e) {
      this.fail(e);
      // The alert (if any) went out in handshake(); the socket must not outlive the failed connection.
      this.client = null;
      if (opened) this.socket.stop();
      return false;
    }
  }

  /** True while the TLS connection is open, or decrypted bytes remain to be read. */
  connected(): boolean {
    return this.end > this.start || (this.client !== null && this.failure === null && this.client.state === "established");
  }

  /** Sends all of `data` (a string goes as UTF-8): the byte count, or -1 when not connected or on error. */
  write(data: Uint8Array | string): number {
    const bytes = typeof data === "string" ? utf8(data) : data;
    const client = this.client;
    if (!client || this.failure || client.state !== "established") return -1;
    try {
      let done = 0;
      while (done < bytes.length) {
        const r = this.wait(() => client.write(bytes.subarray(done)));
        done += r;
      }
      // Records the socket did not take yet go out before write() returns, as TCPClient's would.
      while (client.pendingOutput > 0) this.wait(() => client.write(new Uint8Array(0)));
      return bytes.length;
    } catch (e) {
      this.fail(e);
      return -1;
    }
  }

  /** Decrypted bytes read() can return now (at most bufferSize; more may follow). Never waits. */
  available(): number {
    if (this.end === this.start && this.client && !this.failure) {
      this.start = this.end = 0;
      const r = this.pump(this.staged);
      if (r > 0) this.end = r;
    }
    return this.end - this.start;
  }

  /**
   * With a buffer: fills it with decrypted bytes, returns the count, or -1 when none are available now (or the
   * connection is closed). Without one: the next byte, or -1. Never waits.
   */
  read(buf?: Uint8Array): number {
    if (buf === undefined) {
      if (this.available() === 0) return -1;
      return this.staged[this.start++];
    }
    if (buf.length === 0) return 0;
    let n = 0;
    if (this.end > this.start) {
      n = Math.min(buf.length, this.end - this.start);
      buf.set(this.staged.subarray(this.start, this.start + n));
      this.start += n;
    }
    if (n < buf.length && this.client && !this.failure) {
      const r = this.pump(buf.subarray(n));
      if (r > 0) n += r;
    }
    return n > 0 ? n : -1;
  }

  /** Sends close_notify (when the connection is open) and closes the socket. */
  stop(): void {
    const client = this.client;
    this.client = null;
    this.start = this.end = 0;
    if (!client) return;
    try {
      if (!this.failure) this.wait(() => client.close());
    } catch (e) {
      this.fail(e);
    }
    this.socket.stop();
  }

  /** Why the last connect() failed, or the error that closed the connection; null otherwise. */
  get error(): TlsError | null {
    return this.failure;
  }

  /** The TLS client underneath (cipherSuite, verifyFlags, maxFragmentLength, peerCertificates), once connected. */
  get tls(): CoreTlsClient | null {
    return this.client;
  }

  // ---- the socket, as the TLS client's bio ----

  private send(data: Uint8Array): number {
    const n = this.socket.write(data);
    if (n < 0) throw new Error(`socket write failed (${n})`);
    return n === 0 ? WANT_WRITE : n;
  }

  private recv(buf: Uint8Array): number {
    if (this.socket.available() > 0) {
      const n = this.socket.read(buf);
      if (n > 0) return n;
    }
    return this.socket.connected() ? WANT_READ : 0;
  }

  /** One non-blocking TLS read: bytes (> 0), or 0 when nothing is there (the peer's close_notify included). */
  private pump(buf: Uint8Array): number {
    try {
      const r = this.client!.read(buf);
      return r > 0 ? r : 0;
    } catch (e) {
      this.fail(e);
      return 0;
    }
  }

  /** Calls step until it stops asking to wait, calling `idle` in between; throws TRANSPORT past timeoutMs. */
  private wait(step: () => number): number {
    const deadline = Date.now() + (this.options.timeoutMs ?? 30000);
    for (;;) {
      const r = step();
      if (r !== WANT_READ && r !== WANT_WRITE) return r;
      if (Date.now() > deadline) throw new TlsError("TRANSPORT", "the server did not answer in time (timeoutMs)");
      this.options.idle?.();
    }
  }

  private fail(e: unknown): void {
    this.failure = e instanceof TlsError ? e : new TlsError("TRANSPORT", e instanceof Error ? e.message : String(e));
  }
}

function utf8(s: string): Uint8Array {
  const out: number[] = [];
  for (let i = 0; i < s.length; i++) {
    let c = s.charCodeAt(i);
    if (c >= 0xd800 && c < 0xdc00 && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d < 0xe000) (c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00)), i++;
    }
    if (c < 0x80) out.push(c);
    else if (c < 0x800) out.push(0xc0 | (c >> 6), 0x80 | (c & 63));
    else if (c < 0x10000) out.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
    else out.push(0xf0 | (c >> 18), 0x80 | ((c >> 12) & 63), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
  }
  return Uint8Array.from(out);
}
