import type { AeadName, PrfHash } from "../crypto/provider.js";
import { chachaRecordCipher, gcmRecordCipher, type RecordCipher } from "../record/cipher.js";
import type { Aead } from "../crypto/aead.js";

// What a cipher suite is, without any crypto: the code point, the algorithms it needs by name, and how its record
// nonces are built. A provider (or, for the exported suite objects, noble) supplies the algorithms.

export type KeyExchange = "ECDHE" | "RSA";
/** The kind of key the server's leaf certificate must carry. */
export type ServerAuth = "ECDSA" | "RSA";

export interface SuiteParams {
  readonly name: string;
  readonly id: number;
  readonly keyExchange: KeyExchange;
  readonly auth: ServerAuth;
  readonly prfHash: PrfHash;
  readonly keyLength: number;
  /** The implicit IV taken from the key block: 4 bytes for GCM (RFC 5288), 12 for ChaCha20 (RFC 7905). */
  readonly ivLength: number;
  readonly aeadName: AeadName;
  readonly recordCipher: (aead: Aead, iv: Uint8Array) => RecordCipher;
}

export function gcmParams(name: string, id: number, kx: KeyExchange, auth: ServerAuth, keyLength: 16 | 32): SuiteParams {
  return {
    name,
    id,
    keyExchange: kx,
    auth,
    prfHash: keyLength === 32 ? "sha384" : "sha256",
    keyLength,
    ivLength: 4,
    aeadName: keyLength === 32 ? "aes-256-gcm" : "aes-128-gcm",
    recordCipher: gcmRecordCipher,
  };
}

export function chachaParams(name: string, id: number, auth: ServerAuth): SuiteParams {
  return { name, id, keyExchange: "ECDHE", auth, prfHash: "sha256", keyLength: 32, ivLength: 12, aeadName: "chacha20-poly1305", recordCipher: chachaRecordCipher };
}

/** Every suite microtls implements, ECDHE first in the default preference order, then RSA key exchange (named only). */
export const SUITE_PARAMS: readonly SuiteParams[] = [
  chachaParams("TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", 0xcca9, "ECDSA"),
  chachaParams("TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256", 0xcca8, "RSA"),
  gcmParams("TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", 0xc02b, "ECDHE", "ECDSA", 16),
  gcmParams("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", 0xc02f, "ECDHE", "RSA", 16),
  gcmParams("TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", 0xc02c, "ECDHE", "ECDSA", 32),
  gcmParams("TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", 0xc030, "ECDHE", "RSA", 32),
  gcmParams("TLS_RSA_WITH_AES_128_GCM_SHA256", 0x009c, "RSA", "RSA", 16),
  gcmParams("TLS_RSA_WITH_AES_256_GCM_SHA384", 0x009d, "RSA", "RSA", 32),
];

/** A suite's name if it is among `known`, else its code point in hex. */
export function suiteName(id: number, known: readonly { id: number; name: string }[]): string {
  for (const s of known) if (s.id === id) return s.name;
  return `0x${(id + 0x10000).toString(16).slice(1)}`;
}
