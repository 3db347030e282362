// Size profile "minimal": a device that only talks to its own ECDSA P-256 server over x25519 and
// ChaCha20-Poly1305, verifying the chain. It configures the microtls/core client with exactly those objects;
// whatever the bundle still holds beyond bench/profile-minimal-floor.ts is what the client's shape keeps from
// being tree-shaken.
import { ecdsaVerify, signatureVerifier, TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256, TlsClient, x25519Group } from "../src/core.js";

export function deviceClient(ca: string, serverName: string): TlsClient {
  return new TlsClient({
    serverName,
    ca,
    cipherSuites: [TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256],
    groups: [x25519Group],
    verifySignature: signatureVerifier({ ecdsa: ecdsaVerify }),
  });
}
