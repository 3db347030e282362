// What the CLI reports about a server's chain: each certificate as sent, the verification with its reasons,
// and the certificate to put on a device (the anchor that verified the chain, or the root the chain names).
import { createHash, X509Certificate } from "node:crypto";
import { parseCertificate, TrustStore, verifyChain, verifyInfo, type Certificate } from "../../x509/index.js";

export interface CertificateInfo {
  subject: string;
  issuer: string;
  notBefore: string;
  notAfter: string;
  sans: string[];
  key: string;
  sha256: string;
  /** base64 SHA-256 of the SubjectPublicKeyInfo, as OkHttp and HPKP write pins. */
  spkiPin: string;
  selfSigned: boolean;
}

export interface Verification {
  ok: boolean;
  flags: string[];
  reasons: string[];
  /** Leaf → anchor, subjects. */
  path: string[];
}

export interface DeviceCertificate {
  /** "trust anchor": verified the chain; "named root": the chain's top, unverified (--insecure). */
  kind: "trust anchor" | "named root";
  subject: string;
  notAfter: string;
  validForDays: number;
  /** PEM, when we hold the certificate (an anchor, or a root the server sends). */
  pem: string | null;
  /** Another anchor the same chain also verifies with (a CA migration in progress), if any. */
  alternative: string | null;
  note?: string;
}

const DAY = 86_400_000;

function oneLine(dn: string): string {
  return dn.split("\n").join(", ");
}

function keyDescription(x: X509Certificate): string {
  const k = x.publicKey;
  const d = k.asymmetricKeyDetails ?? {};
  if (k.asymmetricKeyType === "ec") return `EC ${d.namedCurve ?? "?"}`;
  if (k.asymmetricKeyType === "rsa" || k.asymmetricKeyType === "rsa-pss") return `${k.asymmetricKeyType.toUpperCase()} ${d.modulusLength ?? "?"} bits`;
  return String(k.asymmetricKeyType);
}

export function describeCertificate(der: Uint8Array): CertificateInfo {
  const x = new X509Certificate(der);
  const spki = x.publicKey.export({ type: "spki", format: "der" });
  return {
    subject: oneLine(x.subject),
    issuer: oneLine(x.issuer),
    notBefore: new Date(x.validFrom).toISOString(),
    notAfter: new Date(x.validTo).toISOString(),
    sans: x.subjectAltName ? x.subjectAltName.split(", ") : [],
    key: keyDescription(x),
    sha256: x.fingerprint256,
    spkiPin: createHash("sha256").update(spki).digest("base64"),
    selfSigned: x.checkIssued(x) && x.verify(x.publicKey),
  };
}

export function toPem(der: Uint8Array): string {
  const b64 = Buffer.from(der).toString("base64").replace(/(.{64})/g, "$1\n").replace(/\n$/, "");
  return `-----BEGIN CERTIFICATE-----\n${b64}\n-----END CERTIFICATE-----\n`;
}

export function verify(chain: Uint8Array[], anchors: Uint8Array[], host: string, now: number): { result: Verification; anchor: Certificate | null } {
  const isIp = /^[0-9.]+$|:/.test(host);
  const r = verifyChain({ chain, trusted: new TrustStore(anchors), now, ...(isIp ? { ip: host } : { hostname: host }) });
  const anchor = r.ok && r.path.length > 0 ? r.path[r.path.length - 1] : null;
  return {
    result: { ok: r.ok, flags: r.flags, reasons: verifyInfo(r.flags), path: r.path.map((c) => c.subject) },
    anchor,
  };
}

function sameDer(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

/** The certificate a device should trust for this server, and whether the chain also leads elsewhere. */
export function deviceCertificate(chain: Uint8Array[], anchors: Uint8Array[], anchor: Certificate | null, host: string, now: number): DeviceCertificate | null {
  if (anchor) {
    // Another anchor that verifies the same chain: the server (or its CA) is mid-migration.
    const others = anchors.filter((a) => !sameDer(a, anchor.der));
    const alt = others.length > 0 ? verify(chain, others, host, now).anchor : null;
    return {
      kind: "trust anchor",
      subject: anchor.subject,
      notAfter: new Date(anchor.notAfter).toISOString(),
      validForDays: Math.floor((anchor.notAfter - now) / DAY),
      pem: toPem(anchor.der),
      alternative: alt ? `${alt.subject} (valid until ${new Date(alt.notAfter).toISOString()})` : null,
    };
  }
  if (chain.length === 0) return null;
  const top = parseCertificate(chain[chain.length - 1]);
  const topInfo = describeCertificate(top.der);
  if (topInfo.selfSigned) {
    return { kind: "named root", subject: top.subject, notAfter: topInfo.notAfter, validForDays: Math.floor((top.notAfter - now) / DAY), pem: toPem(top.der), alternative: null, note: "sent by the server itself and NOT verified: check its fingerprint with the CA before trusting it" };
  }
  return {
    kind: "named root",
    subject: top.issuer,
    notAfter: "unknown",
    validForDays: NaN,
    pem: null,
    alternative: null,
    note: `the server does not send its root; the chain ends at a certificate issued by "${top.issuer}": get that root from its CA`,
  };
}
