import { tlsError } from "../errors.js";
import { ByteQueue } from "./byte-queue.js";

export interface HandshakeMessage {
  type: number;
  body: Uint8Array;
  /** 4-byte header + body, for the transcript hash. */
  raw: Uint8Array;
}

const HEADER_LENGTH = 4;
export const DEFAULT_MAX_HANDSHAKE_MESSAGE = 1 << 16;

/**
 * Joins handshake messages (RFC 5246 §7.4) that span records and splits records holding several.
 * A message longer than maxMessage is refused as soon as its header is seen, with illegal_parameter
 * (as OpenSSL does for an excessive message size): the encoding is valid, the size is not acceptable.
 */
export class HandshakeReassembler {
  private readonly queue = new ByteQueue();

  constructor(private readonly maxMessage: number = DEFAULT_MAX_HANDSHAKE_MESSAGE) {}

  /** A handshake record's plaintext (copied). */
  push(fragment: Uint8Array): void {
    this.queue.push(fragment);
    this.bodyLength();
  }

  next(): HandshakeMessage | null {
    const length = this.bodyLength();
    if (length < 0 || this.queue.length < HEADER_LENGTH + length) return null;
    const raw = this.queue.peek(HEADER_LENGTH + length).slice();
    this.queue.consume(HEADER_LENGTH + length);
    return { type: raw[0], body: raw.subarray(HEADER_LENGTH), raw };
  }

  /** Handshake bytes are buffered (a partial or unread message): CCS and application data must not interleave then. */
  get pending(): boolean {
    return this.queue.length > 0;
  }

  /** The body length of the first buffered message, -1 if its header is incomplete; throws if it is too long. */
  private bodyLength(): number {
    const q = this.queue;
    if (q.length < HEADER_LENGTH) return -1;
    const length = (q.byteAt(1) << 16) | (q.byteAt(2) << 8) | q.byteAt(3);
    if (length > this.maxMessage) {
      throw tlsError("illegal_parameter", `handshake message type ${q.byteAt(0)} of ${length} bytes exceeds the limit of ${this.maxMessage}`);
    }
    return length;
  }
}
