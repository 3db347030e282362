import type { ChainEntry, TlsErrorDetails } from "../errors.js";
import { parseCertificate, type Certificate } from "../x509/certificate.js";
import type { CertificateCheck } from "./certificate-check.js";

// What a device maker needs to act on a refused chain: the name checked and the names held, the issuer nobody
// trusted, the certificate out of its validity and the clock's time (a wrong clock looks like an expired chain).

const iso = (ms: number) => (isFinite(ms) ? new Date(ms).toISOString() : String(ms));

function entry(c: Certificate): ChainEntry {
  return { subject: c.subject, issuer: c.issuer, notBefore: iso(c.notBefore), notAfter: iso(c.notAfter) };
}

function ipText(a: Uint8Array): string {
  if (a.length === 4) return Array.from(a).join(".");
  const groups: string[] = [];
  for (let i = 0; i + 1 < a.length; i += 2) groups.push(((a[i] << 8) | a[i + 1]).toString(16));
  return groups.join(":");
}

export function failureDetails(check: Pick<CertificateCheck, "chain" | "serverName" | "now">, flags: string[], path: Certificate[]): TlsErrorDetails {
  const sent: Certificate[] = [];
  for (const der of check.chain) {
    try {
      sent.push(parseCertificate(der));
    } catch {
      /* a garbled entry has no words to show */
    }
  }
  const details: TlsErrorDetails = { peerCertificates: sent, presentedChain: sent.map(entry) };
  const has = (f: string) => flags.indexOf(f) >= 0;
  const leaf: Certificate | undefined = sent[0] ?? path[0];
  if (has("HOSTNAME_MISMATCH") && leaf) {
    details.checkedName = check.serverName === null ? "(none)" : check.serverName;
    details.certificateNames = leaf.dnsNames.map((n) => `DNS:${n}`).concat(leaf.ipAddresses.map((a) => `IP:${ipText(a)}`));
  }
  if (has("NOT_TRUSTED")) {
    const last = path.length > 0 ? path[path.length - 1] : leaf;
    if (last) details.untrustedIssuer = last.issuer;
  }
  if ((has("EXPIRED") || has("NOT_YET_VALID")) && check.now !== null) {
    const now = check.now;
    const candidates = path.length > 0 ? path : sent;
    const bad = candidates.find((c) => now < c.notBefore || now > c.notAfter) ?? sent.find((c) => now < c.notBefore || now > c.notAfter);
    if (bad) {
      const index = sent.findIndex((c) => c.der === bad.der || sameBytes(c.der, bad.der));
      details.invalidCertificate = { ...entry(bad), index };
    }
    details.clockTime = iso(now);
  }
  return details;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export function detailText(d: TlsErrorDetails): string {
  const parts: string[] = [];
  if (d.checkedName !== undefined) {
    const names = d.certificateNames && d.certificateNames.length > 0 ? d.certificateNames.join(", ") : "no DNS or IP subjectAltName";
    parts.push(`checked ${JSON.stringify(d.checkedName)}; the certificate names ${names}`);
  }
  if (d.untrustedIssuer !== undefined) parts.push(`no trusted CA matched the issuer "${d.untrustedIssuer}"`);
  if (d.invalidCertificate) {
    const c = d.invalidCertificate;
    const which = c.index === 0 ? "the leaf" : c.index > 0 ? `certificate ${c.index}` : "the trust anchor";
    parts.push(`${which} ("${c.subject}") is valid from ${c.notBefore} to ${c.notAfter}, and the clock says ${d.clockTime} (if that is not the current time, set the device's clock)`);
  }
  if (d.presentedChain && (d.untrustedIssuer !== undefined || d.invalidCertificate)) {
    parts.push(`the chain as sent: ${d.presentedChain.map((c, i) => `[${i}] "${c.subject}" issued by "${c.issuer}"`).join(", ")}`);
  }
  return parts.length > 0 ? ` (${parts.join("; ")})` : "";
}
