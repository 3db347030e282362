const EMPTY = new Uint8Array(0);

/**
 * Reads the body length from a frame's header (`bytes` starts at the frame and holds at least the header; often more,
 * for an error to quote). Throws to refuse the frame as soon as its header is in.
 */
export type BodyLength = (bytes: Uint8Array) => number;

/**
 * Cuts frames (a fixed-size header that gives the body's length, then the body) out of bytes pushed in any chunking,
 * copying only what must outlive the push. A frame that arrives whole is handed out as a view of the pushed bytes;
 * one that straddles pushes is gathered, once, into a buffer of its exact size, which is then handed out too.
 * Used twice: records out of the transport's bytes (deframer.ts), handshake messages out of records (reassembler).
 *
 * Before the pusher reuses its bytes it either drains next() until null or calls retain(): from then on nothing here
 * refers to them.
 */
export class FrameSplitter {
  private input: Uint8Array = EMPTY;
  private at = 0;
  /** `input` is a buffer of ours (joined or retained), not the pusher's. */
  private inputOwned = false;
  /** The frame being gathered across pushes: its header first, then (once the length is known) all of it. */
  private partial: Uint8Array | null = null;
  private filled = 0;
  /** The whole length of the partial frame, -1 until its header is complete. */
  private total = -1;
  /** Whether the last frame next() returned is in a buffer of ours (true) or a view of the pusher's bytes (false). */
  lastIsOwned = false;

  constructor(
    private readonly headerLength: number,
    private readonly bodyLength: BodyLength,
  ) {}

  /** Bytes held: unread pushed bytes and a partial frame. */
  get buffered(): number {
    return this.input.length - this.at + this.filled;
  }

  push(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    if (this.at < this.input.length) {
      // Frames left unread (retained for later, or pushed twice without draining): join them with the new bytes.
      const rest = this.input.subarray(this.at);
      const joined = new Uint8Array(rest.length + bytes.length);
      joined.set(rest);
      joined.set(bytes, rest.length);
      this.input = joined;
      this.inputOwned = true;
    } else {
      this.input = bytes;
      this.inputOwned = false;
    }
    this.at = 0;
  }

  /** Copies the pushed bytes not yet read (whole frames left for later), so the pusher may reuse its buffer. */
  retain(): void {
    if (this.inputOwned || this.at >= this.input.length) return;
    this.input = this.input.slice(this.at);
    this.at = 0;
    this.inputOwned = true;
  }

  /**
   * The next whole frame (header included), or null once every pushed byte is used up or gathered. A header is judged
   * as soon as it is complete, so a hostile length is refused before its body is buffered.
   */
  next(): Uint8Array | null {
    if (this.partial !== null) return this.gather();
    const available = this.input.length - this.at;
    if (available === 0) return this.drained();
    const view = this.input.subarray(this.at);
    if (available >= this.headerLength) {
      const total = this.headerLength + this.bodyLength(view);
      if (available >= total) {
        this.at += total;
        this.lastIsOwned = this.inputOwned;
        return view.subarray(0, total);
      }
      this.total = total;
      this.partial = new Uint8Array(total);
    } else {
      this.total = -1;
      this.partial = new Uint8Array(this.headerLength);
    }
    this.partial.set(view);
    this.filled = available;
    this.at = this.input.length;
    return this.drained();
  }

  /** Adds pushed bytes to the partial frame: the frame once it is whole, else null. */
  private gather(): Uint8Array | null {
    const partial = this.partial as Uint8Array;
    if (this.total < 0) {
      this.take(this.headerLength);
      if (this.filled < this.headerLength) return this.drained();
      this.total = this.headerLength + this.bodyLength(partial);
      const whole = new Uint8Array(this.total);
      whole.set(partial);
      this.partial = whole;
    }
    this.take(this.total);
    if (this.filled < this.total) return this.drained();
    const frame = this.partial as Uint8Array;
    this.partial = null;
    this.filled = 0;
    this.total = -1;
    this.lastIsOwned = true;
    return frame;
  }

  /** Copies pushed bytes into the partial frame until it holds `upTo`. */
  private take(upTo: number): void {
    const n = Math.min(upTo - this.filled, this.input.length - this.at);
    if (n <= 0) return;
    (this.partial as Uint8Array).set(this.input.subarray(this.at, this.at + n), this.filled);
    this.filled += n;
    this.at += n;
  }

  private drained(): null {
    if (this.at >= this.input.length) {
      this.input = EMPTY;
      this.at = 0;
      this.inputOwned = false;
    }
    return null;
  }
}
