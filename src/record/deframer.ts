import { tlsError } from "../errors.js";
import { isContentType } from "./content-type.js";
import { FrameSplitter } from "./frame-splitter.js";

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
  /** The fragment: a view of the pushed bytes (valid while they are), or of a buffer of ours when `owned`. */
  fragment: Uint8Array;
  /** The fragment is in a buffer of ours (gathered across pushes, or retained), which the caller may keep. */
  owned: boolean;
}

/**
 * Cuts a byte stream in any chunking into TLSPlaintext/TLSCiphertext frames (RFC 5246 §6.2), in place: a record that
 * arrives whole is a view of the bytes pushed, and only one that straddles pushes is copied (once).
 * The header is judged as soon as its 5 bytes are in, so a hostile length is refused before its body is buffered.
 */
export class Deframer {
  private readonly frames = new FrameSplitter(RECORD_HEADER_LENGTH, (bytes) => this.judge(bytes));
  private records = 0;
  private maxFragment = 1 << 14;

  get bufferedBytes(): number {
    return this.frames.buffered;
  }

  /** Bytes from the transport. Before the caller reuses them it drains next() or calls retain(). */
  push(bytes: Uint8Array): void {
    this.frames.push(bytes);
  }

  /** Copies the bytes pushed and not yet read, so the pusher may reuse its buffer. */
  retain(): void {
    this.frames.retain();
  }

  /** The next whole record, or null if more bytes are needed. maxFragment bounds the wire fragment length. */
  next(maxFragment: number): RawRecord | null {
    this.maxFragment = maxFragment;
    const frame = this.frames.next();
    if (frame === null) return null;
    this.records++;
    return {
      type: frame[0],
      version: (frame[1] << 8) | frame[2],
      fragment: frame.subarray(RECORD_HEADER_LENGTH),
      owned: this.frames.lastIsOwned,
    };
  }

  /** A record header's body length, or the reason it is refused. */
  private judge(bytes: Uint8Array): number {
    const type = bytes[0];
    const version = (bytes[1] << 8) | bytes[2];
    const length = (bytes[3] << 8) | bytes[4];
    if (!isContentType(type)) {
      // Before any record, this is a peer speaking another protocol (72 is the H of an HTTP/ answer): show its words.
      const peerBytes = printable(bytes.subarray(0, PEER_BYTES_SHOWN));
      const what = this.records === 0 ? "the peer is not speaking TLS" : "the peer sent a record that is not TLS";
      throw tlsError("unexpected_message", `${what} (unknown record content type ${type}): it sent "${peerBytes}"`).with({ peerBytes });
    }
    // protocol_version for every wrong record version, as BoringSSL sends (a flipped byte on a protected record too).
    if (version >>> 8 !== 3) {
      throw tlsError("protocol_version", `record version 0x${version.toString(16)} is not TLS`);
    }
    if (length > this.maxFragment) {
      throw tlsError("record_overflow", `record of ${length} bytes exceeds the limit of ${this.maxFragment}`);
    }
    return length;
  }
}
