import { describe, expect, it } from "vitest";
import { aesGcm } from "../src/crypto/aes-gcm.js";
import { chacha20Poly1305 } from "../src/crypto/chacha20-poly1305.js";
import { runAeadFile } from "./helpers/wycheproof.js";

describe("AES-GCM (Wycheproof aes_gcm_test.json)", () => {
  it("accepts every valid and rejects every invalid TLS-shaped vector", () => {
    const tally = runAeadFile("aes_gcm_test.json", aesGcm, [128, 256]);
    expect(tally.failures).toEqual([]);
    expect(tally.valid).toBe(79);
    expect(tally.invalid).toBe(54);
    expect(tally.skipped).toBe(183);
  });
});

describe("ChaCha20-Poly1305 (Wycheproof chacha20_poly1305_test.json)", () => {
  it("accepts every valid and rejects every invalid 96-bit-nonce vector", () => {
    const tally = runAeadFile("chacha20_poly1305_test.json", chacha20Poly1305, [256]);
    expect(tally.failures).toEqual([]);
    expect(tally.valid).toBe(256);
    expect(tally.invalid).toBe(60);
    expect(tally.skipped).toBe(9);
  });
});

describe.each([
  ["AES-128-GCM", aesGcm, 16],
  ["AES-256-GCM", aesGcm, 32],
  ["ChaCha20-Poly1305", chacha20Poly1305, 32],
] as const)("%s wrapper", (_name, factory, keyLength) => {
  const key = new Uint8Array(keyLength).map((_, i) => i * 7 + 1);
  const nonce = new Uint8Array(12).fill(9);
  const aad = Uint8Array.of(1, 2, 3);
  const aead = factory(key);

  it("reports its key length and appends a 16-byte tag", () => {
    expect(aead.keyLength).toBe(keyLength);
    expect(aead.seal(nonce, new Uint8Array(5), aad).length).toBe(21);
  });

  it("returns null, never throws, on hostile input", () => {
    const sealed = aead.seal(nonce, Uint8Array.of(42), aad);
    expect(aead.open(nonce, sealed, aad)).toEqual(Uint8Array.of(42));
    expect(aead.open(nonce, sealed, Uint8Array.of(1, 2, 4))).toBeNull();
    expect(aead.open(nonce, sealed.subarray(0, 15), aad)).toBeNull();
    expect(aead.open(nonce, new Uint8Array(0), aad)).toBeNull();
    expect(aead.open(new Uint8Array(11), sealed, aad)).toBeNull();
    const flipped = sealed.slice();
    flipped[0] ^= 1;
    expect(aead.open(nonce, flipped, aad)).toBeNull();
  });

  it("does not keep a reference to the caller's key buffer", () => {
    const k = key.slice();
    const a = factory(k);
    const sealed = a.seal(nonce, Uint8Array.of(7), aad);
    k.fill(0);
    expect(a.open(nonce, sealed, aad)).toEqual(Uint8Array.of(7));
  });
});

it("refuses wrong key sizes", () => {
  expect(() => aesGcm(new Uint8Array(24))).toThrow();
  expect(() => chacha20Poly1305(new Uint8Array(16))).toThrow();
});
