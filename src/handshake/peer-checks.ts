import { tlsError } from "../errors.js";
import { parseCertificate, type Certificate } from "../x509/certificate.js";
import type { CertificateCheck } from "./certificate-check.js";

// The application's own say over a chain that passed ours: public-key pins (OkHttp's form) and the verifyPeer hook.

const B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/** Standard base64 with padding: engines have no btoa, and src/ stays free of Node's byte type. */
export function toBase64(bytes: Uint8Array): string {
  let out = "";
  for (let i = 0; i < bytes.length; i += 3) {
    const n = (bytes[i] << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    out += B64[(n >> 18) & 63] + B64[(n >> 12) & 63];
    out += i + 1 < bytes.length ? B64[(n >> 6) & 63] : "=";
    out += i + 2 < bytes.length ? B64[n & 63] : "=";
  }
  return out;
}

/** Some certificate of the verified path (leaf to anchor) must carry a pinned key: OkHttp's rule. */
export function checkPins(pins: readonly string[], hash: (data: Uint8Array) => Uint8Array, path: Certificate[], flags: string[]): void {
  const chainPins = path.map((c) => toBase64(hash(c.spkiDer)));
  if (chainPins.some((p) => pins.indexOf(p) >= 0)) return;
  const listed = path.map((c, i) => `"${c.subject}" sha256/${chainPins[i]}`).join(", ");
  throw tlsError("bad_certificate", `server certificate rejected: no key of the verified path matches pinnedPublicKeys (pins: ${pins.map((p) => "sha256/" + p).join(", ")}; the path: ${listed})`, flags).with({ pins: pins.slice(), chainPins, peerCertificates: path.slice() });
}

export function runVerifyPeer(check: Pick<CertificateCheck, "chain" | "verifyPeer">, verifiedPath: Certificate[] | null, flags: string[]): void {
  // The verified path (leaf to anchor), re-parsed so the application cannot alter what the trust store holds; with
  // verify: false, the chain as sent.
  const chain = verifiedPath ? verifiedPath.map((c) => parseCertificate(c.der)) : check.chain.map((der) => parseCertificate(der));
  try {
    check.verifyPeer!(chain);
  } catch (e) {
    const error = tlsError("bad_certificate", `server certificate rejected by verifyPeer: ${e instanceof Error ? e.message : String(e)}`, flags).with({ peerCertificates: chain });
    (error as { cause?: unknown }).cause = e;
    throw error;
  }
}
