import { DerReader, Tag, derBitString, derBoolean, derChildren, derOid, derSmallInteger, type DerElement, malformedDer } from "./der.js";
import { readGeneralName, readGeneralNames, type GeneralName } from "./general-names.js";

// The v3 extensions the verifier understands, decoded once at parse time and cached on the certificate
// (a handshake verifies the same two certificates' extensions several times).

export const ExtOid = {
  basicConstraints: "2.5.29.19",
  keyUsage: "2.5.29.15",
  extKeyUsage: "2.5.29.37",
  subjectAltName: "2.5.29.17",
  nameConstraints: "2.5.29.30",
  authorityKeyId: "2.5.29.35",
  subjectKeyId: "2.5.29.14",
  authorityInfoAccess: "1.3.6.1.5.5.7.1.1",
  certificatePolicies: "2.5.29.32",
  policyConstraints: "2.5.29.36",
  policyMappings: "2.5.29.33",
  inhibitAnyPolicy: "2.5.29.54",
} as const;

/** keyUsage bits as a number: bit 0 = digitalSignature ... bit 8 = decipherOnly (RFC 5280 order). */
export const KeyUsageBit = {
  digitalSignature: 1,
  nonRepudiation: 2,
  keyEncipherment: 4,
  dataEncipherment: 8,
  keyAgreement: 16,
  keyCertSign: 32,
  cRLSign: 64,
  encipherOnly: 128,
  decipherOnly: 256,
} as const;

export interface NameConstraints {
  permitted: GeneralName[] | null;
  excluded: GeneralName[] | null;
}

export interface AuthorityKeyId {
  keyId: Uint8Array | null;
  hasIssuer: boolean;
  hasSerial: boolean;
}

export interface ParsedExtensions {
  /** OID -> critical, for every extension present. */
  critical: Record<string, boolean>;
  /** Critical extensions we do not understand. */
  unknownCritical: string[];
  duplicate: boolean;
  basicConstraints: { ca: boolean; pathLen: number | null } | null;
  keyUsage: number | null;
  extKeyUsage: string[] | null;
  subjectAltName: GeneralName[] | null;
  nameConstraints: NameConstraints | null;
  authorityKeyId: AuthorityKeyId | null;
  subjectKeyId: Uint8Array | null;
}

const KNOWN = new Set<string>(Object.keys(ExtOid).map((k) => ExtOid[k as keyof typeof ExtOid]));

function readSubtrees(el: DerElement): GeneralName[] {
  const r = derChildren(el, "nameConstraints");
  const out: GeneralName[] = [];
  while (!r.done) {
    const subtree = derChildren(r.expect(Tag.SEQUENCE), "nameConstraints");
    out.push(readGeneralName(subtree.read(), "nameConstraints"));
    // minimum MUST be zero and maximum absent (RFC 5280 4.2.1.10); anything else is not a valid profile.
    if (!subtree.done) throw malformedDer("nameConstraints (minimum/maximum)");
  }
  if (out.length === 0) throw malformedDer("nameConstraints (empty subtrees)");
  return out;
}

function readNameConstraints(der: Uint8Array): NameConstraints {
  const top = new DerReader(der, "nameConstraints");
  const seq = top.expect(Tag.SEQUENCE);
  top.end();
  const r = derChildren(seq, "nameConstraints");
  const p = r.optional(0xa0);
  const e = r.optional(0xa1);
  r.end();
  if (!p && !e) throw malformedDer("nameConstraints (empty)");
  return { permitted: p ? readSubtrees(p) : null, excluded: e ? readSubtrees(e) : null };
}

function readAuthorityKeyId(der: Uint8Array): AuthorityKeyId {
  const top = new DerReader(der, "authorityKeyIdentifier");
  const r = derChildren(top.expect(Tag.SEQUENCE), "authorityKeyIdentifier");
  top.end();
  const keyId = r.optional(0x80);
  const issuer = r.optional(0xa1);
  const serial = r.optional(0x82);
  r.end();
  return { keyId: keyId ? keyId.value : null, hasIssuer: issuer !== null, hasSerial: serial !== null };
}

function readKeyUsage(der: Uint8Array): number {
  const r = new DerReader(der, "keyUsage");
  const bits = derBitString(r.expect(Tag.BIT_STRING), "keyUsage");
  r.end();
  // Named bits, first octet's top bit = digitalSignature (bit 0).
  let n = 0;
  for (let i = 0; i < bits.bytes.length && i < 2; i++) {
    for (let b = 0; b < 8; b++) if (bits.bytes[i] & (0x80 >> b)) n |= 1 << (i * 8 + b);
  }
  if (n === 0) throw malformedDer("keyUsage (no bits set)");
  return n;
}

function readExtKeyUsage(der: Uint8Array): string[] {
  const r = new DerReader(der, "extKeyUsage");
  const list = derChildren(r.expect(Tag.SEQUENCE), "extKeyUsage");
  r.end();
  const out: string[] = [];
  while (!list.done) out.push(derOid(list.expect(Tag.OID), "extKeyUsage"));
  if (out.length === 0) throw malformedDer("extKeyUsage (empty)");
  return out;
}

function readBasicConstraints(der: Uint8Array): { ca: boolean; pathLen: number | null } {
  const r = new DerReader(der, "basicConstraints");
  const seq = derChildren(r.expect(Tag.SEQUENCE), "basicConstraints");
  r.end();
  const caEl = seq.optional(Tag.BOOLEAN);
  const lenEl = seq.optional(Tag.INTEGER);
  seq.end();
  return { ca: caEl ? derBoolean(caEl, "basicConstraints") : false, pathLen: lenEl ? derSmallInteger(lenEl, "basicConstraints") : null };
}

/**
 * AuthorityInfoAccessSyntax ::= SEQUENCE SIZE (1..MAX) OF AccessDescription
 * AccessDescription ::= SEQUENCE { accessMethod OBJECT IDENTIFIER, accessLocation GeneralName }
 * Checked for shape only, with the DER walker (nothing on the client path loads a schema library).
 */
function checkAuthorityInfoAccess(der: Uint8Array): void {
  const what = "authorityInfoAccess";
  const top = new DerReader(der, what);
  const list = derChildren(top.expect(Tag.SEQUENCE), what);
  top.end();
  if (list.done) throw malformedDer("authorityInfoAccess (empty)");
  while (!list.done) {
    const ad = derChildren(list.expect(Tag.SEQUENCE), what);
    derOid(ad.expect(Tag.OID), what);
    const location = ad.read();
    ad.end();
    if (!GENERAL_NAME_TAGS.has(location.tag)) throw malformedDer(what);
    // A directoryName must hold one Name; other choices are not read further (only the shape is checked).
    if (location.tag === 0xa4) {
      const dn = derChildren(location, what);
      dn.expect(Tag.SEQUENCE);
      dn.end();
    }
  }
}

/** The GeneralName CHOICE tags [0]..[8] (RFC 5280 4.2.1.6): constructed for otherName, x400, directoryName, edi. */
const GENERAL_NAME_TAGS = new Set([0xa0, 0x81, 0x82, 0xa3, 0xa4, 0xa5, 0x86, 0x87, 0x88]);

export function parseExtensions(el: DerElement | null): ParsedExtensions {
  const out: ParsedExtensions = {
    critical: {},
    unknownCritical: [],
    duplicate: false,
    basicConstraints: null,
    keyUsage: null,
    extKeyUsage: null,
    subjectAltName: null,
    nameConstraints: null,
    authorityKeyId: null,
    subjectKeyId: null,
  };
  if (!el) return out;
  // [3] EXPLICIT Extensions ::= SEQUENCE SIZE (1..MAX) OF Extension
  const wrap = derChildren(el, "extensions");
  const list = derChildren(wrap.expect(Tag.SEQUENCE), "extensions");
  wrap.end();
  if (list.done) throw malformedDer("extensions (empty)");
  while (!list.done) {
    const r = derChildren(list.expect(Tag.SEQUENCE), "extension");
    const oid = derOid(r.expect(Tag.OID), "extension");
    const critEl = r.optional(Tag.BOOLEAN);
    const critical = critEl ? derBoolean(critEl, "extension") : false;
    const value = r.expect(Tag.OCTET_STRING).value;
    r.end();
    if (oid in out.critical) out.duplicate = true;
    out.critical[oid] = critical;
    if (critical && !KNOWN.has(oid)) out.unknownCritical.push(oid);
    switch (oid) {
      case ExtOid.basicConstraints:
        out.basicConstraints = readBasicConstraints(value);
        break;
      case ExtOid.keyUsage:
        out.keyUsage = readKeyUsage(value);
        break;
      case ExtOid.extKeyUsage:
        out.extKeyUsage = readExtKeyUsage(value);
        break;
      case ExtOid.subjectAltName:
        out.subjectAltName = readGeneralNames(value);
        break;
      case ExtOid.nameConstraints:
        out.nameConstraints = readNameConstraints(value);
        break;
      case ExtOid.authorityKeyId:
        out.authorityKeyId = readAuthorityKeyId(value);
        break;
      case ExtOid.subjectKeyId: {
        const r2 = new DerReader(value, "subjectKeyIdentifier");
        out.subjectKeyId = r2.expect(Tag.OCTET_STRING).value;
        r2.end();
        break;
      }
      case ExtOid.authorityInfoAccess:
        checkAuthorityInfoAccess(value);
        break;
    }
  }
  return out;
}
