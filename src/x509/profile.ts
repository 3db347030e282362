import { equalBytes } from "../bytes.js";
import { DEFAULT_RSA_BOUNDS, keyStrengthProblem, rsaBoundsProblem, type RsaBounds } from "./algorithms.js";
import type { Certificate } from "./certificate.js";
import { ExtOid, KeyUsageBit } from "./extensions.js";
import { VerifyFlag, type VerifyFlagName } from "./flags.js";
import { canonicalHostname, formatIp, ipEquals, parseIp } from "./hostname.js";
import { constraintsWellFormed } from "./name-constraints.js";
import { commonNames, isEmptyName } from "./names.js";

// The certificate profile: what each certificate on a path must look like, by role. It follows RFC 5280
// plus the CA/B Forum rules that webpki-style verifiers (rustls-webpki, pyca/cryptography) enforce, as
// x509-limbo expects them. Trust anchors get the CA checks too (limbo expects a bad root to fail).

export type Role = "leaf" | "intermediate" | "anchor";

export const EKU_SERVER_AUTH = "1.3.6.1.5.5.7.3.1";
const EKU_ANY = "2.5.29.37.0";

function serialProblem(serial: Uint8Array): boolean {
  if (serial[0] & 0x80) return true; // negative
  let i = 0;
  while (i < serial.length - 1 && serial[i] === 0) i++;
  const magnitude = serial.subarray(i);
  if (magnitude.length === 1 && magnitude[0] === 0) return true; // zero
  return magnitude.length > 20;
}

/** Validity at `now` (epoch ms). Times in certificates have whole seconds, so `now` is floored first. */
export function validityFlags(cert: Certificate, now: number | null): VerifyFlagName[] {
  if (now === null) return [];
  const t = Math.floor(now / 1000) * 1000;
  if (t < cert.notBefore) return [VerifyFlag.NOT_YET_VALID];
  if (t > cert.notAfter) return [VerifyFlag.EXPIRED];
  return [];
}

function commonChecks(cert: Certificate, role: Role, out: VerifyFlagName[], bounds: RsaBounds): void {
  const ext = cert.extensions;
  if (cert.version !== 3 || ext.duplicate || !cert.signatureAlgorithmsMatch) out.push(VerifyFlag.MALFORMED);
  // Serial rules bind issuers, not roots: trusted roots with serial 0 exist (Starfield G2).
  if (role !== "anchor" && serialProblem(cert.serial)) out.push(VerifyFlag.MALFORMED);
  if (isEmptyName(cert.issuerDer)) out.push(VerifyFlag.MALFORMED);
  if (ext.unknownCritical.length > 0) out.push(VerifyFlag.UNKNOWN_CRITICAL_EXTENSION);
  if (keyStrengthProblem(cert.publicKey)) out.push(VerifyFlag.UNSUPPORTED_ALGORITHM);
  if (rsaBoundsProblem(cert.publicKey, bounds)) out.push(VerifyFlag.KEY_BOUNDS);
  // RFC 5280: these extensions MUST be non-critical (or critical, for policyConstraints).
  const crit = ext.critical;
  if (crit[ExtOid.authorityKeyId] || crit[ExtOid.subjectKeyId] || crit[ExtOid.authorityInfoAccess]) out.push(VerifyFlag.MALFORMED);
  if (crit[ExtOid.policyConstraints] === false) out.push(VerifyFlag.MALFORMED);
  // RFC 5280 4.2.1.1: every certificate but a self-signed one names its issuer's key.
  if (!cert.selfIssued && !ext.authorityKeyId) out.push(VerifyFlag.MALFORMED);
}

function caChecks(cert: Certificate, role: Role, out: VerifyFlagName[]): void {
  const ext = cert.extensions;
  const bc = ext.basicConstraints;
  if (!bc || !bc.ca) out.push(VerifyFlag.NOT_CA);
  else if (!ext.critical[ExtOid.basicConstraints]) out.push(VerifyFlag.MALFORMED);
  // keyUsage may be absent (OpenSSL's default CA profile omits it); when present it must allow signing certificates.
  if (cert.keyUsage !== null && !(cert.keyUsage & KeyUsageBit.keyCertSign)) out.push(VerifyFlag.KEY_USAGE);
  if (isEmptyName(cert.subjectDer)) out.push(VerifyFlag.MALFORMED);
  if (cert.extKeyUsage !== null) {
    // A root with an EKU (CA/B 7.1.2.1.2) or an intermediate without serverAuth cannot issue TLS server certificates.
    if (role === "anchor" || (cert.extKeyUsage.indexOf(EKU_SERVER_AUTH) < 0 && cert.extKeyUsage.indexOf(EKU_ANY) < 0)) out.push(VerifyFlag.EXT_KEY_USAGE);
  }
  if (ext.nameConstraints && !constraintsWellFormed(ext.nameConstraints)) out.push(VerifyFlag.NAME_CONSTRAINTS);
  const aki = ext.authorityKeyId;
  if (aki && role === "anchor" && cert.selfIssued) {
    // CA/B 7.1.2.1.3: a root's AKI, if present, is just its own key identifier.
    if (!aki.keyId || aki.hasIssuer || aki.hasSerial) out.push(VerifyFlag.MALFORMED);
    else if (ext.subjectKeyId && !equalBytes(aki.keyId, ext.subjectKeyId)) out.push(VerifyFlag.MALFORMED);
  }
  if (!ext.subjectKeyId) out.push(VerifyFlag.MALFORMED); // RFC 5280 4.2.1.2: MUST appear in CA certificates
  // RFC 5280 says critical; CA/B allows non-critical. We follow RFC 5280: a verifier unaware of the
  // extension must not be able to treat a constrained CA as unconstrained.
  if (ext.nameConstraints && !ext.critical[ExtOid.nameConstraints]) out.push(VerifyFlag.NAME_CONSTRAINTS);
}

function parentOf(name: string): string {
  const dot = name.indexOf(".");
  return dot < 0 ? "" : name.slice(dot + 1);
}

/** An IPv4 text as inet_aton reads it (leading zeros, a single hex number): how a sloppy CN spells an address. */
function looseIpv4(text: string): Uint8Array | null {
  if (/^0x[0-9a-f]{1,8}$/i.test(text)) {
    const n = parseInt(text.slice(2), 16);
    return new Uint8Array([n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255]);
  }
  const parts = text.split(".");
  if (parts.length !== 4 || !parts.every((p) => /^[0-9]{1,3}$/.test(p) && Number(p) < 256)) return null;
  return new Uint8Array(parts.map(Number));
}

/**
 * CA/B 7.1.4.3: a CN, if present, is a character-for-character copy of a SAN. We cannot enforce that for
 * every CN (free-text CNs are common in private PKIs and ignored for matching anyway), but a CN that
 * spells one of the SANs differently (other case, other IP notation), or an IDN that is not a SAN, is a
 * sign of misissuance: reject it.
 */
function commonNameProblem(cert: Certificate): boolean {
  let cns: string[];
  try {
    cns = commonNames(cert.subjectDer);
  } catch {
    return true;
  }
  for (const cn of cns) {
    if (cert.dnsNames.indexOf(cn) >= 0) continue;
    const ip = cn.indexOf(":") >= 0 ? parseIp(cn) : looseIpv4(cn);
    if (ip && cert.ipAddresses.some((a) => ipEquals(a, ip)) && formatIp(ip) !== cn) return true;
    const lower = canonicalHostname(cn);
    if (lower && cert.dnsNames.some((d) => d.toLowerCase() === lower)) return true;
    // A CN naming another host of the same domain as a SAN (copy-paste misissuance); unrelated CNs are free text.
    // (A wildcard SAN covering the CN is not such a sign: "*.example.com" may stand for the CN's host.)
    if (lower && lower.indexOf(".") > 0 && cert.dnsNames.some((d) => !d.startsWith("*.") && parentOf(d.toLowerCase()) === parentOf(lower))) return true;
    // An internationalised domain name in the CN (U-label or A-label) that is not a SAN: a spoofing risk.
    const domainLike = cn.indexOf(".") > 0 && !/[\s/@,]/.test(cn);
    if (domainLike && (/[^\x00-\x7f]/.test(cn) || /(^|\.)xn--/i.test(cn))) return true;
  }
  return false;
}

function leafChecks(cert: Certificate, out: VerifyFlagName[]): void {
  const ext = cert.extensions;
  if (cert.isCA) out.push(VerifyFlag.NOT_CA); // a CA certificate presented as the server's (CA/B 7.1.2.7.8)
  const ku = cert.keyUsage;
  if (ku !== null) {
    const tlsUse = KeyUsageBit.digitalSignature | KeyUsageBit.keyEncipherment | KeyUsageBit.keyAgreement;
    if (ku & KeyUsageBit.keyCertSign || !(ku & tlsUse)) out.push(VerifyFlag.KEY_USAGE);
  }
  const eku = cert.extKeyUsage;
  // CA/B 7.1.2.7.10/7.1.2.7.6: the EKU is present, non-critical, names serverAuth and not anyExtendedKeyUsage.
  if (eku === null || eku.indexOf(EKU_SERVER_AUTH) < 0 || eku.indexOf(EKU_ANY) >= 0 || ext.critical[ExtOid.extKeyUsage]) out.push(VerifyFlag.EXT_KEY_USAGE);
  if (ext.nameConstraints) out.push(VerifyFlag.MALFORMED); // only CAs may carry name constraints
  const san = ext.subjectAltName;
  const emptySubject = isEmptyName(cert.subjectDer);
  // RFC 5280 4.2.1.6 / CA-B 7.1.2.7.12: SAN critical exactly when the subject is empty.
  if (san && ext.critical[ExtOid.subjectAltName] !== emptySubject) out.push(VerifyFlag.MALFORMED);
  if (!emptySubject && commonNameProblem(cert)) out.push(VerifyFlag.MALFORMED);
}

/** The keyUsage bit a TLS 1.2 key exchange needs of the server's leaf (RFC 5246 §7.4.2, RFC 8422 §5.3, RFC 5280 §4.2.1.3). */
export type LeafKeyUse = "digitalSignature" | "keyEncipherment";

/** KEY_USAGE when the leaf carries keyUsage without the bit `use` needs (no keyUsage at all allows every use). */
export function leafKeyUseFlags(cert: Certificate, use: LeafKeyUse | undefined): VerifyFlagName[] {
  if (use === undefined || cert.keyUsage === null) return [];
  const bit = use === "digitalSignature" ? KeyUsageBit.digitalSignature : KeyUsageBit.keyEncipherment;
  return cert.keyUsage & bit ? [] : [VerifyFlag.KEY_USAGE];
}

/** Profile violations of one certificate in its role on a path (validity and signatures are checked elsewhere). */
export function profileFlags(cert: Certificate, role: Role, bounds: RsaBounds = DEFAULT_RSA_BOUNDS): VerifyFlagName[] {
  const out: VerifyFlagName[] = [];
  commonChecks(cert, role, out, bounds);
  if (role === "leaf") leafChecks(cert, out);
  else caChecks(cert, role, out);
  return out;
}
