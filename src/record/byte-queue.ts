/**
 * A FIFO of bytes in one growable buffer. Appends copy in (callers may reuse their buffers), the live
 * region is compacted only when it fills at most half the buffer, so every byte is moved O(1) times
 * on average however the input is chunked: one byte at a time stays linear, never quadratic.
 */
export class ByteQueue {
  private buf = new Uint8Array(0);
  private start = 0;
  private end = 0;

  /** Once drained, a buffer grown past this by a large burst is dropped so small devices get the memory back. */
  constructor(private readonly keepCapacity = 1 << 18) {}

  get length(): number {
    return this.end - this.start;
  }

  push(bytes: Uint8Array): void {
    const n = bytes.length;
    if (n === 0) return;
    if (this.end + n > this.buf.length) this.makeRoom(n);
    this.buf.set(bytes, this.end);
    this.end += n;
  }

  /** The byte at position i of the queue (caller checks i < length). */
  byteAt(i: number): number {
    return this.buf[this.start + i];
  }

  /** A view of the first n bytes, valid until the next push. */
  peek(n: number): Uint8Array {
    return this.buf.subarray(this.start, this.start + n);
  }

  consume(n: number): void {
    this.start += n;
    if (this.start < this.end) return;
    this.start = this.end = 0;
    if (this.buf.length > this.keepCapacity) this.buf = new Uint8Array(0);
  }

  private makeRoom(n: number): void {
    const live = this.end - this.start;
    const capacity = this.buf.length;
    if (live + n <= capacity && live <= capacity >>> 1) {
      this.buf.copyWithin(0, this.start, this.end);
    } else {
      const next = new Uint8Array(Math.max(capacity * 2, live + n, 1024));
      next.set(this.buf.subarray(this.start, this.end));
      this.buf = next;
    }
    this.start = 0;
    this.end = live;
  }
}
