import { generateKeyPairSync, createSign, createVerify, type KeyObject } from "node:crypto";
import fc from "fast-check";
import { p256, p384 } from "@noble/curves/nist.js";
import { describe, expect, it } from "vitest";
import { ecdsaSign, ecdsaVerify, type EcCurve } from "../src/crypto/ecdsa.js";
import type { HashName } from "../src/crypto/hash.js";
import { hex, loadWycheproof, newTally, record } from "./helpers/wycheproof.js";

describe.each([
  ["ecdsa_secp256r1_sha256_test.json", "P-256", "sha256", 174, 310],
  ["ecdsa_secp256r1_sha512_test.json", "P-256", "sha512", 243, 311],
  ["ecdsa_secp384r1_sha256_test.json", "P-384", "sha256", 162, 310],
  ["ecdsa_secp384r1_sha384_test.json", "P-384", "sha384", 194, 310],
] as const)("ECDSA verify (Wycheproof %s)", (file, curve: EcCurve, hashName: HashName, validCount, invalidCount) => {
  it("accepts every valid DER signature and rejects every invalid one", () => {
    const tally = newTally();
    for (const g of loadWycheproof(file).testGroups) {
      const key = hex((g.publicKey as { uncompressed: string }).uncompressed);
      for (const t of g.tests) record(tally, t, ecdsaVerify(curve, key, hashName, hex(t.msg), hex(t.sig)));
    }
    expect(tally.failures).toEqual([]);
    expect(tally.valid).toBe(validCount);
    expect(tally.invalid).toBe(invalidCount);
  }, 180_000); // hundreds of P-384 verifications: slow on a loaded machine
});

function nodeKeyPair(curve: EcCurve): { privateKey: KeyObject; publicKey: KeyObject; scalar: Uint8Array; point: Uint8Array } {
  const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: curve === "P-256" ? "prime256v1" : "secp384r1" });
  const jwk = privateKey.export({ format: "jwk" });
  const b = (s?: string) => new Uint8Array(Buffer.from(s ?? "", "base64url"));
  return { privateKey, publicKey, scalar: b(jwk.d), point: Uint8Array.of(4, ...b(jwk.x), ...b(jwk.y)) };
}

describe.each([
  ["P-256", "sha256"],
  ["P-256", "sha384"],
  ["P-384", "sha384"],
  ["P-384", "sha512"],
] as const)("ECDSA %s with %s against node:crypto", (curve, hashName) => {
  const keys = nodeKeyPair(curve);
  const message = new Uint8Array(300).map((_, i) => i & 0xff);

  it("verifies OpenSSL's signatures, and OpenSSL verifies ours", () => {
    const theirs = new Uint8Array(createSign(hashName).update(message).sign(keys.privateKey));
    expect(ecdsaVerify(curve, keys.point, hashName, message, theirs)).toBe(true);
    const ours = ecdsaSign(curve, keys.scalar, hashName, message);
    expect(ours[0]).toBe(0x30); // DER SEQUENCE
    expect(createVerify(hashName).update(message).verify(keys.publicKey, ours)).toBe(true);
    expect(ecdsaVerify(curve, keys.point, hashName, message, ours)).toBe(true);
  });

  it("rejects a signature over another message, with another hash, or under another key", () => {
    const sig = ecdsaSign(curve, keys.scalar, hashName, message);
    expect(ecdsaVerify(curve, keys.point, hashName, Uint8Array.of(...message, 0), sig)).toBe(false);
    expect(ecdsaVerify(curve, keys.point, hashName === "sha256" ? "sha512" : "sha256", message, sig)).toBe(false);
    expect(ecdsaVerify(curve, nodeKeyPair(curve).point, hashName, message, sig)).toBe(false);
  });

  it("accepts a compressed SEC1 public key too", () => {
    const sig = ecdsaSign(curve, keys.scalar, hashName, message);
    const half = (keys.point.length - 1) / 2;
    const compressed = Uint8Array.of(2 + (keys.point[keys.point.length - 1] & 1), ...keys.point.subarray(1, 1 + half));
    expect(ecdsaVerify(curve, compressed, hashName, message, sig)).toBe(true);
  });
});

describe("ECDSA high-S and hostile input", () => {
  it("accepts a high-S signature (as TLS servers send them)", () => {
    const { scalar, point } = nodeKeyPair("P-256");
    const msg = Uint8Array.of(1, 2, 3);
    const low = p256.Signature.fromBytes(ecdsaSign("P-256", scalar, "sha256", msg), "der");
    const high = new p256.Signature(low.r, p256.Point.Fn.ORDER - low.s);
    expect(high.hasHighS()).toBe(true);
    expect(ecdsaVerify("P-256", point, "sha256", msg, high.toBytes("der"))).toBe(true);
  });

  it("never throws on arbitrary keys, signatures or curve names", () => {
    const { point } = nodeKeyPair("P-256");
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 120 }), fc.uint8Array({ maxLength: 100 }), (sig, key) => {
        expect(ecdsaVerify("P-256", point, "sha256", Uint8Array.of(1), sig)).toBe(false);
        expect(ecdsaVerify("P-384", key, "sha384", Uint8Array.of(1), sig)).toBe(false);
      }),
      { numRuns: 300 },
    );
    expect(ecdsaVerify("P-521" as EcCurve, point, "sha256", Uint8Array.of(1), new Uint8Array(8))).toBe(false);
    expect(ecdsaVerify("P-256", point, "md5" as HashName, Uint8Array.of(1), new Uint8Array(8))).toBe(false);
  });
});

describe("ECDSA signing", () => {
  it("is deterministic (RFC 6979), low-S, and refuses an invalid private key", () => {
    const { scalar } = nodeKeyPair("P-384");
    const msg = Uint8Array.of(9, 9, 9);
    const a = ecdsaSign("P-384", scalar, "sha384", msg);
    expect(ecdsaSign("P-384", scalar, "sha384", msg)).toEqual(a);
    expect(p384.Signature.fromBytes(a, "der").hasHighS()).toBe(false);
    expect(() => ecdsaSign("P-384", new Uint8Array(48), "sha384", msg)).toThrow();
    expect(() => ecdsaSign("P-256", new Uint8Array(5), "sha256", msg)).toThrow();
  });
});
