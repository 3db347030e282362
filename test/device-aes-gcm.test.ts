import { describe, expect, it, vi } from "vitest";
import { runAeadFile } from "./helpers/wycheproof.js";

// The device bundle swaps noble's AES for src/crypto/aes-gcm-small.ts (scripts/build-engine-bundle.mjs): the same
// swap here, so aesGcm below is exactly the device's AES-GCM, checked against the whole Wycheproof file.
vi.mock("@noble/ciphers/aes.js", () => import("../src/crypto/aes-gcm-small.js"));
const { aesGcm } = await import("../src/crypto/aes-gcm.js");
const small = await import("../src/crypto/aes-gcm-small.js");

describe("device AES-GCM (aes-gcm-small.ts, Wycheproof aes_gcm_test.json)", () => {
  it("is the implementation under test", async () => {
    expect((await import("@noble/ciphers/aes.js")).gcm).toBe(small.gcm);
    const noble = await vi.importActual<typeof import("@noble/ciphers/aes.js")>("@noble/ciphers/aes.js");
    const key = new Uint8Array(16).fill(7);
    const nonce = new Uint8Array(12).fill(1);
    const msg = new Uint8Array(100).map((_, i) => i);
    // Same bytes as noble for a multi-block, partial-last-block message with AAD.
    expect(small.gcm(key, nonce, msg.subarray(0, 13)).encrypt(msg)).toEqual(noble.gcm(key, nonce, msg.subarray(0, 13)).encrypt(msg));
  });

  it("accepts every valid and rejects every invalid TLS-shaped vector", () => {
    const tally = runAeadFile("aes_gcm_test.json", aesGcm, [128, 256]);
    expect(tally.failures).toEqual([]);
    expect(tally.valid).toBe(79);
    expect(tally.invalid).toBe(54);
    expect(tally.skipped).toBe(183);
  });

  it("refuses a flipped tag bit and a short input by throwing, as noble's decrypt does", () => {
    const key = new Uint8Array(32).fill(3);
    const nonce = new Uint8Array(12);
    const sealed = small.gcm(key, nonce).encrypt(new Uint8Array(40));
    sealed[sealed.length - 1] ^= 1;
    expect(() => small.gcm(key, nonce).decrypt(sealed)).toThrow(/bad tag/);
    expect(() => small.gcm(key, nonce).decrypt(new Uint8Array(15))).toThrow();
  });
});
