import { describe, expect, it, vi } from "vitest";
import { runAeadFile } from "./helpers/wycheproof.js";

// The device bundle swaps noble's ChaCha20-Poly1305 for src/crypto/chacha-small.ts (scripts/build-engine-bundle.mjs):
// the same swap here, so chacha20Poly1305 below is exactly the device's, checked against the whole Wycheproof file.
vi.mock("@noble/ciphers/chacha.js", () => import("../src/crypto/chacha-small.js"));
const { chacha20Poly1305 } = await import("../src/crypto/chacha20-poly1305.js");
const small = await import("../src/crypto/chacha-small.js");

describe("device ChaCha20-Poly1305 (chacha-small.ts, Wycheproof chacha20_poly1305_test.json)", () => {
  it("is the implementation under test, and gives noble's bytes", async () => {
    expect((await import("@noble/ciphers/chacha.js")).chacha20poly1305).toBe(small.chacha20poly1305);
    const noble = await vi.importActual<typeof import("@noble/ciphers/chacha.js")>("@noble/ciphers/chacha.js");
    const key = new Uint8Array(32).fill(9);
    const nonce = new Uint8Array(12).fill(2);
    for (const n of [0, 1, 63, 64, 65, 200]) {
      const msg = new Uint8Array(n).map((_, i) => i);
      const aad = msg.subarray(0, n % 17);
      expect(small.chacha20poly1305(key, nonce, aad).encrypt(msg)).toEqual(noble.chacha20poly1305(key, nonce, aad).encrypt(msg));
    }
  });

  it("accepts every valid and rejects every invalid 96-bit-nonce vector", () => {
    const tally = runAeadFile("chacha20_poly1305_test.json", chacha20Poly1305, [256]);
    expect(tally.failures).toEqual([]);
    expect(tally.valid).toBe(256);
    expect(tally.invalid).toBe(60);
    expect(tally.skipped).toBe(9);
  });
});
