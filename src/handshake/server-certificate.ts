import type { PublicKey } from "../crypto/signature.js";
import { TlsError, tlsError, type ErrorKind } from "../errors.js";
import { detailText, failureDetails } from "./chain-details.js";
import { checkPins, runVerifyPeer } from "./peer-checks.js";
import { parseCertificate, type Certificate } from "../x509/certificate.js";
import { verifyInfo } from "../x509/flags.js";
import { TrustStore } from "../x509/trust-store.js";
import { bytesToAscii } from "../bytes.js";
import { rsaBoundsProblem } from "../x509/algorithms.js";
import { verifyChainWith } from "../x509/verify.js";

export type { CertificateCheck } from "./certificate-check.js";

import type { CertificateCheck } from "./certificate-check.js";

// The bridge between the handshake and microtls/x509: anchors in, verdict and leaf key out.


// Parsed stores of recent `ca` values, keyed by their exact content (PEM text or bytes, or an array of them): an
// application that passes the same ca on every connect() parses it once (about 0.6 ms per connection before), as
// Node reuses a SecureContext. Bytes are keyed by a copy of their content, so changing them later is a miss, never
// a stale hit. A handful of entries, most recent last.
const STORE_CACHE_SIZE = 4;
const storeCache = new Map<string, TrustStore>();

function keyPart(c: unknown): string | null {
  // Type tag and length prefix: no two different inputs (["ab"] vs ["a", "b"], text vs bytes) share a key.
  if (typeof c === "string") return `s${c.length}:${c}`;
  if (c instanceof Uint8Array) return `b${c.length}:${bytesToAscii(c)}`;
  return null;
}

function cacheKey(ca: unknown): string | null {
  if (!Array.isArray(ca)) return keyPart(ca);
  if (ca.length === 0) return null;
  let key = `a${ca.length}:`;
  for (const c of ca) {
    const part = keyPart(c);
    if (part === null) return null;
    key += part;
  }
  return key;
}

/** `ca` as PEM text, DER, an array of either, or a TrustStore; a parse failure is a configuration error. */
export function loadTrustAnchors(ca: unknown): TrustStore {
  if (ca instanceof TrustStore) return ca;
  const key = cacheKey(ca);
  const cached = key === null ? undefined : storeCache.get(key);
  if (cached) {
    storeCache.delete(key!);
    storeCache.set(key!, cached);
    return cached;
  }
  const store = parseTrustAnchors(ca);
  if (key !== null) {
    storeCache.set(key, store);
    if (storeCache.size > STORE_CACHE_SIZE) storeCache.delete(storeCache.keys().next().value as string);
  }
  return store;
}

function parseTrustAnchors(ca: unknown): TrustStore {
  let store: TrustStore;
  try {
    store = new TrustStore(ca as string | Uint8Array | Array<string | Uint8Array>);
  } catch (e) {
    throw tlsError("config", `ca could not be loaded: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (store.size === 0) throw tlsError("config", "ca holds no certificate (expected PEM with CERTIFICATE blocks, or DER)");
  return store;
}

/** Unverified server keys (verify: false) still get a floor: below it, RSA is broken outright. */
const UNVERIFIED_MIN_RSA_BITS = 1024;

/** The failure that best tells the server why its chain was refused (RFC 5246 §7.2.2): it names the alert. */
export function kindForFlags(flags: string[]): ErrorKind {
  const has = (f: string) => flags.indexOf(f) >= 0;
  if (has("MALFORMED")) return "certificate_malformed";
  if (has("UNSUPPORTED_ALGORITHM") || has("UNKNOWN_CRITICAL_EXTENSION") || has("KEY_BOUNDS")) return "certificate_unsupported";
  if (has("EXPIRED") || has("NOT_YET_VALID")) return "certificate_expired";
  // A chain signature that does not verify stays unknown_ca: most often another CA shares the issuer's name, so
  // "no trusted issuer signed this" is the honest answer (decrypt_error is kept for the ServerKeyExchange).
  if (has("WORK_BUDGET")) return "bad_certificate";
  if (has("NOT_TRUSTED")) return "unknown_ca";
  return "bad_certificate";
}

/**
 * Verifies the server's chain (when anchors are given) and returns the leaf's public key and the verification
 * flags (which may hold TIME_UNKNOWN when the caller accepted a missing clock).
 */
export function checkServerCertificate(check: CertificateCheck): { leafKey: PublicKey; flags: string[] } {
  const { limits } = check;
  if (check.chain.length === 0) {
    // An empty list is well-formed TLS but no server identity: decode_error, as BoringSSL sends.
    throw tlsError("certificate_malformed", "the server sent no certificate", []);
  }
  if (check.chain.length > limits.maxCertificates) {
    throw tlsError("bad_certificate", `the server presented ${check.chain.length} certificates; at most ${limits.maxCertificates} are accepted (maxCertificates)`, ["PATH_TOO_LONG"]);
  }
  let flags: string[] = [];
  let leaf: Certificate | undefined;
  let verifiedPath: Certificate[] | null = null;
  if (check.anchors) {
    const result = verifyChainWith({
      chain: check.chain,
      trusted: check.anchors,
      hostname: check.serverNameKind === "dns" ? (check.serverName as string) : undefined,
      ip: check.serverNameKind === "ip" ? (check.serverName as string) : undefined,
      allowNoName: check.serverName === null,
      now: check.now,
      allowUnknownTime: check.allowUnknownTime,
      leafKeyUsage: check.leafKeyUsage,
      maxCertificates: limits.maxCertificates,
      maxRsaModulusBits: limits.maxRsaModulusBits,
      maxRsaExponentBits: limits.maxRsaExponentBits,
      verifyBudget: limits.verifyBudget,
    }, check.verifier, check.digest ?? undefined);
    flags = result.flags.slice();
    if (!result.ok) {
      const info = verifyInfo(flags);
      // Name the bound that was crossed, and the key exchange's need, not just the flag's general text.
      const bounds = { maxModulusBits: limits.maxRsaModulusBits, maxExponentBits: limits.maxRsaExponentBits };
      const crossed = result.path.map((c) => rsaBoundsProblem(c.publicKey, bounds)).filter((p) => p !== null);
      if (crossed.length > 0) info.push(`KEY_BOUNDS: ${crossed[0]}`);
      if (flags.indexOf("KEY_USAGE") >= 0 && result.leaf) info.push(`the key exchange needs ${check.leafKeyUsage} in the leaf's keyUsage`);
      const details = failureDetails(check, flags, result.path);
      const why = (info.length > 0 ? info.join("; ") : "verification failed") + detailText(details);
      throw tlsError(kindForFlags(flags), `server certificate rejected: ${why}`, flags).with(details);
    }
    leaf = result.leaf;
    verifiedPath = result.path;
    if (check.pins && check.pinHash) checkPins(check.pins, check.pinHash, result.path, flags);
  }
  try {
    if (!leaf) leaf = parseCertificate(check.chain[0]);
  } catch (e) {
    if (e instanceof TlsError) throw tlsError("certificate_malformed", `server certificate is malformed: ${e.message}`, ["MALFORMED"]);
    throw e;
  }
  // verify: false still parses the rest, so a garbled chain is never silently accepted as "unchecked".
  for (let i = 1; i < check.chain.length && !check.anchors; i++) {
    try {
      parseCertificate(check.chain[i]);
    } catch (e) {
      if (e instanceof TlsError) throw tlsError("certificate_malformed", `certificate ${i} in the server chain is malformed: ${e.message}`, ["MALFORMED"]);
      throw e;
    }
  }
  // The leaf's key signs the ServerKeyExchange or encrypts the premaster secret: bounded even when unverified.
  const key = leaf.publicKey;
  const bounds = { maxModulusBits: limits.maxRsaModulusBits, maxExponentBits: limits.maxRsaExponentBits };
  const problem = key.type === "rsa" && key.bits < UNVERIFIED_MIN_RSA_BITS ? `RSA key of ${key.bits} bits (minimum ${UNVERIFIED_MIN_RSA_BITS})` : rsaBoundsProblem(key, bounds);
  if (problem) {
    throw tlsError("certificate_key_bounds", `server certificate rejected: KEY_BOUNDS: ${problem}`, ["KEY_BOUNDS"]);
  }
  if (check.verifyPeer) runVerifyPeer(check, verifiedPath, flags);
  return { leafKey: key, flags };
}

/** Parses the stored chain on demand (the client keeps only DER to stay small). */
export function parseChain(chain: Uint8Array[]): Certificate[] {
  return chain.map((der) => parseCertificate(der));
}
