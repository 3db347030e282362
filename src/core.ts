// The `microtls/core` entry: the same client, configured with objects instead of names, so a bundle carries only
// the suites, groups and signature verifiers the application imports (the `microtls` entry carries them all).
//   new TlsClient({ serverName, ca, cipherSuites: [TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256],
//                   groups: [x25519Group], verifySignature: signatureVerifier({ ecdsa: ecdsaVerify }) })
// or with a crypto provider, where names work and the defaults are what the providers can do:
//   new TlsClient({ serverName, ca, crypto: [hostProvider, nobleHashes] })
// Two shapes of one client: TlsConnection, the push engine (feed bytes in, take output and data out, no I/O), and
// TlsClient, Mbed TLS's shape over it (setBio(send, recv), then handshake/read/write/close with WANT_READ/WANT_WRITE).
export { CoreTlsConnection as TlsConnection } from "./connection.js";
export type { ClientState, ConnectionStatus } from "./connection.js";
export { CoreTlsClient as TlsClient, WANT_READ, WANT_WRITE } from "./client.js";
export type { RecvFn, SendFn } from "./client.js";
export type { AlgorithmTables, TlsClientOptions, SignatureVerifier } from "./handshake/config.js";
// The eight suites and their CipherSuite type (the module holds nothing else).
export * from "./handshake/suites.js";
export { x25519Group } from "./crypto/x25519.js";
export { p256Group, p384Group } from "./crypto/nist-ecdh.js";
export type { EcdhGroup, GroupName } from "./crypto/ecdh.js";
export { signatureVerifier, type Verifiers } from "./handshake/verifiers.js";
export { ecdsaVerify } from "./crypto/ecdsa.js";
export { rsaPkcs1Verify, rsaPssVerify } from "./crypto/rsa.js";
export type { RandomSource } from "./crypto/random.js";
// Crypto providers (the `crypto` option): the interface, and noble's, whole or in pieces to layer under another.
export type { AeadName, CryptoProvider, EcdhKeyAgreement, PrfHash } from "./crypto/provider.js";
export type { Aead, AeadFactory } from "./crypto/aead.js";
export type { HashName, HashState } from "./crypto/hash.js";
export type { EcCurve } from "./crypto/ecdsa.js";
export type { PublicKey, SignatureAlgorithm } from "./crypto/signature.js";
export type { RsaPublicKey } from "./crypto/rsa.js";
export { nobleProvider, nobleHashes } from "./crypto/noble-provider.js";
export { aesGcm } from "./crypto/aes-gcm.js";
export { chacha20Poly1305 } from "./crypto/chacha20-poly1305.js";
export { rsaPkcs1Encrypt } from "./crypto/rsa.js";
export { TlsError, Alert, alertName } from "./errors.js";
export type { ChainEntry, TlsErrorCode, TlsErrorDetails } from "./errors.js";
// Client certificates and session resumption are opt-in here: pass clientAuthSupport / resumptionSupport in the options.
export { clientAuthSupport } from "./handshake/client-auth.js";
export { encodeSession, decodeSession, resumptionSupport } from "./handshake/session.js";
export type { ClientAuthSupport, ResumptionSupport } from "./handshake/config.js";
export type { TlsSession } from "./handshake/session.js";
export type { ClientAuthOptions, ExternalSigner } from "./handshake/client-credentials.js";
