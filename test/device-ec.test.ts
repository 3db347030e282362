import { expect, it, vi } from "vitest";

// The device bundle swaps nist-ecdh.ts, ecdsa.ts and x25519.ts for src/crypto/ec-small.ts
// (scripts/build-engine-bundle.mjs). The same swap here, then the very suites that check noble's versions run again:
// every Wycheproof ECDH, ECDSA and X25519 vector with the same expected counts. Signing stays noble's (the device
// does not sign: no client certificates), so the sign-then-verify cases check our verify against noble's signatures.
vi.mock("../src/crypto/nist-ecdh.js", () => import("../src/crypto/ec-small.js"));
vi.mock("../src/crypto/x25519.js", () => import("../src/crypto/ec-small.js"));
vi.mock("../src/crypto/ecdsa.js", async () => ({
  ...(await vi.importActual<object>("../src/crypto/ecdsa.js")),
  ecdsaVerify: (await import("../src/crypto/ec-small.js")).ecdsaVerify,
}));

await import("./crypto-ecdh.test.js");
await import("./crypto-ecdsa.test.js");

it("runs on ec-small.ts, not noble", async () => {
  const small = await import("../src/crypto/ec-small.js");
  expect((await import("../src/crypto/nist-ecdh.js")).p256Group).toBe(small.p256Group);
  expect((await import("../src/crypto/x25519.js")).x25519Group).toBe(small.x25519Group);
  expect((await import("../src/crypto/ecdsa.js")).ecdsaVerify).toBe(small.ecdsaVerify);
});
