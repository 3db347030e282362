import { AsnConvert } from "@peculiar/asn1-schema";
import { AttributeTypeAndValue, AttributeValue, Name, RelativeDistinguishedName } from "@peculiar/asn1-x509";
import { describe, expect, it } from "vitest";
import { commonNames, readableName } from "../src/x509/names.js";

// Names are read with the DER walker since the asn1 stack left the client path: these check that the walker gives
// the text the schema library gave (which it used to compute) for every string type a Name carries.

function nameDer(values: AttributeValue[], type = "2.5.4.3"): Uint8Array {
  const name = new Name(values.map((value) => new RelativeDistinguishedName([new AttributeTypeAndValue({ type, value })])));
  return new Uint8Array(AsnConvert.serialize(name));
}

function schemaText(der: Uint8Array): string[] {
  const out: string[] = [];
  for (const rdn of AsnConvert.parse(der, Name)) for (const atv of rdn) out.push(atv.value.toString());
  return out;
}

describe("Names read with the DER walker", () => {
  const cases: Array<[string, AttributeValue]> = [
    ["PrintableString", new AttributeValue({ printableString: "device.example.com" })],
    ["UTF8String, non-ASCII", new AttributeValue({ utf8String: "bücher.example 🙂" })],
    ["IA5String", new AttributeValue({ ia5String: "a@b.example" })],
    ["BMPString", new AttributeValue({ bmpString: "Ünïcødé" })],
    ["TeletexString", new AttributeValue({ teletexString: "teletex" })],
    ["empty UTF8String", new AttributeValue({ utf8String: "" })],
  ];
  for (const [what, value] of cases) {
    it(`gives the schema library's text for a ${what}`, () => {
      const der = nameDer([value]);
      expect(commonNames(der)).toEqual(schemaText(der));
      expect(readableName(der)).toBe(`CN=${schemaText(der)[0]}`);
    });
  }

  it("keeps certificate order and escapes separators in the readable form", () => {
    const der = new Uint8Array(
      AsnConvert.serialize(
        new Name([
          new RelativeDistinguishedName([new AttributeTypeAndValue({ type: "2.5.4.6", value: new AttributeValue({ printableString: "DE" }) })]),
          new RelativeDistinguishedName([new AttributeTypeAndValue({ type: "2.5.4.10", value: new AttributeValue({ utf8String: "A, B" }) })]),
          new RelativeDistinguishedName([new AttributeTypeAndValue({ type: "1.2.3.4", value: new AttributeValue({ utf8String: "x" }) })]),
        ]),
      ),
    );
    expect(readableName(der)).toBe("C=DE, O=A\\, B, 1.2.3.4=x");
    expect(commonNames(der)).toEqual([]);
  });

  it("refuses malformed DER: a truncated Name, trailing bytes, an odd-length BMPString", () => {
    const der = nameDer([new AttributeValue({ printableString: "x" })]);
    expect(() => commonNames(der.subarray(0, der.length - 1))).toThrow();
    expect(() => commonNames(new Uint8Array([...der, 0]))).toThrow();
    // CN as a BMPString of three bytes: not whole UTF-16 code units.
    const odd = Uint8Array.of(0x30, 0x0e, 0x31, 0x0c, 0x30, 0x0a, 0x06, 0x03, 0x55, 0x04, 0x03, 0x1e, 0x03, 0x00, 0x61, 0x00);
    expect(() => commonNames(odd)).toThrow();
    expect(readableName(odd)).toBe("(unreadable name)");
    const even = Uint8Array.of(0x30, 0x0d, 0x31, 0x0b, 0x30, 0x09, 0x06, 0x03, 0x55, 0x04, 0x03, 0x1e, 0x02, 0x00, 0x61);
    expect(commonNames(even)).toEqual(["a"]);
  });
});
