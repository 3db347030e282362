import { describe, expect, it } from "vitest";
import { bundledInputs } from "./helpers/bundle.js";

// One primitive per module, so an application that only needs ChaCha20 never ships AES (and so on).
// We bundle each module alone with esbuild and list which noble files contribute bytes to the output.
async function bundledNobleFiles(file: string, exportName: string): Promise<string[]> {
  const inputs = await bundledInputs(`export { ${exportName} } from "./src/crypto/${file}.ts";`);
  return inputs.filter((path) => path.startsWith("@noble/"));
}

describe("crypto modules tree-shake apart", () => {
  it.each([
    ["chacha20-poly1305", "chacha20Poly1305", "@noble/ciphers/chacha.js", ["@noble/ciphers/aes.js", "@noble/curves", "@noble/hashes"]],
    ["aes-gcm", "aesGcm", "@noble/ciphers/aes.js", ["@noble/ciphers/chacha.js", "@noble/curves", "@noble/hashes"]],
    // X25519 runs noble's Montgomery ladder directly: no Edwards curve (noble's own x25519 lives in ed25519.js).
    ["x25519", "x25519Group", "@noble/curves/abstract/montgomery.js", ["@noble/curves/nist.js", "@noble/curves/abstract/weierstrass.js", "@noble/curves/ed25519.js", "@noble/curves/abstract/edwards.js", "@noble/ciphers"]],
    ["nist-ecdh", "p256Group", "@noble/curves/nist.js", ["@noble/curves/ed25519.js", "@noble/curves/abstract/montgomery.js", "@noble/ciphers"]],
    ["prf", "prf", "@noble/hashes/hmac.js", ["@noble/curves", "@noble/ciphers"]],
    ["rsa", "rsaPssVerify", "@noble/hashes/sha2.js", ["@noble/curves", "@noble/ciphers"]],
  ])("%s pulls in %s... and none of the others", async (file, exportName, needed, forbidden) => {
    const files = await bundledNobleFiles(file, exportName as string);
    expect(files).toContain(needed);
    for (const f of forbidden as string[]) expect(files.filter((x) => x.startsWith(f))).toEqual([]);
  });
});
