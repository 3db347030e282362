import { concatBytes, equalBytes, fromHex } from "../bytes.js";
import { tlsError } from "../errors.js";
import { createHash, hash, hashLength, type HashName } from "./hash.js";
import { randomBytes, type RandomSource } from "./random.js";

// RSA with BigInt: noble has none. Public operations (verify, encrypt) use a plain square-and-multiply,
// which for e = 65537 is 17 modular multiplications. Private operations use CRT, base and exponent
// blinding, a sliding-window exponentiation and a check of the result against the public key.
// BigInt arithmetic is not constant-time in any engine; blinding is what keeps timing from mattering.

export interface RsaPublicKey {
  n: bigint;
  e: bigint;
  bits: number;
  /** The modulus and exponent as unsigned big-endian bytes, when parsed from DER: native providers need no BigInt. */
  modulus?: Uint8Array;
  exponent?: Uint8Array;
}
export interface RsaPrivateKey extends RsaPublicKey {
  d: bigint;
  p: bigint;
  q: bigint;
  dp: bigint;
  dq: bigint;
  qinv: bigint;
}

const MIN_MODULUS_BITS = 1024;
const ZERO = BigInt(0);
const ONE = BigInt(1);

// DER of DigestInfo ::= SEQUENCE { AlgorithmIdentifier { OID, NULL }, OCTET STRING digest } up to the digest.
const DIGEST_INFO_SHA256 = fromHex("3031300d060960864801650304020105000420");
const DIGEST_INFO_SHA384 = fromHex("3041300d060960864801650304020205000430");
const DIGEST_INFO_SHA512 = fromHex("3051300d060960864801650304020305000440");

function digestInfoPrefix(name: HashName): Uint8Array | undefined {
  switch (name) {
    case "sha256":
      return DIGEST_INFO_SHA256;
    case "sha384":
      return DIGEST_INFO_SHA384;
    case "sha512":
      return DIGEST_INFO_SHA512;
    default:
      return undefined;
  }
}

// ---------- integers <-> bytes ----------
// Through hex strings: the engine's BigInt parser and printer beat byte-wise BigInt shifts by far.

const HEX_BYTE: string[] = [];
for (let i = 0; i < 256; i++) HEX_BYTE.push((i < 16 ? "0" : "") + i.toString(16));

function hexDigit(c: number): number {
  return c < 58 ? c - 48 : c - 87; // "0"-"9", "a"-"f" (toString(16) is lowercase)
}

function bytesToBigInt(b: Uint8Array): bigint {
  if (b.length === 0) return ZERO;
  let hex = "0x";
  for (let i = 0; i < b.length; i++) hex += HEX_BYTE[b[i]];
  return BigInt(hex);
}

/** I2OSP: big-endian, left-padded to `length`; null if the integer does not fit. */
function bigIntToBytes(x: bigint, length: number): Uint8Array | null {
  const hex = x.toString(16);
  const odd = hex.length & 1;
  const byteCount = (hex.length + odd) >> 1;
  if (byteCount > length) return null;
  const out = new Uint8Array(length);
  let at = length - byteCount;
  let i = 0;
  if (odd) out[at++] = hexDigit(hex.charCodeAt(i++));
  for (; i < hex.length; i += 2) out[at++] = (hexDigit(hex.charCodeAt(i)) << 4) | hexDigit(hex.charCodeAt(i + 1));
  return out;
}

function bitLength(x: bigint): number {
  if (x <= ZERO) return 0;
  const hex = x.toString(16);
  return (hex.length - 1) * 4 + hexDigit(hex.charCodeAt(0)).toString(2).length;
}

// ---------- modular arithmetic ----------

/** Left-to-right square-and-multiply: fastest for the short public exponents RSA uses. */
function modPowPublic(base: bigint, exp: bigint, m: bigint): bigint {
  const bits = exp.toString(2);
  let result = base % m;
  for (let i = 1; i < bits.length; i++) {
    result = (result * result) % m;
    if (bits.charCodeAt(i) === 49) result = (result * base) % m;
  }
  return result;
}

/** Sliding-window exponentiation (window 5): ~20% fewer multiplications than binary for 1024-bit exponents. */
function modPowWindow(base: bigint, exp: bigint, m: bigint): bigint {
  if (exp === ZERO) return ONE % m;
  const WINDOW = 5;
  const b = base % m;
  // Odd powers b^1, b^3, ..., b^(2^WINDOW - 1).
  const b2 = (b * b) % m;
  const odd: bigint[] = [b];
  for (let i = 1; i < 1 << (WINDOW - 1); i++) odd.push((odd[i - 1] * b2) % m);
  const bits = exp.toString(2);
  let result = ONE;
  let i = 0;
  while (i < bits.length) {
    if (bits.charCodeAt(i) === 48) {
      result = (result * result) % m;
      i++;
      continue;
    }
    // Longest window starting here with at most WINDOW bits that ends in a 1.
    let end = Math.min(i + WINDOW, bits.length);
    while (bits.charCodeAt(end - 1) === 48) end--;
    let value = 0;
    for (let j = i; j < end; j++) {
      value = (value << 1) | (bits.charCodeAt(j) - 48);
      result = (result * result) % m;
    }
    result = (result * odd[value >> 1]) % m;
    i = end;
  }
  return result;
}

function modInverse(a: bigint, m: bigint): bigint | null {
  let [oldR, r] = [((a % m) + m) % m, m];
  let [oldS, s] = [ONE, ZERO];
  while (r !== ZERO) {
    const quotient = oldR / r;
    [oldR, r] = [r, oldR - quotient * r];
    [oldS, s] = [s, oldS - quotient * s];
  }
  if (oldR !== ONE) return null;
  return ((oldS % m) + m) % m;
}

// ---------- key checks ----------

function modulusBytes(key: RsaPublicKey): number {
  return (bitLength(key.n) + 7) >> 3;
}

/** A public key we are willing to use: modulus >= 1024 bits, odd exponent 3 <= e < n. */
function usablePublicKey(key: RsaPublicKey): boolean {
  return (
    typeof key.n === "bigint" &&
    typeof key.e === "bigint" &&
    bitLength(key.n) >= MIN_MODULUS_BITS &&
    key.e >= BigInt(3) &&
    (key.e & ONE) === ONE &&
    key.e < key.n
  );
}

function requireUsableKey(key: RsaPublicKey): void {
  if (!usablePublicKey(key)) {
    throw tlsError("key_unusable", `unusable RSA key (modulus must be at least ${MIN_MODULUS_BITS} bits, exponent odd and >= 3)`);
  }
}

// ---------- primitives ----------

/** RSAVP1 / RSAEP on a byte string of exactly the modulus length; null if malformed or >= n. */
function publicOp(key: RsaPublicKey, input: Uint8Array, outLength: number): Uint8Array | null {
  if (input.length !== modulusBytes(key)) return null;
  const x = bytesToBigInt(input);
  if (x >= key.n) return null;
  return bigIntToBytes(modPowPublic(x, key.e, key.n), outLength);
}

/** A random 32-bit multiplier for exponent blinding. */
function randomFactor(random: RandomSource): bigint {
  return bytesToBigInt(randomBytes(random, 4)) | ONE;
}

/**
 * RSASP1 / RSADP with CRT and base blinding (x * r^e, then / r), so timing does not depend on the
 * input; the result is checked with the public exponent so a computation fault cannot leak a factor.
 */
function privateOp(key: RsaPrivateKey, x: bigint, random: RandomSource): bigint {
  const { n, e, p, q, dp, dq, qinv } = key;
  if (p * q !== n) throw tlsError("config", "inconsistent RSA private key (p * q != n)");
  const k = modulusBytes(key);
  let r = ZERO;
  let rInv: bigint | null = null;
  for (let tries = 0; rInv === null; tries++) {
    if (tries > 8) throw tlsError("crypto_failure", "cannot pick an RSA blinding factor");
    r = bytesToBigInt(randomBytes(random, k)) % n;
    if (r > ONE) rInv = modInverse(r, n);
  }
  const blinded = (x * modPowPublic(r, e, n)) % n;
  // Exponent blinding too (d + k(p-1) gives the same result): each signature runs a different
  // exponent bit pattern, so timing traces cannot be averaged across signatures.
  const m1 = modPowWindow(blinded % p, dp + randomFactor(random) * (p - ONE), p);
  const m2 = modPowWindow(blinded % q, dq + randomFactor(random) * (q - ONE), q);
  const h = (qinv * (((m1 - m2) % p) + p)) % p;
  const y = ((m2 + h * q) * rInv) % n;
  if (modPowPublic(y, e, n) !== x) throw tlsError("crypto_failure", "RSA private operation failed its self-check");
  return y;
}

// ---------- PKCS #1 v1.5 signatures (RFC 8017 §8.2, §9.2) ----------

/** EMSA-PKCS1-v1_5: 00 01 FF..FF 00 || DigestInfo. Null if the modulus is too short for it. */
function pkcs1SignatureEncoding(hashName: HashName, message: Uint8Array, emLength: number): Uint8Array | null {
  const prefix = digestInfoPrefix(hashName);
  if (!prefix) return null;
  const digestInfo = concatBytes(prefix, hash(hashName, message));
  if (emLength < digestInfo.length + 11) return null;
  const em = new Uint8Array(emLength).fill(0xff);
  em[0] = 0;
  em[1] = 1;
  em[emLength - digestInfo.length - 1] = 0;
  em.set(digestInfo, emLength - digestInfo.length);
  return em;
}

/**
 * Verifies by re-encoding the expected block and comparing all bytes: no DigestInfo parsing, so no
 * Bleichenbacher-2006 style forgeries through lenient ASN.1 or trailing garbage.
 */
export function rsaPkcs1Verify(key: RsaPublicKey, hashName: HashName, message: Uint8Array, signature: Uint8Array): boolean {
  try {
    if (!usablePublicKey(key)) return false;
    const k = modulusBytes(key);
    const em = publicOp(key, signature, k);
    if (!em) return false;
    const expected = pkcs1SignatureEncoding(hashName, message, k);
    return expected !== null && equalBytes(em, expected);
  } catch {
    return false;
  }
}

export function rsaPkcs1Sign(key: RsaPrivateKey, hashName: HashName, message: Uint8Array, random: RandomSource): Uint8Array {
  requireUsableKey(key);
  const k = modulusBytes(key);
  const em = pkcs1SignatureEncoding(hashName, message, k);
  if (!em) throw tlsError("key_unusable", "RSA modulus too short for this hash");
  return bigIntToBytes(privateOp(key, bytesToBigInt(em), random), k) as Uint8Array;
}

// ---------- PSS (RFC 8017 §8.1, §9.1) ----------

function mgf1(hashName: HashName, seed: Uint8Array, length: number): Uint8Array {
  const out = new Uint8Array(length);
  const counter = new Uint8Array(4);
  for (let filled = 0, i = 0; filled < length; i++) {
    counter[0] = i >>> 24;
    counter[1] = (i >>> 16) & 0xff;
    counter[2] = (i >>> 8) & 0xff;
    counter[3] = i & 0xff;
    const block = createHash(hashName).update(seed).update(counter).digest();
    const take = Math.min(block.length, length - filled);
    out.set(block.subarray(0, take), filled);
    filled += take;
  }
  return out;
}

function pssHash(hashName: HashName, mHash: Uint8Array, salt: Uint8Array): Uint8Array {
  return createHash(hashName).update(new Uint8Array(8)).update(mHash).update(salt).digest();
}

/** EMSA-PSS-VERIFY with MGF1 over the same hash; `saltLength` defaults to the hash length (RFC 8446 / TLS 1.2 practice). */
export function rsaPssVerify(
  key: RsaPublicKey,
  hashName: HashName,
  message: Uint8Array,
  signature: Uint8Array,
  saltLength?: number,
): boolean {
  try {
    if (!usablePublicKey(key) || !digestInfoPrefix(hashName)) return false;
    const hLen = hashLength(hashName);
    const sLen = saltLength === undefined ? hLen : saltLength;
    if (!(sLen >= 0 && sLen === Math.floor(sLen))) return false;
    const emBits = bitLength(key.n) - 1;
    const emLen = (emBits + 7) >> 3;
    const em = publicOp(key, signature, emLen); // null when the integer does not fit in emLen bytes
    if (!em || emLen < hLen + sLen + 2 || em[emLen - 1] !== 0xbc) return false;
    const dbLen = emLen - hLen - 1;
    const maskedDb = em.subarray(0, dbLen);
    const h = em.subarray(dbLen, dbLen + hLen);
    const topMask = 0xff >> (8 * emLen - emBits);
    if ((maskedDb[0] & ~topMask) !== 0) return false;
    const db = mgf1(hashName, h, dbLen);
    for (let i = 0; i < dbLen; i++) db[i] ^= maskedDb[i];
    db[0] &= topMask;
    const padEnd = dbLen - sLen - 1;
    for (let i = 0; i < padEnd; i++) if (db[i] !== 0) return false;
    if (db[padEnd] !== 0x01) return false;
    const salt = db.subarray(dbLen - sLen);
    return equalBytes(h, pssHash(hashName, hash(hashName, message), salt));
  } catch {
    return false;
  }
}

/** RSASSA-PSS with MGF1 over the same hash and a random salt as long as the hash. */
export function rsaPssSign(key: RsaPrivateKey, hashName: HashName, message: Uint8Array, random: RandomSource): Uint8Array {
  requireUsableKey(key);
  const hLen = hashLength(hashName);
  const sLen = hLen;
  const emBits = bitLength(key.n) - 1;
  const emLen = (emBits + 7) >> 3;
  if (emLen < hLen + sLen + 2) throw tlsError("key_unusable", "RSA modulus too short for PSS with this hash");
  const salt = randomBytes(random, sLen);
  const h = pssHash(hashName, hash(hashName, message), salt);
  const dbLen = emLen - hLen - 1;
  const db = new Uint8Array(dbLen);
  db[dbLen - sLen - 1] = 0x01;
  db.set(salt, dbLen - sLen);
  const mask = mgf1(hashName, h, dbLen);
  for (let i = 0; i < dbLen; i++) db[i] ^= mask[i];
  db[0] &= 0xff >> (8 * emLen - emBits);
  const em = concatBytes(db, h, Uint8Array.of(0xbc));
  return bigIntToBytes(privateOp(key, bytesToBigInt(em), random), modulusBytes(key)) as Uint8Array;
}

// ---------- PKCS #1 v1.5 encryption (RFC 8017 §7.2) ----------

/** RSAES-PKCS1-v1_5: 00 02 PS 00 M with PS at least 8 random nonzero bytes. Used for the premaster secret. */
export function rsaPkcs1Encrypt(key: RsaPublicKey, data: Uint8Array, random: RandomSource): Uint8Array {
  requireUsableKey(key);
  const k = modulusBytes(key);
  if (data.length > k - 11) throw tlsError("crypto_failure", "message too long for RSA PKCS#1 v1.5 encryption");
  const em = new Uint8Array(k);
  em[1] = 2;
  const psEnd = k - data.length - 1;
  const ps = em.subarray(2, psEnd);
  random(ps);
  // Replace zero bytes with fresh random ones until none remain (each byte retries with probability 1/256).
  for (let i = 0; i < ps.length; i++) {
    while (ps[i] === 0) random(ps.subarray(i, i + 1));
  }
  em.set(data, psEnd + 1);
  const c = publicOp(key, em, k);
  if (!c) throw tlsError("crypto_failure", "RSA encryption failed");
  return c;
}
