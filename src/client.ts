import { Alert, alertName, TlsError } from "./errors.js";
import type { GroupName } from "./crypto/ecdh.js";
import { NO_TABLES, resolveConfig, type AlgorithmTables, type ClientConfig, type TlsClientOptions, type TlsClientOptions as CoreTlsClientOptions } from "./handshake/config.js";
import { NO_CLIENT_CERTIFICATE } from "./handshake/context.js";
import { Handshake, type HandshakeResult } from "./handshake/handshake.js";
import { HandshakeType, parseEmpty } from "./handshake/messages.js";
import { ALL_ALGORITHMS } from "./handshake/name-tables.js";
import { parseChain } from "./handshake/server-certificate.js";
import type { TlsSession } from "./handshake/session.js";
import { ContentType } from "./record/content-type.js";
import { HandshakeReassembler, type HandshakeMessage } from "./record/handshake-reassembler.js";
import { RecordLayer, type TlsRecord } from "./record/layer.js";
import type { Certificate } from "./x509/index.js";

/** The transport cannot give bytes now: call again when it is readable. */
export const WANT_READ = -2;
/** The transport cannot take bytes now: call again when it is writable. */
export const WANT_WRITE = -3;

/** Gives bytes to the transport: returns how many it accepted (may be fewer), or WANT_WRITE. */
export type SendFn = (data: Uint8Array) => number;
/** Fills buf from the transport: returns the count (> 0), 0 at end of stream, or WANT_READ. */
export type RecvFn = (buf: Uint8Array) => number;

export type ClientState = "handshaking" | "established" | "closed";

// One receive buffer shared by every client: JS runs one call at a time and the record layer copies what it is fed,
// so an idle connection holds no receive buffer of its own. It is made on first use, as large as the largest record
// a client so far may receive (a whole record per recv), so a device that asks for max_fragment_length never has one
// of 16 KiB.
let recvBuffer: Uint8Array | null = null;
/** Application data handed to the record layer per write() call before it tries the transport again. */
const WRITE_CHUNK = 16384;
/** The largest protected record: header, plaintext, and the AEAD's explicit nonce and tag (RFC 5246 §6.2.3). */
const recordBytes = (plaintext: number) => 5 + plaintext + 24;
/** Warning alerts in a row before we call it abuse (OpenSSL's limit is similar). */
const MAX_WARNING_ALERTS = 8;
/** HelloRequests answered with a no_renegotiation warning per connection; the next one is a fatal unexpected_message. */
export const MAX_HELLO_REQUESTS = 4;
const ALERT_WARNING = 1;
const ALERT_FATAL = 2;

function transportError(what: string, e: unknown): TlsError {
  return new TlsError("TRANSPORT", `the transport's ${what} failed: ${e instanceof Error ? e.message : String(e)}`);
}

/**
 * A TLS 1.2 client over any byte stream, sans I/O: it never touches a socket or a timer. The application gives it
 * send/recv functions (setBio) and calls handshake/read/write/close until they stop answering WANT_READ/WANT_WRITE,
 * as with Mbed TLS. This is the `microtls/core` client: suites, groups and the signature verifier come in as objects,
 * so a bundle holds only those; TlsClient below is the same client taking names.
 */
export class CoreTlsClient {
  private readonly config: ClientConfig;
  private readonly record: RecordLayer;
  private sendFn: SendFn | null = null;
  private recvFn: RecvFn | null = null;
  private hs: Handshake | null = null;
  private reassembler: HandshakeReassembler | null = null;
  private outgoing: Uint8Array[] = [];
  private outgoingOffset = 0;
  private appData: Uint8Array | null = null;
  private appOffset = 0;
  private established = false;
  private peerClosed = false;
  private closeSent = false;
  private warningRun = 0;
  private helloRequests = 0;
  private failure: TlsError | null = null;
  /** What the handshake agreed, kept after the handshake is dropped. */
  private agreed: HandshakeResult | null = null;
  /** The chain a failed handshake received stays readable (client.peerCertificates), as on the error. */
  private failedChain: Uint8Array[] = [];

  /** `tables` say what names in the options resolve to (none by default: objects only). */
  constructor(options: CoreTlsClientOptions, tables: AlgorithmTables = NO_TABLES) {
    this.config = resolveConfig(options, tables);
    this.record = new RecordLayer(this.config.trace ? { trace: this.config.trace, emptyApplicationData: false } : { emptyApplicationData: false });
  }

  setBio(send: SendFn, recv: RecvFn): void {
    if (typeof send !== "function" || typeof recv !== "function") throw new TlsError("CONFIG", "setBio needs send and recv functions");
    this.sendFn = send;
    this.recvFn = recv;
  }

  /** 0 once the handshake is complete, else WANT_READ/WANT_WRITE. Throws TlsError. */
  handshake(): number {
    return this.guard(() => this.driveHandshake());
  }

  /** Bytes of `buf` filled (> 0), 0 once the server's close_notify arrived, or WANT_READ/WANT_WRITE. */
  read(buf: Uint8Array): number {
    if (!(buf instanceof Uint8Array) || buf.length === 0) throw new TlsError("CONFIG", "read needs a non-empty Uint8Array");
    return this.guard(() => {
      if (!this.established) {
        const r = this.driveHandshake();
        if (r !== 0) return r;
      }
      // Our own pending bytes (a write's tail) must not wait for the peer to speak first.
      this.flush();
      for (;;) {
        if (this.appData) return this.takeAppData(buf);
        if (this.peerClosed) return 0;
        const rec = this.record.read();
        if (rec) {
          this.onRecord(rec);
          // A no_renegotiation warning goes out now, not whenever the application next writes.
          if (this.outgoing.length > 0) this.flush();
          continue;
        }
        const n = this.pull();
        if (n === WANT_READ) return this.outgoing.length > 0 ? WANT_WRITE : WANT_READ;
        if (n === 0) {
          // After our own close_notify the application has said it wants nothing more, and RFC 5246 §7.2.1 lets
          // the peer close without answering: that EOF is a clean end, not a truncation.
          if (this.closeSent) {
            this.peerClosed = true;
            return 0;
          }
          throw new TlsError("TRUNCATED", "the connection ended without close_notify: the data may have been cut short by an attacker");
        }
      }
    });
  }

  /** Bytes of `data` consumed (queued and protected; they go out on this or a later call), or WANT_READ/WANT_WRITE. */
  write(data: Uint8Array): number {
    if (!(data instanceof Uint8Array)) throw new TlsError("CONFIG", "write needs a Uint8Array");
    return this.guard(() => {
      if (this.closeSent) throw new TlsError("CLOSED", "write after close()");
      if (!this.established) {
        const r = this.driveHandshake();
        if (r !== 0) return r;
      }
      // Partial sends resume first: a record's tail always goes out before anything new.
      if (!this.flush()) return WANT_WRITE;
      let consumed = 0;
      while (consumed < data.length) {
        // With a negotiated record limit, one record per chunk: no write buffer beyond a record's size.
        const chunk = data.subarray(consumed, consumed + Math.min(WRITE_CHUNK, this.record.sendFragmentLimit));
        this.queue(this.record.write(ContentType.application_data, chunk));
        consumed += chunk.length;
        if (!this.flush()) break;
      }
      return consumed;
    });
  }

  /** Sends close_notify once: 0 when it is out, WANT_WRITE to call again. Reading may go on until the server's arrives. */
  close(): number {
    return this.guard(() => {
      if (!this.closeSent) {
        this.closeSent = true;
        if (this.hs || this.established) {
          this.config.trace?.("-> alert warning close_notify");
          this.queue(this.record.write(ContentType.alert, Uint8Array.of(ALERT_WARNING, Alert.close_notify)));
        }
        this.dropHandshake();
      }
      return this.flush() ? 0 : WANT_WRITE;
    });
  }

  get state(): ClientState {
    if (this.failure || this.closeSent || this.peerClosed) return "closed";
    return this.established ? "established" : "handshaking";
  }
  /** The error that closed the connection, if one did: every later call throws it again. */
  get error(): TlsError | null {
    return this.failure;
  }
  get cipherSuite(): string | null {
    return this.agreed ? this.agreed.suite.name : null;
  }
  get alpnProtocol(): string | null {
    return this.agreed ? this.agreed.alpnProtocol : null;
  }
  get extendedMasterSecret(): boolean {
    return this.agreed ? this.agreed.extendedMasterSecret : false;
  }
  get maxFragmentLength(): number | null {
    return this.agreed ? this.agreed.maxFragmentLength : null;
  }
  get group(): GroupName | null {
    return this.agreed && this.agreed.group ? this.agreed.group.name : null;
  }
  /** Verification flags of the server chain: empty when all was checked, TIME_UNKNOWN when there was no clock. */
  get verifyFlags(): string[] {
    return this.agreed ? this.agreed.verifyFlags.slice() : [];
  }
  /**
   * What a later client needs to resume this session (pass it as the `session` option, or save encodeSession(session)).
   * Holds the master secret: store it like a private key. Null before the handshake, when the server offered no
   * resumption, and after a fatal alert.
   */
  get session(): TlsSession | null {
    const session = this.agreed ? this.agreed.session : null;
    return session && session.resumable ? session : null;
  }
  /** Whether the handshake resumed a session (abbreviated: no certificates exchanged, so peerCertificates is empty). */
  get resumed(): boolean {
    return this.agreed ? this.agreed.resumed : false;
  }
  /** The server's chain, leaf first, parsed on each call (only the DER is kept, to keep idle connections small). */
  get peerCertificates(): Certificate[] {
    return parseChain(this.agreed ? this.agreed.chain : this.failedChain);
  }
  /** Wire bytes waiting for the transport. */
  get pendingOutput(): number {
    let n = -this.outgoingOffset;
    for (const b of this.outgoing) n += b.length;
    return n;
  }

  // ---- internals ----

  private driveHandshake(): number {
    if (this.established) return this.flush() ? 0 : WANT_WRITE;
    if (this.closeSent) throw new TlsError("CLOSED", "the handshake was abandoned by close()");
    if (!this.hs) {
      this.requireBio();
      this.hs = new Handshake(this.config, this.record, (wire) => this.queue(wire));
    }
    for (;;) {
      if (!this.flush()) return WANT_WRITE;
      if (this.established) return 0;
      const rec = this.record.read();
      if (rec) {
        this.onRecord(rec);
        continue;
      }
      const n = this.pull();
      if (n === WANT_READ) return WANT_READ;
      if (n === 0) throw new TlsError("TRUNCATED", `the server closed the connection during the handshake (while we expected ${this.hs.expecting})`);
    }
  }

  private onRecord(rec: TlsRecord): void {
    if (rec.type !== ContentType.alert) this.warningRun = 0;
    switch (rec.type) {
      case ContentType.handshake: {
        if (!this.reassembler) this.reassembler = new HandshakeReassembler(this.config.maxHandshakeMessageSize);
        this.reassembler.push(rec.data);
        let msg: HandshakeMessage | null;
        while ((msg = this.reassembler.next()) !== null) {
          // ServerHelloDone and Finished end the server's flight: what follows comes after our own messages, and a
          // handshake message may not span a ChangeCipherSpec, so more bytes in the same record are a violation.
          if ((msg.type === HandshakeType.server_hello_done || msg.type === HandshakeType.finished) && this.reassembler.pending) {
            throw new TlsError("UNEXPECTED_MESSAGE", `handshake data follows ${msg.type === HandshakeType.finished ? "Finished" : "ServerHelloDone"} in the same record`, Alert.unexpected_message);
          }
          this.onHandshakeMessage(msg);
        }
        if (this.established && !this.reassembler.pending) this.reassembler = null;
        return;
      }
      case ContentType.change_cipher_spec: {
        if (rec.data.length !== 1 || rec.data[0] !== 1) throw new TlsError("DECODE_ERROR", "malformed ChangeCipherSpec", Alert.decode_error);
        const hs = this.hs;
        if (!hs || (this.reassembler && this.reassembler.pending)) {
          throw new TlsError("UNEXPECTED_MESSAGE", `unexpected ChangeCipherSpec${hs ? ` while expecting ${hs.expecting}` : ""}`, Alert.unexpected_message);
        }
        hs.onChangeCipherSpec();
        return;
      }
      case ContentType.alert:
        return this.onAlert(rec.data);
      case ContentType.application_data:
        if (!this.established || (this.reassembler && this.reassembler.pending)) {
          throw new TlsError("UNEXPECTED_MESSAGE", "application data before the handshake completed", Alert.unexpected_message);
        }
        this.appData = rec.data;
        this.appOffset = 0;
        return;
      default:
        throw new TlsError("UNEXPECTED_MESSAGE", `unknown record type ${rec.type}`, Alert.unexpected_message);
    }
  }

  private onHandshakeMessage(msg: HandshakeMessage): void {
    if (msg.type === HandshakeType.hello_request) {
      parseEmpty(msg.body, "HelloRequest");
      // RFC 5246 §7.4.1.1: ignored while negotiating; afterwards we decline, since we never renegotiate.
      // (Nothing may follow our close_notify, so after close() the request is just dropped.)
      if (this.established && !this.closeSent) {
        // Each request costs us a protected alert: a peer that keeps asking is refused, not answered forever.
        if (++this.helloRequests > MAX_HELLO_REQUESTS) {
          throw new TlsError("UNEXPECTED_MESSAGE", `more than ${MAX_HELLO_REQUESTS} HelloRequests: renegotiation is not supported`, Alert.unexpected_message);
        }
        this.config.trace?.("<- hello_request: answering no_renegotiation");
        this.queue(this.record.write(ContentType.alert, Uint8Array.of(ALERT_WARNING, Alert.no_renegotiation)));
      }
      return;
    }
    if (this.established || !this.hs) {
      throw new TlsError("UNEXPECTED_MESSAGE", `unexpected post-handshake message type ${msg.type}: renegotiation is not supported`, Alert.unexpected_message);
    }
    const result = this.hs.onMessage(msg);
    if (result) this.completeHandshake(result);
  }

  private onAlert(data: Uint8Array): void {
    if (data.length !== 2) throw new TlsError("DECODE_ERROR", "malformed alert record", Alert.decode_error);
    const level = data[0];
    const description = data[1];
    this.config.trace?.(`<- alert ${level === ALERT_WARNING ? "warning" : "fatal"} ${alertName(description)}`);
    if (description === Alert.close_notify) {
      if (!this.established) throw new TlsError("ALERT_RECEIVED", "the server sent close_notify during the handshake", Alert.close_notify);
      this.peerClosed = true;
      return;
    }
    if (level === ALERT_WARNING) {
      if (++this.warningRun > MAX_WARNING_ALERTS) {
        throw new TlsError("UNEXPECTED_MESSAGE", `more than ${MAX_WARNING_ALERTS} warning alerts in a row`, Alert.unexpected_message);
      }
      return;
    }
    if (level !== ALERT_FATAL) throw new TlsError("ILLEGAL_PARAMETER", `alert with unknown level ${level}`, Alert.illegal_parameter);
    const sent = `the server sent a fatal ${alertName(description)} alert`;
    const hs = this.hs;
    if (description === Alert.handshake_failure && hs && hs.expecting === "ServerHello") {
      // The commonest cause, and a TLS 1.2 subtlety: supported_groups also names the curves we accept in ECDSA certificates.
      const offeredSuites = this.config.suites.map((x) => x.name);
      const offeredGroups = this.config.groups.map((g) => g.name as string);
      throw new TlsError(
        "ALERT_RECEIVED",
        `${sent}: it shares no cipher suite, group or signature algorithm with our offer (in TLS 1.2 an ECDSA certificate's curve must also be in groups); ` +
          `we offered the suites ${offeredSuites.join(", ")} and the groups ${offeredGroups.length > 0 ? offeredGroups.join(", ") : "(none)"}`,
        description,
      ).with({ offeredSuites, offeredGroups });
    }
    if (description === Alert.handshake_failure && hs && hs.sentEmptyCertificate !== null) {
      // None configured, or one configured that this server's request ruled out (its CAs, its signature schemes).
      const none = hs.sentEmptyCertificate === NO_CLIENT_CERTIFICATE;
      throw new TlsError(
        "ALERT_RECEIVED",
        none
          ? `the server requested a client certificate and none is configured: it answered our empty Certificate with a fatal handshake_failure alert (pass cert and key, or sign)`
          : `the server requested a client certificate and ours did not fit its request (${hs.sentEmptyCertificate}): it answered our empty Certificate with a fatal handshake_failure alert`,
        description,
      );
    }
    if (description === Alert.protocol_version && !this.established) {
      throw new TlsError(
        "ALERT_RECEIVED",
        `${sent}: microtls speaks TLS 1.2 only, and the server requires another version (most often TLS 1.3 only; or a legacy TLS 1.0/1.1-only server)`,
        description,
      );
    }
    throw new TlsError("ALERT_RECEIVED", sent, description);
  }

  private completeHandshake(result: HandshakeResult): void {
    this.established = true;
    this.record.emptyApplicationData = true;
    this.agreed = result;
    this.config.trace?.(
      `handshake complete: ${result.suite.name}${result.group ? " " + result.group.name : ""} ems=${result.extendedMasterSecret}` +
        (result.alpnProtocol ? ` alpn=${result.alpnProtocol}` : "") + (result.verifyFlags.length ? ` flags=${result.verifyFlags.join(",")}` : ""),
    );
    // The anchors were for this handshake only; a PEM ca parsed per client is several KB an idle connection needn't hold.
    this.config.trustAnchors = null;
    this.dropHandshake();
  }

  /** Handshake secrets and transcript go as soon as they are not needed: heap per idle connection matters. */
  private dropHandshake(fatal = false): void {
    if (this.hs) this.hs.dispose(fatal);
    this.hs = null;
  }

  private takeAppData(buf: Uint8Array): number {
    const data = this.appData!;
    const n = Math.min(buf.length, data.length - this.appOffset);
    buf.set(data.subarray(this.appOffset, this.appOffset + n));
    this.appOffset += n;
    if (this.appOffset === data.length) this.appData = null;
    return n;
  }

  private queue(wire: Uint8Array): void {
    if (wire.length > 0) this.outgoing.push(wire);
  }

  private requireBio(): void {
    if (!this.sendFn || !this.recvFn) throw new TlsError("CONFIG", "call setBio(send, recv) before handshake/read/write");
  }

  /** Sends what is queued; false when the transport pushed back (WANT_WRITE). */
  private flush(): boolean {
    if (this.outgoing.length === 0) return true;
    this.requireBio();
    // One send per flight: the ClientKeyExchange, CCS and Finished leave in one TCP segment.
    if (this.outgoing.length > 1) {
      let total = 0;
      for (const b of this.outgoing) total += b.length;
      const joined = new Uint8Array(total - this.outgoingOffset);
      let at = 0;
      this.outgoing.forEach((b, i) => {
        const part = i === 0 ? b.subarray(this.outgoingOffset) : b;
        joined.set(part, at);
        at += part.length;
      });
      this.outgoing = [joined];
      this.outgoingOffset = 0;
    }
    const head = this.outgoing[0];
    while (this.outgoingOffset < head.length) {
      const rest = head.subarray(this.outgoingOffset);
      let n: number;
      try {
        n = this.sendFn!(rest);
      } catch (e) {
        throw transportError("send", e);
      }
      if (n === WANT_WRITE || n === 0) return false;
      if (typeof n !== "number" || !(n > 0 && n <= rest.length) || Math.floor(n) !== n) {
        throw new TlsError("TRANSPORT", `send returned ${String(n)}: expected 1..${rest.length} or WANT_WRITE`);
      }
      this.outgoingOffset += n;
    }
    this.outgoing = [];
    this.outgoingOffset = 0;
    return true;
  }

  /** Reads from the transport into the record layer: bytes read, 0 at EOF, or WANT_READ. */
  private pull(): number {
    this.requireBio();
    const limit = this.config.maxFragmentLength ?? this.config.recordSizeLimit ?? 16384;
    if (!recvBuffer || recvBuffer.length < recordBytes(limit)) recvBuffer = new Uint8Array(recordBytes(limit));
    const buf = recvBuffer;
    let n: number;
    try {
      n = this.recvFn!(buf);
    } catch (e) {
      throw transportError("recv", e);
    }
    if (n === WANT_READ || n === 0) return n;
    if (typeof n !== "number" || !(n > 0 && n <= buf.length) || Math.floor(n) !== n) {
      throw new TlsError("TRANSPORT", `recv returned ${String(n)}: expected 1..${buf.length}, 0 or WANT_READ`);
    }
    this.record.feed(buf.subarray(0, n));
    return n;
  }

  /** Runs one API call; any error becomes the connection's permanent error, after a best-effort fatal alert. */
  private guard(step: () => number): number {
    if (this.failure) throw this.failure;
    try {
      return step();
    } catch (e) {
      if (e instanceof TlsError && (e.code === "CONFIG" || e.code === "CLOSED")) throw e; // misuse, not a broken connection
      throw this.fail(e);
    }
  }

  private fail(e: unknown): TlsError {
    const error = e instanceof TlsError ? e : new TlsError("INTERNAL_ERROR", `internal error: ${e instanceof Error ? e.message : String(e)}`, Alert.internal_error);
    this.failure = error;
    // RFC 5246 §7.2.2: a session whose connection ended in a fatal alert (sent or received) must not be resumed, nor one
    // that failed to resume. A bare transport loss does not count (§7.2.1): sleeping devices drop connections all the time.
    const fatalAlert = error.alert !== undefined;
    if (fatalAlert && this.agreed && this.agreed.session) this.agreed.session.resumable = false;
    const sendAlert = fatalAlert && error.code !== "ALERT_RECEIVED" && error.code !== "TRANSPORT";
    if (this.hs && this.hs.chain.length > 0) this.failedChain = this.hs.chain;
    this.dropHandshake(fatalAlert);
    this.appData = null;
    if (sendAlert && this.sendFn) {
      try {
        this.config.trace?.(`-> alert fatal ${alertName(error.alert as number)}`);
        this.queue(this.record.write(ContentType.alert, Uint8Array.of(ALERT_FATAL, error.alert as number)));
        this.flush();
      } catch {
        // Best effort: the connection is already lost, and the original error is what the caller needs.
      }
    }
    this.outgoing = [];
    this.outgoingOffset = 0;
    return error;
  }
}

/** The client of the `microtls` entry: every suite, group and signature algorithm, chosen by name or object. */
export class TlsClient extends CoreTlsClient {
  constructor(options: TlsClientOptions) {
    super(options, ALL_ALGORITHMS);
  }
}
