import { equalBytes } from "../bytes.js";
import { DEFAULT_RSA_BOUNDS, rsaBoundsProblem, signatureCost, type RsaBounds } from "./algorithms.js";
import type { Certificate } from "./certificate.js";
import { VerifyFlag, type VerifyFlagName } from "./flags.js";
import { NC_BUDGET, checkNameConstraints, type NcBudget } from "./name-constraints.js";
import { profileFlags, validityFlags, type Role } from "./profile.js";
import { certificateSignedBy, type Digest, type SignatureCheck } from "./signature-cache.js";

// Depth-first path building from the leaf to any trust anchor, trying every candidate issuer (cross-signed
// intermediates, expired alternatives) like rustls-webpki, under a fixed work budget so hostile bundles
// (cycles, 100 look-alike intermediates) cost a bounded number of signature checks.

export const MAX_SIGNATURE_CHECKS = 100;
/**
 * Signature work per verification, in units of one RSA-2048 (e = 65537) check (see signatureCost): a check that
 * would take the total past it is not made. 150 RSA-2048 checks, or 15 P-256 ones, or 6 P-384 ones, or two
 * RSA-8192 with the largest exponent: about 75 ms of CPU on Node for the worst of them. The hardest path in
 * x509-limbo (bettertls pathbuilding tc61) needs 12 P-256 checks.
 */
export const DEFAULT_VERIFY_BUDGET = 150;
const MAX_STEPS = 2000;

export interface AnchorLookup {
  bySubject(subjectDer: Uint8Array): Certificate[];
}

export interface BuildOptions {
  leaf: Certificate;
  intermediates: Certificate[];
  anchors: AnchorLookup;
  now: number | null;
  /** Most intermediates (self-issued ones excepted) allowed between leaf and anchor. */
  maxDepth: number;
  /**
   * Checks each certificate's signature. An algorithm it does not implement reads as a failed signature, so the
   * path is refused with BAD_SIGNATURE: the check answers only yes or no, and claiming UNSUPPORTED_ALGORITHM
   * would guess at why. Either way the chain fails closed.
   */
  check: SignatureCheck;
  /** Hash for the process-wide cache of verified signatures (any collision-resistant hash); none = no caching. */
  digest?: Digest;
  /** RSA keys outside these are never used to check a signature (KEY_BOUNDS). */
  rsaBounds?: RsaBounds;
  /** Total signature work allowed, in signatureCost units (default DEFAULT_VERIFY_BUDGET); past it: WORK_BUDGET. */
  budget?: number;
  /** Called with each check's cost before it is made (tests count the work with it). */
  onCheck?: (cost: number) => void;
}

export interface BuildResult {
  ok: boolean;
  /** Flags of the successful path, or of the most promising failed one. */
  flags: VerifyFlagName[];
  /** leaf ... anchor (partial when no anchor was reached). */
  path: Certificate[];
}

interface Attempt {
  flags: VerifyFlagName[];
  path: Certificate[];
  reachedAnchor: boolean;
}

function better(a: Attempt, b: Attempt | null): boolean {
  if (!b) return true;
  if (a.reachedAnchor !== b.reachedAnchor) return a.reachedAnchor;
  if (a.flags.length !== b.flags.length) return a.flags.length < b.flags.length;
  return a.path.length > b.path.length;
}

function sameKeyAndSubject(a: Certificate, b: Certificate): boolean {
  return equalBytes(a.subjectDer, b.subjectDer) && equalBytes(a.spkiDer, b.spkiDer);
}

export function buildPath(opts: BuildOptions): BuildResult {
  const { leaf, intermediates, anchors, now, maxDepth, check, digest } = opts;
  const bounds = opts.rsaBounds ?? DEFAULT_RSA_BOUNDS;
  const budget = opts.budget ?? DEFAULT_VERIFY_BUDGET;
  let spent = 0;
  let overBudget = false;
  let signatureChecks = 0;
  let steps = 0;
  let exhausted = false;
  let best: Attempt | null = null;
  const sigCache = new Map<Certificate, Map<Certificate, boolean>>();

  const record = (a: Attempt) => {
    if (better(a, best)) best = a;
  };

  /** Did `issuer`'s key sign `child`? Null when the budget is spent. */
  const signedBy = (child: Certificate, issuer: Certificate): boolean | null => {
    let row = sigCache.get(child);
    if (!row) sigCache.set(child, (row = new Map()));
    const hit = row.get(issuer);
    if (hit !== undefined) return hit;
    if (signatureChecks >= MAX_SIGNATURE_CHECKS) {
      exhausted = true;
      return null;
    }
    // Out-of-bound keys are refused on their lengths (caFlags says KEY_BOUNDS), before any arithmetic.
    if (rsaBoundsProblem(issuer.publicKey, bounds)) {
      row.set(issuer, false);
      return false;
    }
    const cost = signatureCost(issuer.publicKey);
    if (spent + cost > budget) {
      exhausted = true;
      overBudget = true;
      return null;
    }
    spent += cost;
    signatureChecks++;
    opts.onCheck?.(cost);
    const ok = certificateSignedBy(child, issuer, check, digest);
    row.set(issuer, ok);
    return ok;
  };

  /** Why a signature by `issuer` was not accepted: its key was out of bounds, or the signature is wrong. */
  const refusal = (issuer: Certificate): VerifyFlagName =>
    rsaBoundsProblem(issuer.publicKey, bounds) ? VerifyFlag.KEY_BOUNDS : VerifyFlag.BAD_SIGNATURE;

  /** Everything `ca` imposes on the certificates below it, plus its own profile and validity. */
  const caFlags = (ca: Certificate, role: Role, below: Certificate[]): VerifyFlagName[] => {
    const flags: VerifyFlagName[] = [...profileFlags(ca, role, bounds), ...validityFlags(ca, now)];
    if (ca.pathLen !== null) {
      let intermediatesBelow = 0;
      for (let i = 1; i < below.length; i++) if (!below[i].selfIssued) intermediatesBelow++;
      if (intermediatesBelow > ca.pathLen) flags.push(VerifyFlag.PATH_TOO_LONG);
    }
    const nc = ca.extensions.nameConstraints;
    if (nc) {
      const budget: NcBudget = { remaining: NC_BUDGET };
      for (let i = 0; i < below.length; i++) {
        // Self-issued intermediates are exempt (RFC 5280 6.1.3 b); the leaf never is.
        if (i > 0 && below[i].selfIssued) continue;
        const r = checkNameConstraints(nc, below[i], budget);
        if (r !== "ok") {
          flags.push(VerifyFlag.NAME_CONSTRAINTS);
          break;
        }
      }
    }
    return flags;
  };

  const merge = (a: VerifyFlagName[], b: VerifyFlagName[]): VerifyFlagName[] => {
    const out = a.slice();
    for (const f of b) if (out.indexOf(f) < 0) out.push(f);
    return out;
  };

  // Failing candidates are still followed (after the clean ones) so a failure can be reported precisely:
  // "intermediate expired" rather than just "not trusted". Success needs a path with no flags at all.
  const search = (path: Certificate[], depth: number, inherited: VerifyFlagName[]): boolean => {
    if (++steps > MAX_STEPS) {
      exhausted = true;
      return false;
    }
    const cur = path[path.length - 1];
    if (cur.signatureAlgorithm === null) {
      record({ flags: merge(inherited, [VerifyFlag.UNSUPPORTED_ALGORITHM]), path: path.slice(), reachedAnchor: false });
      return false;
    }
    for (const anchor of anchors.bySubject(cur.issuerDer)) {
      const signed = signedBy(cur, anchor);
      if (signed === null) return false;
      const full = path.concat(anchor);
      if (!signed) {
        record({ flags: merge(inherited, [refusal(anchor)]), path: full, reachedAnchor: false });
        continue;
      }
      const flags = merge(inherited, caFlags(anchor, "anchor", path));
      record({ flags, path: full, reachedAnchor: true });
      if (flags.length === 0) return true;
    }
    const candidates: Array<{ cert: Certificate; flags: VerifyFlagName[]; depth: number }> = [];
    for (const next of intermediates) {
      if (!equalBytes(next.subjectDer, cur.issuerDer)) continue;
      if (path.some((p) => p === next || sameKeyAndSubject(p, next))) continue; // no loops
      const nextDepth = next.selfIssued ? depth : depth + 1;
      if (nextDepth > maxDepth) {
        record({ flags: merge(inherited, [VerifyFlag.PATH_TOO_LONG]), path: path.concat(next), reachedAnchor: false });
        continue;
      }
      candidates.push({ cert: next, flags: caFlags(next, "intermediate", path), depth: nextDepth });
    }
    candidates.sort((x, y) => x.flags.length - y.flags.length);
    for (const c of candidates) {
      const signed = signedBy(cur, c.cert);
      if (signed === null) return false;
      if (!signed) {
        record({ flags: merge(inherited, [refusal(c.cert)]), path: path.concat(c.cert), reachedAnchor: false });
        continue;
      }
      const flags = merge(inherited, c.flags);
      record({ flags, path: path.concat(c.cert), reachedAnchor: false });
      path.push(c.cert);
      const found = search(path, c.depth, flags);
      if (found) return true;
      path.pop();
      if (exhausted) return false;
    }
    return false;
  };

  const path = [leaf];
  // A certificate the caller trusts byte for byte (a pinned self-signed server certificate) needs no issuer.
  if (anchors.bySubject(leaf.subjectDer).some((a) => equalBytes(a.der, leaf.der))) return { ok: true, flags: [], path };
  if (search(path, 0, [])) {
    const win = best as Attempt | null;
    return { ok: true, flags: [], path: win ? win.path : path };
  }
  const b = best as Attempt | null;
  if (!b) return { ok: false, flags: overBudget ? [VerifyFlag.NOT_TRUSTED, VerifyFlag.WORK_BUDGET] : [VerifyFlag.NOT_TRUSTED], path: [leaf] };
  const flags = b.flags.slice();
  if (!b.reachedAnchor && flags.indexOf(VerifyFlag.NOT_TRUSTED) < 0) flags.push(VerifyFlag.NOT_TRUSTED);
  if (overBudget && flags.indexOf(VerifyFlag.WORK_BUDGET) < 0) flags.push(VerifyFlag.WORK_BUDGET);
  else if (exhausted && flags.indexOf(VerifyFlag.PATH_TOO_LONG) < 0 && !b.reachedAnchor) flags.push(VerifyFlag.PATH_TOO_LONG);
  return { ok: false, flags, path: b.path };
}
