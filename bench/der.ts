// Just enough DER for the bench's set-up: split a certificate into the signed bytes and the signature.
// (Bench-side only; the client has its own parser in src/x509.)

function readTlv(b: Uint8Array, at: number): { tag: number; start: number; end: number; next: number } {
  const tag = b[at];
  let len = b[at + 1];
  let start = at + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + b[at + 2 + i];
    start += n;
  }
  return { tag, start, end: start + len, next: start + len };
}

export interface SignedParts {
  tbs: Uint8Array;
  signature: Uint8Array;
}

/** Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm, signatureValue BIT STRING }. */
export function splitCertificate(der: Uint8Array): SignedParts {
  const outer = readTlv(der, 0);
  const tbs = readTlv(der, outer.start);
  const alg = readTlv(der, tbs.next);
  const sig = readTlv(der, alg.next);
  if (outer.tag !== 0x30 || tbs.tag !== 0x30 || sig.tag !== 0x03) throw new Error("not a certificate");
  return { tbs: der.subarray(outer.start, tbs.end), signature: der.subarray(sig.start + 1, sig.end) };
}
