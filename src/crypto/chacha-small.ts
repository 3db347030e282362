// ChaCha20-Poly1305 (RFC 8439) in as little code as we can write it, for the device bundle only: there it replaces
// @noble/ciphers/chacha.js (scripts/build-engine-bundle.mjs) with the same call shape, `chacha20poly1305(key, nonce,
// aad)` with encrypt/decrypt, so src/crypto/chacha20-poly1305.ts works over either, and the bundle carries no
// @noble/ciphers (11 KB of script, and QuickJS needs about ten times a script's size to compile it). Poly1305 on
// BigInts: slower than noble's 16-bit limbs, fine for a device's few KB a second. The full `microtls` entry keeps noble.

function rotl(x: number, n: number): number {
  return (x << n) | (x >>> (32 - n));
}

/** One ChaCha20 block (RFC 8439 §2.3) for this key, counter and nonce, as 64 bytes. */
function block(key: Uint8Array, counter: number, nonce: Uint8Array, out: Uint8Array): void {
  const dv = (b: Uint8Array, i: number) => b[i] | (b[i + 1] << 8) | (b[i + 2] << 16) | (b[i + 3] << 24);
  const s = new Uint32Array(16);
  s[0] = 0x61707865; // "expand 32-byte k"
  s[1] = 0x3320646e;
  s[2] = 0x79622d32;
  s[3] = 0x6b206574;
  for (let i = 0; i < 8; i++) s[4 + i] = dv(key, 4 * i);
  s[12] = counter;
  for (let i = 0; i < 3; i++) s[13 + i] = dv(nonce, 4 * i);
  const x = s.slice();
  const qr = (a: number, b: number, c: number, d: number) => {
    x[a] += x[b];
    x[d] = rotl(x[d] ^ x[a], 16);
    x[c] += x[d];
    x[b] = rotl(x[b] ^ x[c], 12);
    x[a] += x[b];
    x[d] = rotl(x[d] ^ x[a], 8);
    x[c] += x[d];
    x[b] = rotl(x[b] ^ x[c], 7);
  };
  for (let i = 0; i < 10; i++) {
    qr(0, 4, 8, 12);
    qr(1, 5, 9, 13);
    qr(2, 6, 10, 14);
    qr(3, 7, 11, 15);
    qr(0, 5, 10, 15);
    qr(1, 6, 11, 12);
    qr(2, 7, 8, 13);
    qr(3, 4, 9, 14);
  }
  for (let i = 0; i < 16; i++) {
    const v = (x[i] + s[i]) >>> 0;
    out[4 * i] = v;
    out[4 * i + 1] = v >>> 8;
    out[4 * i + 2] = v >>> 16;
    out[4 * i + 3] = v >>> 24;
  }
}

/** data XOR the ChaCha20 keystream from block `counter` on. */
function xor(key: Uint8Array, nonce: Uint8Array, counter: number, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(data.length);
  const ks = new Uint8Array(64);
  for (let off = 0; off < data.length; off += 64, counter++) {
    block(key, counter, nonce, ks);
    const end = Math.min(64, data.length - off);
    for (let i = 0; i < end; i++) out[off + i] = data[off + i] ^ ks[i];
  }
  return out;
}

function le(b: Uint8Array): bigint {
  let n = BigInt(0);
  for (let i = b.length - 1; i >= 0; i--) n = (n << BigInt(8)) | BigInt(b[i]);
  return n;
}

const P1305 = (BigInt(1) << BigInt(130)) - BigInt(5);

/** Poly1305 (RFC 8439 §2.5) over the AEAD's MAC input (§2.8): aad, padding, ciphertext, padding, both lengths. */
function tag(otk: Uint8Array, aad: Uint8Array, ct: Uint8Array): Uint8Array {
  const r = le(otk.subarray(0, 16)) & BigInt("0x0ffffffc0ffffffc0ffffffc0fffffff");
  const s = le(otk.subarray(16, 32));
  let acc = BigInt(0);
  const feed = (data: Uint8Array) => {
    // Each 16-byte block (zero-padded, as the AEAD pads every part) gets the 2^128 bit.
    for (let off = 0; off < data.length; off += 16) {
      const b = new Uint8Array(17);
      b.set(data.subarray(off, off + 16));
      b[16] = 1;
      acc = ((acc + le(b)) * r) % P1305;
    }
  };
  feed(aad);
  feed(ct);
  const lens = new Uint8Array(16);
  for (let i = 0; i < 6; i++) {
    lens[i] = Math.floor(aad.length / 2 ** (8 * i)) & 0xff;
    lens[8 + i] = Math.floor(ct.length / 2 ** (8 * i)) & 0xff;
  }
  feed(lens);
  let t = (acc + s) & ((BigInt(1) << BigInt(128)) - BigInt(1));
  const out = new Uint8Array(16);
  for (let i = 0; i < 16; i++, t >>= BigInt(8)) out[i] = Number(t & BigInt(255));
  return out;
}

/** ChaCha20-Poly1305 with a 32-byte key and 12-byte nonce; decrypt throws on a bad tag, like noble's. */
export function chacha20poly1305(key: Uint8Array, nonce: Uint8Array, aad: Uint8Array = new Uint8Array(0)) {
  if (key.length !== 32 || nonce.length !== 12) throw new RangeError("ChaCha20-Poly1305 needs a 32-byte key and a 12-byte nonce");
  const otk = new Uint8Array(64);
  block(key, 0, nonce, otk);
  return {
    encrypt(plaintext: Uint8Array): Uint8Array {
      const ct = xor(key, nonce, 1, plaintext);
      const out = new Uint8Array(ct.length + 16);
      out.set(ct);
      out.set(tag(otk, aad, ct), ct.length);
      return out;
    },
    decrypt(sealed: Uint8Array): Uint8Array {
      if (sealed.length < 16) throw new Error("ChaCha20-Poly1305: ciphertext shorter than the tag");
      const ct = sealed.subarray(0, sealed.length - 16);
      const t = tag(otk, aad, ct);
      let diff = 0;
      for (let i = 0; i < 16; i++) diff |= t[i] ^ sealed[ct.length + i];
      if (diff !== 0) throw new Error("ChaCha20-Poly1305: bad tag");
      return xor(key, nonce, 1, ct);
    },
  };
}
