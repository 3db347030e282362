import { AsnConvert } from "@peculiar/asn1-schema";
import { Name } from "@peculiar/asn1-x509";
import { decodeError } from "../errors.js";
import { DerReader, Tag, derChildren, derOid } from "./der.js";

// Distinguished names: a readable "CN=..., O=..." form for messages, and the raw RDN list for
// directoryName constraints (compared byte for byte, as webpki does).

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

interface ParsedName {
  attributes: Array<{ type: string; value: string }>;
}

function parseName(der: Uint8Array): ParsedName {
  let name: Name;
  try {
    name = AsnConvert.parse(der, Name);
  } catch {
    throw decodeError("distinguished name");
  }
  const attributes: Array<{ type: string; value: string }> = [];
  for (const rdn of name) for (const atv of rdn) attributes.push({ type: atv.type, value: atv.value.toString() });
  return { attributes };
}

/** "CN=example.com, O=Example" in certificate order; unknown attribute types appear as their OID. */
export function readableName(der: Uint8Array): string {
  try {
    return parseName(der)
      .attributes.map((a) => `${SHORT[a.type] || a.type}=${a.value.replace(/([,+"\\<>;])/g, "\\$1")}`)
      .join(", ");
  } catch {
    return "(unreadable name)";
  }
}

/** The subject's commonName values (used only to check them against the SAN, never to match a host). */
export function commonNames(der: Uint8Array): string[] {
  const quick = asciiCommonNames(der);
  if (quick) return quick;
  return parseName(der)
    .attributes.filter((a) => a.type === OID_CN)
    .map((a) => a.value);
}

/** PrintableString, UTF8String, IA5String: for ASCII contents, the text is the bytes themselves. */
const PLAIN_STRING_TAGS = [Tag.PRINTABLE_STRING, Tag.UTF8_STRING, Tag.IA5_STRING];

/**
 * commonNames() without the schema library, for the Names almost every certificate carries: every
 * attribute value an ASCII PrintableString/UTF8String/IA5String. The check runs on every handshake, and the
 * schema parse costs more than the rest of the leaf's profile checks together. For anything else (other
 * string types, non-ASCII, a shape the strict walker refuses) it returns null and the schema library
 * decides, so both paths give the same answer: the same strings, or the same refusal.
 */
function asciiCommonNames(der: Uint8Array): string[] | null {
  try {
    const top = new DerReader(der, "distinguished name");
    const rdns = derChildren(top.expect(Tag.SEQUENCE), "distinguished name");
    top.end();
    const out: string[] = [];
    while (!rdns.done) {
      const rdn = derChildren(rdns.expect(Tag.SET), "distinguished name");
      if (rdn.done) return null;
      while (!rdn.done) {
        const atv = derChildren(rdn.expect(Tag.SEQUENCE), "distinguished name");
        const type = derOid(atv.expect(Tag.OID), "distinguished name");
        const value = atv.read();
        atv.end();
        if (PLAIN_STRING_TAGS.indexOf(value.tag as (typeof PLAIN_STRING_TAGS)[number]) < 0) return null;
        let text = "";
        for (let i = 0; i < value.value.length; i++) {
          const c = value.value[i];
          if (c >= 0x80) return null;
          text += String.fromCharCode(c);
        }
        if (type === OID_CN) out.push(text);
      }
    }
    return out;
  } catch {
    return null;
  }
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
