// SHA-256, SHA-384/512, HMAC and the TLS PRF in as little code as we can write them, for the device bundle only:
// there it stands in for hash.ts and prf.ts (scripts/build-engine-bundle.mjs), with the same exports, so the bundle
// carries no @noble/hashes. The round constants are computed on first use, exactly, from the primes (FIPS 180-4
// §4.2: the fractional bits of their cube and square roots), instead of 2 KB of hex. SHA-256 works on 32-bit
// numbers; SHA-384/512 on BigInts (slow, but the device hashes only a P-384 certificate's TBS with it).
// Checked by the same tests as noble's (test/device-hash.test.ts). The full `microtls` entry keeps noble.
import { asciiBytes } from "../bytes.js";

export type HashName = "sha256" | "sha384" | "sha512";

/** Incremental hash; clone() lets the handshake transcript peek at a digest and keep going. */
export interface HashState {
  update(data: Uint8Array): HashState;
  digest(): Uint8Array;
  clone(): HashState;
}

const M64 = (BigInt(1) << BigInt(64)) - BigInt(1);
let K64: bigint[] | null = null;
let K32: Uint32Array | null = null;
let IV: { sha256: Uint32Array; sha384: bigint[]; sha512: bigint[] } | null = null;

/** floor(x^(1/k)) by Newton's method from above. */
function iroot(x: bigint, k: number): bigint {
  const K = BigInt(k);
  let r = BigInt(1) << BigInt(Math.ceil(x.toString(2).length / k) + 1);
  for (;;) {
    const y = ((K - BigInt(1)) * r + x / r ** (K - BigInt(1))) / K;
    if (y >= r) return r;
    r = y;
  }
}

function constants(): void {
  const primes: number[] = [];
  for (let c = 2; primes.length < 80; c++) if (primes.every((p) => c % p !== 0)) primes.push(c);
  // The first 64 fractional bits of p^(1/k): the integer root of p·2^(64k), without its integer part.
  const frac = (p: number, k: number) => iroot(BigInt(p) << BigInt(64 * k), k) & M64;
  K64 = primes.map((p) => frac(p, 3));
  K32 = Uint32Array.from(K64.slice(0, 64), (k) => Number(k >> BigInt(32)));
  const iv512 = primes.slice(0, 8).map((p) => frac(p, 2));
  IV = { sha256: Uint32Array.from(iv512, (k) => Number(k >> BigInt(32))), sha384: primes.slice(8, 16).map((p) => frac(p, 2)), sha512: iv512 };
}

const rotr = (x: number, n: number) => (x >>> n) | (x << (32 - n));

function compress256(H: Uint32Array, b: Uint8Array, W: Uint32Array): void {
  const K = K32!;
  for (let t = 0; t < 16; t++) W[t] = (b[4 * t] << 24) | (b[4 * t + 1] << 16) | (b[4 * t + 2] << 8) | b[4 * t + 3];
  for (let t = 16; t < 64; t++) {
    const x = W[t - 15];
    const y = W[t - 2];
    W[t] = (W[t - 16] + (rotr(x, 7) ^ rotr(x, 18) ^ (x >>> 3)) + W[t - 7] + (rotr(y, 17) ^ rotr(y, 19) ^ (y >>> 10))) | 0;
  }
  let [a, bb, c, d, e, f, g, h] = H;
  for (let t = 0; t < 64; t++) {
    const t1 = (h + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + K[t] + W[t]) | 0;
    const t2 = ((rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & bb) ^ (a & c) ^ (bb & c))) | 0;
    h = g;
    g = f;
    f = e;
    e = (d + t1) | 0;
    d = c;
    c = bb;
    bb = a;
    a = (t1 + t2) | 0;
  }
  const v = [a, bb, c, d, e, f, g, h];
  for (let i = 0; i < 8; i++) H[i] = (H[i] + v[i]) | 0;
}

const rotr64 = (x: bigint, n: number) => ((x >> BigInt(n)) | (x << BigInt(64 - n))) & M64;

function compress512(H: bigint[], b: Uint8Array, W: bigint[]): void {
  const K = K64!;
  for (let t = 0; t < 16; t++) {
    let w = BigInt(0);
    for (let i = 0; i < 8; i++) w = (w << BigInt(8)) | BigInt(b[8 * t + i]);
    W[t] = w;
  }
  for (let t = 16; t < 80; t++) {
    const x = W[t - 15];
    const y = W[t - 2];
    W[t] = (W[t - 16] + (rotr64(x, 1) ^ rotr64(x, 8) ^ (x >> BigInt(7))) + W[t - 7] + (rotr64(y, 19) ^ rotr64(y, 61) ^ (y >> BigInt(6)))) & M64;
  }
  let [a, bb, c, d, e, f, g, h] = H;
  for (let t = 0; t < 80; t++) {
    const t1 = (h + (rotr64(e, 14) ^ rotr64(e, 18) ^ rotr64(e, 41)) + ((e & f) ^ ((e ^ M64) & g)) + K[t] + W[t]) & M64;
    const t2 = ((rotr64(a, 28) ^ rotr64(a, 34) ^ rotr64(a, 39)) + ((a & bb) ^ (a & c) ^ (bb & c))) & M64;
    h = g;
    g = f;
    f = e;
    e = (d + t1) & M64;
    d = c;
    c = bb;
    bb = a;
    a = (t1 + t2) & M64;
  }
  const v = [a, bb, c, d, e, f, g, h];
  for (let i = 0; i < 8; i++) H[i] = (H[i] + v[i]) & M64;
}

class Sha implements HashState {
  private readonly block: number;
  private readonly buf: Uint8Array;
  private fill = 0;
  private total = 0;
  private readonly W: Uint32Array | bigint[];

  constructor(
    private readonly name: HashName,
    private readonly H: Uint32Array | bigint[],
  ) {
    this.block = name === "sha256" ? 64 : 128;
    this.buf = new Uint8Array(this.block);
    this.W = name === "sha256" ? new Uint32Array(64) : new Array<bigint>(80);
  }

  private compress(b: Uint8Array): void {
    if (this.name === "sha256") compress256(this.H as Uint32Array, b, this.W as Uint32Array);
    else compress512(this.H as bigint[], b, this.W as bigint[]);
  }

  update(data: Uint8Array): HashState {
    this.total += data.length;
    let i = 0;
    while (i < data.length) {
      const n = Math.min(this.block - this.fill, data.length - i);
      this.buf.set(data.subarray(i, i + n), this.fill);
      this.fill += n;
      i += n;
      if (this.fill === this.block) {
        this.compress(this.buf);
        this.fill = 0;
      }
    }
    return this;
  }

  digest(): Uint8Array {
    // Works on a copy, so the state can go on (the transcript digests and keeps hashing).
    const s = this.clone() as Sha;
    const lenBytes = s.block / 8;
    const bits = s.total * 8;
    const pad = new Uint8Array(((s.block - ((s.fill + 1 + lenBytes) % s.block)) % s.block) + 1 + lenBytes);
    pad[0] = 0x80;
    // Message length in bits, big-endian; 2^53 bits is plenty.
    for (let i = 0; i < 7; i++) pad[pad.length - 1 - i] = Math.floor(bits / 2 ** (8 * i)) & 0xff;
    s.update(pad);
    const outLen = s.name === "sha256" ? 32 : s.name === "sha384" ? 48 : 64;
    const out = new Uint8Array(outLen);
    if (s.name === "sha256") {
      const H = s.H as Uint32Array;
      for (let i = 0; i < 32; i++) out[i] = H[i >> 2] >>> (24 - 8 * (i & 3));
    } else {
      const H = s.H as bigint[];
      for (let i = 0; i < outLen; i++) out[i] = Number((H[i >> 3] >> BigInt(56 - 8 * (i & 7))) & BigInt(255));
    }
    return out;
  }

  clone(): HashState {
    const c = new Sha(this.name, this.H.slice());
    c.buf.set(this.buf);
    c.fill = this.fill;
    c.total = this.total;
    return c;
  }
}

export function createHash(name: HashName): HashState {
  if (!IV) constants();
  const iv = IV![name];
  if (!iv) throw new RangeError(`unknown hash ${String(name)}`);
  return new Sha(name, iv.slice());
}

export function hash(name: HashName, data: Uint8Array): Uint8Array {
  return createHash(name).update(data).digest();
}

export function hashLength(name: HashName): number {
  if (name !== "sha256" && name !== "sha384" && name !== "sha512") throw new RangeError(`unknown hash ${String(name)}`);
  return name === "sha256" ? 32 : name === "sha384" ? 48 : 64;
}

/** HMAC (RFC 2104) as two keyed states: each MAC with this key starts from copies of them. */
function keyedHmac(name: HashName, key: Uint8Array): (data: Uint8Array[]) => Uint8Array {
  const block = name === "sha256" ? 64 : 128;
  const k = new Uint8Array(block);
  k.set(key.length > block ? hash(name, key) : key);
  const inner = createHash(name).update(k.map((x) => x ^ 0x36));
  const outer = createHash(name).update(k.map((x) => x ^ 0x5c));
  return (data) => {
    const i = inner.clone();
    for (const d of data) i.update(d);
    return outer.clone().update(i.digest()).digest();
  };
}

export function hmac(name: HashName, key: Uint8Array, data: Uint8Array): Uint8Array {
  return keyedHmac(name, key)([data]);
}

/** TLS 1.2 PRF (RFC 5246 §5): P_hash(secret, label || seed) truncated to `length`. */
export function prf(name: "sha256" | "sha384", secret: Uint8Array, label: string, seed: Uint8Array, length: number): Uint8Array {
  const mac = keyedHmac(name, secret);
  const labelBytes = asciiBytes(label);
  const out = new Uint8Array(length);
  let a = mac([labelBytes, seed]);
  for (let filled = 0; filled < length; ) {
    const block = mac([a, labelBytes, seed]);
    out.set(block.subarray(0, Math.min(block.length, length - filled)), filled);
    filled += block.length;
    a = mac([a]);
  }
  return out;
}
