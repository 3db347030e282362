import { createHash } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { concatBytes, toHex } from "../src/bytes.js";
import { createHash as nobleHash } from "../src/crypto/hash.js";
import { Transcript } from "../src/handshake/transcript.js";

describe("handshake transcript", () => {
  it("hashes every message with the hash chosen at ServerHello, before and after the choice", () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 300 }), { minLength: 1, maxLength: 6 }), fc.nat(6), fc.constantFrom("sha256", "sha384" as const), (msgs, split, hash) => {
        const at = Math.min(split, msgs.length);
        const t = new Transcript();
        msgs.slice(0, at).forEach((m) => t.add(m));
        t.useHash(() => nobleHash(hash));
        msgs.slice(at).forEach((m) => t.add(m));
        const expected = createHash(hash).update(concatBytes(...msgs)).digest("hex");
        expect(toHex(t.current())).toBe(expected);
        // current() peeks: asking twice gives the same answer, and the transcript goes on.
        expect(toHex(t.current())).toBe(expected);
        expect(() => t.messages()).toThrow(/not kept/);
      }),
    );
  });

  it("keeps the messages themselves only when asked (for a client CertificateVerify)", () => {
    const t = new Transcript(true);
    t.add(Uint8Array.of(1, 2));
    t.useHash(() => nobleHash("sha256"));
    t.add(Uint8Array.of(3));
    expect([...t.messages()]).toEqual([1, 2, 3]);
    expect(toHex(t.current())).toBe(createHash("sha256").update(Uint8Array.of(1, 2, 3)).digest("hex"));
  });
});
