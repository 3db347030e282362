import { ed25519 } from "@noble/curves/ed25519.js";
import { aesGcm } from "./aes-gcm.js";
import { chacha20Poly1305 } from "./chacha20-poly1305.js";
import { ecdsaVerify } from "./ecdsa.js";
import { createHash, hmac } from "./hash.js";
import { p256Group, p384Group } from "./nist-ecdh.js";
import { prf } from "./prf.js";
import type { CryptoProvider } from "./provider.js";
import { rsaPkcs1Encrypt, rsaPkcs1Verify, rsaPssVerify } from "./rsa.js";
import { x25519Group } from "./x25519.js";

// The default provider: noble for hashes, AEADs and curves, our BigInt RSA. The `microtls` entry layers it under
// whatever `crypto` the application passes; microtls/core imports it only if the application does.

/** SHA-256 and SHA-384 (incremental, HMAC, PRF) and SHA-512 for signatures: what every suite needs. */
export const nobleHashes: CryptoProvider = {
  name: "noble-hashes",
  hash: { sha256: () => createHash("sha256"), sha384: () => createHash("sha384"), sha512: () => createHash("sha512") },
  hmac: {
    sha256: (key, data) => hmac("sha256", key, data),
    sha384: (key, data) => hmac("sha384", key, data),
    sha512: (key, data) => hmac("sha512", key, data),
  },
  prf: {
    sha256: (secret, label, seed, length) => prf("sha256", secret, label, seed, length),
    sha384: (secret, label, seed, length) => prf("sha384", secret, label, seed, length),
  },
};

/** Everything microtls uses, in pure JavaScript. */
export const nobleProvider: CryptoProvider = {
  name: "noble",
  hash: nobleHashes.hash,
  hmac: nobleHashes.hmac,
  prf: nobleHashes.prf,
  aead: { "aes-128-gcm": aesGcm, "aes-256-gcm": aesGcm, "chacha20-poly1305": chacha20Poly1305 },
  ecdh: { x25519: x25519Group, secp256r1: p256Group, secp384r1: p384Group },
  verify: {
    ecdsa: ecdsaVerify,
    rsaPkcs1: rsaPkcs1Verify,
    rsaPss: rsaPssVerify,
    // zip215: false = strict RFC 8032 verification, as X.509 and TLS expect.
    ed25519: (key, message, signature) => ed25519.verify(signature, message, key, { zip215: false }),
  },
  rsaEncrypt: rsaPkcs1Encrypt,
};
