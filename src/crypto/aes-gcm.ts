import { ctr } from "@noble/ciphers/aes.js";
import { AEAD_NONCE_LENGTH, AEAD_TAG_LENGTH, type Aead, type AeadFactory } from "./aead.js";

// GCM (NIST SP 800-38D) composed from noble's AES-CTR and our own GHASH. Why not noble's gcm(): it rebuilds its
// GHASH tables (hundreds of small objects) for every message, which dominated the cost of the short records of a
// handshake. Here the per-key work (H and a 16-entry table, 256 bytes) is done once in the factory.
//
// Field elements are 4 big-endian 32-bit words; GCM numbers bits from the most significant bit of byte 0
// (coefficient of x^0), so multiplying by x is a right shift of the 128-bit string.

const BLOCK = 16;

/** REDUCE4[n]: what the 4 bits n shifted out of the low end by a multiply by x^4 fold back into word 0. */
const REDUCE4 = ((): Uint32Array => {
  const r = new Uint32Array(16);
  for (let n = 0; n < 16; n++) {
    // Bit value 8 was the coefficient of x^124 (becomes x^128 = x^7 + x^2 + x + 1 = 0xE1 in byte 0), 1 was x^127.
    let v = 0;
    for (let t = 0; t < 4; t++) if (n & (8 >> t)) v ^= 0xe1000000 >>> t;
    r[n] = v;
  }
  return r;
})();

/** Table of nibble · H (4 words per entry) for Shoup's 4-bit method; a nibble's top bit is the x^0 coefficient. */
function ghashTable(h: Uint8Array): Uint32Array {
  const m = new Uint32Array(16 * 4);
  let v0 = word(h, 0);
  let v1 = word(h, 4);
  let v2 = word(h, 8);
  let v3 = word(h, 12);
  for (let bit = 8; bit >= 1; bit >>= 1) {
    m[bit * 4] = v0;
    m[bit * 4 + 1] = v1;
    m[bit * 4 + 2] = v2;
    m[bit * 4 + 3] = v3;
    // V = V·x
    const carry = v3 & 1;
    v3 = (v3 >>> 1) | (v2 << 31);
    v2 = (v2 >>> 1) | (v1 << 31);
    v1 = (v1 >>> 1) | (v0 << 31);
    v0 = (v0 >>> 1) ^ (carry ? 0xe1000000 : 0);
  }
  for (let n = 1; n < 16; n++) {
    const low = n & -n;
    if (low === n) continue;
    for (let w = 0; w < 4; w++) m[n * 4 + w] = m[(n ^ low) * 4 + w] ^ m[low * 4 + w];
  }
  return m;
}

function word(b: Uint8Array, i: number): number {
  return ((b[i] << 24) | (b[i + 1] << 16) | (b[i + 2] << 8) | b[i + 3]) >>> 0;
}

/** GHASH_H(aad zero-padded || data zero-padded || [len(aad)]64 || [len(data)]64), xored with `mask`. */
function ghashTag(m: Uint32Array, aad: Uint8Array, data: Uint8Array, mask: Uint8Array): Uint8Array {
  const y = new Int32Array(4);
  absorb(m, y, aad);
  absorb(m, y, data);
  const lengths = new Uint8Array(BLOCK);
  putBitLength(lengths, 0, aad.length);
  putBitLength(lengths, 8, data.length);
  absorb(m, y, lengths);
  const tag = new Uint8Array(BLOCK);
  for (let w = 0; w < 4; w++) {
    for (let b = 0; b < 4; b++) tag[w * 4 + b] = ((y[w] >>> (24 - 8 * b)) & 0xff) ^ mask[w * 4 + b];
  }
  return tag;
}

function putBitLength(out: Uint8Array, at: number, bytes: number): void {
  const hi = Math.floor(bytes / 0x20000000);
  const lo = (bytes * 8) >>> 0;
  for (let i = 0; i < 4; i++) {
    out[at + i] = (hi >>> (24 - 8 * i)) & 0xff;
    out[at + 4 + i] = (lo >>> (24 - 8 * i)) & 0xff;
  }
}

/** Y = (Y ^ block) · H for each 16-byte block of `data`, the last one zero-padded. */
function absorb(m: Uint32Array, y: Int32Array, data: Uint8Array): void {
  let y0 = y[0];
  let y1 = y[1];
  let y2 = y[2];
  let y3 = y[3];
  const full = data.length - (data.length % BLOCK);
  let tail: Uint8Array | null = null;
  for (let off = 0; off < data.length; off += BLOCK) {
    let src = data;
    let at = off;
    if (off >= full) {
      tail = new Uint8Array(BLOCK);
      tail.set(data.subarray(off));
      src = tail;
      at = 0;
    }
    y0 ^= (src[at] << 24) | (src[at + 1] << 16) | (src[at + 2] << 8) | src[at + 3];
    y1 ^= (src[at + 4] << 24) | (src[at + 5] << 16) | (src[at + 6] << 8) | src[at + 7];
    y2 ^= (src[at + 8] << 24) | (src[at + 9] << 16) | (src[at + 10] << 8) | src[at + 11];
    y3 ^= (src[at + 12] << 24) | (src[at + 13] << 16) | (src[at + 14] << 8) | src[at + 15];
    // Horner over the 32 nibbles, last nibble (x^124..x^127) first: Z = Z·x^4 ^ nibble·H.
    let z0 = 0;
    let z1 = 0;
    let z2 = 0;
    let z3 = 0;
    for (let w = 3; w >= 0; w--) {
      const v = w === 3 ? y3 : w === 2 ? y2 : w === 1 ? y1 : y0;
      for (let shift = 0; shift < 32; shift += 4) {
        const out = z3 & 15;
        z3 = (z3 >>> 4) | (z2 << 28);
        z2 = (z2 >>> 4) | (z1 << 28);
        z1 = (z1 >>> 4) | (z0 << 28);
        z0 = (z0 >>> 4) ^ REDUCE4[out];
        const e = ((v >>> shift) & 15) << 2;
        z0 ^= m[e];
        z1 ^= m[e + 1];
        z2 ^= m[e + 2];
        z3 ^= m[e + 3];
      }
    }
    y0 = z0;
    y1 = z1;
    y2 = z2;
    y3 = z3;
  }
  y[0] = y0;
  y[1] = y1;
  y[2] = y2;
  y[3] = y3;
  if (tail) tail.fill(0);
}

/** J0 = nonce || 0x00000001 (96-bit nonces); counter block `n` adds n - 1. Only the low byte ever changes here. */
function counterBlock(nonce: Uint8Array, n: number): Uint8Array {
  const block = new Uint8Array(BLOCK);
  block.set(nonce);
  block[15] = n;
  return block;
}

function equalTags(a: Uint8Array, b: Uint8Array): boolean {
  let diff = 0;
  for (let i = 0; i < BLOCK; i++) diff |= a[i] ^ b[i];
  return diff === 0;
}

/** AES-128-GCM or AES-256-GCM (key length picks which), 12-byte nonce, 16-byte tag. */
export const aesGcm: AeadFactory = (key: Uint8Array): Aead => {
  if (key.length !== 16 && key.length !== 32) throw new RangeError("AES-GCM key must be 16 or 32 bytes");
  const k = key.slice();
  const h = ctr(k, new Uint8Array(BLOCK)).encrypt(new Uint8Array(BLOCK)); // H = E_K(0^128)
  const table = ghashTable(h);
  h.fill(0);
  /** E_K(J0), the tag mask. */
  const tagMask = (nonce: Uint8Array): Uint8Array => ctr(k, counterBlock(nonce, 1)).encrypt(new Uint8Array(BLOCK));
  return {
    keyLength: k.length,
    seal(nonce, plaintext, aad) {
      if (nonce.length !== AEAD_NONCE_LENGTH) throw new RangeError("AES-GCM nonce must be 12 bytes");
      const sealed = new Uint8Array(plaintext.length + AEAD_TAG_LENGTH);
      const ciphertext = sealed.subarray(0, plaintext.length);
      // Payload counters run from inc32(J0) = 2; 12-byte nonces leave room for 2^32 - 2 blocks, far above a
      // record, so noble's full-width counter increment never carries out of the low 32 bits.
      if (plaintext.length > 0) ctr(k, counterBlock(nonce, 2)).encrypt(plaintext, ciphertext);
      sealed.set(ghashTag(table, aad, ciphertext, tagMask(nonce)), plaintext.length);
      return sealed;
    },
    open(nonce, sealed, aad) {
      if (nonce.length !== AEAD_NONCE_LENGTH || sealed.length < AEAD_TAG_LENGTH) return null;
      const ciphertext = sealed.subarray(0, sealed.length - AEAD_TAG_LENGTH);
      // Authenticate before decrypting, so no unauthenticated plaintext is ever produced.
      if (!equalTags(ghashTag(table, aad, ciphertext, tagMask(nonce)), sealed.subarray(ciphertext.length))) return null;
      return ciphertext.length > 0 ? ctr(k, counterBlock(nonce, 2)).decrypt(ciphertext) : new Uint8Array(0);
    },
  };
};
