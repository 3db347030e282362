// The core entry: the sans-I/O TLS 1.2 client.
export { TlsClient, WANT_READ, WANT_WRITE } from "./client.js";
export type { ClientState, RecvFn, SendFn } from "./client.js";
export type { TlsClientOptions } from "./handshake/config.js";
export type { GroupName } from "./crypto/ecdh.js";
export type { RandomSource } from "./crypto/random.js";
export { TlsError, Alert, alertName } from "./errors.js";
export type { TlsErrorCode } from "./errors.js";
