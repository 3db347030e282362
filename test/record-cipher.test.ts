import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { expectTlsError } from "./helpers/expect-tls-error.js";
import { aesGcm } from "../src/crypto/aes-gcm.js";
import { chacha20Poly1305 } from "../src/crypto/chacha20-poly1305.js";
import { Alert, TlsError } from "../src/errors.js";
import { chachaRecordCipher, gcmRecordCipher } from "../src/record/cipher.js";
import { ContentType } from "../src/record/content-type.js";
import { RecordLayer } from "../src/record/layer.js";
import { SequenceNumber } from "../src/record/sequence.js";

// Independent references: node:crypto (OpenSSL) with the nonce and AAD built by hand from the RFC text.

function seqBytes(seq: bigint): Uint8Array {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, seq);
  return out;
}

/** RFC 5246 §6.2.3.3 additional data. */
function aadFor(seq: bigint, type: number, length: number): Uint8Array {
  return Uint8Array.from([...seqBytes(seq), type, 3, 3, length >> 8, length & 0xff]);
}

function u8(b: Uint8Array | globalThis.Buffer): Uint8Array {
  return new Uint8Array(b.buffer, b.byteOffset, b.length);
}

/** RFC 5288: nonce = salt(4) || explicit(8), fragment = explicit || ciphertext || tag. */
function openGcmWithOpenssl(key: Uint8Array, salt: Uint8Array, seq: bigint, type: number, fragment: Uint8Array): Uint8Array {
  const explicit = fragment.subarray(0, 8);
  const body = fragment.subarray(8, fragment.length - 16);
  const d = createDecipheriv(key.length === 16 ? "aes-128-gcm" : "aes-256-gcm", key, Uint8Array.from([...salt, ...explicit]));
  d.setAAD(aadFor(seq, type, body.length));
  d.setAuthTag(fragment.subarray(fragment.length - 16));
  return u8(globalThis.Buffer.concat([d.update(body), d.final()]));
}

function sealGcmWithOpenssl(key: Uint8Array, salt: Uint8Array, explicit: Uint8Array, seq: bigint, type: number, pt: Uint8Array): Uint8Array {
  const c = createCipheriv(key.length === 16 ? "aes-128-gcm" : "aes-256-gcm", key, Uint8Array.from([...salt, ...explicit]));
  c.setAAD(aadFor(seq, type, pt.length));
  const ct = globalThis.Buffer.concat([c.update(pt), c.final()]);
  return Uint8Array.from([...explicit, ...ct, ...c.getAuthTag()]);
}

/** RFC 7905: nonce = iv XOR (0^32 || seq), fragment = ciphertext || tag. */
function chachaNonce(iv: Uint8Array, seq: bigint): Uint8Array {
  const padded = Uint8Array.from([0, 0, 0, 0, ...seqBytes(seq)]);
  return iv.map((b, i) => b ^ padded[i]);
}

function openChachaWithOpenssl(key: Uint8Array, iv: Uint8Array, seq: bigint, type: number, fragment: Uint8Array): Uint8Array {
  const body = fragment.subarray(0, fragment.length - 16);
  const d = createDecipheriv("chacha20-poly1305", key, chachaNonce(iv, seq), { authTagLength: 16 });
  d.setAAD(aadFor(seq, type, body.length), { plaintextLength: body.length });
  d.setAuthTag(fragment.subarray(body.length));
  return u8(globalThis.Buffer.concat([d.update(body), d.final()]));
}

function sealChachaWithOpenssl(key: Uint8Array, iv: Uint8Array, seq: bigint, type: number, pt: Uint8Array): Uint8Array {
  const c = createCipheriv("chacha20-poly1305", key, chachaNonce(iv, seq), { authTagLength: 16 });
  c.setAAD(aadFor(seq, type, pt.length), { plaintextLength: pt.length });
  const ct = globalThis.Buffer.concat([c.update(pt), c.final()]);
  return Uint8Array.from([...ct, ...c.getAuthTag()]);
}

const bytes = (n: number) => u8(randomBytes(n));
const APP = ContentType.application_data;

describe("AES-GCM records (RFC 5288)", () => {
  for (const keyLength of [16, 32]) {
    it(`AES-${keyLength * 8}-GCM: the explicit nonce is the sequence number and OpenSSL opens what we seal`, () => {
      const key = bytes(keyLength);
      const salt = bytes(4);
      const cipher = gcmRecordCipher(aesGcm(key), salt);
      for (let seq = BigInt(0); seq < BigInt(3); seq++) {
        const pt = bytes(100 + Number(seq));
        const fragment = cipher.encrypt(APP, pt);
        expect(fragment.length).toBe(pt.length + 24);
        expect([...fragment.subarray(0, 8)]).toEqual([...seqBytes(seq)]);
        expect([...openGcmWithOpenssl(key, salt, seq, APP, fragment)]).toEqual([...pt]);
      }
    });

    it(`AES-${keyLength * 8}-GCM: we open what OpenSSL seals, whatever explicit nonce the peer picked`, () => {
      const key = bytes(keyLength);
      const salt = bytes(4);
      const cipher = gcmRecordCipher(aesGcm(key), salt);
      for (let seq = BigInt(0); seq < BigInt(3); seq++) {
        const pt = bytes(50);
        const fragment = sealGcmWithOpenssl(key, salt, bytes(8), seq, ContentType.handshake, pt);
        expect([...cipher.decrypt(ContentType.handshake, fragment)]).toEqual([...pt]);
      }
    });
  }

  it("the AAD binds the content type: a record sealed as handshake does not open as application data", () => {
    const key = bytes(16);
    const salt = bytes(4);
    const fragment = sealGcmWithOpenssl(key, salt, bytes(8), BigInt(0), ContentType.handshake, bytes(20));
    expectTlsError(() => gcmRecordCipher(aesGcm(key), salt).decrypt(APP, fragment), "BAD_RECORD_MAC", Alert.bad_record_mac);
  });

  it("the AAD binds the sequence number: a replayed or reordered record fails", () => {
    const key = bytes(16);
    const salt = bytes(4);
    const fragment = sealGcmWithOpenssl(key, salt, bytes(8), BigInt(1), APP, bytes(20));
    expectTlsError(() => gcmRecordCipher(aesGcm(key), salt).decrypt(APP, fragment), "BAD_RECORD_MAC", Alert.bad_record_mac);
  });

  it("an empty plaintext still carries nonce and tag", () => {
    const key = bytes(16);
    const salt = bytes(4);
    const fragment = gcmRecordCipher(aesGcm(key), salt).encrypt(APP, new Uint8Array(0));
    expect(fragment.length).toBe(24);
    expect(openGcmWithOpenssl(key, salt, BigInt(0), APP, fragment).length).toBe(0);
  });

  it("sequence numbers past 2^53 keep every bit", () => {
    const key = bytes(16);
    const salt = bytes(4);
    const start = (BigInt(1) << BigInt(53)) + BigInt(1);
    const cipher = gcmRecordCipher(aesGcm(key), salt, { startSequence: start });
    for (let i = 0; i < 3; i++) {
      const seq = start + BigInt(i);
      const fragment = cipher.encrypt(APP, bytes(10));
      expect([...fragment.subarray(0, 8)]).toEqual([...seqBytes(seq)]);
      expect(openGcmWithOpenssl(key, salt, seq, APP, fragment).length).toBe(10);
    }
  });

  it("a carry from the low 32 bits into the high 32 bits is right", () => {
    const key = bytes(16);
    const salt = bytes(4);
    const start = BigInt(0xffffffff);
    const cipher = gcmRecordCipher(aesGcm(key), salt, { startSequence: start });
    cipher.encrypt(APP, bytes(1));
    const fragment = cipher.encrypt(APP, bytes(1));
    expect([...fragment.subarray(0, 8)]).toEqual([0, 0, 0, 1, 0, 0, 0, 0]);
    expect(openGcmWithOpenssl(key, salt, start + BigInt(1), APP, fragment).length).toBe(1);
  });

  it("tampering anywhere in the fragment is bad_record_mac", () => {
    const key = bytes(16);
    const salt = bytes(4);
    const fragment = gcmRecordCipher(aesGcm(key), salt).encrypt(APP, bytes(40));
    for (const at of [0, 7, 8, 30, fragment.length - 16, fragment.length - 1]) {
      const bad = fragment.slice();
      bad[at] ^= 0x01;
      expectTlsError(() => gcmRecordCipher(aesGcm(key), salt).decrypt(APP, bad), "BAD_RECORD_MAC", Alert.bad_record_mac);
    }
    const good = gcmRecordCipher(aesGcm(key), salt).decrypt(APP, fragment);
    expect(good.length).toBe(40);
  });

  it("a fragment shorter than nonce + tag is bad_record_mac, not a crash", () => {
    const cipher = gcmRecordCipher(aesGcm(bytes(16)), bytes(4));
    for (const n of [0, 1, 8, 23]) expectTlsError(() => cipher.decrypt(APP, bytes(n)), "BAD_RECORD_MAC", Alert.bad_record_mac);
  });
});

describe("ChaCha20-Poly1305 records (RFC 7905)", () => {
  it("nonce = iv XOR seq, no explicit nonce on the wire, and OpenSSL opens what we seal", () => {
    const key = bytes(32);
    const iv = bytes(12);
    const cipher = chachaRecordCipher(chacha20Poly1305(key), iv);
    for (let seq = BigInt(0); seq < BigInt(3); seq++) {
      const pt = bytes(77);
      const fragment = cipher.encrypt(ContentType.handshake, pt);
      expect(fragment.length).toBe(pt.length + 16);
      expect([...openChachaWithOpenssl(key, iv, seq, ContentType.handshake, fragment)]).toEqual([...pt]);
    }
  });

  it("we open what OpenSSL seals, including sequence numbers past 2^53", () => {
    const key = bytes(32);
    const iv = bytes(12);
    const start = (BigInt(1) << BigInt(60)) + BigInt(0xfffffffe);
    const cipher = chachaRecordCipher(chacha20Poly1305(key), iv, { startSequence: start });
    for (let i = 0; i < 3; i++) {
      const pt = bytes(33);
      const fragment = sealChachaWithOpenssl(key, iv, start + BigInt(i), APP, pt);
      expect([...cipher.decrypt(APP, fragment)]).toEqual([...pt]);
    }
  });

  it("a bad tag, a wrong type or a skipped record is bad_record_mac", () => {
    const key = bytes(32);
    const iv = bytes(12);
    const fragment = sealChachaWithOpenssl(key, iv, BigInt(0), APP, bytes(10));
    const badTag = fragment.slice();
    badTag[badTag.length - 1] ^= 0x80;
    expectTlsError(() => chachaRecordCipher(chacha20Poly1305(key), iv).decrypt(APP, badTag), "BAD_RECORD_MAC", Alert.bad_record_mac);
    expectTlsError(() => chachaRecordCipher(chacha20Poly1305(key), iv).decrypt(ContentType.alert, fragment), "BAD_RECORD_MAC", Alert.bad_record_mac);
    const skipped = chachaRecordCipher(chacha20Poly1305(key), iv, { startSequence: BigInt(1) });
    expectTlsError(() => skipped.decrypt(APP, fragment), "BAD_RECORD_MAC", Alert.bad_record_mac);
    expectTlsError(() => skipped.decrypt(APP, bytes(15)), "BAD_RECORD_MAC", Alert.bad_record_mac);
  });
});

describe("sequence numbers", () => {
  it("2^64-1 is used once, then the counter refuses to wrap", () => {
    const max = (BigInt(1) << BigInt(64)) - BigInt(1);
    const seq = new SequenceNumber(max);
    const out = new Uint8Array(8);
    seq.take(out, 0);
    expect([...out]).toEqual([255, 255, 255, 255, 255, 255, 255, 255]);
    expectTlsError(() => seq.take(out, 0), "INTERNAL_ERROR", Alert.internal_error);
  });

  it("a record cipher at the last sequence number refuses the next record instead of reusing nonce 0", () => {
    const max = (BigInt(1) << BigInt(64)) - BigInt(1);
    const cipher = gcmRecordCipher(aesGcm(bytes(16)), bytes(4), { startSequence: max });
    expect([...cipher.encrypt(APP, bytes(4)).subarray(0, 8)]).toEqual(new Array(8).fill(255));
    expectTlsError(() => cipher.encrypt(APP, bytes(4)), "INTERNAL_ERROR", Alert.internal_error);
  });

  it("each new write cipher restarts at 0 (after ChangeCipherSpec)", () => {
    const layer = new RecordLayer();
    const key = bytes(16);
    const salt = bytes(4);
    layer.setWriteCipher(gcmRecordCipher(aesGcm(key), salt));
    layer.write(APP, bytes(5));
    const second = layer.write(APP, bytes(5));
    expect([...second.subarray(5, 13)]).toEqual([0, 0, 0, 0, 0, 0, 0, 1]);
    layer.setWriteCipher(gcmRecordCipher(aesGcm(key), salt));
    const fresh = layer.write(APP, bytes(5));
    expect([...fresh.subarray(5, 13)]).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
  });
});

describe("whole records through the layer", () => {
  it("a GCM record on the wire: header 17 03 03 len, then a fragment OpenSSL opens with seq 0", () => {
    const key = bytes(16);
    const salt = bytes(4);
    const layer = new RecordLayer();
    layer.setWriteCipher(gcmRecordCipher(aesGcm(key), salt));
    const pt = bytes(300);
    const wire = layer.write(APP, pt);
    expect([...wire.subarray(0, 5)]).toEqual([23, 3, 3, (324 >> 8) & 0xff, 324 & 0xff]);
    expect(wire.length).toBe(5 + 324);
    expect([...openGcmWithOpenssl(key, salt, BigInt(0), APP, wire.subarray(5))]).toEqual([...pt]);
  });

  it("a ChaCha20-Poly1305 record sealed by OpenSSL is read back through feed/read", () => {
    const key = bytes(32);
    const iv = bytes(12);
    const layer = new RecordLayer();
    layer.setReadCipher(chachaRecordCipher(chacha20Poly1305(key), iv));
    const records = [bytes(10), bytes(2000), bytes(1)];
    for (let i = 0; i < records.length; i++) {
      const fragment = sealChachaWithOpenssl(key, iv, BigInt(i), APP, records[i]);
      layer.feed(Uint8Array.from([23, 3, 3, fragment.length >> 8, fragment.length & 0xff, ...fragment]));
    }
    for (const expected of records) expect([...(layer.read()?.data ?? [])]).toEqual([...expected]);
    expect(layer.read()).toBeNull();
  });
});
