import { expect, it, vi } from "vitest";

// The device bundle swaps hash.ts and prf.ts for src/crypto/hash-small.ts (scripts/build-engine-bundle.mjs). The
// same swap here, then the suites that check noble's versions run again (SHA-2 digests, Wycheproof HMAC, PRF vectors).
vi.mock("../src/crypto/hash.js", () => import("../src/crypto/hash-small.js"));
vi.mock("../src/crypto/prf.js", () => import("../src/crypto/hash-small.js"));

await import("./crypto-hash.test.js");
await import("./crypto-prf.test.js");

it("runs on hash-small.ts, not noble", async () => {
  const small = await import("../src/crypto/hash-small.js");
  expect((await import("../src/crypto/hash.js")).createHash).toBe(small.createHash);
  expect((await import("../src/crypto/prf.js")).prf).toBe(small.prf);
});

it("agrees with noble on every length around the block and padding boundaries", async () => {
  const small = await import("../src/crypto/hash-small.js");
  const { sha256, sha384, sha512 } = await vi.importActual<typeof import("@noble/hashes/sha2.js")>("@noble/hashes/sha2.js");
  const data = new Uint8Array(300).map((_, i) => (i * 7 + 3) & 0xff);
  for (let n = 0; n <= 300; n++) {
    const m = data.subarray(0, n);
    expect(small.hash("sha256", m)).toEqual(sha256(m));
    expect(small.hash("sha384", m)).toEqual(sha384(m));
    expect(small.hash("sha512", m)).toEqual(sha512(m));
  }
  // Digest, then keep hashing (the transcript does): the state must be unchanged by digest().
  const h = small.createHash("sha256").update(data.subarray(0, 100));
  h.digest();
  expect(h.update(data.subarray(100)).digest()).toEqual(sha256(data));
});
