import { Alert, TlsError } from "../errors.js";
import { ByteQueue } from "./byte-queue.js";
import { isContentType } from "./content-type.js";

export const RECORD_HEADER_LENGTH = 5;

export interface RawRecord {
  type: number;
  version: number;
  /** A view into the deframer's buffer, valid until the next push. */
  fragment: Uint8Array;
}

/**
 * Cuts a byte stream in any chunking into TLSPlaintext/TLSCiphertext frames (RFC 5246 §6.2).
 * The header is judged as soon as its 5 bytes are in, so a hostile length is refused before its body is buffered.
 */
export class Deframer {
  private readonly queue = new ByteQueue();

  get bufferedBytes(): number {
    return this.queue.length;
  }

  push(bytes: Uint8Array): void {
    this.queue.push(bytes);
  }

  /** The next whole record, or null if more bytes are needed. maxFragment bounds the wire fragment length. */
  next(maxFragment: number): RawRecord | null {
    const q = this.queue;
    if (q.length < RECORD_HEADER_LENGTH) return null;
    const type = q.byteAt(0);
    const version = (q.byteAt(1) << 8) | q.byteAt(2);
    const length = (q.byteAt(3) << 8) | q.byteAt(4);
    if (!isContentType(type)) {
      throw new TlsError("UNEXPECTED_MESSAGE", `unknown record content type ${type}`, Alert.unexpected_message);
    }
    // protocol_version for every wrong record version, as BoringSSL sends (a flipped byte on a protected record too).
    if (version >>> 8 !== 3) {
      throw new TlsError("PROTOCOL_VERSION", `record version 0x${version.toString(16)} is not TLS`, Alert.protocol_version);
    }
    if (length > maxFragment) {
      throw new TlsError("RECORD_OVERFLOW", `record of ${length} bytes exceeds the limit of ${maxFragment}`, Alert.record_overflow);
    }
    if (q.length < RECORD_HEADER_LENGTH + length) return null;
    const fragment = q.peek(RECORD_HEADER_LENGTH + length).subarray(RECORD_HEADER_LENGTH);
    q.consume(RECORD_HEADER_LENGTH + length);
    return { type, version, fragment };
  }
}
