import type { Aead, AeadFactory } from "../crypto/aead.js";
import { aesGcm } from "../crypto/aes-gcm.js";
import { chacha20Poly1305 } from "../crypto/chacha20-poly1305.js";
import { createHash, type HashState } from "../crypto/hash.js";
import { prf } from "../crypto/prf.js";
import type { RandomSource } from "../crypto/random.js";
import { rsaPkcs1Encrypt, type RsaPublicKey } from "../crypto/rsa.js";
import type { RecordCipher } from "../record/cipher.js";
import { chachaParams, gcmParams, type KeyExchange, type ServerAuth, type SuiteParams } from "./suite-params.js";

// This module exports the CipherSuite type and the eight suites only: the entries re-export it whole.

/**
 * A TLS 1.2 AEAD cipher suite bound to its crypto: the AEAD, the PRF and the transcript hash (and, for RSA key exchange,
 * the encryption). The exported suites are bound to noble, each to only its own algorithms, so a bundle can drop the
 * unused ones; with the `crypto` option the client binds the same parameters to the providers instead.
 */
export interface CipherSuite extends SuiteParams {
  readonly aead: AeadFactory;
  readonly recordCipher: (aead: Aead, iv: Uint8Array) => RecordCipher;
  /** The TLS 1.2 PRF with the suite's hash. */
  readonly prf: (secret: Uint8Array, label: string, seed: Uint8Array, length: number) => Uint8Array;
  /** The transcript hash (the PRF hash). */
  readonly createHash: () => HashState;
  /** RSA key exchange only: encrypts the premaster secret to the server's key (carried here so ECDHE-only builds drop it). */
  readonly rsaEncrypt?: (key: RsaPublicKey, data: Uint8Array, random: RandomSource) => Uint8Array;
}

function sha256Prf(secret: Uint8Array, label: string, seed: Uint8Array, length: number): Uint8Array {
  return prf("sha256", secret, label, seed, length);
}
function sha384Prf(secret: Uint8Array, label: string, seed: Uint8Array, length: number): Uint8Array {
  return prf("sha384", secret, label, seed, length);
}

function withNoble(params: SuiteParams, aead: AeadFactory, rsaEncrypt?: CipherSuite["rsaEncrypt"]): CipherSuite {
  const sha384 = params.prfHash === "sha384";
  const suite: CipherSuite = {
    ...params,
    aead,
    prf: sha384 ? sha384Prf : sha256Prf,
    createHash: sha384 ? () => createHash("sha384") : () => createHash("sha256"),
  };
  return rsaEncrypt ? { ...suite, rsaEncrypt } : suite;
}

function gcm(name: string, id: number, kx: KeyExchange, auth: ServerAuth, keyLength: 16 | 32): CipherSuite {
  return withNoble(gcmParams(name, id, kx, auth, keyLength), aesGcm, kx === "RSA" ? rsaPkcs1Encrypt : undefined);
}

function chacha(name: string, id: number, auth: ServerAuth): CipherSuite {
  return withNoble(chachaParams(name, id, auth), chacha20Poly1305);
}

export const TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256 = /* @__PURE__ */ chacha("TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", 0xcca9, "ECDSA");
export const TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256 = /* @__PURE__ */ chacha("TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256", 0xcca8, "RSA");
export const TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 = /* @__PURE__ */ gcm("TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", 0xc02b, "ECDHE", "ECDSA", 16);
export const TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 = /* @__PURE__ */ gcm("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", 0xc02f, "ECDHE", "RSA", 16);
export const TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384 = /* @__PURE__ */ gcm("TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", 0xc02c, "ECDHE", "ECDSA", 32);
export const TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384 = /* @__PURE__ */ gcm("TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", 0xc030, "ECDHE", "RSA", 32);
export const TLS_RSA_WITH_AES_128_GCM_SHA256 = /* @__PURE__ */ gcm("TLS_RSA_WITH_AES_128_GCM_SHA256", 0x009c, "RSA", "RSA", 16);
export const TLS_RSA_WITH_AES_256_GCM_SHA384 = /* @__PURE__ */ gcm("TLS_RSA_WITH_AES_256_GCM_SHA384", 0x009d, "RSA", "RSA", 32);
