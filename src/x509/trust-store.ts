import { bytesToAscii, equalBytes } from "../bytes.js";
import { malformedDer } from "./der.js";
import { parseCertificate, type Certificate } from "./certificate.js";
import { parsePem } from "./pem.js";

// Trust anchors indexed by subject Name DER, so finding a certificate's issuer is a map lookup rather than
// a scan of every anchor on every handshake. Several anchors may share a subject (CA key rollover).

export type AnchorInput = string | Uint8Array;

function isPemBytes(b: Uint8Array): boolean {
  // "-----BEGIN" as bytes: a PEM file read as a Uint8Array is accepted too.
  return b.length > 10 && b[0] === 0x2d && bytesToAscii(b.subarray(0, 10)) === "-----BEGIN";
}

export class TrustStore {
  private readonly bySubjectKey = new Map<string, Certificate[]>();
  private count = 0;

  constructor(anchors?: AnchorInput | AnchorInput[]) {
    if (anchors === undefined) return;
    for (const a of Array.isArray(anchors) ? anchors : [anchors]) this.add(a);
  }

  /** Adds every CERTIFICATE block of a PEM text, or one DER certificate. Throws TlsError DECODE_ERROR. */
  add(pemOrDer: AnchorInput): void {
    if (typeof pemOrDer === "string") {
      const blocks = parsePem(pemOrDer);
      if (blocks.length === 0) throw malformedDer("trust anchors (no CERTIFICATE block in PEM text)");
      for (const der of blocks) this.addCertificate(parseCertificate(der));
    } else if (pemOrDer instanceof Uint8Array && isPemBytes(pemOrDer)) {
      this.add(bytesToAscii(pemOrDer));
    } else {
      this.addCertificate(parseCertificate(pemOrDer));
    }
  }

  /** Adds an already parsed anchor (duplicates are ignored). */
  addCertificate(cert: Certificate): void {
    const key = bytesToAscii(cert.subjectDer);
    const list = this.bySubjectKey.get(key);
    if (list) {
      if (list.some((c) => equalBytes(c.der, cert.der))) return;
      list.push(cert);
    } else this.bySubjectKey.set(key, [cert]);
    this.count++;
  }

  /** Anchors whose subject is exactly this Name DER. */
  bySubject(subjectDer: Uint8Array): Certificate[] {
    return this.bySubjectKey.get(bytesToAscii(subjectDer)) || [];
  }

  get size(): number {
    return this.count;
  }

  /** All anchors, in insertion order per subject. */
  certificates(): Certificate[] {
    const out: Certificate[] = [];
    this.bySubjectKey.forEach((list) => out.push(...list));
    return out;
  }
}
