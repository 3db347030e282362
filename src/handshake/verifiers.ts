import type { EcCurve } from "../crypto/ecdsa.js";
import type { HashName } from "../crypto/hash.js";
import type { RsaPublicKey } from "../crypto/rsa.js";
import type { PublicKey, SignatureAlgorithm } from "../crypto/signature.js";

/** Checks a signature made by the server's key (the ServerKeyExchange); false on mismatch, never throws. */
export type SignatureVerifier = (key: PublicKey, algorithm: SignatureAlgorithm, message: Uint8Array, signature: Uint8Array) => boolean;

/** The per-algorithm checks a build wants: pass ecdsaVerify, rsaPkcs1Verify, rsaPssVerify (from microtls/core) as needed. */
export interface Verifiers {
  ecdsa?: (curve: EcCurve, publicKey: Uint8Array, hash: HashName, message: Uint8Array, derSignature: Uint8Array) => boolean;
  rsaPkcs1?: (key: RsaPublicKey, hash: HashName, message: Uint8Array, signature: Uint8Array) => boolean;
  rsaPss?: (key: RsaPublicKey, hash: HashName, message: Uint8Array, signature: Uint8Array, saltLength?: number) => boolean;
  ed25519?: (publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array) => boolean;
}

/**
 * A ServerKeyExchange verifier made of only the algorithms given, so a bundle carries no others (the `microtls`
 * entry uses the dispatcher that knows them all). Anything not given, or a throwing check, is a failed signature.
 */
export function signatureVerifier(v: Verifiers): SignatureVerifier {
  return (key, alg, message, signature) => {
    try {
      switch (alg.kind) {
        case "ecdsa":
          return !!v.ecdsa && key.type === "ec" && v.ecdsa(key.curve, key.point, alg.hash, message, signature);
        case "rsa-pkcs1":
          return !!v.rsaPkcs1 && key.type === "rsa" && v.rsaPkcs1(key, alg.hash, message, signature);
        case "rsa-pss":
          return !!v.rsaPss && key.type === "rsa" && v.rsaPss(key, alg.hash, message, signature, alg.saltLength);
        case "ed25519":
          return !!v.ed25519 && key.type === "ed25519" && v.ed25519(key.key, message, signature);
        default:
          return false;
      }
    } catch {
      return false;
    }
  };
}
