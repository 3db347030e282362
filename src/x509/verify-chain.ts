import { hash } from "../crypto/hash.js";
import { verifySignature } from "../crypto/signature.js";
import { verifyChainWith, type VerifyOptions, type VerifyResult } from "./verify.js";

// The public verifier checks every signature algorithm microtls knows; the handshake calls verifyChainWith with
// the client's own verifier instead, so microtls/core builds carry only the algorithms they name.

/** Verifies a server's certificate chain. Never throws on bad input: problems come back as flags. */
export function verifyChain(opts: VerifyOptions): VerifyResult {
  return verifyChainWith(opts, verifySignature, sha256);
}

function sha256(data: Uint8Array): Uint8Array {
  return hash("sha256", data);
}
