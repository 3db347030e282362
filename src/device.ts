// The device profile: what dist/microtls.device.js (global `microtls`) holds, for engines with a few hundred KB of
// heap. The same client as the `microtls` entry, with the algorithms a device needs and nothing else:
//   suites  ECDHE-ECDSA and ECDHE-RSA with ChaCha20-Poly1305 or AES-128-GCM (no AES-256, no RSA key exchange)
//   groups  x25519, secp256r1 (P-384 stays as a certificate signature: roots signing with it are common)
//   verify  ECDSA P-256/P-384, RSA PKCS#1 v1.5 and PSS (no Ed25519)
// No client certificates and no session resumption: with their key parsing, signing and session code the bundle
// grows by about 30 KB, and QuickJS needs about ten times a script's size to compile it (use microtls/core with
// clientAuthSupport/resumptionSupport where the heap allows).
// This is not a tsup entry: it is bundled only into the device bundle, which swaps noble for the table-free
// src/crypto/*-small.ts (scripts/build-engine-bundle.mjs); an application's noble objects are never touched.
import { CoreTlsClient } from "./client.js";
import { CoreTlsConnection } from "./connection.js";
import { ecdsaVerify } from "./crypto/ecdsa.js";
import { p256Group } from "./crypto/nist-ecdh.js";
import { rsaPkcs1Verify, rsaPssVerify } from "./crypto/rsa.js";
import { x25519Group } from "./crypto/x25519.js";
import type { AlgorithmTables, TlsClientOptions } from "./handshake/config.js";
import {
  TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
  TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
  TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
  TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
} from "./handshake/suites.js";
import { signatureVerifier } from "./handshake/verifiers.js";
import { verifyChainWith, type VerifyOptions, type VerifyResult } from "./x509/verify.js";

// ChaCha20 first: it needs no tables and is the faster cipher without AES instructions.
const SUITES = [
  TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
  TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
  TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
  TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
];
const GROUPS = [x25519Group, p256Group];

export const DEVICE_ALGORITHMS: AlgorithmTables = {
  suites: SUITES,
  defaultSuites: SUITES,
  groups: GROUPS,
  defaultGroups: GROUPS,
  verifySignature: signatureVerifier({ ecdsa: ecdsaVerify, rsaPkcs1: rsaPkcs1Verify, rsaPss: rsaPssVerify }),
  clientAuth: null,
  resumption: null,
  provider: null,
};

/** The device client: names in cipherSuites/groups resolve to the device's algorithms only. */
export class TlsClient extends CoreTlsClient {
  constructor(options: TlsClientOptions) {
    super(options, DEVICE_ALGORITHMS);
  }
}

/** The device's push engine (feed/output/take, no I/O), for event-driven sockets such as Moddable's. */
export class TlsConnection extends CoreTlsConnection {
  constructor(options: TlsClientOptions) {
    super(options, DEVICE_ALGORITHMS);
  }
}

/** verifyChain with the device's signature algorithms (a signature by another, e.g. Ed25519, is BAD_SIGNATURE). */
export function verifyChain(opts: VerifyOptions): VerifyResult {
  return verifyChainWith(opts, DEVICE_ALGORITHMS.verifySignature!);
}

export { WANT_READ, WANT_WRITE } from "./client.js";
export { TlsError, Alert, alertName } from "./errors.js";
export {
  TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
  TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
  TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
  TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
};
export { x25519Group, p256Group };
