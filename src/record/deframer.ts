import { tlsError } from "../errors.js";
import { ByteQueue } from "./byte-queue.js";
import { isContentType } from "./content-type.js";

export const RECORD_HEADER_LENGTH = 5;
/** How much of a non-TLS peer's first bytes an error shows. */
const PEER_BYTES_SHOWN = 64;

/** Bytes as text: printable ASCII kept, the rest as \xNN (CR LF as \r \n). */
function printable(bytes: Uint8Array): string {
  let out = "";
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    if (b === 0x0d) out += "\\r";
    else if (b === 0x0a) out += "\\n";
    else if (b >= 0x20 && b < 0x7f && b !== 0x5c) out += String.fromCharCode(b);
    else out += "\\x" + (b < 16 ? "0" : "") + b.toString(16);
  }
  return out;
}

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
  private records = 0;

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
      // Before any record, this is a peer speaking another protocol (72 is the H of an HTTP/ answer): show its words.
      const peerBytes = printable(q.peek(Math.min(q.length, PEER_BYTES_SHOWN)));
      const what = this.records === 0 ? "the peer is not speaking TLS" : "the peer sent a record that is not TLS";
      throw tlsError("unexpected_message", `${what} (unknown record content type ${type}): it sent "${peerBytes}"`).with({ peerBytes });
    }
    // protocol_version for every wrong record version, as BoringSSL sends (a flipped byte on a protected record too).
    if (version >>> 8 !== 3) {
      throw tlsError("protocol_version", `record version 0x${version.toString(16)} is not TLS`);
    }
    if (length > maxFragment) {
      throw tlsError("record_overflow", `record of ${length} bytes exceeds the limit of ${maxFragment}`);
    }
    if (q.length < RECORD_HEADER_LENGTH + length) return null;
    const fragment = q.peek(RECORD_HEADER_LENGTH + length).subarray(RECORD_HEADER_LENGTH);
    q.consume(RECORD_HEADER_LENGTH + length);
    this.records++;
    return { type, version, fragment };
  }
}
