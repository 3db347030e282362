import { tlsError, type TlsError } from "../errors.js";

// A strict DER walker. The schema library decodes values, but it is a lenient BER parser and drops the raw
// bytes we need (signed TBS, issuer/subject Name DER for exact matching), so the raw spans come from here.

/**
 * x509's parse failure: DECODE_ERROR without an alert, since a certificate or key is no TLS message; the handshake
 * names the alert when it is the server's certificate (certificate_malformed).
 */
export function malformedDer(what: string): TlsError {
  return tlsError("der_malformed", `malformed ${what}`);
}

export interface DerElement {
  tag: number; // the single identifier octet (high tag numbers are rejected: X.509 never uses them)
  /** The element's whole encoding (header + contents). */
  raw: Uint8Array;
  /** The contents octets only. */
  value: Uint8Array;
}

export const Tag = {
  BOOLEAN: 0x01,
  INTEGER: 0x02,
  BIT_STRING: 0x03,
  OCTET_STRING: 0x04,
  NULL: 0x05,
  OID: 0x06,
  UTF8_STRING: 0x0c,
  SEQUENCE: 0x30,
  SET: 0x31,
  PRINTABLE_STRING: 0x13,
  IA5_STRING: 0x16,
  UTC_TIME: 0x17,
  GENERALIZED_TIME: 0x18,
} as const;

/** Reads consecutive DER elements from a byte range. Every defect is a TlsError DECODE_ERROR. */
export class DerReader {
  private pos = 0;
  constructor(private readonly buf: Uint8Array, private readonly what = "certificate") {}

  get done(): boolean {
    return this.pos >= this.buf.length;
  }

  peekTag(): number {
    return this.pos < this.buf.length ? this.buf[this.pos] : -1;
  }

  read(): DerElement {
    const buf = this.buf;
    const start = this.pos;
    if (start + 2 > buf.length) throw malformedDer(this.what);
    const tag = buf[start];
    if ((tag & 0x1f) === 0x1f) throw malformedDer(this.what);
    let len = buf[start + 1];
    let off = start + 2;
    if (len & 0x80) {
      const n = len & 0x7f;
      // Indefinite (n = 0) and over-long lengths are BER, not DER.
      if (n === 0 || n > 4 || off + n > buf.length) throw malformedDer(this.what);
      if (buf[off] === 0) throw malformedDer(this.what);
      len = 0;
      for (let i = 0; i < n; i++) len = len * 256 + buf[off + i];
      off += n;
      if (len < 0x80) throw malformedDer(this.what); // not the minimal length form
    }
    if (off + len > buf.length) throw malformedDer(this.what);
    this.pos = off + len;
    return { tag, raw: buf.subarray(start, off + len), value: buf.subarray(off, off + len) };
  }

  /** Reads the next element and insists on its tag. */
  expect(tag: number): DerElement {
    const el = this.read();
    if (el.tag !== tag) throw malformedDer(this.what);
    return el;
  }

  /** Reads the next element only if it carries `tag`. */
  optional(tag: number): DerElement | null {
    return this.peekTag() === tag ? this.read() : null;
  }

  end(): void {
    if (!this.done) throw malformedDer(this.what);
  }
}

export function derChildren(el: DerElement, what?: string): DerReader {
  return new DerReader(el.value, what);
}

/** A DER BOOLEAN: only 0x00 and 0xff are valid encodings. */
export function derBoolean(el: DerElement, what = "certificate"): boolean {
  if (el.tag !== Tag.BOOLEAN || el.value.length !== 1) throw malformedDer(what);
  if (el.value[0] === 0xff) return true;
  if (el.value[0] === 0x00) return false;
  throw malformedDer(what);
}

/** A non-negative DER INTEGER small enough for a JS number (path lengths, versions). */
export function derSmallInteger(el: DerElement, what = "certificate"): number {
  const v = el.value;
  if (el.tag !== Tag.INTEGER || v.length === 0 || v.length > 4) throw malformedDer(what);
  if (v.length > 1 && v[0] === 0 && (v[1] & 0x80) === 0) throw malformedDer(what);
  if (v[0] & 0x80) throw malformedDer(what);
  let n = 0;
  for (let i = 0; i < v.length; i++) n = n * 256 + v[i];
  return n;
}

/** The magnitude bytes of a positive DER INTEGER (RSA modulus/exponent), without the sign octet. */
export function derUnsignedBytes(el: DerElement, what = "certificate"): Uint8Array {
  const v = el.value;
  if (el.tag !== Tag.INTEGER || v.length === 0 || v[0] & 0x80) throw malformedDer(what);
  if (v.length > 1 && v[0] === 0 && (v[1] & 0x80) === 0) throw malformedDer(what);
  return v[0] === 0 ? v.subarray(1) : v;
}

/** Dotted OID text from an OBJECT IDENTIFIER element. */
export function derOid(el: DerElement, what = "certificate"): string {
  const v = el.value;
  if (el.tag !== Tag.OID || v.length === 0 || v[v.length - 1] & 0x80) throw malformedDer(what);
  const arcs: number[] = [];
  let acc = 0;
  for (let i = 0; i < v.length; i++) {
    if (acc === 0 && v[i] === 0x80) throw malformedDer(what); // non-minimal arc
    acc = acc * 128 + (v[i] & 0x7f);
    if (acc > Number.MAX_SAFE_INTEGER / 128) throw malformedDer(what);
    if ((v[i] & 0x80) === 0) {
      arcs.push(acc);
      acc = 0;
    }
  }
  const first = arcs[0] < 40 ? 0 : arcs[0] < 80 ? 1 : 2;
  return [first, arcs[0] - first * 40, ...arcs.slice(1)].join(".");
}

/** BIT STRING contents without the unused-bits octet; `unused` must be 0 for keys/signatures. */
export function derBitString(el: DerElement, what = "certificate"): { bytes: Uint8Array; unused: number } {
  const v = el.value;
  if (el.tag !== Tag.BIT_STRING || v.length === 0 || v[0] > 7) throw malformedDer(what);
  if (v.length === 1 && v[0] !== 0) throw malformedDer(what);
  return { bytes: v.subarray(1), unused: v[0] };
}
