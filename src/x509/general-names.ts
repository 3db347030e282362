import { DerReader, Tag, derChildren, type DerElement, malformedDer } from "./der.js";

// GeneralName (RFC 5280 4.2.1.6) decoded by hand: iPAddress must stay raw bytes (constraints carry
// address+mask) and directoryName must stay raw DER for exact comparison.

export type GeneralName =
  | { type: "dns"; value: string }
  | { type: "ip"; value: Uint8Array }
  | { type: "email"; value: string }
  | { type: "uri"; value: string }
  | { type: "dn"; value: Uint8Array /* Name DER */ }
  | { type: "other"; tag: number };

function ia5(el: DerElement, what: string): string {
  let s = "";
  for (let i = 0; i < el.value.length; i++) {
    const c = el.value[i];
    if (c > 0x7e || c < 0x20) throw malformedDer(what); // IA5String, printable subset: no controls
    s += String.fromCharCode(c);
  }
  return s;
}

export function readGeneralName(el: DerElement, what = "subjectAltName"): GeneralName {
  switch (el.tag) {
    case 0x81:
      return { type: "email", value: ia5(el, what) };
    case 0x82:
      return { type: "dns", value: ia5(el, what) };
    case 0x86:
      return { type: "uri", value: ia5(el, what) };
    case 0x87:
      return { type: "ip", value: el.value };
    case 0xa4: {
      const r = derChildren(el, what);
      const name = r.expect(Tag.SEQUENCE);
      r.end();
      return { type: "dn", value: name.raw };
    }
    case 0xa0: // otherName
    case 0xa3: // x400Address
    case 0xa5: // ediPartyName
    case 0x88: // registeredID
      return { type: "other", tag: el.tag };
    default:
      throw malformedDer(what);
  }
}

/** GeneralNames ::= SEQUENCE SIZE (1..MAX) OF GeneralName */
export function readGeneralNames(der: Uint8Array, what = "subjectAltName"): GeneralName[] {
  const r = new DerReader(der, what);
  const seq = r.expect(Tag.SEQUENCE);
  r.end();
  const items = derChildren(seq, what);
  const out: GeneralName[] = [];
  while (!items.done) out.push(readGeneralName(items.read(), what));
  if (out.length === 0) throw malformedDer(what);
  return out;
}
