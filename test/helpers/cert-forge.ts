// A tiny DER writer and certificate forge for hostile-chain tests: certificates with arbitrary public-key bytes
// (a 16,384-bit modulus, a 4,095-bit exponent), signed by a real node:crypto key, or with junk signatures.
import { createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes, sign, type KeyObject } from "node:crypto";
import { concatBytes } from "../../src/bytes.js";

function len(n: number): Uint8Array {
  if (n < 0x80) return Uint8Array.of(n);
  const out: number[] = [];
  for (let v = n; v > 0; v >>>= 8) out.unshift(v & 0xff);
  return Uint8Array.from([0x80 | out.length, ...out]);
}
export const tlv = (tag: number, ...parts: Uint8Array[]): Uint8Array => {
  const body = concatBytes(...parts);
  return concatBytes(Uint8Array.of(tag), len(body.length), body);
};
export const seq = (...parts: Uint8Array[]) => tlv(0x30, ...parts);
/** A non-negative INTEGER from big-endian magnitude bytes. */
export const int = (mag: Uint8Array) => tlv(0x02, mag[0] & 0x80 ? concatBytes(Uint8Array.of(0), mag) : mag);
export function oid(text: string): Uint8Array {
  const p = text.split(".").map(Number);
  const out = [40 * p[0] + p[1]];
  for (const v of p.slice(2)) {
    const b: number[] = [v & 0x7f];
    for (let x = v >>> 7; x > 0; x >>>= 7) b.unshift(0x80 | (x & 0x7f));
    out.push(...b);
  }
  return tlv(0x06, Uint8Array.from(out));
}
const NULL = Uint8Array.of(5, 0);
const utf8 = (s: string) => tlv(0x0c, new TextEncoder().encode(s));
const bitString = (b: Uint8Array) => tlv(0x03, Uint8Array.of(0), b);
const octets = (b: Uint8Array) => tlv(0x04, b);
export const name = (cn: string) => seq(tlv(0x31, seq(oid("2.5.4.3"), utf8(cn))));
const SHA256_RSA = seq(oid("1.2.840.113549.1.1.11"), NULL);

function time(d: Date): Uint8Array {
  const s = d.toISOString().slice(2, 19).replace(/[-:T]/g, "") + "Z";
  return tlv(0x17, new TextEncoder().encode(s));
}

/** An RSA SubjectPublicKeyInfo with any modulus and exponent (no key behind them). */
export function rsaSpki(n: Uint8Array, e: Uint8Array): Uint8Array {
  return seq(seq(oid("1.2.840.113549.1.1.1"), NULL), bitString(seq(int(n), int(e))));
}

/** `bits` random bits with the top one set (and odd, which an exponent needs). */
export function bigOdd(bits: number): Uint8Array {
  const b = randomBytes(Math.ceil(bits / 8));
  const top = (bits - 1) % 8;
  b[0] = (b[0] & ((1 << (top + 1)) - 1)) | (1 << top);
  b[b.length - 1] |= 1;
  return new Uint8Array(b);
}

export interface ForgeOptions {
  issuer: string;
  subject: string;
  spki: Uint8Array;
  ca: boolean;
  /** Key identifiers: the subject's, and the issuer's (AKI). */
  ski: Uint8Array;
  aki?: Uint8Array;
  dns?: string;
  /** keyUsage bits as the first content octet (0x80 digitalSignature, 0x20 keyEncipherment, 0x04 keyCertSign). */
  keyUsage?: number;
  serial?: number;
}

export function tbs(o: ForgeOptions): Uint8Array {
  const now = Date.now();
  const exts: Uint8Array[] = [];
  const TRUE = Uint8Array.of(1, 1, 0xff);
  exts.push(seq(oid("2.5.29.19"), TRUE, octets(seq(...(o.ca ? [Uint8Array.of(1, 1, 0xff)] : [])))));
  const ku = o.keyUsage ?? (o.ca ? 0x06 : 0x80);
  exts.push(seq(oid("2.5.29.15"), TRUE, octets(tlv(0x03, Uint8Array.of(0, ku)))));
  exts.push(seq(oid("2.5.29.14"), octets(octets(o.ski))));
  if (o.aki) exts.push(seq(oid("2.5.29.35"), octets(seq(tlv(0x80, o.aki)))));
  if (!o.ca) exts.push(seq(oid("2.5.29.37"), octets(seq(oid("1.3.6.1.5.5.7.3.1")))));
  if (o.dns) exts.push(seq(oid("2.5.29.17"), octets(seq(tlv(0x82, new TextEncoder().encode(o.dns))))));
  return seq(
    tlv(0xa0, int(Uint8Array.of(2))),
    int(Uint8Array.of(0x10, o.serial ?? 1)),
    SHA256_RSA,
    name(o.issuer),
    seq(time(new Date(now - 3600_000)), time(new Date(now + 86400_000))),
    name(o.subject),
    o.spki,
    tlv(0xa3, seq(...exts)),
  );
}

export function certificate(tbsDer: Uint8Array, signature: Uint8Array): Uint8Array {
  return seq(tbsDer, SHA256_RSA, bitString(signature));
}

export interface ForgeRoot {
  der: Uint8Array;
  key: KeyObject;
  ski: Uint8Array;
  subject: string;
}

/** A self-signed RSA-2048 root made with node:crypto (no openssl), ready to sign forged certificates. */
export function forgeRoot(subject = "Hostile Test Root"): ForgeRoot {
  const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const spki = new Uint8Array(createPublicKey(privateKey).export({ type: "spki", format: "der" }));
  const ski = Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8);
  const t = tbs({ issuer: subject, subject, spki, ca: true, ski });
  return { der: certificate(t, signedBy(privateKey, t)), key: privateKey, ski, subject };
}

export function signedBy(key: KeyObject, data: Uint8Array): Uint8Array {
  return new Uint8Array(sign("sha256", data, key));
}

/** An RSA-2048 leaf key pair (PEM private key for a server, SPKI DER for the certificate). */
export function rsaLeafKey(): { spki: Uint8Array; pem: string } {
  const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  return {
    spki: new Uint8Array(createPublicKey(privateKey).export({ type: "spki", format: "der" })),
    pem: createPrivateKey(privateKey.export({ type: "pkcs8", format: "pem" })).export({ type: "pkcs8", format: "pem" }) as string,
  };
}
