import { isPublicSuffix } from "./public-suffix.js";

// Reference identities and their matching against SAN entries (RFC 6125 / RFC 9525, CA/B Forum):
// dNSName entries for host names, iPAddress entries for IP literals, never the subject CN.

/** Parses an IPv4 dotted quad (no leading zeros, no shorthand) or an IPv6 literal; null if neither. */
export function parseIp(text: string): Uint8Array | null {
  if (text.indexOf(":") >= 0) return parseIpv6(text);
  return parseIpv4(text);
}

function parseIpv4(text: string): Uint8Array | null {
  const parts = text.split(".");
  if (parts.length !== 4) return null;
  const out = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    const p = parts[i];
    if (!/^(0|[1-9][0-9]{0,2})$/.test(p)) return null;
    const n = Number(p);
    if (n > 255) return null;
    out[i] = n;
  }
  return out;
}

function parseIpv6(text: string): Uint8Array | null {
  if (text.startsWith("[") && text.endsWith("]")) text = text.slice(1, -1);
  const halves = text.split("::");
  if (halves.length > 2) return null;
  const groups = (s: string): number[] | null => {
    if (s === "") return [];
    const out: number[] = [];
    const parts = s.split(":");
    for (let i = 0; i < parts.length; i++) {
      const p = parts[i];
      if (i === parts.length - 1 && p.indexOf(".") >= 0) {
        const v4 = parseIpv4(p);
        if (!v4) return null;
        out.push((v4[0] << 8) | v4[1], (v4[2] << 8) | v4[3]);
      } else {
        if (!/^[0-9a-fA-F]{1,4}$/.test(p)) return null;
        out.push(parseInt(p, 16));
      }
    }
    return out;
  };
  const head = groups(halves[0]);
  const tail = halves.length === 2 ? groups(halves[1]) : [];
  if (!head || !tail) return null;
  const fill = 8 - head.length - tail.length;
  if (halves.length === 2 ? fill < 1 : fill !== 0) return null;
  const all = head.concat(new Array<number>(halves.length === 2 ? fill : 0).fill(0), tail);
  const out = new Uint8Array(16);
  for (let i = 0; i < 8; i++) {
    out[2 * i] = all[i] >> 8;
    out[2 * i + 1] = all[i] & 0xff;
  }
  return out;
}

/** RFC 5952 text for an IPv6 address (lowercase, longest zero run compressed), dotted quad for IPv4. */
export function formatIp(ip: Uint8Array): string {
  if (ip.length === 4) return Array.prototype.join.call(ip, ".");
  const g: number[] = [];
  for (let i = 0; i < 16; i += 2) g.push((ip[i] << 8) | ip[i + 1]);
  let bestAt = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (g[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) {
      bestAt = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = (a: number[]) => a.map((x) => x.toString(16)).join(":");
  if (bestAt < 0) return hex(g);
  return `${hex(g.slice(0, bestAt))}::${hex(g.slice(bestAt + bestLen))}`;
}

const LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

/**
 * A DNS reference identity in canonical form: lowercase, one trailing dot dropped, every label LDH
 * (RFC 1123 preferred syntax). Returns null for anything that is not a valid host name.
 */
export function canonicalHostname(name: string): string | null {
  let h = name.toLowerCase();
  if (h.endsWith(".")) h = h.slice(0, -1);
  if (h.length === 0 || h.length > 253) return null;
  const labels = h.split(".");
  for (const l of labels) if (!LABEL.test(l)) return null;
  return h;
}

/** A dNSName SAN as a presented identity: a plain host name or "*." + host name (at least two labels). */
export function parseDnsSan(san: string): { wildcard: boolean; base: string } | null {
  if (san.startsWith("*.")) {
    const base = canonicalHostname(san.slice(2));
    // "*.com", "*.co.uk", "*.s3.amazonaws.com" would cover a whole registry or shared host: never acceptable.
    if (base === null || isPublicSuffix(base)) return null;
    return { wildcard: true, base };
  }
  const base = canonicalHostname(san);
  return base === null ? null : { wildcard: false, base };
}

/** Does one dNSName SAN match a canonical host name? Wildcards match exactly one whole left-most label. */
export function dnsSanMatches(san: string, host: string): boolean {
  const p = parseDnsSan(san);
  if (!p) return false;
  if (!p.wildcard) return p.base === host;
  const dot = host.indexOf(".");
  return dot > 0 && host.slice(dot + 1) === p.base;
}

export function ipEquals(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
