import type { PublicKey, SignatureAlgorithm } from "../crypto/signature.js";
import { bytesToAscii } from "../bytes.js";
import type { Certificate } from "./certificate.js";

// A handshake re-verifies the same intermediate under the same root on every connection; a public-key
// signature check costs milliseconds on small engines. Positive results are remembered, keyed by a SHA-256
// over the signed bytes, the signature and the issuer key, so a hit is exactly the same check.
// The check and the hash are passed in (this module imports no crypto), so a build carries only the algorithms it names.
// The cache is shared by every verifier and holds only successes: a signature one correct verifier accepted is
// genuinely valid, so a verifier built without that algorithm may reuse the result; failures are never remembered.

/** A public-key signature check; false on mismatch or an algorithm it does not implement, never throws. */
/** Any collision-resistant hash (the provider's SHA-256 or SHA-384): it only names cache entries. */
export type Digest = (data: Uint8Array) => Uint8Array;

export type SignatureCheck = (key: PublicKey, algorithm: SignatureAlgorithm, message: Uint8Array, signature: Uint8Array) => boolean;

const MAX_ENTRIES = 256;
const verified = new Map<string, true>();

function keyOf(child: Certificate, issuer: Certificate, digest: Digest): string {
  const alg = child.signatureAlgorithm;
  const algText = alg ? `${alg.kind}/${"hash" in alg ? alg.hash : ""}/${alg.kind === "rsa-pss" ? String(alg.saltLength) : ""}` : "";
  const parts = [child.tbs, child.signature, issuer.spkiDer];
  let len = 0;
  for (const p of parts) len += p.length + 4;
  const buf = new Uint8Array(len);
  let off = 0;
  for (const p of parts) {
    // length-prefixed so the three fields cannot be shifted into each other
    buf[off] = p.length >>> 24;
    buf[off + 1] = (p.length >>> 16) & 255;
    buf[off + 2] = (p.length >>> 8) & 255;
    buf[off + 3] = p.length & 255;
    buf.set(p, off + 4);
    off += p.length + 4;
  }
  return algText + bytesToAscii(digest(buf));
}

/** Did `issuer`'s key sign `child`? */
export function certificateSignedBy(child: Certificate, issuer: Certificate, check: SignatureCheck, digest?: Digest): boolean {
  const alg = child.signatureAlgorithm;
  if (alg === null) return false;
  const key = digest ? keyOf(child, issuer, digest) : null;
  if (key !== null && verified.has(key)) return true;
  let ok = false;
  try {
    ok = check(issuer.publicKey, alg, child.tbs, child.signature) === true;
  } catch {
    // an application's verifier that throws has not verified anything
  }
  if (ok && key !== null) {
    if (verified.size >= MAX_ENTRIES) verified.delete(verified.keys().next().value as string);
    verified.set(key, true);
  }
  return ok;
}
