// AES-GCM (FIPS 197, SP 800-38D) in the least memory we know how to write it, for the device bundle only: there it
// replaces @noble/ciphers/aes.js (scripts/build-engine-bundle.mjs), whose tables take 896 KiB of QuickJS heap to load
// (two 128 KiB sbox2 tables and eight T-tables, built eagerly, and noble has no option to skip them). Here: a 256-byte
// S-box and one 1 KiB round table, built on first use, and a bit-serial GHASH with no per-key table.
// Same call shape as noble's `gcm(key, nonce, aad)`, so src/crypto/aes-gcm.ts works over either.
// Slower than noble for bulk data (GHASH takes 128 steps a block); the full `microtls` entry keeps noble's.

let SBOX: Uint8Array | null = null;
let T0: Uint32Array | null = null;

function tables(): void {
  const s = new Uint8Array(256);
  // Walks the multiplicative group by 3 (p) and its inverse (q), then applies the affine map (FIPS 197 §5.1.1).
  let p = 1;
  let q = 1;
  do {
    p = (p ^ (p << 1) ^ (p & 0x80 ? 0x1b : 0)) & 0xff;
    q ^= q << 1;
    q ^= q << 2;
    q ^= q << 4;
    q &= 0xff;
    if (q & 0x80) q ^= 0x09;
    const r = (x: number, n: number) => ((x << n) | (x >>> (8 - n))) & 0xff;
    s[p] = q ^ r(q, 1) ^ r(q, 2) ^ r(q, 3) ^ r(q, 4) ^ 0x63;
  } while (p !== 1);
  s[0] = 0x63;
  const t = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    const x = s[i];
    const x2 = ((x << 1) ^ (x & 0x80 ? 0x1b : 0)) & 0xff;
    t[i] = ((x2 << 24) | (x << 16) | (x << 8) | (x2 ^ x)) >>> 0; // MixColumns column [2, 1, 1, 3]·S[x]
  }
  SBOX = s;
  T0 = t;
}

const ror8 = (x: number) => (x >>> 8) | (x << 24);

function subWord(w: number, S: Uint8Array): number {
  return (S[w >>> 24] << 24) | (S[(w >>> 16) & 0xff] << 16) | (S[(w >>> 8) & 0xff] << 8) | S[w & 0xff];
}

/** The round keys, big-endian words. */
function expandKey(key: Uint8Array): Uint32Array {
  if (!SBOX) tables();
  const S = SBOX!;
  const nk = key.length >>> 2;
  if (key.length !== 16 && key.length !== 24 && key.length !== 32) throw new RangeError("AES key must be 16, 24 or 32 bytes");
  const w = new Uint32Array(4 * (nk + 7));
  for (let i = 0; i < nk; i++) w[i] = (key[4 * i] << 24) | (key[4 * i + 1] << 16) | (key[4 * i + 2] << 8) | key[4 * i + 3];
  let rcon = 1;
  for (let i = nk; i < w.length; i++) {
    let t = w[i - 1];
    if (i % nk === 0) {
      t = subWord((t << 8) | (t >>> 24), S) ^ (rcon << 24);
      rcon = ((rcon << 1) ^ (rcon & 0x80 ? 0x1b : 0)) & 0xff;
    } else if (nk > 6 && i % nk === 4) t = subWord(t, S);
    w[i] = w[i - nk] ^ t;
  }
  return w;
}

/** Encrypts the block in `b` (4 big-endian words) in place. */
function encryptBlock(w: Uint32Array, b: Uint32Array): void {
  const S = SBOX!;
  const T = T0!;
  const rounds = (w.length >>> 2) - 1;
  let s0 = b[0] ^ w[0];
  let s1 = b[1] ^ w[1];
  let s2 = b[2] ^ w[2];
  let s3 = b[3] ^ w[3];
  let k = 4;
  for (let r = 1; r < rounds; r++) {
    // T1..T3 are T0 rotated by 8, 16, 24 bits.
    const t0 = T[s0 >>> 24] ^ ror8(T[(s1 >>> 16) & 0xff] ^ ror8(T[(s2 >>> 8) & 0xff] ^ ror8(T[s3 & 0xff]))) ^ w[k];
    const t1 = T[s1 >>> 24] ^ ror8(T[(s2 >>> 16) & 0xff] ^ ror8(T[(s3 >>> 8) & 0xff] ^ ror8(T[s0 & 0xff]))) ^ w[k + 1];
    const t2 = T[s2 >>> 24] ^ ror8(T[(s3 >>> 16) & 0xff] ^ ror8(T[(s0 >>> 8) & 0xff] ^ ror8(T[s1 & 0xff]))) ^ w[k + 2];
    const t3 = T[s3 >>> 24] ^ ror8(T[(s0 >>> 16) & 0xff] ^ ror8(T[(s1 >>> 8) & 0xff] ^ ror8(T[s2 & 0xff]))) ^ w[k + 3];
    s0 = t0;
    s1 = t1;
    s2 = t2;
    s3 = t3;
    k += 4;
  }
  const last = (a: number, b2: number, c: number, d: number) => (S[a >>> 24] << 24) | (S[(b2 >>> 16) & 0xff] << 16) | (S[(c >>> 8) & 0xff] << 8) | S[d & 0xff];
  b[0] = last(s0, s1, s2, s3) ^ w[k];
  b[1] = last(s1, s2, s3, s0) ^ w[k + 1];
  b[2] = last(s2, s3, s0, s1) ^ w[k + 2];
  b[3] = last(s3, s0, s1, s2) ^ w[k + 3];
}

/** GHASH state: y = (y ^ block) · H in GF(2^128), bit-reflected as SP 800-38D Algorithm 1, without table lookups. */
function ghashBlock(y: Uint32Array, h: Uint32Array, x: Uint32Array): void {
  const x0 = y[0] ^ x[0];
  const x1 = y[1] ^ x[1];
  const x2 = y[2] ^ x[2];
  const x3 = y[3] ^ x[3];
  let z0 = 0, z1 = 0, z2 = 0, z3 = 0;
  let v0 = h[0], v1 = h[1], v2 = h[2], v3 = h[3];
  for (let i = 0; i < 128; i++) {
    const word = i < 32 ? x0 : i < 64 ? x1 : i < 96 ? x2 : x3;
    const m = -((word >>> (31 - (i & 31))) & 1);
    z0 ^= v0 & m;
    z1 ^= v1 & m;
    z2 ^= v2 & m;
    z3 ^= v3 & m;
    const lsb = -(v3 & 1);
    v3 = (v3 >>> 1) | (v2 << 31);
    v2 = (v2 >>> 1) | (v1 << 31);
    v1 = (v1 >>> 1) | (v0 << 31);
    v0 = (v0 >>> 1) ^ (0xe1000000 & lsb);
  }
  y[0] = z0;
  y[1] = z1;
  y[2] = z2;
  y[3] = z3;
}

function readBlock(src: Uint8Array, off: number, out: Uint32Array): void {
  for (let i = 0; i < 4; i++) {
    let v = 0;
    for (let j = 0; j < 4; j++) {
      const p = off + 4 * i + j;
      v = (v << 8) | (p < src.length ? src[p] : 0);
    }
    out[i] = v;
  }
}

function ghashBytes(y: Uint32Array, h: Uint32Array, data: Uint8Array, blk: Uint32Array): void {
  for (let off = 0; off < data.length; off += 16) {
    readBlock(data, off, blk); // the last partial block is zero-padded
    ghashBlock(y, h, blk);
  }
}

function tagOf(w: Uint32Array, h: Uint32Array, j0: Uint32Array, aad: Uint8Array, ct: Uint8Array): Uint8Array {
  const y = new Uint32Array(4);
  const blk = new Uint32Array(4);
  ghashBytes(y, h, aad, blk);
  ghashBytes(y, h, ct, blk);
  // len(A) || len(C) in bits, 64 bits each (lengths here stay far below 2^32 bytes).
  blk[0] = Math.floor(aad.length / 0x20000000);
  blk[1] = (aad.length << 3) >>> 0;
  blk[2] = Math.floor(ct.length / 0x20000000);
  blk[3] = (ct.length << 3) >>> 0;
  ghashBlock(y, h, blk);
  const e = j0.slice();
  encryptBlock(w, e);
  const tag = new Uint8Array(16);
  for (let i = 0; i < 16; i++) tag[i] = ((y[i >>> 2] ^ e[i >>> 2]) >>> (24 - 8 * (i & 3))) & 0xff;
  return tag;
}

/** CTR from inc32(J0): out = data ^ keystream. */
function ctr(w: Uint32Array, j0: Uint32Array, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(data.length);
  const c = j0.slice();
  const ks = new Uint32Array(4);
  for (let off = 0; off < data.length; off += 16) {
    c[3] = (c[3] + 1) >>> 0;
    ks.set(c);
    encryptBlock(w, ks);
    const end = Math.min(16, data.length - off);
    for (let i = 0; i < end; i++) out[off + i] = data[off + i] ^ ((ks[i >>> 2] >>> (24 - 8 * (i & 3))) & 0xff);
  }
  return out;
}

/** AES-GCM with a 12-byte nonce and a 16-byte tag; decrypt throws on a bad tag, like noble's. */
export function gcm(key: Uint8Array, nonce: Uint8Array, aad: Uint8Array = new Uint8Array(0)) {
  if (nonce.length !== 12) throw new RangeError("AES-GCM nonce must be 12 bytes");
  const w = expandKey(key);
  const h = new Uint32Array(4);
  encryptBlock(w, h);
  const j0 = new Uint32Array(4);
  readBlock(nonce, 0, j0);
  j0[3] = 1;
  return {
    encrypt(plaintext: Uint8Array): Uint8Array {
      const ct = ctr(w, j0, plaintext);
      const out = new Uint8Array(ct.length + 16);
      out.set(ct);
      out.set(tagOf(w, h, j0, aad, ct), ct.length);
      return out;
    },
    decrypt(sealed: Uint8Array): Uint8Array {
      if (sealed.length < 16) throw new Error("AES-GCM: ciphertext shorter than the tag");
      const ct = sealed.subarray(0, sealed.length - 16);
      const tag = tagOf(w, h, j0, aad, ct);
      let diff = 0;
      for (let i = 0; i < 16; i++) diff |= tag[i] ^ sealed[ct.length + i];
      if (diff !== 0) throw new Error("AES-GCM: bad tag");
      return ctr(w, j0, ct);
    },
  };
}
