import { AgreedParameters } from "./agreed-parameters.js";
import { Alert, alertName, alertReceived, tlsError, type TlsError } from "./errors.js";
import type { ClientConfig } from "./handshake/config.js";
import { NO_CLIENT_CERTIFICATE } from "./handshake/context.js";
import type { Handshake, HandshakeResult } from "./handshake/handshake.js";
import { HandshakeType, parseEmpty } from "./handshake/messages.js";
import { ContentType } from "./record/content-type.js";
import { HandshakeReassembler } from "./record/handshake-reassembler.js";
import type { RecordLayer, TlsRecord } from "./record/layer.js";

/** Warning alerts in a row before we call it abuse (OpenSSL's limit is similar). */
const MAX_WARNING_ALERTS = 8;
/** HelloRequests answered with a no_renegotiation warning per connection; the next one is a fatal unexpected_message. */
export const MAX_HELLO_REQUESTS = 4;
export const ALERT_WARNING = 1;
export const ALERT_FATAL = 2;

/**
 * The receiving side of a connection: each decrypted record goes to the handshake, the application's data, or the
 * alert policy. Every rule about which record may come when lives here; the connection (connection.ts) on top of it
 * owns the API, the output and the failure.
 */
export abstract class InboundRecords extends AgreedParameters {
  protected hs: Handshake | null = null;
  protected established = false;
  protected closeSent = false;
  /** The peer's close_notify arrived: nothing after it is read. */
  protected peerClosed = false;
  /** Decrypted application data not yet read, in arrival order; the head may be partly read. */
  protected data: Uint8Array[] = [];
  private reassembler: HandshakeReassembler | null = null;
  private warningRun = 0;
  private helloRequests = 0;

  protected constructor(
    protected readonly config: ClientConfig,
    protected readonly record: RecordLayer,
  ) {
    super();
  }

  /** Queues a record of ours (an alert) for the transport. */
  protected abstract send(type: number, data: Uint8Array): void;
  /** The handshake completed with this result. */
  protected abstract complete(result: HandshakeResult): void;

  protected onRecord(rec: TlsRecord): void {
    if (rec.type !== ContentType.alert) this.warningRun = 0;
    switch (rec.type) {
      case ContentType.handshake:
        return this.onHandshakeRecord(rec);
      case ContentType.change_cipher_spec: {
        if (rec.data.length !== 1 || rec.data[0] !== 1) throw tlsError("decode_error", "malformed ChangeCipherSpec");
        const hs = this.hs;
        if (!hs || this.handshakePending) {
          throw tlsError("unexpected_message", `unexpected ChangeCipherSpec${hs ? ` while expecting ${hs.expecting}` : ""}`);
        }
        return hs.onChangeCipherSpec();
      }
      case ContentType.alert:
        return this.onAlert(rec.data);
      case ContentType.application_data:
        if (!this.established || this.handshakePending) throw tlsError("unexpected_message", "application data before the handshake completed");
        // Always decrypted (there is no cipher-less application data), so the record's buffer is ours to hand on.
        this.data.push(rec.data);
        return;
      default:
        throw tlsError("unexpected_message", `unknown record type ${rec.type}`);
    }
  }

  private get handshakePending(): boolean {
    return this.reassembler !== null && this.reassembler.pending;
  }

  private onHandshakeRecord(rec: TlsRecord): void {
    if (!this.reassembler) this.reassembler = new HandshakeReassembler(this.config.maxHandshakeMessageSize);
    const reassembler = this.reassembler;
    reassembler.push(rec.data, rec.owned);
    for (let msg = reassembler.next(); msg !== null; msg = reassembler.next()) {
      // ServerHelloDone and Finished end the server's flight: what follows comes after our own messages, and a
      // handshake message may not span a ChangeCipherSpec, so more bytes in the same record are a violation.
      if ((msg.type === HandshakeType.server_hello_done || msg.type === HandshakeType.finished) && reassembler.pending) {
        throw tlsError("unexpected_message", `handshake data follows ${msg.type === HandshakeType.finished ? "Finished" : "ServerHelloDone"} in the same record`);
      }
      if (msg.type === HandshakeType.hello_request) {
        this.onHelloRequest(msg.body);
        continue;
      }
      if (this.established || !this.hs) {
        throw tlsError("unexpected_message", `unexpected post-handshake message type ${msg.type}: renegotiation is not supported`);
      }
      const result = this.hs.onMessage(msg);
      if (result) this.complete(result);
    }
    if (this.established && !reassembler.pending) this.reassembler = null;
  }

  /** RFC 5246 §7.4.1.1: ignored while negotiating; afterwards we decline, since we never renegotiate. */
  private onHelloRequest(body: Uint8Array): void {
    parseEmpty(body, "HelloRequest");
    // Nothing may follow our close_notify, so after close() the request is just dropped.
    if (!this.established || this.closeSent) return;
    // Each request costs us a protected alert: a peer that keeps asking is refused, not answered forever.
    if (++this.helloRequests > MAX_HELLO_REQUESTS) {
      throw tlsError("unexpected_message", `more than ${MAX_HELLO_REQUESTS} HelloRequests: renegotiation is not supported`);
    }
    this.config.trace?.("<- hello_request: answering no_renegotiation");
    this.send(ContentType.alert, Uint8Array.of(ALERT_WARNING, Alert.no_renegotiation));
  }

  private onAlert(data: Uint8Array): void {
    if (data.length !== 2) throw tlsError("decode_error", "malformed alert record");
    const level = data[0];
    const description = data[1];
    this.config.trace?.(`<- alert ${level === ALERT_WARNING ? "warning" : "fatal"} ${alertName(description)}`);
    if (description === Alert.close_notify) {
      if (!this.established) throw alertReceived("the server sent close_notify during the handshake", Alert.close_notify);
      this.peerClosed = true;
      return;
    }
    if (level === ALERT_WARNING) {
      if (++this.warningRun > MAX_WARNING_ALERTS) throw tlsError("unexpected_message", `more than ${MAX_WARNING_ALERTS} warning alerts in a row`);
      return;
    }
    if (level !== ALERT_FATAL) throw tlsError("illegal_parameter", `alert with unknown level ${level}`);
    throw this.fatalAlert(description);
  }

  /** The server's fatal alert, explained where we can tell the likely cause. */
  private fatalAlert(description: number): TlsError {
    const sent = `the server sent a fatal ${alertName(description)} alert`;
    const hs = this.hs;
    if (description === Alert.handshake_failure && hs && !this.record.versionChosen) {
      // The commonest cause, and a TLS 1.2 subtlety: supported_groups also names the curves we accept in ECDSA certificates.
      const offeredSuites = this.config.suites.map((x) => x.name);
      const offeredGroups = this.config.groups.map((g) => g.name as string);
      return alertReceived(
        `${sent}: it shares no cipher suite, group or signature algorithm with our offer (in TLS 1.2 an ECDSA certificate's curve must also be in groups); ` +
          `we offered the suites ${offeredSuites.join(", ")} and the groups ${offeredGroups.length > 0 ? offeredGroups.join(", ") : "(none)"}`,
        description,
      ).with({ offeredSuites, offeredGroups });
    }
    if (description === Alert.handshake_failure && hs && hs.sentEmptyCertificate !== null) {
      // None configured, or one configured that this server's request ruled out (its CAs, its signature schemes).
      const why = hs.sentEmptyCertificate;
      return alertReceived(
        why === NO_CLIENT_CERTIFICATE
          ? `the server requested a client certificate and none is configured: it answered our empty Certificate with a fatal handshake_failure alert (pass cert and key, or sign)`
          : `the server requested a client certificate and ours did not fit its request (${why}): it answered our empty Certificate with a fatal handshake_failure alert`,
        description,
      );
    }
    if (description === Alert.protocol_version && !this.established) {
      return alertReceived(
        `${sent}: microtls speaks TLS 1.2 only, and the server requires another version (most often TLS 1.3 only; or a legacy TLS 1.0/1.1-only server)`,
        description,
      );
    }
    return alertReceived(sent, description);
  }
}
