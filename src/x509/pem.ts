import { malformedDer } from "./der.js";

// PEM by hand: embedded engines have no base64 codec, and bundles mix comments, other blocks and CRLF.

const B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const B64_VALUE = new Int16Array(128).fill(-1);
for (let i = 0; i < B64.length; i++) B64_VALUE[B64.charCodeAt(i)] = i;

/** Strict base64 (whitespace ignored, '=' padding only at the end). Throws TlsError DECODE_ERROR. */
export function decodeBase64(text: string): Uint8Array {
  const clean = text.replace(/[\s]+/g, "");
  if (clean.length % 4 !== 0) throw malformedDer("PEM base64");
  const pad = clean.endsWith("==") ? 2 : clean.endsWith("=") ? 1 : 0;
  const out = new Uint8Array((clean.length / 4) * 3 - pad);
  let o = 0;
  for (let i = 0; i < clean.length; i += 4) {
    let acc = 0;
    for (let j = 0; j < 4; j++) {
      const c = clean.charCodeAt(i + j);
      let v: number;
      if (c === 61 /* = */ && i + 4 === clean.length && j >= 4 - pad) v = 0;
      else {
        v = c < 128 ? B64_VALUE[c] : -1;
        if (v < 0) throw malformedDer("PEM base64");
      }
      acc = (acc << 6) | v;
    }
    if (o < out.length) out[o++] = (acc >>> 16) & 0xff;
    if (o < out.length) out[o++] = (acc >>> 8) & 0xff;
    if (o < out.length) out[o++] = acc & 0xff;
  }
  return out;
}

const BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END ([A-Z0-9 ]+)-----/g;

/**
 * Every PEM block with the given label, in order. Text outside blocks (comments, "Bag Attributes",
 * "subject=" lines) and blocks with other labels are ignored. Headers inside a block (RFC 1421
 * "Proc-Type:" style) are rejected as malformed rather than guessed at.
 */
export function parsePem(text: string, label = "CERTIFICATE"): Uint8Array[] {
  if (typeof text !== "string") throw malformedDer("PEM text");
  const out: Uint8Array[] = [];
  BLOCK.lastIndex = 0;
  for (let m = BLOCK.exec(text); m !== null; m = BLOCK.exec(text)) {
    if (m[1] !== label) continue;
    if (m[3] !== label) throw malformedDer("PEM block (BEGIN/END labels differ)");
    out.push(decodeBase64(m[2]));
  }
  return out;
}
