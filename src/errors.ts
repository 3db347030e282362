import type { Certificate } from "./x509/certificate.js";

/** TLS alert descriptions (RFC 5246 §7.2, RFC 8446 §6 for the later additions). */
export const Alert = {
  close_notify: 0,
  unexpected_message: 10,
  bad_record_mac: 20,
  record_overflow: 22,
  handshake_failure: 40,
  bad_certificate: 42,
  unsupported_certificate: 43,
  certificate_revoked: 44,
  certificate_expired: 45,
  certificate_unknown: 46,
  illegal_parameter: 47,
  unknown_ca: 48,
  access_denied: 49,
  decode_error: 50,
  decrypt_error: 51,
  protocol_version: 70,
  insufficient_security: 71,
  internal_error: 80,
  user_canceled: 90,
  no_renegotiation: 100,
  missing_extension: 109,
  unsupported_extension: 110,
  unrecognized_name: 112,
  no_application_protocol: 120,
} as const;

export function alertName(code: number): string {
  for (const [name, value] of Object.entries(Alert)) if (value === code) return name;
  return `alert(${code})`;
}

/**
 * Stable error codes. Applications switch on these; never rename one.
 * The alert field says which alert was sent (or, for ALERT_RECEIVED, received).
 */
export type TlsErrorCode =
  | "NO_RANDOM"
  | "CONFIG"
  | "DECODE_ERROR"
  | "UNEXPECTED_MESSAGE"
  | "HANDSHAKE_FAILURE"
  | "ILLEGAL_PARAMETER"
  | "PROTOCOL_VERSION"
  | "BAD_RECORD_MAC"
  | "RECORD_OVERFLOW"
  | "DECRYPT_ERROR"
  | "BAD_CERTIFICATE"
  | "UNSUPPORTED"
  | "ALERT_RECEIVED"
  | "TRUNCATED"
  | "CLOSED"
  | "INTERNAL_ERROR"
  | "TRANSPORT"
  /** microtls/node, microtls/async: the `signal` passed to connect() or AsyncTlsClient was aborted. */
  | "ABORTED"
  /** microtls/node: the handshake did not complete within handshakeTimeout. */
  | "TIMEOUT";

/** One certificate of the chain as the server sent it, in words (see TlsErrorDetails.presentedChain). */
export interface ChainEntry {
  subject: string;
  issuer: string;
  /** ISO 8601 (UTC). */
  notBefore: string;
  notAfter: string;
}

/**
 * The specifics of a failure, as fields on the TlsError (each present only where it applies; the README's Errors
 * section lists which error carries which). The message says the same in words.
 */
export interface TlsErrorDetails {
  /** BAD_CERTIFICATE: the server's chain as sent, leaf first, parsed (unparseable entries left out). */
  peerCertificates?: Certificate[];
  /** BAD_CERTIFICATE: subject, issuer and validity of each certificate as sent, leaf first. */
  presentedChain?: ChainEntry[];
  /** HOSTNAME_MISMATCH: the name (or IP) that was checked. */
  checkedName?: string;
  /** HOSTNAME_MISMATCH: the leaf's subjectAltNames, as "DNS:name" and "IP:address". */
  certificateNames?: string[];
  /** NOT_TRUSTED: the issuer name that no trusted CA matched (the last certificate's issuer on the closest path). */
  untrustedIssuer?: string;
  /** EXPIRED / NOT_YET_VALID: the certificate outside its validity (index into presentedChain, or -1 for an anchor). */
  invalidCertificate?: ChainEntry & { index: number };
  /** EXPIRED / NOT_YET_VALID: the clock's time when checked (ISO 8601): compare it with today to spot a wrong clock. */
  clockTime?: string;
  /** handshake_failure answering our ClientHello: what we offered. */
  offeredSuites?: string[];
  offeredGroups?: string[];
  /** The peer is not speaking TLS: its first bytes, as text (non-printable bytes as \xNN). */
  peerBytes?: string;
  /** pinnedPublicKeys mismatch: the pins configured, and the SPKI SHA-256 (base64) of each certificate of the path. */
  pins?: string[];
  chainPins?: string[];
}

export interface TlsError extends TlsErrorDetails {}
export class TlsError extends Error {
  readonly code: TlsErrorCode;
  /** The alert sent to the peer, or received from it for ALERT_RECEIVED; undefined when none applies. */
  readonly alert?: number;
  /** Certificate verification flags (see microtls/x509 verifyInfo) for BAD_CERTIFICATE. */
  readonly verifyFlags?: string[];

  constructor(code: TlsErrorCode, message: string, alert?: number, verifyFlags?: string[]) {
    super(message);
    this.name = "TlsError";
    this.code = code;
    if (alert !== undefined) this.alert = alert;
    if (verifyFlags !== undefined) this.verifyFlags = verifyFlags;
  }

  /** Adds the specifics (see TlsErrorDetails); returns this, to throw. */
  with(details: TlsErrorDetails): this {
    for (const key of Object.keys(details) as Array<keyof TlsErrorDetails>) {
      if (details[key] === undefined) continue;
      // The parsed chain is readable but not enumerable: logging the error should not print every certificate's bytes.
      Object.defineProperty(this, key, { value: details[key], enumerable: key !== "peerCertificates", writable: true, configurable: true });
    }
    return this;
  }
}

/**
 * Every way a connection can fail, and the one code and alert each means: a throw site names the kind, never a
 * code and an alert apart, so the two cannot disagree. `null`: no alert goes to the peer (the failure is local, or
 * the transport is gone).
 */
const KINDS = {
  // The peer broke the protocol: we send the alert named.
  unexpected_message: ["UNEXPECTED_MESSAGE", Alert.unexpected_message],
  bad_record_mac: ["BAD_RECORD_MAC", Alert.bad_record_mac],
  record_overflow: ["RECORD_OVERFLOW", Alert.record_overflow],
  handshake_failure: ["HANDSHAKE_FAILURE", Alert.handshake_failure],
  illegal_parameter: ["ILLEGAL_PARAMETER", Alert.illegal_parameter],
  decode_error: ["DECODE_ERROR", Alert.decode_error],
  decrypt_error: ["DECRYPT_ERROR", Alert.decrypt_error],
  protocol_version: ["PROTOCOL_VERSION", Alert.protocol_version],
  /** The server answered with an extension we did not offer, or one a server must not send. */
  unsupported_extension: ["UNSUPPORTED", Alert.unsupported_extension],
  /** The server's certificate holds a key the negotiated suite cannot use. */
  unsupported_certificate: ["UNSUPPORTED", Alert.unsupported_certificate],
  // The server's chain failed verification: the alert follows the reason (kindForFlags in server-certificate.ts).
  bad_certificate: ["BAD_CERTIFICATE", Alert.bad_certificate],
  unknown_ca: ["BAD_CERTIFICATE", Alert.unknown_ca],
  certificate_expired: ["BAD_CERTIFICATE", Alert.certificate_expired],
  certificate_unknown: ["BAD_CERTIFICATE", Alert.certificate_unknown],
  /** A key outside our bounds (too small, too large): the certificate is of a kind we do not accept. */
  certificate_key_bounds: ["BAD_CERTIFICATE", Alert.unsupported_certificate],
  /** A certificate with an algorithm or a critical extension we do not support. */
  certificate_unsupported: ["BAD_CERTIFICATE", Alert.unsupported_certificate],
  /** A certificate that does not parse, or an empty list: decode_error, as BoringSSL sends. */
  certificate_malformed: ["BAD_CERTIFICATE", Alert.decode_error],
  /** Our side failed mid-connection (a bug, a provider or our own key that cannot do what was agreed). */
  internal_error: ["INTERNAL_ERROR", Alert.internal_error],
  // crypto/ and x509/ are no protocol: their failures carry no alert, and the handshake maps them at its boundary
  // (atBoundary) to the kind that says what they mean there. Their codes are the ones they always had.
  /** DER, PEM or a certificate field that does not parse. */
  der_malformed: ["DECODE_ERROR", null],
  /** A peer's ECDH public key that is off the curve, of the wrong length, or yields a degenerate secret. */
  peer_key_invalid: ["ILLEGAL_PARAMETER", null],
  /** An RSA key the primitive refuses (too small, a bad exponent, a modulus too short for the hash). */
  key_unusable: ["UNSUPPORTED", null],
  /** A primitive failed its own check (an RSA self-check, a blinding factor that cannot be picked). */
  crypto_failure: ["INTERNAL_ERROR", null],
  // Local, or the link is gone: no alert.
  config: ["CONFIG", null],
  no_random: ["NO_RANDOM", null],
  closed: ["CLOSED", null],
  transport: ["TRANSPORT", null],
  truncated: ["TRUNCATED", null],
  aborted: ["ABORTED", null],
  timeout: ["TIMEOUT", null],
} as const satisfies Record<string, readonly [TlsErrorCode, number | null]>;

export type ErrorKind = keyof typeof KINDS;

/** The alert a failure of this kind sends (undefined: none). */
export function alertFor(kind: ErrorKind): number | undefined {
  const alert = KINDS[kind][1];
  return alert === null ? undefined : alert;
}

/** The error for a failure of this kind: its code and alert come from the one table above. */
export function tlsError(kind: ErrorKind, message: string, verifyFlags?: string[]): TlsError {
  return new TlsError(KINDS[kind][0], message, alertFor(kind), verifyFlags);
}

/**
 * The handshake's boundary with crypto/, x509/ and the application's providers: an error that names no alert (theirs,
 * or a raw one) becomes a failure of `kind` with the same message; a protocol error passes unchanged.
 */
export function atBoundary(e: unknown, kind: ErrorKind): TlsError {
  if (e instanceof TlsError && e.alert !== undefined) return e;
  const error = tlsError(kind, e instanceof Error ? e.message : String(e));
  (error as { cause?: unknown }).cause = e;
  return error;
}

/** The server's fatal alert: the one error whose alert is the peer's, not ours. */
export function alertReceived(message: string, alert: number): TlsError {
  return new TlsError("ALERT_RECEIVED", message, alert);
}

/** A malformed peer message: always decode_error, never a raw RangeError. */
export function decodeError(what: string): TlsError {
  return tlsError("decode_error", `malformed ${what}`);
}
