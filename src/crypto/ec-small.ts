// Elliptic curves in as little code as we can write them correctly, for the device bundle only: there it stands in
// for nist-ecdh.ts, ecdsa.ts and x25519.ts (scripts/build-engine-bundle.mjs), with the same exports, so the bundle
// carries no @noble/curves (about 35 KB of its 150 KB, and QuickJS needs about ten times a script's size to
// compile it). Plain BigInt arithmetic: Jacobian coordinates for P-256/P-384 (a = -3), RFC 7748's ladder for
// X25519, no tables. Checked against the same Wycheproof files as noble's (test/device-ec.test.ts).
// The full `microtls` entry keeps noble: faster when warm, and its ECDSA signing serves client certificates.
import { illegalPeerKey, type EcdhGroup, type GroupName } from "./ecdh.js";
import { hash, type HashName } from "./hash.js";
import { randomBytes, type RandomSource } from "./random.js";

export type EcCurve = "P-256" | "P-384";

const _0 = BigInt(0);
const _1 = BigInt(1);
const _2 = BigInt(2);
const _3 = BigInt(3);

interface Curve {
  p: bigint;
  n: bigint;
  b: bigint;
  gx: bigint;
  gy: bigint;
  bytes: number;
}

const P256: Curve = {
  p: BigInt("0xffffffff00000001000000000000000000000000ffffffffffffffffffffffff"),
  n: BigInt("0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551"),
  b: BigInt("0x5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604b"),
  gx: BigInt("0x6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296"),
  gy: BigInt("0x4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5"),
  bytes: 32,
};
const P384: Curve = {
  p: BigInt("0xfffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffeffffffff0000000000000000ffffffff"),
  n: BigInt("0xffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973"),
  b: BigInt("0xb3312fa7e23ee7e4988e056be3f82d19181d9c6efe8141120314088f5013875ac656398d8a2ed19d2a85c8edd3ec2aef"),
  gx: BigInt("0xaa87ca22be8b05378eb1c71ef320ad746e1d3b628ba79b9859f741e082542a385502f25dbf55296c3a545e3872760ab7"),
  gy: BigInt("0x3617de4a96262c6f5d9e98bf9292dc29f8f41dbd289a147ce9da3113b5f0b8c00a60b1ce1d7e819d7a431d7c90ea0e5f"),
  bytes: 48,
};

function mod(a: bigint, m: bigint): bigint {
  const r = a % m;
  return r < _0 ? r + m : r;
}

/** a^e mod m by square-and-multiply. */
function pow(a: bigint, e: bigint, m: bigint): bigint {
  let r = _1;
  a = mod(a, m);
  while (e > _0) {
    if (e & _1) r = (r * a) % m;
    a = (a * a) % m;
    e >>= _1;
  }
  return r;
}

/** 1/a mod m (m prime, a not 0 mod m), by the extended Euclidean algorithm. */
function inv(a: bigint, m: bigint): bigint {
  let a0 = mod(a, m);
  let b0 = m;
  let x0 = _1;
  let x1 = _0;
  // Invariant: a0 = x0·a and b0 = x1·a (mod m).
  while (a0 !== _0) {
    const q = b0 / a0;
    const a1 = b0 - q * a0;
    b0 = a0;
    a0 = a1;
    const t = x1 - q * x0;
    x1 = x0;
    x0 = t;
  }
  if (b0 !== _1) throw new RangeError("not invertible");
  return mod(x1, m);
}

function toBig(b: Uint8Array): bigint {
  let n = _0;
  for (let i = 0; i < b.length; i++) n = (n << BigInt(8)) | BigInt(b[i]);
  return n;
}

function toBytes(n: bigint, len: number): Uint8Array {
  const out = new Uint8Array(len);
  for (let i = len - 1; i >= 0; i--) {
    out[i] = Number(n & BigInt(255));
    n >>= BigInt(8);
  }
  return out;
}

// ---- P-256 / P-384: points (X, Y, Z) in Jacobian coordinates, Z = 0 is the point at infinity.
type Jac = [bigint, bigint, bigint];

function dbl(c: Curve, [X, Y, Z]: Jac): Jac {
  const p = c.p;
  if (Z === _0) return [X, Y, Z];
  // dbl-2001-b (a = -3)
  const delta = (Z * Z) % p;
  const gamma = (Y * Y) % p;
  const beta = (X * gamma) % p;
  const alpha = (_3 * mod(X - delta, p) * (X + delta)) % p;
  const X3 = mod(alpha * alpha - BigInt(8) * beta, p);
  const Z3 = mod((Y + Z) * (Y + Z) - gamma - delta, p);
  const Y3 = mod(alpha * (BigInt(4) * beta - X3) - BigInt(8) * gamma * gamma, p);
  return [X3, Y3, Z3];
}

function add(c: Curve, P: Jac, Q: Jac): Jac {
  const p = c.p;
  if (P[2] === _0) return Q;
  if (Q[2] === _0) return P;
  const [X1, Y1, Z1] = P;
  const [X2, Y2, Z2] = Q;
  const Z1Z1 = (Z1 * Z1) % p;
  const Z2Z2 = (Z2 * Z2) % p;
  const U1 = (X1 * Z2Z2) % p;
  const U2 = (X2 * Z1Z1) % p;
  const S1 = (((Y1 * Z2) % p) * Z2Z2) % p;
  const S2 = (((Y2 * Z1) % p) * Z1Z1) % p;
  const H = mod(U2 - U1, p);
  const r = mod(S2 - S1, p);
  if (H === _0) return r === _0 ? dbl(c, P) : [_1, _1, _0];
  const HH = (H * H) % p;
  const HHH = (H * HH) % p;
  const V = (U1 * HH) % p;
  const X3 = mod(r * r - HHH - _2 * V, p);
  const Y3 = mod(r * (V - X3) - S1 * HHH, p);
  const Z3 = (((Z1 * Z2) % p) * H) % p;
  return [X3, Y3, Z3];
}

/** k·P by a Montgomery ladder: one addition and one doubling per bit of the order, whatever the bit. */
function mul(c: Curve, P: Jac, k: bigint): Jac {
  let R0: Jac = [_1, _1, _0];
  let R1 = P;
  for (let i = c.bytes * 8 - 1; i >= 0; i--) {
    if ((k >> BigInt(i)) & _1) {
      R0 = add(c, R0, R1);
      R1 = dbl(c, R1);
    } else {
      R1 = add(c, R0, R1);
      R0 = dbl(c, R0);
    }
  }
  return R0;
}

/** a·G + b·Q (Shamir's trick), for verification: nothing here is secret. */
function mul2(c: Curve, a: bigint, b: bigint, Q: Jac): Jac {
  const G: Jac = [c.gx, c.gy, _1];
  const GQ = add(c, G, Q);
  let R: Jac = [_1, _1, _0];
  for (let i = c.bytes * 8 - 1; i >= 0; i--) {
    R = dbl(c, R);
    const bit = Number((a >> BigInt(i)) & _1) | (Number((b >> BigInt(i)) & _1) << 1);
    if (bit) R = add(c, R, bit === 1 ? G : bit === 2 ? Q : GQ);
  }
  return R;
}

function affineX(c: Curve, [X, , Z]: Jac): bigint {
  const zi = inv(Z, c.p);
  return (X * ((zi * zi) % c.p)) % c.p;
}

function encode(c: Curve, [X, Y, Z]: Jac): Uint8Array {
  const zi = inv(Z, c.p);
  const zi2 = (zi * zi) % c.p;
  const out = new Uint8Array(1 + 2 * c.bytes);
  out[0] = 4;
  out.set(toBytes((X * zi2) % c.p, c.bytes), 1);
  out.set(toBytes((((Y * zi2) % c.p) * zi) % c.p, c.bytes), 1 + c.bytes);
  return out;
}

/** SEC 1 point decoding, uncompressed (04) or compressed (02/03), checked to be on the curve; throws otherwise. */
function decode(c: Curve, b: Uint8Array): Jac {
  const p = c.p;
  const fx = b.subarray(1, 1 + c.bytes);
  const x = toBig(fx);
  if (fx.length !== c.bytes || x >= p) throw new RangeError("bad point");
  const rhs = mod(x * x * x - _3 * x + c.b, p);
  let y: bigint;
  if (b[0] === 4 && b.length === 1 + 2 * c.bytes) {
    y = toBig(b.subarray(1 + c.bytes));
    if (y >= p || (y * y) % p !== rhs) throw new RangeError("point not on the curve");
  } else if ((b[0] === 2 || b[0] === 3) && b.length === 1 + c.bytes) {
    y = pow(rhs, (p + _1) / BigInt(4), p); // p = 3 mod 4 for both curves
    if ((y * y) % p !== rhs) throw new RangeError("point not on the curve");
    if (Number(y & _1) !== (b[0] & 1)) y = p - y;
  } else throw new RangeError("bad point encoding");
  return [x, y, _1];
}

/** ECDSA-Sig-Value ::= SEQUENCE { r INTEGER, s INTEGER }, strict DER; null for anything else. */
function parseSignature(der: Uint8Array): [bigint, bigint] | null {
  let pos = 0;
  const tlv = (tag: number): Uint8Array | null => {
    if (der[pos] !== tag) return null;
    let len = der[pos + 1];
    let off = pos + 2;
    if (len === 0x81) {
      len = der[off++];
      if (!(len >= 0x80)) return null; // the short form was required
    } else if (len === undefined || len >= 0x80) return null;
    if (off + len > der.length) return null;
    pos = off + len;
    return der.subarray(off, off + len);
  };
  const seq = tlv(0x30);
  if (!seq || pos !== der.length) return null;
  const ints: bigint[] = [];
  der = seq;
  pos = 0;
  for (let i = 0; i < 2; i++) {
    const v = tlv(0x02);
    // Positive and minimal: no sign bit, no leading zero unless the next byte needs it.
    if (!v || v.length === 0 || v[0] & 0x80 || (v.length > 1 && v[0] === 0 && !(v[1] & 0x80))) return null;
    ints.push(toBig(v));
  }
  if (pos !== der.length) return null;
  return [ints[0], ints[1]];
}

function curveOf(name: EcCurve): Curve | undefined {
  return name === "P-256" ? P256 : name === "P-384" ? P384 : undefined;
}

/** Same contract as ecdsa.ts: DER signature, high-S accepted, false (never an exception) for anything malformed. */
export function ecdsaVerify(curve: EcCurve, publicKey: Uint8Array, hashName: HashName, message: Uint8Array, derSignature: Uint8Array): boolean {
  try {
    const c = curveOf(curve);
    if (!c) return false;
    const sig = parseSignature(derSignature);
    if (!sig) return false;
    const [r, s] = sig;
    const n = c.n;
    if (r <= _0 || r >= n || s <= _0 || s >= n) return false;
    const Q = decode(c, publicKey);
    const digest = hash(hashName, message);
    let e = toBig(digest);
    const excess = digest.length * 8 - c.bytes * 8; // both orders are exactly 8·bytes bits long
    if (excess > 0) e >>= BigInt(excess);
    const w = inv(s, n);
    const R = mul2(c, mod(e * w, n), mod(r * w, n), Q);
    if (R[2] === _0) return false;
    return mod(affineX(c, R), n) === r;
  } catch {
    return false;
  }
}

function nistGroup(name: GroupName, id: number, c: Curve): EcdhGroup {
  const pointLength = 1 + 2 * c.bytes;
  return {
    name,
    id,
    generate(random: RandomSource) {
      // Rejection sampling keeps the scalar uniform in [1, n-1].
      for (;;) {
        const privateKey = randomBytes(random, c.bytes);
        const k = toBig(privateKey);
        if (k > _0 && k < c.n) return { privateKey, publicKey: encode(c, mul(c, [c.gx, c.gy, _1], k)) };
      }
    },
    sharedSecret(privateKey: Uint8Array, peerPublic: Uint8Array): Uint8Array {
      // RFC 8422 §5.4.1: TLS 1.2 points are uncompressed only (we never offer compressed formats).
      if (peerPublic.length !== pointLength) throw illegalPeerKey(`${name} point must be ${pointLength} bytes`);
      if (peerPublic[0] !== 0x04) throw illegalPeerKey("not an uncompressed point");
      const k = toBig(privateKey);
      if (privateKey.length !== c.bytes || k <= _0 || k >= c.n) throw new RangeError(`${name} private key out of range`);
      let Q: Jac;
      try {
        Q = decode(c, peerPublic);
      } catch {
        throw illegalPeerKey(`${name} point not on the curve`);
      }
      const S = mul(c, Q, k);
      if (S[2] === _0) throw illegalPeerKey(`${name} shared point at infinity`);
      return toBytes(affineX(c, S), c.bytes); // the premaster secret is X alone (RFC 8422 §5.10)
    },
  };
}

export const p256Group: EcdhGroup = nistGroup("secp256r1", 23, P256);
export const p384Group: EcdhGroup = nistGroup("secp384r1", 24, P384);

// ---- X25519 (RFC 7748 §5)
const P25519 = BigInt("0x7fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffed");

function le(b: Uint8Array): bigint {
  return toBig(b.slice().reverse());
}

function x25519(scalar: Uint8Array, u: Uint8Array): Uint8Array {
  const p = P25519;
  const kb = scalar.slice();
  kb[0] &= 248;
  kb[31] &= 127;
  kb[31] |= 64;
  const k = le(kb);
  const ub = u.slice();
  ub[31] &= 127;
  const x1 = mod(le(ub), p);
  let x2 = _1;
  let z2 = _0;
  let x3 = x1;
  let z3 = _1;
  let swap = 0;
  const a24 = BigInt(121665);
  for (let t = 254; t >= 0; t--) {
    const bit = Number((k >> BigInt(t)) & _1);
    if (swap ^ bit) {
      [x2, x3] = [x3, x2];
      [z2, z3] = [z3, z2];
    }
    swap = bit;
    const A = x2 + z2;
    const AA = (A * A) % p;
    const B = mod(x2 - z2, p);
    const BB = (B * B) % p;
    const E = mod(AA - BB, p);
    const C = x3 + z3;
    const D = mod(x3 - z3, p);
    const DA = (D * A) % p;
    const CB = (C * B) % p;
    const s = DA + CB;
    const d = mod(DA - CB, p);
    x3 = (s * s) % p;
    z3 = (x1 * ((d * d) % p)) % p;
    x2 = (AA * BB) % p;
    z2 = (E * ((AA + a24 * E) % p)) % p;
  }
  if (swap) {
    x2 = x3;
    z2 = z3;
  }
  const r = (x2 * pow(z2, p - _2, p)) % p; // z2 = 0 (a low-order point) gives 0, refused below
  return toBytes(r, 32).reverse();
}

const BASE_U = (() => {
  const b = new Uint8Array(32);
  b[0] = 9;
  return b;
})();

function isAllZero(b: Uint8Array): boolean {
  let acc = 0;
  for (let i = 0; i < b.length; i++) acc |= b[i];
  return acc === 0;
}

export const x25519Group: EcdhGroup = {
  name: "x25519",
  id: 29,
  generate(random: RandomSource) {
    const privateKey = randomBytes(random, 32);
    return { privateKey, publicKey: x25519(privateKey, BASE_U) };
  },
  sharedSecret(privateKey: Uint8Array, peerPublic: Uint8Array): Uint8Array {
    if (peerPublic.length !== 32) throw illegalPeerKey("X25519 key must be 32 bytes");
    const shared = x25519(privateKey, peerPublic);
    if (isAllZero(shared)) throw illegalPeerKey("all-zero X25519 shared secret"); // RFC 7748 §6.1
    return shared;
  },
};

/** The device profile has no client certificates, so nothing signs; modules that import this still resolve. */
export function ecdsaSign(_curve: EcCurve, _privateKey: Uint8Array, _hashName: HashName, _message: Uint8Array): Uint8Array {
  throw new RangeError("ECDSA signing is not in the device profile");
}
