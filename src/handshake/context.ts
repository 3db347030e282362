import { toHex } from "../bytes.js";
import type { EcdhGroup } from "../crypto/ecdh.js";
import type { PublicKey } from "../crypto/signature.js";
import { Alert, TlsError } from "../errors.js";
import type { RecordCipher } from "../record/cipher.js";
import { ContentType } from "../record/content-type.js";
import type { RecordLayer } from "../record/layer.js";
import type { ClientConfig } from "./config.js";
import type { ExtensionOffer, ServerAgreement } from "./extensions.js";
import { handshakeTypeName, type CertificateRequest, type Extension } from "./messages.js";
import type { CipherSuite } from "./suites.js";
import type { TlsSession } from "./session.js";
import { Transcript } from "./transcript.js";

/** The reason given when no client certificate is configured at all (the client's error names it). */
export const NO_CLIENT_CERTIFICATE = "no client certificate configured";

/** Everything one handshake learns and needs; the client drops it once the connection is established. */
export class HandshakeContext {
  readonly transcript: Transcript;
  clientRandom: Uint8Array = new Uint8Array(0);
  serverRandom: Uint8Array = new Uint8Array(0);
  sessionId: Uint8Array = new Uint8Array(0);
  offer: ExtensionOffer | null = null;
  offeredExtensions: Extension[] = [];
  suite: CipherSuite | null = null;
  agreed: ServerAgreement | null = null;
  group: EcdhGroup | null = null;
  serverPublic: Uint8Array | null = null;
  chain: Uint8Array[] = [];
  leafKey: PublicKey | null = null;
  verifyFlags: string[] = [];
  certificateRequest: CertificateRequest | null = null;
  /** Why we answered the CertificateRequest with an empty Certificate (null: we did not). */
  sentEmptyCertificate: string | null = null;
  masterSecret: Uint8Array | null = null;
  pendingReadCipher: RecordCipher | null = null;
  /** Abbreviated handshake only: our keys wait for the server's Finished. */
  pendingWriteCipher: RecordCipher | null = null;
  sessionTicket: { lifetimeHint: number; ticket: Uint8Array } | null = null;
  /** The session offered in the ClientHello (null: none), and the session ID field we sent. */
  offeredSession: TlsSession | null = null;
  offeredSessionId: Uint8Array = new Uint8Array(0);
  /** The server accepted the offered session: an abbreviated handshake. */
  resumed = false;
  /** The session this handshake produced (or renewed), for client.session. */
  session: TlsSession | null = null;

  constructor(
    readonly config: ClientConfig,
    readonly record: RecordLayer,
    /** Queues wire bytes for the transport. */
    private readonly output: (wire: Uint8Array) => void,
  ) {
    // The raw messages are kept only when a client certificate might have to sign them.
    this.transcript = new Transcript(config.clientCredential !== null);
  }

  /** Sends a handshake message and adds it to the transcript. */
  sendHandshake(raw: Uint8Array, detail = "", legacyVersion?: number): void {
    this.transcript.add(raw);
    // Optional call: without a trace the line is never built (this runs on every handshake message).
    this.config.trace?.(`-> ${handshakeTypeName(raw[0])}${detail ? " " + detail : ""}`);
    this.output(this.record.write(ContentType.handshake, raw, legacyVersion));
  }

  sendChangeCipherSpec(): void {
    this.config.trace?.("-> change_cipher_spec");
    this.output(this.record.write(ContentType.change_cipher_spec, Uint8Array.of(1)));
  }

  logKeys(): void {
    if (this.config.keyLog && this.masterSecret) {
      this.config.keyLog(`CLIENT_RANDOM ${toHex(this.clientRandom)} ${toHex(this.masterSecret)}`);
    }
  }
}

export function unexpectedMessage(expecting: string, type: number): TlsError {
  return new TlsError("UNEXPECTED_MESSAGE", `expected ${expecting}, received ${handshakeTypeName(type)}`, Alert.unexpected_message);
}
