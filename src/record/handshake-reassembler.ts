import { tlsError } from "../errors.js";
import { FrameSplitter } from "./frame-splitter.js";

export interface HandshakeMessage {
  type: number;
  body: Uint8Array;
  /** 4-byte header + body, for the transcript hash. */
  raw: Uint8Array;
}

const HEADER_LENGTH = 4;
export const DEFAULT_MAX_HANDSHAKE_MESSAGE = 1 << 16;

/**
 * Joins handshake messages (RFC 5246 §7.4) that span records and splits records holding several. Every message it
 * returns is the state's to keep, and costs one copy at most: none when the record was already ours (decrypted, or
 * gathered by the deframer) and held the whole message.
 * A message longer than maxMessage is refused as soon as its header is seen, with illegal_parameter
 * (as OpenSSL does for an excessive message size): the encoding is valid, the size is not acceptable.
 */
export class HandshakeReassembler {
  private readonly frames: FrameSplitter;
  private owned = false;

  constructor(maxMessage: number = DEFAULT_MAX_HANDSHAKE_MESSAGE) {
    this.frames = new FrameSplitter(HEADER_LENGTH, (header) => {
      const length = (header[1] << 16) | (header[2] << 8) | header[3];
      if (length > maxMessage) {
        throw tlsError("illegal_parameter", `handshake message type ${header[0]} of ${length} bytes exceeds the limit of ${maxMessage}`);
      }
      return length;
    });
  }

  /** A handshake record's plaintext; `owned`: it is ours to keep (see TlsRecord.owned). Drain next() afterwards. */
  push(fragment: Uint8Array, owned = false): void {
    this.frames.push(fragment);
    this.owned = owned;
  }

  next(): HandshakeMessage | null {
    const frame = this.frames.next();
    if (frame === null) return null;
    const raw = this.owned || this.frames.lastIsOwned ? frame : frame.slice();
    return { type: raw[0], body: raw.subarray(HEADER_LENGTH), raw };
  }

  /** Handshake bytes are buffered (a partial or unread message): CCS and application data must not interleave then. */
  get pending(): boolean {
    return this.frames.buffered > 0;
  }
}
