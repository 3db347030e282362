import { bytesToAscii } from "../bytes.js";
import type { HashName } from "../crypto/hash.js";
import type { PublicKey } from "../crypto/signature.js";
import { type TlsError, tlsError } from "../errors.js";
import { DEFAULT_RSA_BOUNDS, rsaBoundsProblem } from "../x509/algorithms.js";
import { parseCertificate } from "../x509/certificate.js";
import { parsePem } from "../x509/pem.js";
import { checkKeyMatchesCertificate, parsePrivateKey, type PrivateKey } from "../x509/private-key.js";
import type { RandomSource } from "../crypto/random.js";
import type { CertificateRequest } from "./messages.js";
import { OFFERED_SCHEMES, scheme, type SignatureScheme } from "./signature-schemes.js";

// The client's identity for mutual TLS, checked once when the client is configured so that a wrong key or
// an unreadable certificate is a CONFIG error on the bench, not a handshake_failure alert in the field.

/**
 * Signs for a key that never leaves its hardware (a secure element such as the ATECC608, a TPM, a cloud HSM).
 * `scheme` is the TLS name (e.g. "ecdsa_secp256r1_sha256", "rsa_pss_rsae_sha256", "rsa_pkcs1_sha256"); `data` are
 * the bytes to sign; `info.digest` is `data` already hashed with `info.hash`, for devices that sign digests.
 * Returns the signature: DER for ECDSA (a raw r||s of twice the scalar size is accepted too), the RSA signature for RSA.
 */
export type ExternalSigner = (scheme: string, data: Uint8Array, info: { hash: HashName; digest: Uint8Array }) => Uint8Array;

/** The client-certificate options of TlsClient. */
export interface ClientAuthOptions {
  /** The client certificate chain, leaf first: PEM text (any number of certificates), DER, or an array of either. */
  cert?: string | Uint8Array | Array<string | Uint8Array>;
  /** The leaf's private key: PEM or DER (PKCS#8, PKCS#1, SEC1), or an already parsed key. Not with `sign`. */
  key?: string | Uint8Array | PrivateKey;
  /** An external signer instead of `key`. */
  sign?: ExternalSigner;
  /** The schemes `sign` can produce (TLS names); default: every scheme that fits the certificate's key. */
  signSchemes?: string[];
}

/** A usable client identity. */
export interface ClientCredential {
  /** DER certificates, leaf first, as sent in the Certificate message. */
  chain: Uint8Array[];
  /** The leaf certificate's public key: it decides which schemes can be used. */
  publicKey: PublicKey;
  key: PrivateKey | null;
  sign: ExternalSigner | null;
  /** Scheme names the external signer supports; null = any that fits the key. */
  signSchemes: string[] | null;
}

function config(message: string): TlsError {
  return tlsError("config", message);
}

function certificatesOf(input: string | Uint8Array, index: number): Uint8Array[] {
  // DER always starts with a SEQUENCE (0x30); anything else given as bytes is PEM text (maybe after comments).
  if (typeof input === "string" || (input instanceof Uint8Array && input.length > 0 && input[0] !== 0x30)) {
    const text = typeof input === "string" ? input : bytesToAscii(input);
    let list: Uint8Array[];
    try {
      list = parsePem(text, "CERTIFICATE");
    } catch {
      throw config(`cert[${index}] is not readable PEM`);
    }
    if (list.length === 0) throw config(`cert[${index}] holds no -----BEGIN CERTIFICATE----- block`);
    return list;
  }
  if (input instanceof Uint8Array) return [input];
  throw config("cert must be PEM text, DER bytes, or an array of either");
}

/** Checks the `cert`/`key`/`sign` options; null when no client certificate is configured. */
export function resolveClientCredential(options: ClientAuthOptions): ClientCredential | null {
  const { cert, key, sign, signSchemes } = options;
  if (cert === undefined && key === undefined && sign === undefined) return null;
  if (cert === undefined) throw config("a client key or sign function was given without cert: pass the client certificate chain as cert");
  if (key !== undefined && sign !== undefined) throw config("pass either key or sign for the client certificate, not both");
  if (key === undefined && sign === undefined) throw config("cert was given without key: pass the private key as key, or an external signer as sign");
  if (sign !== undefined && typeof sign !== "function") throw config("sign must be a function (scheme, data, info) => signature");

  const inputs = Array.isArray(cert) ? cert : [cert];
  const chain: Uint8Array[] = [];
  inputs.forEach((c, i) => chain.push(...certificatesOf(c, i)));
  if (chain.length === 0) throw config("cert is an empty list");
  let publicKey: PublicKey;
  try {
    publicKey = parseCertificate(chain[0]).publicKey;
  } catch (e) {
    throw config(`the client certificate cannot be parsed: ${e instanceof Error ? e.message : String(e)}`);
  }
  chain.forEach((der, i) => {
    if (der.length > 0xffffff) throw config(`client certificate ${i} is too large for TLS`);
  });
  if (publicKey.type === "ec") {
    // Curves other than P-256/P-384 already come out as "unsupported" from the certificate parser.
  } else if (publicKey.type === "rsa") {
    if (publicKey.bits < 2048 || publicKey.bits > 4096) throw config(`the client certificate has an RSA-${publicKey.bits} key: use 2048 to 4096 bits`);
    // The same exponent bound as for server keys: signing checks its own result with e.
    const bounds = rsaBoundsProblem(publicKey, { maxModulusBits: 4096, maxExponentBits: DEFAULT_RSA_BOUNDS.maxExponentBits });
    if (bounds) throw config(`the client certificate's key is out of bounds: ${bounds}`);
  } else {
    const what = publicKey.type === "ed25519" ? "Ed25519" : publicKey.algorithm;
    throw config(`the client certificate's key (${what}) cannot sign in TLS 1.2 here: use ECDSA P-256/P-384 or RSA 2048-4096`);
  }

  let privateKey: PrivateKey | null = null;
  if (key !== undefined) {
    privateKey = typeof key === "object" && !(key instanceof Uint8Array) && key !== null && "type" in key ? key : parsePrivateKey(key as string | Uint8Array);
    checkKeyMatchesCertificate(privateKey, publicKey);
  }
  let schemes: string[] | null = null;
  if (signSchemes !== undefined) {
    if (sign === undefined) throw config("signSchemes only applies to an external sign function");
    if (!Array.isArray(signSchemes) || signSchemes.length === 0 || signSchemes.some((s) => typeof s !== "string")) {
      throw config("signSchemes must be a non-empty array of TLS scheme names such as \"rsa_pkcs1_sha256\"");
    }
    const unknown = signSchemes.filter((s) => !clientSchemeByName(s));
    if (unknown.length > 0) throw config(`signSchemes lists unknown or unsupported schemes: ${unknown.join(", ")}`);
    schemes = signSchemes.slice();
  }
  return { chain, publicKey, key: privateKey, sign: sign ?? null, signSchemes: schemes };
}

/**
 * Schemes we can sign with, in our order of preference per key type: what we offer ourselves, plus ECDSA with
 * SHA-512 as a last ECDSA fallback. ECDSA: the one matching the key's curve comes first (see preferredSchemes); in
 * TLS 1.2 the hash is not bound to the curve, so the others are acceptable fallbacks. RSA: PSS where offered, else
 * PKCS#1 v1.5. No SHA-1 or SHA-224.
 */
export const CLIENT_SCHEMES: readonly SignatureScheme[] = [
  ...OFFERED_SCHEMES.filter((s) => s.keyType === "ec"),
  scheme("ecdsa_secp521r1_sha512", 0x0603, "ec", { kind: "ecdsa", hash: "sha512" }),
  ...OFFERED_SCHEMES.filter((s) => s.keyType === "rsa"),
];

export function clientSchemeByName(name: string): SignatureScheme | undefined {
  for (const s of CLIENT_SCHEMES) if (s.name === name) return s;
  return undefined;
}

export type ClientCredentialChoice =
  | { scheme: SignatureScheme; chain: Uint8Array[]; credential: ClientCredential }
  | { reason: string };

/** Client certificates (client-auth.ts): key parsing, scheme choice and signing, carried only by builds that use them. */
export interface ClientAuthSupport {
  resolve(options: ClientAuthOptions): ClientCredential | null;
  select(
    request: Pick<CertificateRequest, "certificateTypes" | "signatureSchemes">,
    credentials: ClientCredential | ClientCredential[] | null,
  ): ClientCredentialChoice;
  encodeCertificateVerify(credential: ClientCredential, s: SignatureScheme, transcriptBytes: Uint8Array, random: RandomSource): Uint8Array;
}
