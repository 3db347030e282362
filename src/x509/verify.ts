import type { Certificate } from "./certificate.js";
import { parseCertificate } from "./certificate.js";
import { VerifyFlag, type VerifyFlagName } from "./flags.js";
import { canonicalHostname, dnsSanMatches, ipEquals, parseIp } from "./hostname.js";
import { DEFAULT_RSA_BOUNDS, type RsaBounds } from "./algorithms.js";
import { buildPath, DEFAULT_VERIFY_BUDGET } from "./path-builder.js";
import { leafKeyUseFlags, profileFlags, validityFlags, type LeafKeyUse } from "./profile.js";
import type { Digest, SignatureCheck } from "./signature-cache.js";
import { TrustStore } from "./trust-store.js";

// verifyChain: parse what the server sent, check the leaf's own properties (profile, validity, name), then
// build and check a path to a trust anchor. Never throws: every problem becomes a flag.
// This module takes the signature check as a parameter and imports none, so a build that passes only ECDSA
// carries no RSA or Ed25519 code; verify-chain.ts binds the check that knows every algorithm (microtls/x509).

export interface VerifyOptions {
  /** As the server sent them: leaf first, the rest in any order; extras are fine. */
  chain: Uint8Array[];
  trusted: Uint8Array[] | TrustStore;
  /** DNS name (an IP literal here is matched as an IP). */
  hostname?: string;
  /** IPv4 or IPv6 literal, matched against iPAddress SANs only. */
  ip?: string;
  /** Must be true to verify without any name: the chain is then checked but no identity is bound. */
  allowNoName?: boolean;
  /** Epoch ms or Date; null = no clock (validity skipped, TIME_UNKNOWN added). */
  now: number | Date | null;
  /** Most intermediates between leaf and anchor, self-issued ones excepted. Default 8. */
  maxDepth?: number;
  /** With now: null, let the result be ok despite TIME_UNKNOWN. */
  allowUnknownTime?: boolean;
  /** The keyUsage bit the key exchange needs of the leaf (the handshake passes it once the suite is known). */
  leafKeyUsage?: LeafKeyUse;
  /** Work bounds, lowered only (higher values are clamped to the defaults): see the README's Limits table. */
  maxRsaModulusBits?: number;
  maxRsaExponentBits?: number;
  /** Signature work allowed, in units of one RSA-2048 check (default 150; a P-256 check is 10). */
  verifyBudget?: number;
  /** Most certificates the chain may hold, leaf included (default 100): more fail with PATH_TOO_LONG. */
  maxCertificates?: number;
  /** Called with the cost of each signature check before it is made. */
  onSignatureCheck?: (cost: number) => void;
}

export interface VerifyResult {
  ok: boolean;
  flags: string[];
  /** The chosen path, leaf -> anchor (or the closest attempt when verification failed). */
  path: Certificate[];
  leaf?: Certificate;
}

export const DEFAULT_MAX_DEPTH = 8;
/** More presented certificates than any sane server sends (path-building tests use ~40): more fail the chain. */
export const DEFAULT_MAX_CERTIFICATES = 100;

/** An option that may only lower a default: a non-number or anything above `max` (or below `min`) gives the default. */
function lowered(v: unknown, min: number, max: number): number {
  return typeof v === "number" && v >= min && v <= max ? Math.floor(v) : max;
}

/** The RSA bounds of a VerifyOptions (or the handshake options with the same names). */
function rsaBoundsOf(opts: { maxRsaModulusBits?: number; maxRsaExponentBits?: number }): RsaBounds {
  return {
    maxModulusBits: lowered(opts.maxRsaModulusBits, 2048, DEFAULT_RSA_BOUNDS.maxModulusBits),
    maxExponentBits: lowered(opts.maxRsaExponentBits, 2, DEFAULT_RSA_BOUNDS.maxExponentBits),
  };
}

function nameFlags(leaf: Certificate, opts: VerifyOptions): VerifyFlagName[] {
  const { hostname, ip } = opts;
  if (hostname === undefined && ip === undefined) return opts.allowNoName === true ? [] : [VerifyFlag.HOSTNAME_MISMATCH];
  const wantIp = ip !== undefined ? parseIp(String(ip)) : parseIp(String(hostname));
  if (ip !== undefined || wantIp) {
    if (!wantIp) return [VerifyFlag.HOSTNAME_MISMATCH];
    return leaf.ipAddresses.some((a) => ipEquals(a, wantIp)) ? [] : [VerifyFlag.HOSTNAME_MISMATCH];
  }
  const host = canonicalHostname(String(hostname));
  if (host === null) return [VerifyFlag.HOSTNAME_MISMATCH];
  return leaf.dnsNames.some((san) => dnsSanMatches(san, host)) ? [] : [VerifyFlag.HOSTNAME_MISMATCH];
}

function toNow(now: number | Date | null | undefined): number | null | "bad" {
  if (now === null) return null;
  if (now instanceof Date) now = now.getTime();
  return typeof now === "number" && isFinite(now) ? now : "bad";
}

function verify(opts: VerifyOptions, check: SignatureCheck, digest: Digest | undefined): VerifyResult {
  const flags: VerifyFlagName[] = [];
  const add = (fs: VerifyFlagName[]) => {
    for (const f of fs) if (flags.indexOf(f) < 0) flags.push(f);
  };
  const chain = Array.isArray(opts.chain) ? opts.chain : [];
  if (chain.length === 0) return { ok: false, flags: [VerifyFlag.MALFORMED, VerifyFlag.NOT_TRUSTED], path: [] };
  const maxCertificates = lowered(opts.maxCertificates, 1, DEFAULT_MAX_CERTIFICATES);
  if (chain.length > maxCertificates) return { ok: false, flags: [VerifyFlag.PATH_TOO_LONG], path: [] };
  let leaf: Certificate;
  try {
    leaf = parseCertificate(chain[0]);
  } catch {
    return { ok: false, flags: [VerifyFlag.MALFORMED], path: [] };
  }
  // Unparseable extras are skipped: a path may still exist without them.
  const intermediates: Certificate[] = [];
  for (const der of chain.slice(1)) {
    try {
      intermediates.push(parseCertificate(der));
    } catch {
      /* not a candidate issuer */
    }
  }
  let store: TrustStore;
  if (opts.trusted instanceof TrustStore) store = opts.trusted;
  else {
    store = new TrustStore();
    for (const anchor of Array.isArray(opts.trusted) ? opts.trusted : []) {
      try {
        store.add(anchor); // DER, or PEM text/bytes
      } catch {
        /* a malformed anchor anchors nothing */
      }
    }
  }
  const now = toNow(opts.now);
  if (now === "bad") return { ok: false, flags: [VerifyFlag.TIME_UNKNOWN], path: [leaf], leaf };
  const maxDepth = typeof opts.maxDepth === "number" && opts.maxDepth >= 0 ? Math.floor(opts.maxDepth) : DEFAULT_MAX_DEPTH;

  const rsaBounds = rsaBoundsOf(opts);
  add(profileFlags(leaf, "leaf", rsaBounds));
  add(leafKeyUseFlags(leaf, opts.leafKeyUsage));
  add(validityFlags(leaf, now));
  add(nameFlags(leaf, opts));
  const budget = lowered(opts.verifyBudget, 0, DEFAULT_VERIFY_BUDGET);
  const onCheck = opts.onSignatureCheck;
  const built = buildPath({ leaf, intermediates, anchors: store, now, maxDepth, check, digest, rsaBounds, budget, onCheck });
  add(built.flags);
  if (now === null) add([VerifyFlag.TIME_UNKNOWN]);
  const blocking = flags.filter((f) => !(f === VerifyFlag.TIME_UNKNOWN && opts.allowUnknownTime === true));
  return { ok: built.ok && blocking.length === 0, flags, path: built.path, leaf };
}

/**
 * verifyChain with the signature check given: a signature whose algorithm `check` does not implement fails the
 * path (BAD_SIGNATURE). Never throws on bad input: problems come back as flags.
 */
export function verifyChainWith(opts: VerifyOptions, check: SignatureCheck, digest?: Digest): VerifyResult {
  try {
    return verify(opts, check, digest);
  } catch {
    return { ok: false, flags: [VerifyFlag.MALFORMED], path: [] };
  }
}
