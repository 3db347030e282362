import { toHex } from "../bytes.js";
import { DerReader, Tag, derChildren, derOid, type DerElement, malformedDer } from "./der.js";

// Distinguished names, read with the DER walker: a readable "CN=..., O=..." form for messages, the commonName
// values for the profile check, and the raw RDN list for directoryName constraints (compared byte for byte, as
// webpki does). No schema library: this runs on every handshake, and devices cannot afford to load one.

const SHORT: Record<string, string> = {
  "2.5.4.3": "CN",
  "2.5.4.6": "C",
  "2.5.4.7": "L",
  "2.5.4.8": "ST",
  "2.5.4.10": "O",
  "2.5.4.11": "OU",
  "2.5.4.5": "serialNumber",
  "1.2.840.113549.1.9.1": "emailAddress",
  "0.9.2342.19200300.100.1.25": "DC",
};
const OID_CN = "2.5.4.3";

const TELETEX_STRING = 0x14;
const UNIVERSAL_STRING = 0x1c;
const BMP_STRING = 0x1e;

interface Attribute {
  type: string;
  value: string;
}

/** Lenient UTF-8 (a malformed sequence becomes U+FFFD), as the text is only compared and displayed. */
function utf8Text(b: Uint8Array): string {
  let s = "";
  for (let i = 0; i < b.length; ) {
    const c = b[i];
    const n = c < 0x80 ? 0 : c >= 0xc2 && c < 0xe0 ? 1 : c >= 0xe0 && c < 0xf0 ? 2 : c >= 0xf0 && c < 0xf5 ? 3 : -1;
    let cp = n === 0 ? c : n === 1 ? c & 0x1f : n === 2 ? c & 0x0f : c & 0x07;
    let ok = n >= 0;
    for (let k = 1; ok && k <= n; k++) {
      const d = b[i + k];
      if (d === undefined || (d & 0xc0) !== 0x80) ok = false;
      else cp = (cp << 6) | (d & 0x3f);
    }
    if (ok && ((n === 2 && (cp < 0x800 || (cp >= 0xd800 && cp < 0xe000))) || (n === 3 && (cp < 0x10000 || cp > 0x10ffff)))) ok = false;
    if (!ok) {
      s += "\ufffd";
      i++;
      continue;
    }
    s += String.fromCodePoint(cp);
    i += n + 1;
  }
  return s;
}

/** Big-endian code units of `width` bytes (BMPString: 2, UniversalString: 4). */
function wideText(b: Uint8Array, width: 2 | 4): string {
  if (b.length % width !== 0) throw malformedDer("distinguished name");
  let s = "";
  for (let i = 0; i < b.length; i += width) {
    const u = width === 2 ? (b[i] << 8) | b[i + 1] : ((b[i] << 24) | (b[i + 1] << 16) | (b[i + 2] << 8) | b[i + 3]) >>> 0;
    s += width === 2 ? String.fromCharCode(u) : u <= 0x10ffff ? String.fromCodePoint(u) : "\ufffd";
  }
  return s;
}

/** An attribute value as text: the DirectoryString types and IA5String decoded, anything else as hex of its DER. */
function attributeText(el: DerElement): string {
  switch (el.tag) {
    case Tag.PRINTABLE_STRING:
    case Tag.IA5_STRING:
    case TELETEX_STRING: {
      let s = "";
      for (let i = 0; i < el.value.length; i++) s += String.fromCharCode(el.value[i]);
      return s;
    }
    case Tag.UTF8_STRING:
      return utf8Text(el.value);
    case BMP_STRING:
      return wideText(el.value, 2);
    case UNIVERSAL_STRING:
      return wideText(el.value, 4);
    default:
      return toHex(el.raw);
  }
}

/** Name ::= SEQUENCE OF RelativeDistinguishedName (SET OF AttributeTypeAndValue), in certificate order. */
function parseName(der: Uint8Array): Attribute[] {
  const what = "distinguished name";
  const top = new DerReader(der, what);
  const rdns = derChildren(top.expect(Tag.SEQUENCE), what);
  top.end();
  const out: Attribute[] = [];
  while (!rdns.done) {
    const rdn = derChildren(rdns.expect(Tag.SET), what);
    while (!rdn.done) {
      const atv = derChildren(rdn.expect(Tag.SEQUENCE), what);
      const type = derOid(atv.expect(Tag.OID), what);
      const value = atv.read();
      atv.end();
      out.push({ type, value: attributeText(value) });
    }
  }
  return out;
}

/** "CN=example.com, O=Example" in certificate order; unknown attribute types appear as their OID. */
export function readableName(der: Uint8Array): string {
  try {
    return parseName(der)
      .map((a) => `${SHORT[a.type] || a.type}=${a.value.replace(/([,+"\\<>;])/g, "\\$1")}`)
      .join(", ");
  } catch {
    return "(unreadable name)";
  }
}

/** The subject's commonName values (used only to check them against the SAN, never to match a host). */
export function commonNames(der: Uint8Array): string[] {
  return parseName(der)
    .filter((a) => a.type === OID_CN)
    .map((a) => a.value);
}

/** The RDNs of a Name as raw DER SETs, for prefix comparison in directoryName constraints. */
export function rdnList(der: Uint8Array): Uint8Array[] {
  const seq = new DerReader(der, "distinguished name").expect(Tag.SEQUENCE);
  const r = derChildren(seq, "distinguished name");
  const out: Uint8Array[] = [];
  while (!r.done) out.push(r.expect(Tag.SET).raw);
  return out;
}

/** True when the Name is an empty SEQUENCE. */
export function isEmptyName(der: Uint8Array): boolean {
  return der.length === 2 && der[1] === 0;
}
