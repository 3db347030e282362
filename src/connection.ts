import { ALERT_FATAL, ALERT_WARNING, InboundRecords } from "./connection-records.js";
import { Alert, alertName, TlsError, tlsError } from "./errors.js";
import { NO_TABLES, resolveConfig, type AlgorithmTables, type TlsClientOptions } from "./handshake/config.js";
import { Handshake, type HandshakeResult } from "./handshake/handshake.js";
import { ALL_ALGORITHMS } from "./handshake/name-tables.js";
import { ContentType } from "./record/content-type.js";
import { RecordLayer } from "./record/layer.js";
import { WireQueue } from "./record/wire-queue.js";

/** What the connection wants next: send output(), read() data, feed() bytes, or nothing (it is closed; see `error`). */
export type ConnectionStatus = "needs-input" | "has-output" | "has-data" | "closed";
export type ClientState = "handshaking" | "established" | "closed";


/**
 * A TLS 1.2 client connection as a push engine, sans I/O (as rustls and BearSSL): the transport's bytes go in with
 * feed() and end(), wire bytes come out of output() and are acknowledged with consumed(n), application data goes in
 * with write() and comes out with read() or take(). `status` says what it wants next. It never calls out and never
 * throws for what the peer did: a failure closes it with `error` saying why, the fatal alert (if one is due) waiting
 * in output(), and data that arrived before the failure still readable. Only misuse throws, and it changes nothing.
 * This is microtls/core's: suites, groups and verifiers come in as objects; TlsConnection takes names too.
 */
export class CoreTlsConnection extends InboundRecords {
  private readonly out = new WireQueue();
  private dataAt = 0;
  private started = false;
  private ended = false;
  private failure: TlsError | null = null;

  /** `tables` say what names in the options resolve to. The ClientHello is built on first use, not here. */
  constructor(options: TlsClientOptions, tables: AlgorithmTables = NO_TABLES) {
    const config = resolveConfig(options, tables);
    super(config, new RecordLayer(config.trace ? { trace: config.trace, emptyApplicationData: false } : { emptyApplicationData: false }));
  }

  get status(): ConnectionStatus {
    this.run(() => this.start());
    if (this.out.length > 0) return "has-output";
    if (this.data.length > 0) return "has-data";
    const done = this.failure || this.peerClosed || this.ended || (this.closeSent && !this.established);
    return done ? "closed" : "needs-input";
  }
  get state(): ClientState {
    if (this.failure || this.closeSent || this.peerClosed || this.ended) return "closed";
    return this.established ? "established" : "handshaking";
  }
  /** The error that closed the connection, if one did. */
  get error(): TlsError | null {
    return this.failure;
  }
  /** The handshake completed (it stays true after close). */
  get handshakeComplete(): boolean {
    return this.established;
  }
  /** True once nothing more may be written: our close_notify is queued, or the connection failed. */
  get writeClosed(): boolean {
    return this.closeSent || this.failure !== null;
  }
  /** True once no more application data can arrive: the peer's close_notify, or the end after our own. */
  get receiveClosed(): boolean {
    return this.peerClosed || (this.ended && this.closeSent);
  }
  /** Wire bytes waiting for the transport. */
  get pendingOutput(): number {
    return this.out.length;
  }
  /** The largest plaintext one record we send carries (a negotiated record limit, else 2^14). */
  get sendFragmentLimit(): number {
    return this.record.sendFragmentLimit;
  }

  /** Bytes from the transport, in any chunking. They are read in place and may be reused once feed returns. */
  feed(bytes: Uint8Array): ConnectionStatus {
    if (!(bytes instanceof Uint8Array)) throw tlsError("config", "feed needs a Uint8Array");
    if (this.ended) throw tlsError("closed", "feed after end()");
    // After a failure, the peer's close_notify, or a handshake we abandoned, what arrives is dropped.
    if (!this.failure && !this.peerClosed && !(this.closeSent && !this.established)) {
      this.run(() => {
        this.start();
        this.record.feed(bytes);
        this.process();
        this.record.retain();
      });
    }
    return this.status;
  }

  /** The transport's end of stream. Without the peer's close_notify first, that is a truncation (an error). */
  end(): ConnectionStatus {
    if (!this.ended) {
      this.ended = true;
      this.run(() => this.process());
    }
    return this.status;
  }

  /** Wire bytes for the transport (empty: none). They are never written again here: hand the view on as it is. */
  output(): Uint8Array {
    this.run(() => this.start());
    return this.out.peek();
  }

  /** The transport took the first n bytes of output(). */
  consumed(n: number): void {
    if (!(n >= 0 && n <= this.out.length) || Math.floor(n) !== n) throw tlsError("config", `consumed(${String(n)}): expected 0..${this.out.length}`);
    this.out.take(n);
  }

  /** Copies application data into buf: the count, 0 when none is buffered (status says whether more can come). */
  read(buf: Uint8Array): number {
    if (!(buf instanceof Uint8Array)) throw tlsError("config", "read needs a Uint8Array");
    const head = this.data[0];
    if (!head) return 0;
    const n = Math.min(buf.length, head.length - this.dataAt);
    buf.set(head.subarray(this.dataAt, this.dataAt + n));
    this.dataAt += n;
    if (this.dataAt === head.length) this.dropData();
    return n;
  }

  /** The next piece of application data as it was decrypted, now the caller's (no copy); null when none is buffered. */
  take(): Uint8Array | null {
    const head = this.data[0];
    if (!head) return null;
    const piece = this.dataAt > 0 ? head.subarray(this.dataAt) : head;
    this.dropData();
    return piece;
  }

  /** Protects all of `data` into output(), as records of at most sendFragmentLimit; returns data.length. */
  write(data: Uint8Array): number {
    if (!(data instanceof Uint8Array)) throw tlsError("config", "write needs a Uint8Array");
    if (this.failure) throw this.failure;
    if (this.closeSent) throw tlsError("closed", "write after close()");
    if (!this.established) throw tlsError("config", "write before the handshake completed (wait until state is \"established\")");
    this.run(() => this.send(ContentType.application_data, data));
    if (this.failure) throw this.failure;
    return data.length;
  }

  /** Queues our close_notify once (reading may go on until the peer's). After a failure it does nothing. */
  close(): void {
    if (this.failure || this.closeSent) return;
    this.closeSent = true;
    if (this.started) {
      this.config.trace?.("-> alert warning close_notify");
      this.run(() => this.send(ContentType.alert, Uint8Array.of(ALERT_WARNING, Alert.close_notify)));
    }
    this.dropHandshake(false);
  }

  /** The driver gave up (transport lost, aborted, timed out): the connection closes with this error. */
  abort(error: TlsError): void {
    this.run(() => {
      throw error;
    });
  }

  // ---- internals ----

  protected send(type: number, data: Uint8Array): void {
    this.out.push(this.record.write(type, data));
  }

  protected complete(result: HandshakeResult): void {
    this.established = true;
    this.record.emptyApplicationData = true;
    this.agreed = result;
    this.config.trace?.(
      `handshake complete: ${result.suite.name}${result.group ? " " + result.group.name : ""} ems=${result.extendedMasterSecret}` +
        (result.alpnProtocol ? ` alpn=${result.alpnProtocol}` : "") + (result.verifyFlags.length ? ` flags=${result.verifyFlags.join(",")}` : ""),
    );
    // The anchors were for this handshake only; a PEM ca parsed per client is several KB an idle connection needn't hold.
    this.config.trustAnchors = null;
    this.dropHandshake(false);
  }

  /** Sends the ClientHello, once. */
  private start(): void {
    if (this.started || this.closeSent) return;
    this.started = true;
    this.hs = new Handshake(this.config, this.record, (wire) => this.out.push(wire));
  }

  private dropData(): void {
    this.data.shift();
    this.dataAt = 0;
    if (this.data.length === 0) this.run(() => this.process());
  }

  /**
   * Handles buffered records until one brings application data. What follows it waits (retained) until that data is
   * read: a failure behind the data surfaces only after the data, as if the records were read one at a time, and at
   * most a record's plaintext is held. Nothing after the peer's close_notify is even decrypted.
   */
  private process(): void {
    for (;;) {
      if (this.data.length > 0 || this.peerClosed) return;
      const rec = this.record.read();
      if (rec === null) break;
      this.onRecord(rec);
    }
    // Every record that arrived is handled: an end of stream now, without close_notify, is a truncation.
    if (!this.ended || this.closeSent) return; // after our close_notify the peer may just close (RFC 5246 §7.2.1)
    if (!this.established) throw tlsError("truncated", `the server closed the connection during the handshake (while we expected ${this.hs ? this.hs.expecting : "nothing"})`);
    throw tlsError("truncated", "the connection ended without close_notify: the data may have been cut short by an attacker");
  }

  /** Handshake secrets and transcript go as soon as they are not needed: heap per idle connection matters. */
  private dropHandshake(fatal: boolean): void {
    if (this.hs) this.hs.dispose(fatal);
    this.hs = null;
  }

  /** Runs protocol work: whatever it throws closes the connection for good. Nothing thrown in here is misuse. */
  private run(step: () => void): void {
    if (this.failure) return;
    try {
      step();
    } catch (e) {
      this.fail(e);
    }
  }

  private fail(e: unknown): void {
    let error: TlsError;
    if (e instanceof TlsError && e.code !== "CONFIG" && e.code !== "CLOSED") error = e;
    else {
      // A raw exception, or a CONFIG/CLOSED from inside the protocol (not the caller's misuse): our own fault.
      error = tlsError("internal_error", `internal error: ${e instanceof Error ? e.message : String(e)}`);
      (error as { cause?: unknown }).cause = e;
    }
    this.failure = error;
    // RFC 5246 §7.2.2: a session whose connection ended in a fatal alert (sent or received) must not be resumed, nor one
    // that failed to resume. A bare transport loss does not count (§7.2.1): sleeping devices drop connections all the time.
    const fatalAlert = error.alert !== undefined;
    if (fatalAlert && this.agreed && this.agreed.session) this.agreed.session.resumable = false;
    if (this.hs && this.hs.chain.length > 0) this.failedChain = this.hs.chain;
    this.dropHandshake(fatalAlert);
    // The peer's own fatal alert is not answered; a lost link's error names no alert to send.
    if (!fatalAlert || error.code === "ALERT_RECEIVED") return;
    try {
      this.config.trace?.(`-> alert fatal ${alertName(error.alert as number)}`);
      this.send(ContentType.alert, Uint8Array.of(ALERT_FATAL, error.alert as number));
    } catch {
      // Best effort: the connection is already lost, and the original error is what the caller needs.
    }
  }
}

/** The connection of the `microtls` entry: every suite, group and signature algorithm, chosen by name or object. */
export class TlsConnection extends CoreTlsConnection {
  constructor(options: TlsClientOptions) {
    super(options, ALL_ALGORITHMS);
  }
}
