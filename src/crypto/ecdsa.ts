import { p256, p384 } from "@noble/curves/nist.js";
import { hash, type HashName } from "./hash.js";

export type EcCurve = "P-256" | "P-384";

function curveOf(name: EcCurve): typeof p256 | undefined {
  return name === "P-256" ? p256 : name === "P-384" ? p384 : undefined;
}

/**
 * Verifies a DER ECDSA signature over `message` hashed with `hashName`. High-S signatures are valid
 * ECDSA and TLS servers (OpenSSL and others) send them, so they are accepted. Malformed keys or
 * signatures give false, never an exception.
 */
export function ecdsaVerify(
  curve: EcCurve,
  publicKey: Uint8Array,
  hashName: HashName,
  message: Uint8Array,
  derSignature: Uint8Array,
): boolean {
  try {
    const c = curveOf(curve);
    if (!c) return false;
    const digest = hash(hashName, message);
    return c.verify(derSignature, digest, publicKey, { prehash: false, lowS: false, format: "der" });
  } catch {
    return false;
  }
}

/** Signs with RFC 6979 deterministic nonces (no random source needed); returns a low-S DER signature. */
export function ecdsaSign(curve: EcCurve, privateKey: Uint8Array, hashName: HashName, message: Uint8Array): Uint8Array {
  const c = curveOf(curve);
  if (!c) throw new RangeError(`unsupported curve ${String(curve)}`);
  const digest = hash(hashName, message);
  return c.sign(digest, privateKey, { prehash: false, lowS: true, format: "der" });
}
