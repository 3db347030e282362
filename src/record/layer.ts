import { type TlsError, tlsError } from "../errors.js";
import type { RecordCipher } from "./cipher.js";
import { ContentType, contentTypeName, isContentType } from "./content-type.js";
import { Deframer, RECORD_HEADER_LENGTH } from "./deframer.js";

/** A decrypted record. */
export interface TlsRecord {
  type: number;
  data: Uint8Array;
  /**
   * `data` is ours to keep (decrypted, or gathered across feeds); otherwise it is a view of the bytes last fed,
   * valid until the feeder reuses them, and whoever keeps it copies it.
   */
  owned: boolean;
}

export const MAX_PLAINTEXT = 1 << 14;
/** RFC 5246 §6.2.3: a protected fragment may exceed its plaintext by at most 2048 bytes. */
export const MAX_EXPANSION = 2048;
/** Empty application_data records are legal but free to send: cap a run of them (OpenSSL uses 32 too) so a peer cannot spin us. */
export const MAX_EMPTY_RECORDS = 32;
const TLS12_VERSION = 0x0303;

function unexpected(message: string): TlsError {
  return tlsError("unexpected_message", message);
}

function overflow(length: number, limit: number): TlsError {
  return tlsError("record_overflow", `record plaintext of ${length} bytes exceeds the limit of ${limit}`);
}

/** The sans-I/O record layer (RFC 5246 §6.2): frames and protects what we send, deframes and opens what we receive. */
export class RecordLayer {
  private readonly deframer = new Deframer();
  private readonly trace?: (line: string) => void;
  private readCipher: RecordCipher | null = null;
  private writeCipher: RecordCipher | null = null;
  private sendLimit = MAX_PLAINTEXT;
  private receiveLimit = MAX_PLAINTEXT;
  private emptyRun = 0;
  /**
   * Whether an empty application_data record is dropped (false: it is unexpected_message). Before the handshake
   * completes no application data may arrive at all, so the client keeps this false until then (issue #14).
   */
  emptyApplicationData: boolean;
  /** Set once the ServerHello chose TLS 1.2: from then on plaintext records must say 0x0303 too (as BoringSSL). */
  versionChosen = false;

  constructor(opts: { trace?: (line: string) => void; emptyApplicationData?: boolean } = {}) {
    this.trace = opts.trace;
    this.emptyApplicationData = opts.emptyApplicationData !== false;
  }

  get bufferedBytes(): number {
    return this.deframer.bufferedBytes;
  }

  /** The largest plaintext one record we send may carry (max_fragment_length / record_size_limit, else 2^14). */
  get sendFragmentLimit(): number {
    return this.sendLimit;
  }

  /**
   * Bytes from the transport, any chunking (1 byte at a time works). They are read in place: before reusing them,
   * call read() until it returns null, or call retain(), which copies what is still unread.
   */
  feed(bytes: Uint8Array): void {
    this.deframer.push(bytes);
  }

  /** Copies what was fed and not yet read (whole records left for later), so the feeder may reuse its bytes. */
  retain(): void {
    this.deframer.retain();
  }

  /** Next complete decrypted record, or null if more bytes are needed. Throws TlsError on any fatal record error. */
  read(): TlsRecord | null {
    for (;;) {
      const wireLimit = this.readCipher ? this.receiveLimit + MAX_EXPANSION : this.receiveLimit;
      const raw = this.deframer.next(wireLimit);
      if (raw === null) return null;
      const { type, fragment } = raw;
      // The AAD fixes the version at 0x0303, so nothing authenticates the header's copy: check it here instead.
      if ((this.readCipher || this.versionChosen) && raw.version !== TLS12_VERSION) {
        throw tlsError("protocol_version", `${this.readCipher ? "protected " : ""}record with version 0x${raw.version.toString(16)} after TLS 1.2 was chosen`);
      }
      // Decrypted output is fresh; a plaintext fragment stays a view, copied (once) only by whoever keeps it.
      const data = this.readCipher ? this.readCipher.decrypt(type, fragment) : fragment;
      const owned = this.readCipher !== null || raw.owned;
      if (data.length > this.receiveLimit) throw overflow(data.length, this.receiveLimit);
      if (this.trace) this.trace(`record in  ${contentTypeName(type)} len=${data.length}${this.readCipher ? ` wire=${fragment.length}` : ""}`);
      if (data.length > 0) {
        this.emptyRun = 0;
        return { type, data, owned };
      }
      // RFC 5246 §6.2.1: only application_data may be sent empty (a traffic-analysis countermeasure).
      if (type !== ContentType.application_data) throw unexpected(`empty ${contentTypeName(type)} record`);
      if (!this.emptyApplicationData) throw unexpected("empty application_data record before the handshake completed");
      if (++this.emptyRun > MAX_EMPTY_RECORDS) throw unexpected(`more than ${MAX_EMPTY_RECORDS} empty records in a row`);
    }
  }

  /** Frames (and, once a write cipher is set, protects) `data` as records of at most the send limit; returns wire bytes. */
  write(type: number, data: Uint8Array, legacyVersion: number = TLS12_VERSION): Uint8Array {
    if (!isContentType(type)) throw tlsError("internal_error", `cannot send content type ${type}`);
    const cipher = this.writeCipher;
    const limit = this.sendLimit;
    const count = Math.ceil(data.length / limit);
    if (cipher && (cipher.encryptInto === undefined || cipher.overhead === undefined)) {
      return this.writeEach(type, data, legacyVersion, cipher);
    }
    const overhead = cipher?.overhead ?? 0;
    // One buffer for every header and fragment of this write: no per-record concatenation on the bulk path.
    const out = new Uint8Array(data.length + count * (RECORD_HEADER_LENGTH + overhead));
    let at = 0;
    for (let offset = 0; offset < data.length; offset += limit) {
      const piece = data.subarray(offset, Math.min(offset + limit, data.length));
      const wireLength = piece.length + overhead;
      writeHeader(out, at, type, legacyVersion, wireLength);
      if (cipher && cipher.encryptInto) cipher.encryptInto(type, piece, out, at + RECORD_HEADER_LENGTH);
      else out.set(piece, at + RECORD_HEADER_LENGTH);
      this.traceOut(type, piece.length, wireLength);
      at += RECORD_HEADER_LENGTH + wireLength;
    }
    return out;
  }

  /** For a RecordCipher without encryptInto: encrypt each piece, then join. */
  private writeEach(type: number, data: Uint8Array, version: number, cipher: RecordCipher): Uint8Array {
    const fragments: Uint8Array[] = [];
    let total = 0;
    for (let offset = 0; offset < data.length; offset += this.sendLimit) {
      const piece = data.subarray(offset, Math.min(offset + this.sendLimit, data.length));
      const fragment = cipher.encrypt(type, piece);
      this.traceOut(type, piece.length, fragment.length);
      fragments.push(fragment);
      total += RECORD_HEADER_LENGTH + fragment.length;
    }
    const out = new Uint8Array(total);
    let at = 0;
    for (const fragment of fragments) {
      writeHeader(out, at, type, version, fragment.length);
      out.set(fragment, at + RECORD_HEADER_LENGTH);
      at += RECORD_HEADER_LENGTH + fragment.length;
    }
    return out;
  }

  private traceOut(type: number, plaintextLength: number, wireLength: number): void {
    if (this.trace) this.trace(`record out ${contentTypeName(type)} len=${plaintextLength}${this.writeCipher ? ` wire=${wireLength}` : ""}`);
  }

  /** After receiving ChangeCipherSpec. A new cipher brings its own sequence number, starting at 0. */
  setReadCipher(c: RecordCipher): void {
    this.readCipher = c;
  }

  /** After sending ChangeCipherSpec. */
  setWriteCipher(c: RecordCipher): void {
    this.writeCipher = c;
  }

  /** Plaintext limits (max_fragment_length / record_size_limit); values above 2^14 mean 2^14. */
  setMaxFragment(sendLimit: number, receiveLimit: number): void {
    this.sendLimit = checkedLimit(sendLimit);
    this.receiveLimit = checkedLimit(receiveLimit);
  }
}

function checkedLimit(limit: number): number {
  if (!(limit >= 1) || Math.floor(limit) !== limit) throw tlsError("config", `invalid record size limit ${limit}`);
  return Math.min(limit, MAX_PLAINTEXT);
}

function writeHeader(out: Uint8Array, at: number, type: number, version: number, length: number): void {
  out[at] = type;
  out[at + 1] = (version >>> 8) & 0xff;
  out[at + 2] = version & 0xff;
  out[at + 3] = length >>> 8;
  out[at + 4] = length & 0xff;
}
