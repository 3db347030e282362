const EMPTY = new Uint8Array(0);

/**
 * Wire bytes waiting for the transport, in order; the transport's progress is acknowledged by count. A flight queued
 * in pieces (ClientKeyExchange, ChangeCipherSpec, Finished) is handed out as one buffer, so it leaves in one TCP
 * segment. A buffer handed out is never written again: the transport may keep a view of it.
 */
export class WireQueue {
  private parts: Uint8Array[] = [];
  private at = 0;

  /** Bytes not yet taken. */
  get length(): number {
    let n = 0;
    for (const p of this.parts) n += p.length;
    return n - this.at;
  }

  push(wire: Uint8Array): void {
    if (wire.length > 0) this.parts.push(wire);
  }

  /** Everything not yet taken, as one buffer (empty: nothing). */
  peek(): Uint8Array {
    const parts = this.parts;
    if (parts.length === 0) return EMPTY;
    if (parts.length > 1) {
      const joined = new Uint8Array(this.length);
      let at = 0;
      parts.forEach((p, i) => {
        const rest = i === 0 ? p.subarray(this.at) : p;
        joined.set(rest, at);
        at += rest.length;
      });
      this.parts = [joined];
      this.at = 0;
    }
    return this.parts[0].subarray(this.at);
  }

  /** The transport took the first n bytes (0 ≤ n ≤ length, checked by the caller). */
  take(n: number): void {
    if (n === 0) return;
    const head = this.peek();
    this.at += n;
    if (n === head.length) {
      this.parts = [];
      this.at = 0;
    }
  }
}
