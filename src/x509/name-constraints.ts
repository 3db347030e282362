import { equalBytes } from "../bytes.js";
import type { Certificate } from "./certificate.js";
import type { NameConstraints } from "./extensions.js";
import type { GeneralName } from "./general-names.js";
import { canonicalHostname, parseDnsSan } from "./hostname.js";
import { isEmptyName, rdnList } from "./names.js";

// RFC 5280 4.2.1.10 name constraints for dNSName, iPAddress and directoryName. A constraint form we
// cannot evaluate, met by a name of that form, fails closed. Wildcard SANs are checked against every name
// they could match (CVE-2025-61727): an excluded subtree that any of them falls in is a violation.

export type NcResult = "ok" | "violation" | "malformed";

/** Shared across a path so a hostile certificate cannot make the check quadratic without bound. */
export interface NcBudget {
  remaining: number;
}
export const NC_BUDGET = 1 << 20;

function dnsConstraint(c: string): string | null {
  if (c === "") return ""; // matches every name
  return canonicalHostname(c); // leading dots and wildcards are not valid dNSName constraints
}

function within(name: string, constraint: string): boolean {
  return constraint === "" || name === constraint || name.endsWith("." + constraint);
}

/** Every name the SAN can stand for lies inside the constraint's subtree. */
function dnsAllWithin(san: { wildcard: boolean; base: string }, c: string): boolean {
  return within(san.base, c); // "*.b" stands for names one label below b: inside c whenever b is
}

/** Some name the SAN can stand for lies inside the constraint's subtree. */
function dnsAnyWithin(san: { wildcard: boolean; base: string }, c: string): boolean {
  if (within(san.base, c)) return true;
  // "*.example.com" can stand for bar.example.com, inside an excluded bar.example.com (erring wide below it)
  return san.wildcard && c.endsWith("." + san.base);
}

function isCidrMask(mask: Uint8Array): boolean {
  let seenZero = false;
  for (let i = 0; i < mask.length; i++) {
    for (let bit = 7; bit >= 0; bit--) {
      const one = (mask[i] >> bit) & 1;
      if (one && seenZero) return false;
      if (!one) seenZero = true;
    }
  }
  return true;
}

function ipWithin(ip: Uint8Array, c: Uint8Array): boolean {
  const n = ip.length;
  if (c.length !== 2 * n) return false;
  for (let i = 0; i < n; i++) if ((ip[i] & c[n + i]) !== (c[i] & c[n + i])) return false;
  return true;
}

function dnWithin(name: Uint8Array, c: Uint8Array): boolean {
  const a = rdnList(name);
  const b = rdnList(c);
  if (b.length > a.length) return false;
  for (let i = 0; i < b.length; i++) if (!equalBytes(a[i], b[i])) return false;
  return true;
}

/** The names of a certificate that constraints apply to: SAN entries plus a non-empty subject DN. */
function constrainedNames(cert: Certificate): GeneralName[] {
  const names: GeneralName[] = cert.extensions.subjectAltName ? cert.extensions.subjectAltName.slice() : [];
  if (!isEmptyName(cert.subjectDer)) names.push({ type: "dn", value: cert.subjectDer });
  return names;
}

/** Checks the constraint set itself (CIDR masks, host-name syntax). */
export function constraintsWellFormed(nc: NameConstraints): boolean {
  for (const list of [nc.permitted, nc.excluded]) {
    if (!list) continue;
    for (const c of list) {
      if (c.type === "dns" && dnsConstraint(c.value) === null) return false;
      if (c.type === "ip" && ((c.value.length !== 8 && c.value.length !== 32) || !isCidrMask(c.value.subarray(c.value.length / 2)))) return false;
    }
  }
  return true;
}

function matches(name: GeneralName, c: GeneralName, mode: "all" | "any"): boolean | null {
  if (name.type !== c.type) return null; // a constraint of another form says nothing about this name
  switch (name.type) {
    case "dns": {
      const san = parseDnsSan(name.value);
      if (!san) return mode === "any"; // a malformed name is never provably inside a permitted subtree
      const cv = dnsConstraint((c as { value: string }).value) as string;
      return mode === "all" ? dnsAllWithin(san, cv) : dnsAnyWithin(san, cv);
    }
    case "ip":
      if (name.value.length !== 4 && name.value.length !== 16) return mode === "any";
      return ipWithin(name.value, (c as { value: Uint8Array }).value);
    case "dn":
      return dnWithin(name.value, (c as { value: Uint8Array }).value);
    default:
      // email, URI and other forms: we do not evaluate them, so a constrained name of that form fails.
      return mode === "any";
  }
}

/** Applies one CA's constraints to one certificate below it. */
export function checkNameConstraints(nc: NameConstraints, cert: Certificate, budget: NcBudget): NcResult {
  if (!constraintsWellFormed(nc)) return "malformed";
  const names = constrainedNames(cert);
  const permitted = nc.permitted || [];
  const excluded = nc.excluded || [];
  budget.remaining -= names.length * (permitted.length + excluded.length);
  if (budget.remaining < 0) return "violation";
  for (const name of names) {
    for (const c of excluded) if (matches(name, c, "any") === true) return "violation";
    let sameType = false;
    let inside = false;
    for (const c of permitted) {
      const m = matches(name, c, "all");
      if (m === null) continue;
      sameType = true;
      if (m) {
        inside = true;
        break;
      }
    }
    if (sameType && !inside) return "violation";
  }
  return "ok";
}
