import type { Aead, AeadFactory } from "../crypto/aead.js";
import { aesGcm } from "../crypto/aes-gcm.js";
import { chacha20Poly1305 } from "../crypto/chacha20-poly1305.js";
import type { RandomSource } from "../crypto/random.js";
import { rsaPkcs1Encrypt, type RsaPublicKey } from "../crypto/rsa.js";
import { chachaRecordCipher, gcmRecordCipher, type RecordCipher } from "../record/cipher.js";

export type KeyExchange = "ECDHE" | "RSA";
/** The kind of key the server's leaf certificate must carry. */
export type ServerAuth = "ECDSA" | "RSA";

/** A TLS 1.2 AEAD cipher suite. Each suite references only its own AEAD, so a bundle can drop the unused ones. */
export interface CipherSuite {
  readonly name: string;
  readonly id: number;
  readonly keyExchange: KeyExchange;
  readonly auth: ServerAuth;
  readonly prfHash: "sha256" | "sha384";
  readonly keyLength: number;
  /** The implicit IV taken from the key block: 4 bytes for GCM (RFC 5288), 12 for ChaCha20 (RFC 7905). */
  readonly ivLength: number;
  readonly aead: AeadFactory;
  readonly recordCipher: (aead: Aead, iv: Uint8Array) => RecordCipher;
  /** RSA key exchange only: encrypts the premaster secret to the server's key (carried here so ECDHE-only builds drop it). */
  readonly rsaEncrypt?: (key: RsaPublicKey, data: Uint8Array, random: RandomSource) => Uint8Array;
}

function gcm(name: string, id: number, kx: KeyExchange, auth: ServerAuth, keyLength: 16 | 32): CipherSuite {
  const suite: CipherSuite = {
    name,
    id,
    keyExchange: kx,
    auth,
    prfHash: keyLength === 32 ? "sha384" : "sha256",
    keyLength,
    ivLength: 4,
    aead: aesGcm,
    recordCipher: gcmRecordCipher,
  };
  return kx === "RSA" ? { ...suite, rsaEncrypt: rsaPkcs1Encrypt } : suite;
}

function chacha(name: string, id: number, auth: ServerAuth): CipherSuite {
  return {
    name,
    id,
    keyExchange: "ECDHE",
    auth,
    prfHash: "sha256",
    keyLength: 32,
    ivLength: 12,
    aead: chacha20Poly1305,
    recordCipher: chachaRecordCipher,
  };
}

export const TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256 = /* @__PURE__ */ chacha("TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", 0xcca9, "ECDSA");
export const TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256 = /* @__PURE__ */ chacha("TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256", 0xcca8, "RSA");
export const TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 = /* @__PURE__ */ gcm("TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", 0xc02b, "ECDHE", "ECDSA", 16);
export const TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 = /* @__PURE__ */ gcm("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", 0xc02f, "ECDHE", "RSA", 16);
export const TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384 = /* @__PURE__ */ gcm("TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", 0xc02c, "ECDHE", "ECDSA", 32);
export const TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384 = /* @__PURE__ */ gcm("TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", 0xc030, "ECDHE", "RSA", 32);
export const TLS_RSA_WITH_AES_128_GCM_SHA256 = /* @__PURE__ */ gcm("TLS_RSA_WITH_AES_128_GCM_SHA256", 0x009c, "RSA", "RSA", 16);
export const TLS_RSA_WITH_AES_256_GCM_SHA384 = /* @__PURE__ */ gcm("TLS_RSA_WITH_AES_256_GCM_SHA384", 0x009d, "RSA", "RSA", 32);

/**
 * Offered by default, in preference order. ChaCha20 comes first because without AES instructions (every JS engine)
 * it is the fastest AEAD and has no table-lookup timing leaks; Go's crypto/tls makes the same choice without AES-NI.
 */
export const DEFAULT_SUITES: readonly CipherSuite[] = [
  TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
  TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
  TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
  TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
  TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
  TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
];

/** RSA key exchange has no forward secrecy: offered only when the application names it. */
export const ALL_SUITES: readonly CipherSuite[] = [
  // Listed out, not spread from DEFAULT_SUITES: a spread counts as a side effect and would defeat tree-shaking.
  TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
  TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
  TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
  TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
  TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
  TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
  TLS_RSA_WITH_AES_128_GCM_SHA256,
  TLS_RSA_WITH_AES_256_GCM_SHA384,
];

export function suiteByName(name: string): CipherSuite | undefined {
  for (const s of ALL_SUITES) if (s.name === name) return s;
  return undefined;
}

/** A suite's name if it is among `known`, else its code point in hex. */
export function suiteName(id: number, known: readonly CipherSuite[]): string {
  for (const s of known) if (s.id === id) return s.name;
  return `0x${(id + 0x10000).toString(16).slice(1)}`;
}
