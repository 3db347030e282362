import type { PublicKey, SignatureAlgorithm } from "../crypto/signature.js";

/** A TLS SignatureScheme (RFC 8446 §4.2.3 code points, as TLS 1.2 SignatureAndHashAlgorithm pairs). */
export interface SignatureScheme {
  readonly name: string;
  readonly id: number;
  readonly keyType: "ec" | "rsa";
  readonly algorithm: SignatureAlgorithm;
}

export function scheme(name: string, id: number, keyType: "ec" | "rsa", algorithm: SignatureAlgorithm): SignatureScheme {
  return { name, id, keyType, algorithm };
}

/** What we offer in signature_algorithms, in preference order. No SHA-1, no SHA-224. */
export const OFFERED_SCHEMES: readonly SignatureScheme[] = [
  scheme("ecdsa_secp256r1_sha256", 0x0403, "ec", { kind: "ecdsa", hash: "sha256" }),
  scheme("ecdsa_secp384r1_sha384", 0x0503, "ec", { kind: "ecdsa", hash: "sha384" }),
  scheme("rsa_pss_rsae_sha256", 0x0804, "rsa", { kind: "rsa-pss", hash: "sha256" }),
  scheme("rsa_pss_rsae_sha384", 0x0805, "rsa", { kind: "rsa-pss", hash: "sha384" }),
  scheme("rsa_pss_rsae_sha512", 0x0806, "rsa", { kind: "rsa-pss", hash: "sha512" }),
  scheme("rsa_pkcs1_sha256", 0x0401, "rsa", { kind: "rsa-pkcs1", hash: "sha256" }),
  scheme("rsa_pkcs1_sha384", 0x0501, "rsa", { kind: "rsa-pkcs1", hash: "sha384" }),
  scheme("rsa_pkcs1_sha512", 0x0601, "rsa", { kind: "rsa-pkcs1", hash: "sha512" }),
];

export function offeredScheme(id: number): SignatureScheme | undefined {
  for (const s of OFFERED_SCHEMES) if (s.id === id) return s;
  return undefined;
}

export function schemeName(id: number): string {
  const s = offeredScheme(id);
  return s ? s.name : `0x${(id + 0x10000).toString(16).slice(1)}`;
}

/**
 * In TLS 1.2 "ecdsa_secp256r1_sha256" means ECDSA with SHA-256 on whatever curve the certificate has
 * (the curve binding is TLS 1.3's), so only the key type has to fit.
 */
export function schemeFitsKey(s: SignatureScheme, key: PublicKey): boolean {
  return key.type === s.keyType;
}
