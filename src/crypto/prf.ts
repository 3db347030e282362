import { sha256, sha384 } from "@noble/hashes/sha2.js";
import { hmac as nobleHmac } from "@noble/hashes/hmac.js";
import { asciiBytes } from "../bytes.js";

/**
 * TLS 1.2 PRF (RFC 5246 §5): P_hash(secret, label || seed) truncated to `length`.
 *   A(0) = label || seed, A(i) = HMAC(secret, A(i-1)),
 *   output = HMAC(secret, A(1) || label || seed) || HMAC(secret, A(2) || label || seed) ...
 */
export function prf(hash: "sha256" | "sha384", secret: Uint8Array, label: string, seed: Uint8Array, length: number): Uint8Array {
  const labelBytes = asciiBytes(label);
  // Every HMAC here uses the same key: hash the padded key blocks once, then start each HMAC from a copy
  // of that state (re-keying cost two extra compressions per HMAC, two HMACs per output block).
  const keyed = nobleHmac.create(hash === "sha384" ? sha384 : sha256, secret);
  const work = keyed.clone();
  const hashLen = keyed.outputLen;
  const a = new Uint8Array(hashLen);
  const out = new Uint8Array(length);
  let filled = 0;
  let first = true;
  while (filled < length) {
    // A(i) = HMAC(A(i-1)); A(0) = label || seed is fed in two parts instead of concatenated.
    keyed._cloneInto(work);
    if (first) work.update(labelBytes).update(seed);
    else work.update(a);
    work.digestInto(a);
    first = false;

    keyed._cloneInto(work);
    work.update(a).update(labelBytes).update(seed);
    if (length - filled >= hashLen) {
      work.digestInto(out.subarray(filled, filled + hashLen));
      filled += hashLen;
    } else {
      // The last block is cut short: digest into A's buffer (A is not needed again) and copy the head.
      work.digestInto(a);
      out.set(a.subarray(0, length - filled), filled);
      filled = length;
    }
  }
  a.fill(0);
  keyed.destroy();
  return out;
}
