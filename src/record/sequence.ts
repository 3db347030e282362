import { tlsError } from "../errors.js";

/**
 * A 64-bit record sequence number (RFC 5246 §6.1) kept as two 32-bit halves: plain numbers lose
 * precision past 2^53, and BigInt arithmetic per record would cost more than it needs to.
 * The last value, 2^64-1, may be used once; after it the counter is exhausted and refuses to wrap.
 */
export class SequenceNumber {
  private hi = 0;
  private lo = 0;
  private exhausted = false;

  // No BigInt unless a start is given (tests): engines without BigInt, or with a broken one, run records too.
  constructor(start?: bigint) {
    if (start === undefined) return;
    this.hi = Number((start >> BigInt(32)) & BigInt(0xffffffff));
    this.lo = Number(start & BigInt(0xffffffff));
  }

  /** Writes the current value big-endian at out[offset..offset+8) and advances; throws instead of wrapping. */
  take(out: Uint8Array, offset: number): void {
    if (this.exhausted) {
      throw tlsError("internal_error", "record sequence number would wrap past 2^64-1");
    }
    const { hi, lo } = this;
    out[offset] = hi >>> 24;
    out[offset + 1] = (hi >>> 16) & 0xff;
    out[offset + 2] = (hi >>> 8) & 0xff;
    out[offset + 3] = hi & 0xff;
    out[offset + 4] = lo >>> 24;
    out[offset + 5] = (lo >>> 16) & 0xff;
    out[offset + 6] = (lo >>> 8) & 0xff;
    out[offset + 7] = lo & 0xff;
    if (lo !== 0xffffffff) this.lo = lo + 1;
    else if (hi !== 0xffffffff) {
      this.lo = 0;
      this.hi = hi + 1;
    } else this.exhausted = true;
  }
}
