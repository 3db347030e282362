import { asciiBytes, concatBytes } from "../bytes.js";
import { hmac } from "./hash.js";

/**
 * TLS 1.2 PRF (RFC 5246 §5): P_hash(secret, label || seed) truncated to `length`.
 *   A(0) = seed', A(i) = HMAC(secret, A(i-1)), output = HMAC(secret, A(1) || seed') || HMAC(secret, A(2) || seed') ...
 */
export function prf(hash: "sha256" | "sha384", secret: Uint8Array, label: string, seed: Uint8Array, length: number): Uint8Array {
  const labelSeed = concatBytes(asciiBytes(label), seed);
  const out = new Uint8Array(length);
  let a = labelSeed;
  let filled = 0;
  while (filled < length) {
    a = hmac(hash, secret, a);
    const block = hmac(hash, secret, concatBytes(a, labelSeed));
    const take = Math.min(block.length, length - filled);
    out.set(block.subarray(0, take), filled);
    filled += take;
  }
  return out;
}
