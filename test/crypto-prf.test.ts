import { readFileSync } from "node:fs";
import { join } from "node:path";
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
