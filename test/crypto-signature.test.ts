import { createSign, generateKeyPairSync, sign as nodeSign, constants } from "node:crypto";
import { describe, expect, it } from "vitest";
import { verifySignature, type PublicKey, type SignatureAlgorithm } from "../src/crypto/signature.js";

const message = new Uint8Array(100).map((_, i) => i);
const b = (s?: string) => new Uint8Array(Buffer.from(s ?? "", "base64url"));
const big = (s?: string) => BigInt("0x" + Buffer.from(s ?? "", "base64url").toString("hex"));

const ec = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
const ecJwk = ec.publicKey.export({ format: "jwk" });
const ecKey: PublicKey = { type: "ec", curve: "P-256", point: Uint8Array.of(4, ...b(ecJwk.x), ...b(ecJwk.y)) };
const ecSig = new Uint8Array(createSign("sha256").update(message).sign(ec.privateKey));

const rsa = generateKeyPairSync("rsa", { modulusLength: 2048 });
const rsaJwk = rsa.publicKey.export({ format: "jwk" });
const rsaKey: PublicKey = { type: "rsa", n: big(rsaJwk.n), e: big(rsaJwk.e), bits: 2048 };
const pkcs1Sig = new Uint8Array(createSign("sha384").update(message).sign(rsa.privateKey));
const pssSig = new Uint8Array(
  createSign("sha256").update(message).sign({ key: rsa.privateKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }),
);

const ed = generateKeyPairSync("ed25519");
const edKey: PublicKey = { type: "ed25519", key: b(ed.publicKey.export({ format: "jwk" }).x) };
const edSig = new Uint8Array(nodeSign(null, message, ed.privateKey));

const cases: Array<[string, PublicKey, SignatureAlgorithm, Uint8Array]> = [
  ["ecdsa", ecKey, { kind: "ecdsa", hash: "sha256" }, ecSig],
  ["rsa-pkcs1", rsaKey, { kind: "rsa-pkcs1", hash: "sha384" }, pkcs1Sig],
  ["rsa-pss", rsaKey, { kind: "rsa-pss", hash: "sha256" }, pssSig],
  ["rsa-pss explicit salt", rsaKey, { kind: "rsa-pss", hash: "sha256", saltLength: 32 }, pssSig],
  ["ed25519", edKey, { kind: "ed25519" }, edSig],
];

describe("verifySignature dispatcher", () => {
  it.each(cases)("%s: accepts the OpenSSL signature, rejects a modified message", (_n, key, alg, sig) => {
    expect(verifySignature(key, alg, message, sig)).toBe(true);
    expect(verifySignature(key, alg, message.subarray(1), sig)).toBe(false);
    const flipped = sig.slice();
    flipped[flipped.length - 1] ^= 1;
    expect(verifySignature(key, alg, message, flipped)).toBe(false);
  });

  it("returns false when the key type does not match the algorithm", () => {
    for (const [, , alg, sig] of cases) {
      for (const [, key] of cases) {
        const matches =
          (alg.kind === "ecdsa" && key.type === "ec") ||
          (alg.kind.startsWith("rsa") && key.type === "rsa") ||
          (alg.kind === "ed25519" && key.type === "ed25519");
        if (!matches) expect(verifySignature(key, alg, message, sig)).toBe(false);
      }
    }
    expect(verifySignature({ type: "unsupported", algorithm: "1.2.3" }, { kind: "ecdsa", hash: "sha256" }, message, ecSig)).toBe(false);
  });

  it("returns false, never throws, on nonsense", () => {
    expect(verifySignature(ecKey, { kind: "dsa" } as unknown as SignatureAlgorithm, message, ecSig)).toBe(false);
    expect(verifySignature({ type: "ed25519", key: new Uint8Array(5) }, { kind: "ed25519" }, message, edSig)).toBe(false);
    expect(verifySignature(edKey, { kind: "ed25519" }, message, new Uint8Array(3))).toBe(false);
    expect(verifySignature({ type: "ec", curve: "P-384", point: new Uint8Array(0) }, { kind: "ecdsa", hash: "sha384" }, message, ecSig)).toBe(false);
  });
});
