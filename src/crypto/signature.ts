import { ed25519 } from "@noble/curves/ed25519.js";
import { ecdsaVerify, type EcCurve } from "./ecdsa.js";
import type { HashName } from "./hash.js";
import { rsaPkcs1Verify, rsaPssVerify, type RsaPublicKey } from "./rsa.js";

export type PublicKey =
  | { type: "ec"; curve: EcCurve; point: Uint8Array }
  | ({ type: "rsa" } & RsaPublicKey)
  | { type: "ed25519"; key: Uint8Array }
  | { type: "unsupported"; algorithm: string };

export type SignatureAlgorithm =
  | { kind: "ecdsa"; hash: HashName }
  | { kind: "rsa-pkcs1"; hash: HashName }
  | { kind: "rsa-pss"; hash: HashName; saltLength?: number }
  | { kind: "ed25519" };

/**
 * The one signature check used by certificate verification and by the handshake (ServerKeyExchange).
 * False when the key type does not match the algorithm, on any malformed input, and on a bad signature.
 */
export function verifySignature(key: PublicKey, alg: SignatureAlgorithm, message: Uint8Array, signature: Uint8Array): boolean {
  try {
    switch (alg.kind) {
      case "ecdsa":
        return key.type === "ec" && ecdsaVerify(key.curve, key.point, alg.hash, message, signature);
      case "rsa-pkcs1":
        return key.type === "rsa" && rsaPkcs1Verify(key, alg.hash, message, signature);
      case "rsa-pss":
        return key.type === "rsa" && rsaPssVerify(key, alg.hash, message, signature, alg.saltLength);
      case "ed25519":
        // zip215: false = strict RFC 8032 verification, as X.509 and TLS expect.
        return key.type === "ed25519" && ed25519.verify(signature, message, key.key, { zip215: false });
      default:
        return false;
    }
  } catch {
    return false;
  }
}
