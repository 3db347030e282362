import { toHex } from "../bytes.js";
import { tlsError, type TlsError } from "../errors.js";
import { ContentType } from "../record/content-type.js";
import type { RecordLayer } from "../record/layer.js";
import type { ClientConfig } from "./config.js";
import { handshakeTypeName } from "./messages.js";
import type { TlsSession } from "./session.js";
import { Transcript } from "./transcript.js";

/** The reason given when no client certificate is configured at all (the client's error names it). */
export const NO_CLIENT_CERTIFICATE = "no client certificate configured";

/**
 * What every state of one handshake shares: the configuration, the record layer, the way out and the transcript.
 * What a state learns travels to the next state as its constructor's arguments (states.ts); the few fields below
 * are only what the connection may read (or must wipe) before the handshake completes.
 */
export class HandshakeContext {
  readonly transcript: Transcript;
  /** The server's chain as received, kept before it is checked so a refused chain stays readable. */
  chain: Uint8Array[] = [];
  /** Why we answered the CertificateRequest with an empty Certificate (null: we did not). */
  sentEmptyCertificate: string | null = null;
  /** The session offered and not declined: a fatal alert makes it unresumable (RFC 5246 §7.2.2). */
  offeredSession: TlsSession | null = null;
  /** The master secret once made, wiped when the handshake is dropped. */
  masterSecret: Uint8Array | null = null;

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

  logKeys(clientRandom: Uint8Array, masterSecret: Uint8Array): void {
    if (this.config.keyLog) this.config.keyLog(`CLIENT_RANDOM ${toHex(clientRandom)} ${toHex(masterSecret)}`);
  }
}

/**
 * The clock, read the one way every caller needs it: ms since the epoch, or null when there is none or it returns
 * something that is not a number (NaN included: a device clock that never ran).
 */
export function readClock(config: Pick<ClientConfig, "now">): number | null {
  const t = config.now ? config.now() : null;
  return typeof t === "number" && t === t ? t : null;
}

export function unexpectedMessage(expecting: string, type: number): TlsError {
  return tlsError("unexpected_message", `expected ${expecting}, received ${handshakeTypeName(type)}`);
}
