// The core entry: the sans-I/O TLS 1.2 client. The handshake issue fills this in.
export { TlsError, Alert, alertName } from "./errors.js";
export type { TlsErrorCode } from "./errors.js";
