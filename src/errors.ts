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
  /** microtls/node: the `signal` passed to connect() was aborted. */
  | "ABORTED";

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
}

/** A malformed peer message: always decode_error, never a raw RangeError. */
export function decodeError(what: string): TlsError {
  return new TlsError("DECODE_ERROR", `malformed ${what}`, Alert.decode_error);
}
