import { afterEach, describe, expect, it } from "vitest";
import { ByteQueue } from "../src/record/byte-queue.js";

// Counts the bytes the queue moves, by wrapping the two typed-array copy primitives it uses.
// A deterministic stand-in for "no quadratic copying": no clocks involved.
const originalSet = Uint8Array.prototype.set;
const originalCopyWithin = Uint8Array.prototype.copyWithin;
let moved = 0;
function countCopies(): void {
  moved = 0;
  Uint8Array.prototype.set = function (this: Uint8Array, src: ArrayLike<number>, offset?: number) {
    moved += src.length;
    return originalSet.call(this, src, offset);
  } as typeof originalSet;
  Uint8Array.prototype.copyWithin = function (this: Uint8Array, target: number, start: number, end?: number) {
    moved += (end ?? this.length) - start;
    return originalCopyWithin.call(this, target, start, end);
  } as typeof originalCopyWithin;
}
afterEach(() => {
  Uint8Array.prototype.set = originalSet;
  Uint8Array.prototype.copyWithin = originalCopyWithin;
});

describe("ByteQueue", () => {
  it("keeps bytes in order across growth and compaction", () => {
    const q = new ByteQueue();
    let next = 0;
    let expected = 0;
    for (let round = 0; round < 500; round++) {
      const n = (round * 37) % 900;
      q.push(Uint8Array.from({ length: n }, () => next++ & 0xff));
      const take = Math.min(q.length, (round * 53) % 1000);
      const view = q.peek(take);
      for (let i = 0; i < take; i++) expect(view[i]).toBe(expected++ & 0xff);
      q.consume(take);
    }
    expect(q.length).toBe(next - expected);
  });

  it("moves each byte a bounded number of times even when a large live region slides one byte at a time", () => {
    const q = new ByteQueue();
    const one = Uint8Array.of(1);
    // Fill the buffer exactly, then free one byte: the live region is as close to full as it gets.
    q.push(new Uint8Array(20000));
    q.push(new Uint8Array(20000));
    q.consume(1);
    countCopies();
    const steps = 100000;
    for (let i = 0; i < steps; i++) {
      q.push(one);
      q.consume(1);
    }
    // Compacting whenever there is room would move ~40000 bytes per step (4e9 in all).
    expect(moved).toBeLessThan(3 * (steps + 40000));
    expect(q.length).toBe(39999);
  });

  it("gives back a buffer that a burst grew large, once drained", () => {
    const capacity = (q: ByteQueue) => (q as unknown as { buf: Uint8Array }).buf.length;
    const q = new ByteQueue(4096);
    q.push(new Uint8Array(100000));
    expect(capacity(q)).toBeGreaterThanOrEqual(100000);
    q.consume(60000);
    expect(capacity(q)).toBeGreaterThanOrEqual(100000); // still holding live bytes
    q.consume(40000);
    expect(capacity(q)).toBeLessThanOrEqual(4096);
    const small = new ByteQueue(4096);
    small.push(new Uint8Array(3000));
    small.consume(3000);
    expect(capacity(small)).toBeGreaterThan(0); // a small buffer is kept for reuse
  });
});
