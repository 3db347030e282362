import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { expectTlsError } from "./helpers/expect-tls-error.js";
import { aesGcm } from "../src/crypto/aes-gcm.js";
import { chacha20Poly1305 } from "../src/crypto/chacha20-poly1305.js";
import { Alert, TlsError } from "../src/errors.js";
import { chachaRecordCipher, gcmRecordCipher, type RecordCipher } from "../src/record/cipher.js";
import { ContentType } from "../src/record/content-type.js";
import { MAX_EMPTY_RECORDS, RecordLayer, type TlsRecord } from "../src/record/layer.js";

const { handshake: HS, application_data: APP, alert: ALERT, change_cipher_spec: CCS } = ContentType;
const bytes = (n: number) => new Uint8Array(randomBytes(n));

function record(type: number, body: Uint8Array, version = 0x0303): Uint8Array {
  return Uint8Array.from([type, version >> 8, version & 0xff, body.length >> 8, body.length & 0xff, ...body]);
}

function readAll(layer: RecordLayer): Array<Pick<TlsRecord, "type" | "data">> {
  const out: Array<Pick<TlsRecord, "type" | "data">> = [];
  for (let r = layer.read(); r; r = layer.read()) out.push({ type: r.type, data: r.data.slice() });
  return out;
}

/** Record lengths as they appear on the wire. */
function recordLengths(wire: Uint8Array): number[] {
  const lengths: number[] = [];
  for (let at = 0; at < wire.length; ) {
    const n = (wire[at + 3] << 8) | wire[at + 4];
    lengths.push(n);
    at += 5 + n;
  }
  return lengths;
}

/** A writer and a reader sharing keys, as the two ends of one direction of a connection. */
function gcmPair(): { writer: RecordLayer; reader: RecordLayer } {
  const key = bytes(16);
  const salt = bytes(4);
  const writer = new RecordLayer();
  const reader = new RecordLayer();
  writer.setWriteCipher(gcmRecordCipher(aesGcm(key), salt));
  reader.setReadCipher(gcmRecordCipher(aesGcm(key), salt));
  return { writer, reader };
}

describe("framing what we send", () => {
  it("plaintext records carry 0x0303, or 0x0301 for the first ClientHello when asked", () => {
    const layer = new RecordLayer();
    expect([...layer.write(HS, Uint8Array.from([1, 2, 3]))]).toEqual([22, 3, 3, 0, 3, 1, 2, 3]);
    expect([...layer.write(HS, Uint8Array.from([9]), 0x0301)]).toEqual([22, 3, 1, 0, 1, 9]);
  });

  it("data is cut into records of at most 2^14 bytes by default", () => {
    const layer = new RecordLayer();
    const data = bytes(40000);
    const wire = layer.write(APP, data);
    expect(recordLengths(wire)).toEqual([16384, 16384, 7232]);
    const reader = new RecordLayer();
    reader.feed(wire);
    const records = readAll(reader);
    expect(records.map((r) => r.type)).toEqual([APP, APP, APP]);
    expect(Buffer.concat(records.map((r) => r.data)).equals(data)).toBe(true);
  });

  for (const limit of [512, 1024, 2048, 4096, 64, 16385]) {
    it(`with a send limit of ${limit}, no protected record carries more than ${Math.min(limit, 16384)} plaintext bytes`, () => {
      const { writer, reader } = gcmPair();
      writer.setMaxFragment(limit, 16384);
      const data = bytes(10000);
      const wire = writer.write(APP, data);
      const lengths = recordLengths(wire);
      const cap = Math.min(limit, 16384);
      expect(lengths.length).toBe(Math.ceil(10000 / cap));
      for (const n of lengths) expect(n - 24).toBeLessThanOrEqual(cap);
      reader.feed(wire);
      expect(Buffer.concat(readAll(reader).map((r) => r.data)).equals(data)).toBe(true);
    });
  }

  it("writing nothing sends nothing", () => {
    expect(new RecordLayer().write(APP, new Uint8Array(0)).length).toBe(0);
  });

  it("refuses to send an unknown content type", () => {
    expectTlsError(() => new RecordLayer().write(99, bytes(1)), "INTERNAL_ERROR", Alert.internal_error);
  });

  it("rejects nonsense limits as a configuration error", () => {
    for (const bad of [0, -1, 1.5, NaN]) {
      let caught: unknown;
      try {
        new RecordLayer().setMaxFragment(bad, 512);
      } catch (e) {
        caught = e;
      }
      expect((caught as TlsError).code).toBe("CONFIG");
    }
  });

  it("also works with a RecordCipher that only has encrypt/decrypt", () => {
    const key = bytes(32);
    const iv = bytes(12);
    const full = chachaRecordCipher(chacha20Poly1305(key), iv);
    const minimal: RecordCipher = { encrypt: (t, p) => full.encrypt(t, p), decrypt: (t, f) => full.decrypt(t, f) };
    const writer = new RecordLayer();
    writer.setWriteCipher(minimal);
    writer.setMaxFragment(1000, 1000);
    const data = bytes(2500);
    const wire = writer.write(APP, data);
    expect(recordLengths(wire)).toEqual([1016, 1016, 516]);
    const reader = new RecordLayer();
    reader.setReadCipher(chachaRecordCipher(chacha20Poly1305(key), iv));
    reader.feed(wire);
    expect(Buffer.concat(readAll(reader).map((r) => r.data)).equals(data)).toBe(true);
  });
});

describe("reading records", () => {
  it("returns null until a record is whole, one byte at a time", () => {
    const layer = new RecordLayer();
    const wire = record(HS, Uint8Array.from([1, 2, 3, 4]));
    for (let i = 0; i < wire.length - 1; i++) {
      layer.feed(wire.subarray(i, i + 1));
      expect(layer.read()).toBeNull();
      expect(layer.bufferedBytes).toBe(i + 1);
    }
    layer.feed(wire.subarray(wire.length - 1));
    // Gathered across feeds into a buffer of its own, which the caller may keep.
    expect(layer.read()).toEqual({ type: HS, data: Uint8Array.from([1, 2, 3, 4]), owned: true });
    expect(layer.bufferedBytes).toBe(0);
  });

  it("keeps (copies) a partial record's tail: once read() says null, the caller may reuse its buffer", () => {
    const layer = new RecordLayer();
    const buf = record(HS, Uint8Array.from([7, 7, 7]));
    layer.feed(buf.subarray(0, 6));
    expect(layer.read()).toBeNull();
    buf.fill(0);
    layer.feed(Uint8Array.from([7, 7]));
    expect([...(layer.read()?.data ?? [])]).toEqual([7, 7, 7]);
  });

  it("accepts the TLS 1.0 record version a server may put on its first records", () => {
    const layer = new RecordLayer();
    layer.feed(record(HS, Uint8Array.from([1]), 0x0301));
    expect(layer.read()?.type).toBe(HS);
  });

  it("a record version whose major byte is not 3 is refused with protocol_version", () => {
    for (const version of [0x0203, 0x0403, 0x0000, 0xfeff]) {
      const layer = new RecordLayer();
      layer.feed(record(HS, Uint8Array.from([1]), version));
      expectTlsError(() => layer.read(), "PROTOCOL_VERSION", Alert.protocol_version);
    }
  });

  it("an unknown content type is unexpected_message (an HTTP answer, say)", () => {
    for (const type of [0, 19, 24, 0x48]) {
      const layer = new RecordLayer();
      layer.feed(record(type, Uint8Array.from([1])));
      expectTlsError(() => layer.read(), "UNEXPECTED_MESSAGE", Alert.unexpected_message);
    }
  });

  it("a plaintext record of exactly 2^14 bytes is fine; 2^14+1 is record_overflow from its header alone", () => {
    const ok = new RecordLayer();
    ok.feed(record(HS, bytes(16384)));
    expect(ok.read()?.data.length).toBe(16384);
    const big = new RecordLayer();
    big.feed(Uint8Array.from([22, 3, 3, 0x40, 0x01]));
    expectTlsError(() => big.read(), "RECORD_OVERFLOW", Alert.record_overflow);
  });

  it("a protected record may be 2^14+2048 bytes on the wire, not one more", () => {
    const atLimit = gcmPair().reader;
    atLimit.feed(Uint8Array.from([23, 3, 3, 0x48, 0x00]));
    expect(atLimit.read()).toBeNull(); // waits for the body: the length is allowed
    const over = gcmPair().reader;
    over.feed(Uint8Array.from([23, 3, 3, 0x48, 0x01]));
    expectTlsError(() => over.read(), "RECORD_OVERFLOW", Alert.record_overflow);
  });

  it("a negotiated receive limit (max_fragment_length 512) is enforced on plaintext and on protected records", () => {
    const plain = new RecordLayer();
    plain.setMaxFragment(512, 512);
    plain.feed(record(HS, bytes(512)));
    expect(plain.read()?.data.length).toBe(512);
    plain.feed(record(HS, bytes(513)));
    expectTlsError(() => plain.read(), "RECORD_OVERFLOW", Alert.record_overflow);

    // The peer ignores the limit: 1000 plaintext bytes fit in 512+2048 on the wire, but not after decryption.
    const { writer, reader } = gcmPair();
    reader.setMaxFragment(16384, 512);
    reader.feed(writer.write(APP, bytes(1000)));
    expectTlsError(() => reader.read(), "RECORD_OVERFLOW", Alert.record_overflow);
    // ...and a wire fragment over 512+2048 is refused before its body arrives.
    const early = gcmPair().reader;
    early.setMaxFragment(16384, 512);
    early.feed(Uint8Array.from([23, 3, 3, (2561 >> 8) & 0xff, 2561 & 0xff]));
    expectTlsError(() => early.read(), "RECORD_OVERFLOW", Alert.record_overflow);
  });

  it("a tampered protected record is bad_record_mac", () => {
    const { writer, reader } = gcmPair();
    const wire = writer.write(APP, bytes(100));
    wire[60] ^= 1;
    reader.feed(wire);
    expectTlsError(() => reader.read(), "BAD_RECORD_MAC", Alert.bad_record_mac);
  });

  it("a record type changed on the wire is bad_record_mac (the type is in the AAD)", () => {
    const { writer, reader } = gcmPair();
    const wire = writer.write(APP, bytes(100));
    wire[0] = HS;
    reader.feed(wire);
    expectTlsError(() => reader.read(), "BAD_RECORD_MAC", Alert.bad_record_mac);
  });

  it("dropping a protected record is detected (the sequence number is in the AAD)", () => {
    const { writer, reader } = gcmPair();
    writer.write(APP, bytes(10));
    reader.feed(writer.write(APP, bytes(10)));
    expectTlsError(() => reader.read(), "BAD_RECORD_MAC", Alert.bad_record_mac);
  });

  it("a protected record too short for nonce and tag is bad_record_mac", () => {
    const reader = gcmPair().reader;
    reader.feed(record(APP, bytes(23)));
    expectTlsError(() => reader.read(), "BAD_RECORD_MAC", Alert.bad_record_mac);
  });
});

describe("zero-length records (RFC 5246 §6.2.1)", () => {
  it("empty application_data records are skipped", () => {
    const layer = new RecordLayer();
    layer.feed(record(APP, new Uint8Array(0)));
    layer.feed(record(APP, new Uint8Array(0)));
    layer.feed(record(APP, Uint8Array.from([5])));
    expect(readAll(layer)).toEqual([{ type: APP, data: Uint8Array.from([5]) }]);
  });

  it("empty protected application_data records are skipped too", () => {
    const key = bytes(16);
    const salt = bytes(4);
    const sender = gcmRecordCipher(aesGcm(key), salt);
    const reader = new RecordLayer();
    reader.setReadCipher(gcmRecordCipher(aesGcm(key), salt));
    reader.feed(record(APP, sender.encrypt(APP, new Uint8Array(0))));
    reader.feed(record(APP, sender.encrypt(APP, Uint8Array.from([1, 2]))));
    expect(readAll(reader)).toEqual([{ type: APP, data: Uint8Array.from([1, 2]) }]);
  });

  it(`more than ${MAX_EMPTY_RECORDS} empty records in a row is unexpected_message; a non-empty record resets the count`, () => {
    const layer = new RecordLayer();
    for (let i = 0; i < MAX_EMPTY_RECORDS; i++) layer.feed(record(APP, new Uint8Array(0)));
    layer.feed(record(APP, Uint8Array.from([1])));
    for (let i = 0; i < MAX_EMPTY_RECORDS; i++) layer.feed(record(APP, new Uint8Array(0)));
    expect(readAll(layer).length).toBe(1);
    layer.feed(record(APP, new Uint8Array(0)));
    expectTlsError(() => layer.read(), "UNEXPECTED_MESSAGE", Alert.unexpected_message);
  });

  for (const [name, type] of [["handshake", HS], ["alert", ALERT], ["change_cipher_spec", CCS]] as const) {
    it(`an empty ${name} record is unexpected_message`, () => {
      const layer = new RecordLayer();
      layer.feed(record(type, new Uint8Array(0)));
      expectTlsError(() => layer.read(), "UNEXPECTED_MESSAGE", Alert.unexpected_message);
    });
  }
});

describe("trace", () => {
  it("gives one line per record, with type and lengths but no payload bytes", () => {
    const lines: string[] = [];
    const key = bytes(16);
    const salt = bytes(4);
    const layer = new RecordLayer({ trace: (l) => lines.push(l) });
    layer.setWriteCipher(gcmRecordCipher(aesGcm(key), salt));
    layer.setMaxFragment(100, 16384);
    const wire = layer.write(APP, new Uint8Array(250).fill(0xab));
    layer.setReadCipher(gcmRecordCipher(aesGcm(key), salt));
    layer.feed(wire);
    readAll(layer);
    expect(lines).toEqual([
      "record out application_data len=100 wire=124",
      "record out application_data len=100 wire=124",
      "record out application_data len=50 wire=74",
      "record in  application_data len=100 wire=124",
      "record in  application_data len=100 wire=124",
      "record in  application_data len=50 wire=74",
    ]);
  });
});

describe("record version once protected", () => {
  it("a protected record must say 0x0303: the AAD does not cover the header's version bytes", () => {
    const { writer, reader } = gcmPair();
    const wire = writer.write(APP, bytes(10));
    wire[2] = 1;
    reader.feed(wire);
    expectTlsError(() => reader.read(), "PROTOCOL_VERSION", Alert.protocol_version);
  });
});
