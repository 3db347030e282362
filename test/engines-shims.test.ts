// The stand-ins that dist/microtls.engine.js carries for engines without Object.hasOwn / TextEncoder / TextDecoder
// (scripts/engine-shims.mjs) must behave like the real ones: compared here with Node's.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { microtlsHasOwn, Utf8Decoder, Utf8Encoder } from "../scripts/engine-shims.mjs";

describe("engine bundle stand-ins", () => {
  it("Utf8Encoder encodes like TextEncoder, lone surrogates included", () => {
    const ours = new Utf8Encoder();
    const node = new TextEncoder();
    fc.assert(fc.property(fc.string({ unit: "binary" }), (s) => {
        expect(ours.encode(s)).toEqual(node.encode(s));
      }));
    expect(ours.encode("\ud800x")).toEqual(node.encode("\ud800x"));
  });

  it("Utf8Decoder decodes like TextDecoder: one U+FFFD per maximal invalid subpart", () => {
    const node = new TextDecoder("utf-8");
    const ours = new Utf8Decoder("utf-8");
    const bytes = fc.uint8Array({ maxLength: 64 });
    // Bias towards multi-byte lead and continuation bytes, where decoders differ.
    const tricky = fc.array(fc.constantFrom(0x41, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0, 0xc2, 0xdf, 0xe0, 0xed, 0xef, 0xf0, 0xf4, 0xf5, 0xff), { maxLength: 24 });
    fc.assert(fc.property(bytes, (b) => {
        expect(ours.decode(b)).toBe(node.decode(b));
      }));
    fc.assert(fc.property(tricky, (a) => {
        expect(ours.decode(Uint8Array.from(a))).toBe(node.decode(Uint8Array.from(a)));
      }));
  });

  it("Utf8Decoder with fatal: true throws exactly when TextDecoder does", () => {
    const node = new TextDecoder("utf-8", { fatal: true });
    const ours = new Utf8Decoder("utf-8", { fatal: true });
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 32 }), (b) => {
        let want: string | null = null;
        try {
          want = node.decode(b);
        } catch {
          want = null;
        }
        if (want === null) expect(() => ours.decode(b)).toThrow(TypeError);
        else expect(ours.decode(b)).toBe(want);
      }),
    );
  });

  it("microtlsHasOwn answers own properties only", () => {
    expect(microtlsHasOwn({ a: 1 }, "a")).toBe(true);
    expect(microtlsHasOwn({}, "toString")).toBe(false);
    expect(microtlsHasOwn(Object.create({ a: 1 }), "a")).toBe(false);
  });
});
