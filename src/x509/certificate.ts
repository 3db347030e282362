import type { PublicKey, SignatureAlgorithm } from "../crypto/signature.js";
import { TlsError } from "../errors.js";
import { equalBytes, toHex } from "../bytes.js";
import { publicKeyOf, signatureAlgorithmOf } from "./algorithms.js";
import { DerReader, Tag, derBitString, derChildren, derSmallInteger, type DerElement, malformedDer } from "./der.js";
import { parseExtensions, type ParsedExtensions } from "./extensions.js";
import { readableName } from "./names.js";

// DER -> Certificate. Everything the verifier needs is decoded here once; readable names are computed
// lazily because only error messages and applications read them.

export interface Certificate {
  der: Uint8Array;
  /** DER of tbsCertificate: the signed bytes. */
  tbs: Uint8Array;
  /** Readable "CN=..., O=..." in certificate order. */
  subject: string;
  issuer: string;
  /** Raw Name DER, for exact matching and trust-store indexing. */
  subjectDer: Uint8Array;
  issuerDer: Uint8Array;
  /** Hex of the serial INTEGER's content octets. */
  serialNumber: string;
  /** The serial INTEGER's content octets (two's complement, as encoded). */
  serial: Uint8Array;
  version: number; // 1, 2 or 3
  notBefore: number; // epoch ms
  notAfter: number;
  publicKey: PublicKey;
  /** Raw SubjectPublicKeyInfo DER (identifies the key across certificates). */
  spkiDer: Uint8Array;
  /** null = unsupported (SHA-1, MD5, SHA-224, unknown, or parameters we refuse). */
  signatureAlgorithm: SignatureAlgorithm | null;
  /** The outer and the TBS signature AlgorithmIdentifiers are byte-identical (RFC 5280 4.1.1.2). */
  signatureAlgorithmsMatch: boolean;
  signature: Uint8Array;
  dnsNames: string[];
  ipAddresses: Uint8Array[];
  isCA: boolean;
  pathLen: number | null;
  /** keyUsage bits, bit 0 (value 1) = digitalSignature ... value 256 = decipherOnly; null if absent. */
  keyUsage: number | null;
  /** extendedKeyUsage OIDs, null if absent. */
  extKeyUsage: string[] | null;
  /** All decoded extensions (criticality, SAN, name constraints, key identifiers). */
  extensions: ParsedExtensions;
  /** Issuer and subject Names are byte-identical. */
  selfIssued: boolean;
}

const DIGITS = /^[0-9]+$/;

/** UTCTime YYMMDDHHMMSSZ or GeneralizedTime YYYYMMDDHHMMSSZ (the only forms RFC 5280 allows). */
function readTime(el: DerElement): number {
  let s = "";
  for (let i = 0; i < el.value.length; i++) s += String.fromCharCode(el.value[i]);
  let year: number;
  let rest: string;
  if (el.tag === Tag.UTC_TIME && s.length === 13) {
    const yy = Number(s.slice(0, 2));
    year = yy < 50 ? 2000 + yy : 1900 + yy;
    rest = s.slice(2);
  } else if (el.tag === Tag.GENERALIZED_TIME && s.length === 15) {
    year = Number(s.slice(0, 4));
    rest = s.slice(4);
  } else throw malformedDer("certificate validity");
  if (rest[10] !== "Z" || !DIGITS.test(s.slice(0, s.length - 1))) throw malformedDer("certificate validity");
  const mo = Number(rest.slice(0, 2));
  const d = Number(rest.slice(2, 4));
  const h = Number(rest.slice(4, 6));
  const mi = Number(rest.slice(6, 8));
  const sec = Number(rest.slice(8, 10));
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 59) throw malformedDer("certificate validity");
  const t = Date.UTC(year, mo - 1, d, h, mi, sec);
  if (new Date(t).getUTCDate() !== d) throw malformedDer("certificate validity"); // e.g. Feb 30
  return t;
}

function parse(der: Uint8Array): Certificate {
  const top = new DerReader(der);
  const certEl = top.expect(Tag.SEQUENCE);
  top.end();
  const c = derChildren(certEl);
  const tbsEl = c.expect(Tag.SEQUENCE);
  const outerAlg = c.expect(Tag.SEQUENCE);
  const sig = derBitString(c.expect(Tag.BIT_STRING));
  c.end();
  if (sig.unused !== 0) throw malformedDer("certificate signature");

  const t = derChildren(tbsEl);
  const versionEl = t.optional(0xa0);
  let version = 1;
  if (versionEl) {
    const vr = derChildren(versionEl);
    version = derSmallInteger(vr.expect(Tag.INTEGER)) + 1;
    vr.end();
    if (version > 3) throw malformedDer("certificate version");
  }
  const serialEl = t.expect(Tag.INTEGER);
  if (serialEl.value.length === 0) throw malformedDer("certificate serial");
  const innerAlg = t.expect(Tag.SEQUENCE);
  const issuer = t.expect(Tag.SEQUENCE);
  const validity = derChildren(t.expect(Tag.SEQUENCE));
  const notBefore = readTime(validity.read());
  const notAfter = readTime(validity.read());
  validity.end();
  const subject = t.expect(Tag.SEQUENCE);
  const spki = t.expect(Tag.SEQUENCE);
  t.optional(0x81); // issuerUniqueID
  t.optional(0x82); // subjectUniqueID
  const extEl = t.optional(0xa3);
  t.end();
  if (extEl && version !== 3) throw malformedDer("certificate (extensions need v3)");

  const extensions = parseExtensions(extEl);
  const san = extensions.subjectAltName || [];
  const bc = extensions.basicConstraints;
  let subjectText: string | undefined;
  let issuerText: string | undefined;
  const cert: Certificate = {
    der,
    tbs: tbsEl.raw,
    get subject() {
      return subjectText === undefined ? (subjectText = readableName(subject.raw)) : subjectText;
    },
    get issuer() {
      return issuerText === undefined ? (issuerText = readableName(issuer.raw)) : issuerText;
    },
    subjectDer: subject.raw,
    issuerDer: issuer.raw,
    serialNumber: toHex(serialEl.value),
    serial: serialEl.value,
    version,
    notBefore,
    notAfter,
    publicKey: publicKeyOf(spki),
    spkiDer: spki.raw,
    signatureAlgorithm: signatureAlgorithmOf(outerAlg),
    signatureAlgorithmsMatch: equalBytes(outerAlg.raw, innerAlg.raw),
    signature: sig.bytes,
    dnsNames: san.filter((n) => n.type === "dns").map((n) => (n as { value: string }).value),
    ipAddresses: san.filter((n) => n.type === "ip").map((n) => (n as { value: Uint8Array }).value),
    isCA: bc !== null && bc.ca,
    pathLen: bc ? bc.pathLen : null,
    keyUsage: extensions.keyUsage,
    extKeyUsage: extensions.extKeyUsage,
    extensions,
    selfIssued: equalBytes(subject.raw, issuer.raw),
  };
  return cert;
}

/** Parses one DER certificate. Throws TlsError DECODE_ERROR on anything malformed, never a raw error. */
export function parseCertificate(der: Uint8Array): Certificate {
  if (!(der instanceof Uint8Array)) throw malformedDer("certificate (not bytes)");
  try {
    return parse(der);
  } catch (e) {
    if (e instanceof TlsError) throw e;
    throw malformedDer("certificate");
  }
}
