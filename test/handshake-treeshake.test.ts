import { expect, it } from "vitest";
import { bundledInputs } from "./helpers/bundle.js";

// Each suite object references its own AEAD, and the suite constructors are marked pure, so code that names one
// suite ships only that suite's cipher (the groundwork for a build that offers a fixed set of suites).
async function nobleCiphersIn(exportName: string): Promise<string[]> {
  const inputs = await bundledInputs(`export { ${exportName} } from "./src/handshake/suites.ts";`);
  return inputs.filter((path) => path.startsWith("@noble/ciphers/"));
}

it("a ChaCha20 suite alone does not bundle AES, and an AES suite alone does not bundle ChaCha20", async () => {
  const chacha = await nobleCiphersIn("TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256");
  expect(chacha).toContain("@noble/ciphers/chacha.js");
  expect(chacha).not.toContain("@noble/ciphers/aes.js");
  const aes = await nobleCiphersIn("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256");
  expect(aes).toContain("@noble/ciphers/aes.js");
  expect(aes).not.toContain("@noble/ciphers/chacha.js");
});
