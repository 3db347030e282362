import { p256, p384 } from "@noble/curves/nist.js";
import { Writer } from "../bytes.js";
import { ecdsaSign } from "../crypto/ecdsa.js";
import { hash } from "../crypto/hash.js";
import type { RandomSource } from "../crypto/random.js";
import { rsaPkcs1Sign, rsaPssSign } from "../crypto/rsa.js";
import { verifySignature } from "../crypto/signature.js";
import { type TlsError, tlsError } from "../errors.js";
import { CLIENT_SCHEMES, resolveClientCredential, type ClientAuthSupport, type ClientCredential, type ClientCredentialChoice } from "./client-credentials.js";
import { encodeHandshake, HandshakeType, type CertificateRequest } from "./messages.js";
import type { SignatureScheme } from "./signature-schemes.js";
import { NO_CLIENT_CERTIFICATE } from "./context.js";

// Answering a CertificateRequest (RFC 5246 §7.4.4, §7.4.6, §7.4.8): pick a credential and a scheme the server
// accepts, or decide to send an empty Certificate; then sign the CertificateVerify. Pure functions, so the state
// machine only has to call them and the choices can be tested without a server.

/** ClientCertificateType (RFC 5246 §7.4.4, RFC 8422 §5.5). */
export const ClientCertificateType = { rsa_sign: 1, ecdsa_sign: 64 } as const;

function hex16(id: number): string {
  return `0x${(id + 0x10000).toString(16).slice(1)}`;
}

function schemeLabel(id: number): string {
  for (const s of CLIENT_SCHEMES) if (s.id === id) return s.name;
  return hex16(id);
}

/** The schemes this credential could sign with, best first. */
function preferredSchemes(credential: ClientCredential): SignatureScheme[] {
  const key = credential.publicKey;
  let list = CLIENT_SCHEMES.filter((s) => s.keyType === key.type);
  if (key.type === "ec") {
    const matching = key.curve === "P-384" ? 0x0503 : 0x0403;
    list = list.filter((s) => s.id === matching).concat(list.filter((s) => s.id !== matching));
  }
  if (credential.signSchemes) {
    const allowed = credential.signSchemes;
    list = list.filter((s) => allowed.indexOf(s.name) >= 0);
  }
  return list;
}

function describeKey(credential: ClientCredential): string {
  const k = credential.publicKey;
  return k.type === "ec" ? `ECDSA ${k.curve}` : k.type === "rsa" ? `RSA-${k.bits}` : k.type;
}

export type { ClientCredentialChoice } from "./client-credentials.js";

/**
 * Chooses what to answer a CertificateRequest with: the first credential whose key type the server accepts
 * (certificate_types) and which can sign with a scheme the server listed. Otherwise a reason, for the trace,
 * and the caller sends an empty Certificate (RFC 5246 §7.4.6) and lets the server decide.
 * The certificate_authorities list is not enforced: servers often send none, or names that a cross-signed
 * chain still satisfies, and only the server can judge.
 */
export function selectClientCredential(
  request: Pick<CertificateRequest, "certificateTypes" | "signatureSchemes">,
  credentials: ClientCredential | ClientCredential[] | null,
): ClientCredentialChoice {
  const list = credentials === null ? [] : Array.isArray(credentials) ? credentials : [credentials];
  if (list.length === 0) return { reason: NO_CLIENT_CERTIFICATE };
  const types = Array.from(request.certificateTypes);
  const reasons: string[] = [];
  for (const credential of list) {
    const key = credential.publicKey;
    const type = key.type === "ec" ? ClientCertificateType.ecdsa_sign : key.type === "rsa" ? ClientCertificateType.rsa_sign : -1;
    if (types.indexOf(type) < 0) {
      reasons.push(`the server does not accept ${key.type === "ec" ? "ecdsa_sign" : "rsa_sign"} certificates (certificate_types=[${types.join(",")}]) for our ${describeKey(credential)} key`);
      continue;
    }
    const candidates = preferredSchemes(credential);
    const chosen = candidates.filter((s) => request.signatureSchemes.indexOf(s.id) >= 0)[0];
    if (!chosen) {
      reasons.push(
        `none of the server's signature algorithms [${request.signatureSchemes.map(schemeLabel).join(",")}] fits our ${describeKey(credential)} key` +
          (credential.signSchemes ? ` and the signer's schemes [${credential.signSchemes.join(",")}]` : ""),
      );
      continue;
    }
    return { scheme: chosen, chain: credential.chain, credential };
  }
  return { reason: reasons.join("; ") };
}

function signerError(message: string): TlsError {
  return tlsError("internal_error", message);
}

/** Secure elements often return ECDSA signatures as raw r||s: TLS needs DER. */
function ecdsaToDer(credential: ClientCredential, signature: Uint8Array): Uint8Array {
  const key = credential.publicKey;
  if (key.type !== "ec") return signature;
  const curve = key.curve === "P-384" ? p384 : p256;
  const size = key.curve === "P-384" ? 48 : 32;
  try {
    curve.Signature.fromBytes(signature, "der");
    return signature;
  } catch {
    if (signature.length !== 2 * size) return signature;
    try {
      return curve.Signature.fromBytes(signature, "compact").toBytes("der");
    } catch {
      return signature;
    }
  }
}

function externalSignature(credential: ClientCredential, s: SignatureScheme, data: Uint8Array): Uint8Array {
  const sign = credential.sign!;
  const alg = s.algorithm;
  if (alg.kind === "ed25519") throw signerError(`${s.name} cannot be used for a client certificate here`);
  const digest = hash(alg.hash, data);
  let signature: unknown;
  try {
    signature = sign(s.name, data, { hash: alg.hash, digest });
  } catch (e) {
    throw signerError(`the client certificate's sign function failed for ${s.name}: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (!(signature instanceof Uint8Array) || signature.length === 0 || signature.length > 0xffff) {
    throw signerError(`the client certificate's sign function returned ${signature instanceof Uint8Array ? `${signature.length} bytes` : typeof signature}, not a signature`);
  }
  const der = ecdsaToDer(credential, signature);
  // A wrong signature would only surface as the server's decrypt_error alert: say what went wrong here instead.
  if (!verifySignature(credential.publicKey, s.algorithm, data, der)) {
    throw signerError(
      `the client certificate's sign function returned a ${s.name} signature that does not verify with the certificate's public key ` +
        "(a different key, the wrong hash, or a signature over the digest's digest?)",
    );
  }
  return der;
}

/** The signature over `data` with the credential's key or signer. */
export function signWithCredential(credential: ClientCredential, s: SignatureScheme, data: Uint8Array, random: RandomSource): Uint8Array {
  if (credential.sign) return externalSignature(credential, s, data);
  const key = credential.key;
  if (!key) throw signerError("the client credential has neither a key nor a sign function");
  const alg = s.algorithm;
  if (alg.kind === "ecdsa" && key.type === "ec") return ecdsaSign(key.curve, key.d, alg.hash, data);
  if (alg.kind === "rsa-pss" && key.type === "rsa") return rsaPssSign(key, alg.hash, data, random);
  if (alg.kind === "rsa-pkcs1" && key.type === "rsa") return rsaPkcs1Sign(key, alg.hash, data, random);
  throw signerError(`${s.name} does not fit the client's ${key.type} key`);
}

/**
 * The CertificateVerify body (RFC 5246 §7.4.8): SignatureAndHashAlgorithm, then the signature over every handshake
 * message sent and received so far (ClientHello up to and including our ClientKeyExchange), hashed with the scheme's
 * hash, which need not be the PRF hash. So `transcriptBytes` are the messages themselves, not a running hash.
 */
export function signCertificateVerify(credential: ClientCredential, s: SignatureScheme, transcriptBytes: Uint8Array, random: RandomSource): Uint8Array {
  const signature = signWithCredential(credential, s, transcriptBytes, random);
  return new Writer(signature.length + 4).u16(s.id).vec16(signature).finish();
}

/** The whole CertificateVerify message (4-byte header + body), as the transcript and the record layer want it. */
export function encodeCertificateVerify(credential: ClientCredential, s: SignatureScheme, transcriptBytes: Uint8Array, random: RandomSource): Uint8Array {
  return encodeHandshake(HandshakeType.certificate_verify, signCertificateVerify(credential, s, transcriptBytes, random));
}

/** Client certificates for microtls/core: pass it as the clientAuthSupport option (the microtls entry always has it). */
export const clientAuthSupport: ClientAuthSupport = {
  resolve: resolveClientCredential,
  select: selectClientCredential,
  encodeCertificateVerify,
};
