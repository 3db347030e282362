// The stable verification-failure vocabulary. Applications switch on these strings: never rename one.
export const VerifyFlag = {
  NOT_TRUSTED: "NOT_TRUSTED",
  EXPIRED: "EXPIRED",
  NOT_YET_VALID: "NOT_YET_VALID",
  HOSTNAME_MISMATCH: "HOSTNAME_MISMATCH",
  BAD_SIGNATURE: "BAD_SIGNATURE",
  NOT_CA: "NOT_CA",
  KEY_USAGE: "KEY_USAGE",
  EXT_KEY_USAGE: "EXT_KEY_USAGE",
  PATH_TOO_LONG: "PATH_TOO_LONG",
  NAME_CONSTRAINTS: "NAME_CONSTRAINTS",
  UNSUPPORTED_ALGORITHM: "UNSUPPORTED_ALGORITHM",
  UNKNOWN_CRITICAL_EXTENSION: "UNKNOWN_CRITICAL_EXTENSION",
  MALFORMED: "MALFORMED",
  TIME_UNKNOWN: "TIME_UNKNOWN",
  KEY_BOUNDS: "KEY_BOUNDS",
  WORK_BUDGET: "WORK_BUDGET",
} as const;

export type VerifyFlagName = (typeof VerifyFlag)[keyof typeof VerifyFlag];

const INFO: Record<VerifyFlagName, string> = {
  NOT_TRUSTED: "The certificate is not correctly signed by a trusted CA",
  EXPIRED: "A certificate in the chain has expired",
  NOT_YET_VALID: "A certificate in the chain is not yet valid",
  HOSTNAME_MISMATCH: "The certificate's names do not match the expected host name or IP address",
  BAD_SIGNATURE: "A certificate's signature does not verify with its issuer's key",
  NOT_CA: "An issuing certificate is not a CA (basicConstraints), or a CA certificate was presented as the server's",
  KEY_USAGE: "A certificate's keyUsage does not allow this use",
  EXT_KEY_USAGE: "A certificate's extendedKeyUsage does not allow TLS server authentication",
  PATH_TOO_LONG: "The chain exceeds maxDepth or a CA's pathLenConstraint, or the server presented more than maxCertificates (default 100)",
  NAME_CONSTRAINTS: "A name in the chain violates an issuer's name constraints",
  UNSUPPORTED_ALGORITHM: "A signature or key algorithm is unsupported or too weak (SHA-1, MD5, RSA < 2048 bits, ...)",
  UNKNOWN_CRITICAL_EXTENSION: "A certificate carries a critical extension this verifier does not understand",
  MALFORMED: "A certificate is malformed or violates the certificate profile",
  TIME_UNKNOWN: "No clock was available: validity periods were not checked",
  KEY_BOUNDS:
    "An RSA key is outside the work bounds: modulus over maxRsaModulusBits (default 8192), public exponent over maxRsaExponentBits (default 32 bits), or e even or below 3; refused before any arithmetic",
  WORK_BUDGET: "Checking this chain's signatures would exceed the verifier's work budget (verifyBudget, default 150 units: 150 RSA-2048 checks, or 15 P-256 ones)",
};

/** One readable line per flag, like mbedtls_x509_crt_verify_info. Unknown strings are echoed. */
export function verifyInfo(flags: string[]): string[] {
  return flags.map((f) => (f in INFO ? `${f}: ${INFO[f as VerifyFlagName]}` : f));
}
