// node:tls shapes for what the handshake agreed: getPeerCertificate()'s legacy certificate objects (built by
// Node's own X509Certificate, so subject, issuer, subjectaltname, valid_from, fingerprint256 and raw are exactly
// what a TLSSocket returns) and getCipher()'s OpenSSL names.
import { X509Certificate } from "node:crypto";
import type { PeerCertificate, DetailedPeerCertificate } from "node:tls";

/** node:tls's getPeerCertificate() for a chain as sent (leaf first); {} without one, as Node returns. */
export function peerCertificate(chain: Uint8Array[], detailed: boolean): PeerCertificate | DetailedPeerCertificate | Record<string, never> {
  if (chain.length === 0) return {};
  const objects = chain.map((der) => new X509Certificate(Buffer.from(der.buffer, der.byteOffset, der.byteLength)).toLegacyObject() as DetailedPeerCertificate);
  if (!detailed) return objects[0];
  // Like Node: each certificate links to the next one it names as issuer; a self-issued root links to itself.
  for (let i = 0; i < objects.length; i++) {
    const x = new X509Certificate(objects[i].raw);
    const next = objects.slice(i + 1).find((o) => x.checkIssued(new X509Certificate(o.raw)));
    objects[i].issuerCertificate = next ?? (x.checkIssued(x) ? objects[i] : (undefined as unknown as DetailedPeerCertificate));
  }
  return objects[0];
}

const OPENSSL_NAMES: Record<string, string> = {
  TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256: "ECDHE-ECDSA-AES128-GCM-SHA256",
  TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384: "ECDHE-ECDSA-AES256-GCM-SHA384",
  TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256: "ECDHE-ECDSA-CHACHA20-POLY1305",
  TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256: "ECDHE-RSA-AES128-GCM-SHA256",
  TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384: "ECDHE-RSA-AES256-GCM-SHA384",
  TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256: "ECDHE-RSA-CHACHA20-POLY1305",
  TLS_RSA_WITH_AES_128_GCM_SHA256: "AES128-GCM-SHA256",
  TLS_RSA_WITH_AES_256_GCM_SHA384: "AES256-GCM-SHA384",
};

export interface CipherNameAndProtocol {
  name: string;
  standardName: string;
  version: string;
}

/** getCipher()'s shape for an IANA suite name. */
export function cipherInfo(suite: string): CipherNameAndProtocol {
  return { name: OPENSSL_NAMES[suite] ?? suite, standardName: suite, version: "TLSv1.2" };
}

/** Node's authorizationError codes for our verify flags (the first that applies). */
const NODE_VERIFY_CODES: Array<[string, string]> = [
  ["EXPIRED", "CERT_HAS_EXPIRED"],
  ["NOT_YET_VALID", "CERT_NOT_YET_VALID"],
  ["HOSTNAME_MISMATCH", "ERR_TLS_CERT_ALTNAME_INVALID"],
  ["NOT_TRUSTED", "UNABLE_TO_GET_ISSUER_CERT_LOCALLY"],
  ["BAD_SIGNATURE", "CERT_SIGNATURE_FAILURE"],
  ["PATH_TOO_LONG", "PATH_LENGTH_EXCEEDED"],
  ["NOT_CA", "INVALID_CA"],
  ["KEY_USAGE", "INVALID_PURPOSE"],
  ["EXT_KEY_USAGE", "INVALID_PURPOSE"],
];

export function nodeVerifyCode(flags: readonly string[]): string {
  for (const [flag, code] of NODE_VERIFY_CODES) if (flags.includes(flag)) return code;
  return flags[0] ?? "VERIFICATION_DISABLED";
}
