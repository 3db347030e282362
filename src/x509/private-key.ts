import { p256, p384 } from "@noble/curves/nist.js";
import { bytesToAscii, equalBytes } from "../bytes.js";
import type { EcCurve } from "../crypto/ecdsa.js";
import type { RsaPrivateKey } from "../crypto/rsa.js";
import type { PublicKey } from "../crypto/signature.js";
import { TlsError, tlsError } from "../errors.js";
import { DerReader, Tag, derChildren, derOid, derSmallInteger, derUnsignedBytes, derBitString, type DerElement } from "./der.js";
import { decodeBase64 } from "./pem.js";

// The client's own private key, for client certificates. It is configuration, not peer data, so every
// problem is a TlsError CONFIG whose message says what to do, never a raw exception.

export type PrivateKey =
  | ({ type: "rsa" } & RsaPrivateKey)
  | { type: "ec"; curve: EcCurve; d: Uint8Array; publicPoint?: Uint8Array };

const OID_RSA = "1.2.840.113549.1.1.1";
const OID_RSA_PSS = "1.2.840.113549.1.1.10";
const OID_EC = "1.2.840.10045.2.1";
const OID_ED25519 = "1.3.101.112";
const OID_PBES2 = "1.2.840.113549.1.5.13";
const CURVE_OIDS: Record<string, EcCurve> = {
  "1.2.840.10045.3.1.7": "P-256",
  "1.3.132.0.34": "P-384",
};
const CURVE_NAMES: Record<string, string> = {
  "1.3.132.0.35": "P-521",
  "1.3.132.0.10": "secp256k1",
  "1.2.840.10045.3.1.1": "P-192",
  "1.3.132.0.33": "P-224",
};
const SCALAR_LENGTH: Record<EcCurve, number> = { "P-256": 32, "P-384": 48 };
const MIN_RSA_BITS = 2048;
const MAX_RSA_BITS = 4096;

const DECRYPT_HINT =
  "Decrypt it once, e.g. `openssl pkey -in key.pem -out key-plain.pem` " +
  "(or `openssl pkcs8 -in key.pem -out key-plain.pem` for PKCS#8, `openssl rsa`/`openssl ec -in key.pem -out key-plain.pem` " +
  "for the traditional formats) and protect the plain file like the key it is; or, for PKCS#8 (PBES2) keys, pass " +
  "decryptPrivateKey(pem, passphrase), exported by the microtls entry, as the key";

function config(message: string): TlsError {
  return tlsError("config", message);
}

function malformed(what: string): TlsError {
  return config(`the private key is malformed (${what}): expected PEM or DER in PKCS#8, PKCS#1 (RSA PRIVATE KEY) or SEC1 (EC PRIVATE KEY) form`);
}

const KEY_LABELS = ["PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY", "ENCRYPTED PRIVATE KEY"];
const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END ([A-Z0-9 ]+)-----/g;

/** The one private-key block in PEM text, with its label. Other blocks (certificates, EC PARAMETERS) are skipped. */
function keyBlockFromPem(text: string): { label: string; der: Uint8Array } {
  const found: { label: string; body: string }[] = [];
  PEM_BLOCK.lastIndex = 0;
  for (let m = PEM_BLOCK.exec(text); m !== null; m = PEM_BLOCK.exec(text)) {
    if (KEY_LABELS.indexOf(m[1]) < 0) continue;
    if (m[3] !== m[1]) throw malformed("PEM BEGIN and END labels differ");
    found.push({ label: m[1], body: m[2] });
  }
  if (found.length === 0) throw config("no private key found: expected a PEM block such as -----BEGIN PRIVATE KEY-----");
  if (found.length > 1) throw config(`${found.length} private keys found where one was expected`);
  const { label, body } = found[0];
  if (label === "ENCRYPTED PRIVATE KEY") throw config(`the private key is encrypted (PKCS#8). ${DECRYPT_HINT}`);
  // RFC 1421 headers are how OpenSSL's traditional formats mark encryption.
  if (/Proc-Type:\s*4,\s*ENCRYPTED/i.test(body) || /DEK-Info:/i.test(body)) {
    throw config(`the private key is encrypted (${label} with a passphrase). ${DECRYPT_HINT}`);
  }
  if (body.indexOf(":") >= 0) throw malformed("unexpected PEM header lines");
  try {
    return { label, der: decodeBase64(body) };
  } catch {
    throw malformed("bad base64");
  }
}

function looksLikePem(bytes: Uint8Array): boolean {
  // "-----" at the start (after optional whitespace or comments) means text; DER starts with 0x30.
  for (let i = 0; i < bytes.length && i < 4096; i++) {
    if (bytes[i] === 0x2d) return true;
    if (bytes[i] === 0x30 && i === 0) return false;
  }
  return false;
}

/**
 * Parses a PEM or DER private key: PKCS#8 ("PRIVATE KEY"), PKCS#1 ("RSA PRIVATE KEY") or SEC1 ("EC PRIVATE KEY").
 * RSA keys must be 2048..4096 bits; EC keys must be on P-256 or P-384. Throws TlsError CONFIG otherwise.
 */
export function parsePrivateKey(input: string | Uint8Array): PrivateKey {
  if (typeof input === "string") {
    const { label, der } = keyBlockFromPem(input);
    return guard(() => parseDer(der, label));
  }
  if (!(input instanceof Uint8Array)) throw config("the private key must be PEM text or DER bytes (a Uint8Array)");
  if (looksLikePem(input)) return parsePrivateKey(bytesToAscii(input));
  return guard(() => parseDer(input, null));
}

/** Any DER defect from the reader becomes a CONFIG error; our own CONFIG errors pass through. */
function guard(parse: () => PrivateKey): PrivateKey {
  try {
    return parse();
  } catch (e) {
    if (e instanceof TlsError && e.code === "CONFIG") throw e;
    throw malformed(e instanceof Error ? e.message : "structure");
  }
}

const WHAT = "private key";

function parseDer(der: Uint8Array, label: string | null): PrivateKey {
  const outer = new DerReader(der, WHAT);
  const seq = outer.expect(Tag.SEQUENCE);
  outer.end();
  if (label === "RSA PRIVATE KEY") return parsePkcs1(seq);
  if (label === "EC PRIVATE KEY") return parseSec1(seq, null);
  if (label === "PRIVATE KEY") return parsePkcs8(seq);
  // DER without a label: tell the formats apart by their first fields.
  const r = derChildren(seq, WHAT);
  const first = r.read();
  if (first.tag === Tag.SEQUENCE) {
    const alg = derChildren(first, WHAT);
    const oid = alg.peekTag() === Tag.OID ? derOid(alg.read(), WHAT) : "";
    if (oid === OID_PBES2 || oid.indexOf("1.2.840.113549.1.5.") === 0 || oid.indexOf("1.2.840.113549.1.12.1.") === 0) {
      throw config(`the private key is encrypted (PKCS#8). ${DECRYPT_HINT}`);
    }
    throw malformed("unknown structure");
  }
  const version = derSmallInteger(first, WHAT);
  const second = r.read();
  if (second.tag === Tag.SEQUENCE) return parsePkcs8(seq);
  if (version === 1 && second.tag === Tag.OCTET_STRING) return parseSec1(seq, null);
  if (second.tag === Tag.INTEGER) return parsePkcs1(seq);
  throw malformed("unknown structure");
}

/** PKCS#8 PrivateKeyInfo / OneAsymmetricKey (RFC 5208, RFC 5958). */
function parsePkcs8(seq: DerElement): PrivateKey {
  const r = derChildren(seq, WHAT);
  const version = derSmallInteger(r.expect(Tag.INTEGER), WHAT);
  if (version !== 0 && version !== 1) throw malformed(`PKCS#8 version ${version}`);
  const alg = derChildren(r.expect(Tag.SEQUENCE), WHAT);
  const oid = derOid(alg.expect(Tag.OID), WHAT);
  const params = alg.done ? null : alg.read();
  alg.end();
  const inner = r.expect(Tag.OCTET_STRING).value;
  // Optional attributes [0] and public key [1] may follow; neither is needed.
  if (oid === OID_RSA) {
    if (params !== null && !(params.tag === Tag.NULL && params.value.length === 0)) throw malformed("rsaEncryption parameters");
    const r2 = new DerReader(inner, WHAT);
    const rsa = r2.expect(Tag.SEQUENCE);
    r2.end();
    return parsePkcs1(rsa);
  }
  if (oid === OID_EC) {
    if (params === null || params.tag !== Tag.OID) throw config("the EC private key has explicit or missing curve parameters: only the named curves P-256 and P-384 are supported");
    const curve = curveFromOid(derOid(params, WHAT));
    const r2 = new DerReader(inner, WHAT);
    const ec = r2.expect(Tag.SEQUENCE);
    r2.end();
    return parseSec1(ec, curve);
  }
  if (oid === OID_RSA_PSS) {
    throw config("RSASSA-PSS-only keys (OID 1.2.840.113549.1.1.10) are not supported: use an ordinary RSA key (rsaEncryption), which signs with RSA-PSS as well");
  }
  if (oid === OID_ED25519) throw config("Ed25519 client keys are not supported in TLS 1.2 by microtls: use ECDSA P-256/P-384 or RSA 2048-4096");
  throw config(`unsupported private key algorithm ${oid}: use ECDSA P-256/P-384 or RSA 2048-4096`);
}

function curveFromOid(oid: string): EcCurve {
  const curve = CURVE_OIDS[oid];
  if (!curve) throw config(`EC keys on ${CURVE_NAMES[oid] ?? oid} are not supported: use P-256 or P-384`);
  return curve;
}

function toBigInt(bytes: Uint8Array): bigint {
  let n = BigInt(0);
  for (let i = 0; i < bytes.length; i++) n = (n << BigInt(8)) | BigInt(bytes[i]);
  return n;
}

function bitLength(x: bigint): number {
  return x === BigInt(0) ? 0 : x.toString(2).length;
}

/** PKCS#1 RSAPrivateKey (RFC 8017 A.1.2), two-prime only, with its CRT values checked for consistency. */
function parsePkcs1(seq: DerElement): PrivateKey {
  const r = derChildren(seq, WHAT);
  const version = derSmallInteger(r.expect(Tag.INTEGER), WHAT);
  if (version !== 0) throw config("multi-prime RSA keys are not supported");
  const ints: bigint[] = [];
  for (let i = 0; i < 8; i++) ints.push(toBigInt(derUnsignedBytes(r.expect(Tag.INTEGER), WHAT)));
  r.end();
  const [n, e, d, p, q, dp, dq, qinv] = ints;
  const bits = bitLength(n);
  if (bits < MIN_RSA_BITS || bits > MAX_RSA_BITS) throw config(`RSA keys of ${bits} bits are not supported: use 2048 to 4096 bits`);
  const one = BigInt(1);
  // Cheap consistency checks: a corrupt key would otherwise sign garbage the server rejects with a vague alert.
  const consistent =
    e > one && (e & one) === one && p > one && q > one && p * q === n &&
    dp === d % (p - one) && dq === d % (q - one) && (qinv * q) % p === one && (e * dp) % (p - one) === one;
  if (!consistent) throw config("the RSA private key is inconsistent (its numbers do not belong together): the file is corrupt");
  return { type: "rsa", n, e, bits, d, p, q, dp, dq, qinv };
}

/** SEC1 ECPrivateKey (RFC 5915); `curveFromPkcs8` is the curve named by the PKCS#8 wrapper, if any. */
function parseSec1(seq: DerElement, curveFromPkcs8: EcCurve | null): PrivateKey {
  const r = derChildren(seq, WHAT);
  if (derSmallInteger(r.expect(Tag.INTEGER), WHAT) !== 1) throw malformed("ECPrivateKey version");
  const scalar = r.expect(Tag.OCTET_STRING).value;
  const paramsEl = r.optional(0xa0);
  const publicEl = r.optional(0xa1);
  r.end();
  let curve = curveFromPkcs8;
  if (paramsEl) {
    const inner = derChildren(paramsEl, WHAT);
    const p = inner.read();
    inner.end();
    if (p.tag !== Tag.OID) throw config("the EC private key has explicit curve parameters: only the named curves P-256 and P-384 are supported");
    const named = curveFromOid(derOid(p, WHAT));
    if (curve && named !== curve) throw malformed("the curve in the key differs from the curve in its PKCS#8 wrapper");
    curve = named;
  }
  if (!curve) throw config("the EC private key does not name its curve: only P-256 and P-384 keys with a named curve are supported");
  const size = SCALAR_LENGTH[curve];
  // RFC 5915 fixes the length, but some encoders drop leading zero bytes: pad those, refuse anything longer.
  if (scalar.length === 0 || scalar.length > size) throw malformed("EC private scalar length");
  const d = new Uint8Array(size);
  d.set(scalar, size - scalar.length);
  const c = curve === "P-256" ? p256 : p384;
  if (!c.utils.isValidSecretKey(d)) throw config("the EC private key is out of range for its curve: the file is corrupt");
  const key: PrivateKey = { type: "ec", curve, d };
  if (publicEl) {
    const inner = derChildren(publicEl, WHAT);
    const bits = derBitString(inner.expect(Tag.BIT_STRING), WHAT);
    inner.end();
    if (bits.unused !== 0) throw malformed("EC public key bits");
    key.publicPoint = bits.bytes.slice();
  }
  return key;
}

/** The public key belonging to a private key: EC points are recomputed from the scalar (the truth). */
export function publicKeyOfPrivate(key: PrivateKey): PublicKey {
  if (key.type === "rsa") return { type: "rsa", n: key.n, e: key.e, bits: key.bits };
  const c = key.curve === "P-256" ? p256 : p384;
  return { type: "ec", curve: key.curve, point: c.getPublicKey(key.d, false) };
}

/** Whether the private key belongs to this public key (a certificate's). */
export function privateKeyMatches(key: PrivateKey, pub: PublicKey): boolean {
  if (key.type === "rsa") return pub.type === "rsa" && pub.n === key.n && pub.e === key.e;
  if (pub.type !== "ec" || pub.curve !== key.curve) return false;
  const mine = publicKeyOfPrivate(key);
  if (mine.type !== "ec") return false;
  let theirs = pub.point;
  if (theirs.length > 0 && theirs[0] !== 4) {
    // A compressed point in the certificate: compare in uncompressed form.
    try {
      theirs = (key.curve === "P-256" ? p256 : p384).Point.fromBytes(theirs).toBytes(false);
    } catch {
      return false;
    }
  }
  return equalBytes(mine.point, theirs);
}

/** Throws TlsError CONFIG when the key does not belong to the certificate's public key. */
export function checkKeyMatchesCertificate(key: PrivateKey, certificatePublicKey: PublicKey): void {
  if (privateKeyMatches(key, certificatePublicKey)) return;
  const have = key.type === "rsa" ? `an RSA-${key.bits} key` : `an EC ${key.curve} key`;
  const cert =
    certificatePublicKey.type === "rsa" ? `an RSA-${certificatePublicKey.bits} key`
    : certificatePublicKey.type === "ec" ? `an EC ${certificatePublicKey.curve} key`
    : certificatePublicKey.type === "ed25519" ? "an Ed25519 key" : `an unsupported key (${certificatePublicKey.algorithm})`;
  throw config(`the private key does not belong to the client certificate (key: ${have}; certificate: ${cert}, a different key)`);
}
