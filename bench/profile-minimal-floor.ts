// Size profile "minimal-floor": the modules the minimal profile cannot do without, imported directly —
// x25519, ECDSA P-256 verification, ChaCha20-Poly1305 record protection, the PRF and transcript hash, the
// record layer and the chain verifier. Not a working client: the lower bound tree-shaking could reach.
export { x25519Group } from "../src/crypto/x25519.js";
export { ecdsaVerify } from "../src/crypto/ecdsa.js";
export { chacha20Poly1305 } from "../src/crypto/chacha20-poly1305.js";
export { chachaRecordCipher } from "../src/record/cipher.js";
export { prf } from "../src/crypto/prf.js";
export { createHash } from "../src/crypto/hash.js";
export { RecordLayer } from "../src/record/layer.js";
export { HandshakeReassembler } from "../src/record/handshake-reassembler.js";
export { verifyChainWith } from "../src/x509/verify.js";
export { TrustStore, parseCertificate } from "../src/x509/index.js";
