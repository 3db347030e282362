// The core entry: the sans-I/O TLS 1.2 client.
export { TlsClient, WANT_READ, WANT_WRITE } from "./client.js";
export type { ClientState, RecvFn, SendFn } from "./client.js";
export type { TlsClientOptions } from "./handshake/config.js";
export type { EcdhGroup, GroupName } from "./crypto/ecdh.js";
// cipherSuites and groups take these objects as well as names.
export {
  TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
  TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
  TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
  TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
  TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
  TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
  TLS_RSA_WITH_AES_128_GCM_SHA256,
  TLS_RSA_WITH_AES_256_GCM_SHA384,
} from "./handshake/suites.js";
export type { CipherSuite } from "./handshake/suites.js";
export { x25519Group } from "./crypto/x25519.js";
export { p256Group, p384Group } from "./crypto/nist-ecdh.js";
export type { SignatureVerifier } from "./handshake/config.js";
export type { RandomSource } from "./crypto/random.js";
// The `crypto` option takes providers layered over this default (noble plus our RSA).
export type { AeadName, CryptoProvider, EcdhKeyAgreement } from "./crypto/provider.js";
export { nobleProvider } from "./crypto/noble-provider.js";
export { TlsError, Alert, alertName } from "./errors.js";
export type { ChainEntry, TlsErrorCode, TlsErrorDetails } from "./errors.js";
// Session resumption: client.session saved across deep sleep (it holds the master secret: store it like a key).
export { encodeSession, decodeSession } from "./handshake/session.js";
export type { TlsSession } from "./handshake/session.js";
// Client certificates: the options and the external signer's shape; keys parsed or decrypted ahead of time.
export type { ClientAuthOptions, ExternalSigner } from "./handshake/client-credentials.js";
export { parsePrivateKey } from "./x509/private-key.js";
export { decryptPrivateKey } from "./x509/encrypted-private-key.js";
export type { PrivateKey } from "./x509/private-key.js";
