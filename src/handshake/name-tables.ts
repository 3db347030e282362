import { nobleProvider } from "../crypto/noble-provider.js";
import { p256Group, p384Group } from "../crypto/nist-ecdh.js";
import { verifySignature } from "../crypto/signature.js";
import { x25519Group } from "../crypto/x25519.js";
import { clientAuthSupport } from "./client-auth.js";
import type { AlgorithmTables } from "./config.js";
import { resumptionSupport } from "./session.js";
import {
  TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
  TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
  TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
  TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
  TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
  TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
  TLS_RSA_WITH_AES_128_GCM_SHA256,
  TLS_RSA_WITH_AES_256_GCM_SHA384,
  type CipherSuite,
} from "./suites.js";

/**
 * Every suite, in preference order (the one list of them). ChaCha20 comes first because without AES instructions
 * (every JS engine) it is the fastest AEAD and has no table-lookup timing leaks; Go's crypto/tls makes the same choice
 * without AES-NI. RSA key exchange comes last and is offered only when named: it has no forward secrecy.
 */
export const ALL_SUITES: readonly CipherSuite[] = [
  TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
  TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
  TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
  TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
  TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
  TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
  TLS_RSA_WITH_AES_128_GCM_SHA256,
  TLS_RSA_WITH_AES_256_GCM_SHA384,
];

/** Offered by default: every suite with forward secrecy. */
export const DEFAULT_SUITES: readonly CipherSuite[] = /* @__PURE__ */ ALL_SUITES.filter((s) => s.keyExchange === "ECDHE");

// Every suite, group and verifier, client certificates and resumption, for the `microtls` entry, whose options take
// names. Importing this module is what puts all of them in a bundle: microtls/core does not, so there a build
// carries only the objects it names.
export const ALL_ALGORITHMS: AlgorithmTables = {
  suites: ALL_SUITES,
  defaultSuites: DEFAULT_SUITES,
  groups: [x25519Group, p256Group, p384Group],
  defaultGroups: [x25519Group, p256Group, p384Group],
  verifySignature,
  clientAuth: clientAuthSupport,
  resumption: resumptionSupport,
  // Under the `crypto` option's providers: noble supplies what they lack.
  provider: nobleProvider,
};
