import type { Aead } from "../crypto/aead.js";
import { Alert, type TlsError, tlsError } from "../errors.js";
import { SequenceNumber } from "./sequence.js";

/**
 * Record protection for the TLS 1.2 AEAD suites. One instance protects one direction: it owns that
 * direction's sequence number, so installing a fresh cipher after ChangeCipherSpec restarts it at 0.
 */
export interface RecordCipher {
  /** plaintext fragment -> wire fragment (explicit nonce || ciphertext || tag for GCM). Uses & increments the write seq. */
  encrypt(type: number, plaintext: Uint8Array): Uint8Array;
  /** wire fragment -> plaintext; throws TlsError BAD_RECORD_MAC (Alert.bad_record_mac) on a bad tag / too short. */
  decrypt(type: number, fragment: Uint8Array): Uint8Array;
  /** Bytes each record grows by (explicit nonce + tag). Optional so other RecordCipher shapes still fit. */
  readonly overhead?: number;
  /** Like encrypt, but writes the wire fragment at out[offset..]: lets the layer build a whole flight in one buffer. */
  encryptInto?(type: number, plaintext: Uint8Array, out: Uint8Array, offset: number): void;
}

const TAG_LENGTH = 16;
const GCM_EXPLICIT_NONCE_LENGTH = 8;
const TLS12_VERSION = 0x0303;

/** Options for tests and diagnostics only; a connection always starts at sequence number 0. */
export interface RecordCipherOptions {
  startSequence?: bigint;
}

function badRecordMac(): TlsError {
  return tlsError("bad_record_mac", "record authentication failed");
}

/** RFC 5246 §6.2.3.3: seq_num(8) || type(1) || version(2) || length(2), length being the plaintext's. */
function additionalData(seq: SequenceNumber, type: number, plaintextLength: number): Uint8Array {
  const aad = new Uint8Array(13);
  seq.take(aad, 0);
  aad[8] = type;
  aad[9] = TLS12_VERSION >>> 8;
  aad[10] = TLS12_VERSION & 0xff;
  aad[11] = plaintextLength >>> 8;
  aad[12] = plaintextLength & 0xff;
  return aad;
}

/** RFC 5288 §3: nonce = salt(4, from the key block) || explicit nonce(8); we send our sequence number as the explicit part. */
export function gcmRecordCipher(aead: Aead, fixedIv: Uint8Array, options: RecordCipherOptions = {}): RecordCipher {
  if (fixedIv.length !== 4) throw new RangeError("AES-GCM fixed IV must be 4 bytes");
  const seq = new SequenceNumber(options.startSequence);
  const overhead = GCM_EXPLICIT_NONCE_LENGTH + TAG_LENGTH;
  const encryptInto = (type: number, plaintext: Uint8Array, out: Uint8Array, offset: number): void => {
    const aad = additionalData(seq, type, plaintext.length);
    const nonce = new Uint8Array(12);
    nonce.set(fixedIv);
    nonce.set(aad.subarray(0, 8), 4);
    out.set(nonce.subarray(4), offset);
    out.set(aead.seal(nonce, plaintext, aad), offset + GCM_EXPLICIT_NONCE_LENGTH);
  };
  return {
    overhead,
    encryptInto,
    encrypt(type, plaintext) {
      const out = new Uint8Array(plaintext.length + overhead);
      encryptInto(type, plaintext, out, 0);
      return out;
    },
    decrypt(type, fragment) {
      // The peer's explicit nonce is taken as sent; only our own sequence number goes into the AAD.
      if (fragment.length < overhead) throw badRecordMac();
      const nonce = new Uint8Array(12);
      nonce.set(fixedIv);
      nonce.set(fragment.subarray(0, GCM_EXPLICIT_NONCE_LENGTH), 4);
      const aad = additionalData(seq, type, fragment.length - overhead);
      const plaintext = aead.open(nonce, fragment.subarray(GCM_EXPLICIT_NONCE_LENGTH), aad);
      if (plaintext === null) throw badRecordMac();
      return plaintext;
    },
  };
}

/** RFC 7905 §2: nonce = iv XOR (4 zero bytes || seq_num), nothing sent on the wire. */
export function chachaRecordCipher(aead: Aead, iv: Uint8Array, options: RecordCipherOptions = {}): RecordCipher {
  if (iv.length !== 12) throw new RangeError("ChaCha20-Poly1305 IV must be 12 bytes");
  const seq = new SequenceNumber(options.startSequence);
  const nonceFor = (aad: Uint8Array): Uint8Array => {
    const nonce = iv.slice();
    for (let i = 0; i < 8; i++) nonce[4 + i] ^= aad[i];
    return nonce;
  };
  const encryptInto = (type: number, plaintext: Uint8Array, out: Uint8Array, offset: number): void => {
    const aad = additionalData(seq, type, plaintext.length);
    out.set(aead.seal(nonceFor(aad), plaintext, aad), offset);
  };
  return {
    overhead: TAG_LENGTH,
    encryptInto,
    encrypt(type, plaintext) {
      const aad = additionalData(seq, type, plaintext.length);
      return aead.seal(nonceFor(aad), plaintext, aad);
    },
    decrypt(type, fragment) {
      if (fragment.length < TAG_LENGTH) throw badRecordMac();
      const aad = additionalData(seq, type, fragment.length - TAG_LENGTH);
      const plaintext = aead.open(nonceFor(aad), fragment, aad);
      if (plaintext === null) throw badRecordMac();
      return plaintext;
    },
  };
}
