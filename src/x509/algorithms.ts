import type { PublicKey, SignatureAlgorithm } from "../crypto/signature.js";
import type { HashName } from "../crypto/hash.js";
import { toHex } from "../bytes.js";
import { DerReader, Tag, derBitString, derChildren, derOid, derSmallInteger, derUnsignedBytes, type DerElement, malformedDer } from "./der.js";

// OID -> algorithm mapping for signatures and subject public keys. Anything not listed (SHA-1, MD5, DSA,
// P-192, P-521, explicit curve parameters) maps to "unsupported" so the verifier can say why.

const SIG_RSA: Record<string, HashName> = {
  "1.2.840.113549.1.1.11": "sha256",
  "1.2.840.113549.1.1.12": "sha384",
  "1.2.840.113549.1.1.13": "sha512",
};
const SIG_ECDSA: Record<string, HashName> = {
  "1.2.840.10045.4.3.2": "sha256",
  "1.2.840.10045.4.3.3": "sha384",
  "1.2.840.10045.4.3.4": "sha512",
};
const HASH_OIDS: Record<string, HashName> = {
  "2.16.840.1.101.3.4.2.1": "sha256",
  "2.16.840.1.101.3.4.2.2": "sha384",
  "2.16.840.1.101.3.4.2.3": "sha512",
};
const OID_RSA_PSS = "1.2.840.113549.1.1.10";
const OID_MGF1 = "1.2.840.113549.1.1.8";
const OID_ED25519 = "1.3.101.112";
const OID_RSA = "1.2.840.113549.1.1.1";
const OID_EC = "1.2.840.10045.2.1";
const CURVES: Record<string, "P-256" | "P-384"> = {
  "1.2.840.10045.3.1.7": "P-256",
  "1.3.132.0.34": "P-384",
};

const NULL_PARAMS = (el: DerElement | null) => el !== null && el.tag === Tag.NULL && el.value.length === 0;

/** An AlgorithmIdentifier's OID and optional parameters element. */
export function readAlgorithmIdentifier(el: DerElement): { oid: string; params: DerElement | null } {
  if (el.tag !== Tag.SEQUENCE) throw malformedDer("certificate algorithm");
  const r = derChildren(el, "certificate algorithm");
  const oid = derOid(r.expect(Tag.OID), "certificate algorithm");
  const params = r.done ? null : r.read();
  r.end();
  return { oid, params };
}

/** The signature algorithm, or null when it is unsupported (SHA-1, MD5, SHA-224, odd parameters). */
export function signatureAlgorithmOf(el: DerElement): SignatureAlgorithm | null {
  const { oid, params } = readAlgorithmIdentifier(el);
  if (oid in SIG_RSA) return params === null || NULL_PARAMS(params) ? { kind: "rsa-pkcs1", hash: SIG_RSA[oid] } : null;
  if (oid in SIG_ECDSA) return params === null ? { kind: "ecdsa", hash: SIG_ECDSA[oid] } : null;
  if (oid === OID_ED25519) return params === null ? { kind: "ed25519" } : null;
  if (oid === OID_RSA_PSS && params !== null) return pssParams(params);
  return null;
}

/** RSASSA-PSS-params (RFC 4055): SHA-2 only, MGF1 with the same hash, trailer 1. Defaults (SHA-1) are refused. */
function pssParams(el: DerElement): SignatureAlgorithm | null {
  if (el.tag !== Tag.SEQUENCE) return null;
  const r = derChildren(el, "RSASSA-PSS parameters");
  const hashEl = r.optional(0xa0);
  const mgfEl = r.optional(0xa1);
  const saltEl = r.optional(0xa2);
  const trailerEl = r.optional(0xa3);
  r.end();
  if (!hashEl || !mgfEl) return null;
  const h = readAlgorithmIdentifier(derChildren(hashEl).read());
  if (!(h.oid in HASH_OIDS) || (h.params !== null && !NULL_PARAMS(h.params))) return null;
  const hash = HASH_OIDS[h.oid];
  const mgf = readAlgorithmIdentifier(derChildren(mgfEl).read());
  if (mgf.oid !== OID_MGF1 || mgf.params === null) return null;
  const mgfHash = readAlgorithmIdentifier(mgf.params);
  if (HASH_OIDS[mgfHash.oid] !== hash || (mgfHash.params !== null && !NULL_PARAMS(mgfHash.params))) return null;
  const saltLength = saltEl ? derSmallInteger(derChildren(saltEl).read()) : 20;
  if (trailerEl && derSmallInteger(derChildren(trailerEl).read()) !== 1) return null;
  return { kind: "rsa-pss", hash, saltLength };
}

function bitLength(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length && bytes[i] === 0) i++;
  if (i === bytes.length) return 0;
  return (bytes.length - i - 1) * 8 + (32 - Math.clz32(bytes[i]));
}

/** Through hex text: shifting a BigInt byte by byte is quadratic, and RSA moduli are 256+ bytes on every handshake. */
function toBigInt(bytes: Uint8Array): bigint {
  return bytes.length === 0 ? BigInt(0) : BigInt(`0x${toHex(bytes)}`);
}

/** The integers are made on first use: a provider that takes the bytes (and an engine without BigInt) never needs them. */
function rsaKey(modulus: Uint8Array, exponent: Uint8Array): PublicKey {
  let n: bigint | undefined;
  let e: bigint | undefined;
  return {
    type: "rsa",
    bits: bitLength(modulus),
    modulus,
    exponent,
    get n() {
      return n === undefined ? (n = toBigInt(modulus)) : n;
    },
    get e() {
      return e === undefined ? (e = toBigInt(exponent)) : e;
    },
  };
}

/** SubjectPublicKeyInfo -> PublicKey. Unknown or forbidden key types become {type: "unsupported"}. */
export function publicKeyOf(spki: DerElement): PublicKey {
  const r = derChildren(spki, "subjectPublicKeyInfo");
  const { oid, params } = readAlgorithmIdentifier(r.expect(Tag.SEQUENCE));
  const bits = derBitString(r.expect(Tag.BIT_STRING), "subjectPublicKeyInfo");
  r.end();
  if (bits.unused !== 0) throw malformedDer("subjectPublicKeyInfo");
  if (oid === OID_RSA) {
    if (!NULL_PARAMS(params)) return { type: "unsupported", algorithm: "rsa (bad parameters)" };
    const seq = new DerReader(bits.bytes, "RSA public key").expect(Tag.SEQUENCE);
    const kr = derChildren(seq, "RSA public key");
    const n = derUnsignedBytes(kr.expect(Tag.INTEGER), "RSA public key");
    const e = derUnsignedBytes(kr.expect(Tag.INTEGER), "RSA public key");
    kr.end();
    return rsaKey(n, e);
  }
  if (oid === OID_EC) {
    // Named curves only: explicit parameters are forbidden by the CA/B profile and a classic attack vector.
    if (params === null || params.tag !== Tag.OID) return { type: "unsupported", algorithm: "ec (explicit or missing curve)" };
    const curveOid = derOid(params, "EC parameters");
    const curve = CURVES[curveOid];
    if (!curve) return { type: "unsupported", algorithm: `ec ${curveOid}` };
    const want = curve === "P-256" ? 65 : 97;
    if (bits.bytes.length !== want || bits.bytes[0] !== 4) return { type: "unsupported", algorithm: `ec ${curve} (not an uncompressed point)` };
    return { type: "ec", curve, point: bits.bytes };
  }
  if (oid === OID_ED25519) {
    if (params !== null || bits.bytes.length !== 32) return { type: "unsupported", algorithm: "ed25519 (malformed)" };
    return { type: "ed25519", key: bits.bytes };
  }
  return { type: "unsupported", algorithm: oid };
}

/** e >= 3 and odd, from the bytes when the key has them (no BigInt needed). */
function rsaExponentValid(key: { e: bigint; exponent?: Uint8Array }): boolean {
  const b = key.exponent;
  if (!b) return !(key.e < BigInt(3) || (key.e & BigInt(1)) === BigInt(0));
  let i = 0;
  while (i < b.length && b[i] === 0) i++;
  if (i === b.length || (b[b.length - 1] & 1) === 0) return false;
  return b.length - i > 1 || b[i] >= 3;
}

/**
 * Work bounds on RSA public keys (issue #14): verification costs modulus bits² × exponent bits, so a 16,384-bit key
 * with a 16,383-bit exponent costs seconds. Go refuses e > 2^31-1 and (in TLS) moduli over 8,192 bits; BoringSSL
 * refuses e over 33 bits. A device may lower both.
 */
export interface RsaBounds {
  /** Largest modulus accepted, in bits (default 8192). */
  maxModulusBits: number;
  /** Largest public exponent accepted, in bits (default 32: e <= 2^32-1; e = 65537 has 17). */
  maxExponentBits: number;
}

export const DEFAULT_RSA_BOUNDS: RsaBounds = { maxModulusBits: 8192, maxExponentBits: 32 };

function rsaExponentBits(key: { e: bigint; exponent?: Uint8Array }): number {
  return key.exponent ? bitLength(key.exponent) : key.e.toString(2).length;
}

/** Why an RSA key is outside the work bounds (read from the lengths only, before any arithmetic), or null. */
export function rsaBoundsProblem(key: PublicKey, bounds: RsaBounds = DEFAULT_RSA_BOUNDS): string | null {
  if (key.type !== "rsa") return null;
  if (key.bits > bounds.maxModulusBits) return `RSA modulus of ${key.bits} bits exceeds the bound of ${bounds.maxModulusBits} bits`;
  const eBits = rsaExponentBits(key);
  if (eBits > bounds.maxExponentBits) return `RSA public exponent of ${eBits} bits exceeds the bound of ${bounds.maxExponentBits} bits`;
  if (!rsaExponentValid(key)) return "RSA public exponent is not odd and at least 3";
  return null;
}

/**
 * The cost of one signature check in work units, from the key's sizes alone: 1 unit = one RSA-2048 check with
 * e = 65537. RSA grows as modulus bits² × the exponent's multiplications (an upper bound: big moduli do better
 * in practice); ECDSA and Ed25519 are fixed.
 */
export function signatureCost(key: PublicKey): number {
  if (key.type === "rsa") {
    const scale = key.bits / 2048;
    // square-and-multiply: one squaring per exponent bit after the first, one multiplication per further set bit.
    return Math.max(0.25, (scale * scale * Math.max(1, rsaMultiplications(key))) / 17);
  }
  // Measured with the noble code on Node: a P-256 check costs ~10 RSA-2048 ones, P-384 ~25; Ed25519 as P-256.
  if (key.type === "ec") return key.curve === "P-384" ? 25 : 10;
  return 10;
}

function rsaMultiplications(key: { e: bigint; exponent?: Uint8Array }): number {
  const b = key.exponent;
  if (!b) return 2 * rsaExponentBits(key); // no bytes (an application's key object): assume the worst
  let ones = 0;
  for (let i = 0; i < b.length; i++) for (let v = b[i]; v; v &= v - 1) ones++;
  return rsaExponentBits(key) - 1 + Math.max(0, ones - 1);
}

/** Minimum key strength for any certificate we rely on (webpki/CA-B: RSA >= 2048 bits, whole bytes). */
export function keyStrengthProblem(key: PublicKey): string | null {
  if (key.type === "unsupported") return `unsupported key ${key.algorithm}`;
  if (key.type === "rsa") {
    if (key.bits < 2048) return `RSA key of ${key.bits} bits (minimum 2048)`;
    if (key.bits % 8 !== 0) return `RSA modulus of ${key.bits} bits is not a whole number of bytes`;
  }
  return null;
}
