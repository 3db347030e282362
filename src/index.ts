// The `microtls` entry: microtls/core plus its defaults. Everything core exports is here too; what this entry adds is
// a TlsClient and a TlsConnection (subclasses of core's, so `instanceof` holds) whose options take names and default to
// every suite, group and verifier, client certificates and resumption (src/handshake/name-tables.ts), and key parsing.
export * from "./core.js";
export { TlsClient } from "./client.js";
export { TlsConnection } from "./connection.js";
export type { TlsClientOptions } from "./handshake/config.js";
// Client certificates: keys parsed or decrypted ahead of time.
export { parsePrivateKey } from "./x509/private-key.js";
export { decryptPrivateKey } from "./x509/encrypted-private-key.js";
export type { PrivateKey } from "./x509/private-key.js";
