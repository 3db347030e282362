import { createHmac } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { prf } from "../src/crypto/prf.js";
import { fromHex, toHex } from "../src/bytes.js";

interface PrfCase {
  hash: "sha256" | "sha384";
  label: string;
  secret: string;
  seed: string;
  length: number;
  output: string;
}

// Produced by vectors/make-prf-vectors.mjs from node:crypto HMAC (an independent implementation).
const { cases } = JSON.parse(readFileSync(join(__dirname, "..", "vectors", "prf.json"), "utf8")) as { cases: PrfCase[] };

describe("TLS 1.2 PRF (vectors/prf.json)", () => {
  it("has cases for both hashes", () => {
    expect(cases.filter((c) => c.hash === "sha256").length).toBeGreaterThan(5);
    expect(cases.filter((c) => c.hash === "sha384").length).toBeGreaterThan(5);
  });

  it.each(cases.map((c, i) => [i, c.hash, c.label, c.length, c] as const))("case %i: P_%s '%s' %i bytes", (_i, _h, _l, _n, c) => {
    expect(toHex(prf(c.hash, fromHex(c.secret), c.label, fromHex(c.seed), c.length))).toBe(c.output);
  });

  it("reproduces the published P_SHA256 vector (IETF TLS WG, 2009)", () => {
    const out = prf("sha256", fromHex("9bbe436ba940f017b17652849a71db35"), "test label", fromHex("a0ba9f936cda311827a6f796ffd5198c"), 100);
    expect(toHex(out)).toBe(
      "e3f229ba727be17b8d122620557cd453c2aab21d07c3d495329b52d4e61edb5a6b301791e90d35c9c9a46b4e14baf9af0fa022f7077def17abfd3797c0564bab" +
        "4fbc91666e9def9b97fce34f796789baa48082d122ee42c5a72e5a5110fff70187347b66",
    );
  });

  it("a longer output extends a shorter one (P_hash is a stream)", () => {
    const secret = fromHex("00112233");
    const seed = fromHex("4455");
    expect(toHex(prf("sha384", secret, "x", seed, 100)).startsWith(toHex(prf("sha384", secret, "x", seed, 49)))).toBe(true);
  });
});

describe("PRF against node:crypto HMAC (property)", () => {
  // The reference runs RFC 5246 §5 literally with an independent HMAC; the PRF under test reuses one keyed state.
  function reference(hash: "sha256" | "sha384", secret: Uint8Array, label: string, seed: Uint8Array, length: number): Uint8Array {
    const labelSeed = Buffer.concat([Buffer.from(label, "latin1"), seed]);
    const blocks: Buffer[] = [];
    let a: Buffer = labelSeed;
    for (let n = 0; n < length; ) {
      a = createHmac(hash, secret).update(a).digest();
      const block = createHmac(hash, secret).update(a).update(labelSeed).digest();
      blocks.push(block);
      n += block.length;
    }
    return new Uint8Array(Buffer.concat(blocks).subarray(0, length));
  }

  it("agrees for any secret (including longer than a hash block), label, seed and length", () => {
    fc.assert(
      fc.property(
        fc.constantFrom("sha256" as const, "sha384" as const),
        fc.uint8Array({ maxLength: 200 }),
        fc.string({ maxLength: 30 }).map((s) => s.replace(/[^\x20-\x7e]/g, "x")),
        fc.uint8Array({ maxLength: 150 }),
        fc.integer({ min: 0, max: 260 }),
        (hash, secret, label, seed, length) => {
          expect(toHex(prf(hash, secret, label, seed, length))).toBe(toHex(reference(hash, secret, label, seed, length)));
        },
      ),
      { numRuns: 300 },
    );
  });

  it("leaves its inputs untouched", () => {
    const secret = fromHex("0102030405060708");
    const seed = fromHex("a1a2a3");
    prf("sha256", secret, "key expansion", seed, 100);
    expect(toHex(secret)).toBe("0102030405060708");
    expect(toHex(seed)).toBe("a1a2a3");
  });
});
