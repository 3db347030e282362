import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { aesGcm } from "../src/crypto/aes-gcm.js";
import { chacha20Poly1305 } from "../src/crypto/chacha20-poly1305.js";
import { TlsError } from "../src/errors.js";
import { chachaRecordCipher, gcmRecordCipher, type RecordCipher } from "../src/record/cipher.js";
import { HandshakeReassembler, type HandshakeMessage } from "../src/record/handshake-reassembler.js";
import { RecordLayer, type TlsRecord } from "../src/record/layer.js";

// Fixed keys: these properties are about parsing, not about key secrecy.
const GCM_KEY = new Uint8Array(16).fill(1);
const GCM_SALT = Uint8Array.from([1, 2, 3, 4]);
const CHACHA_KEY = new Uint8Array(32).fill(2);
const CHACHA_IV = new Uint8Array(12).fill(3);

type Protection = "none" | "gcm" | "chacha";
function cipherFor(p: Protection): RecordCipher | null {
  if (p === "gcm") return gcmRecordCipher(aesGcm(GCM_KEY), GCM_SALT);
  if (p === "chacha") return chachaRecordCipher(chacha20Poly1305(CHACHA_KEY), CHACHA_IV);
  return null;
}

function reader(p: Protection): RecordLayer {
  const layer = new RecordLayer();
  const c = cipherFor(p);
  if (c) layer.setReadCipher(c);
  return layer;
}

/** Cuts `data` at the given points (any order, duplicates allowed). */
function chunk(data: Uint8Array, cuts: number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((c) => c % (data.length + 1)))].sort((a, b) => a - b);
  const out: Uint8Array[] = [];
  let prev = 0;
  for (const p of [...points, data.length]) {
    out.push(data.subarray(prev, p));
    prev = p;
  }
  return out;
}

/** A record's content, whoever owns its bytes. */
type Content = Pick<TlsRecord, "type" | "data">;

/** Feeds chunks, reading after each; returns the records or the error thrown. */
function readChunks(layer: RecordLayer, chunks: Uint8Array[]): Content[] {
  const got: Content[] = [];
  for (const c of chunks) {
    layer.feed(c);
    for (let r = layer.read(); r; r = layer.read()) got.push({ type: r.type, data: r.data.slice() });
  }
  return got;
}

function throwsOnlyTlsError(fn: () => unknown): boolean {
  try {
    fn();
    return true;
  } catch (e) {
    return e instanceof TlsError;
  }
}

const protection = fc.constantFrom<Protection>("none", "gcm", "chacha");
const message = fc.record({
  type: fc.constantFrom(21, 22, 23),
  data: fc.uint8Array({ minLength: 1, maxLength: 600 }),
});

describe("record layer properties", () => {
  it("any chunking of a valid record stream gives the same records", () => {
    fc.assert(
      fc.property(protection, fc.array(message, { maxLength: 8 }), fc.integer({ min: 1, max: 700 }), fc.array(fc.nat(), { maxLength: 30 }), (p, messages, limit, cuts) => {
        const writer = new RecordLayer();
        const c = cipherFor(p);
        if (c) writer.setWriteCipher(c);
        writer.setMaxFragment(limit, 16384);
        const parts = messages.map((m) => writer.write(m.type, m.data));
        const stream = new Uint8Array(parts.reduce((n, x) => n + x.length, 0));
        parts.reduce((at, x) => (stream.set(x, at), at + x.length), 0);

        const whole = readChunks(reader(p), [stream]);
        const chunked = readChunks(reader(p), chunk(stream, cuts));
        expect(chunked).toEqual(whole);
        // Records regroup into the messages that were written.
        const expected = messages.flatMap((m) => {
          const out: Content[] = [];
          for (let i = 0; i < m.data.length; i += limit) out.push({ type: m.type, data: m.data.slice(i, i + limit) });
          return out;
        });
        expect(whole).toEqual(expected);
      }),
      { numRuns: 150 },
    );
  });

  it("one byte at a time gives the same records as one big feed", () => {
    fc.assert(
      fc.property(protection, fc.array(message, { minLength: 1, maxLength: 4 }), (p, messages) => {
        const writer = new RecordLayer();
        const c = cipherFor(p);
        if (c) writer.setWriteCipher(c);
        const stream = Uint8Array.from(messages.flatMap((m) => [...writer.write(m.type, m.data)]));
        const bytewise = readChunks(reader(p), Array.from(stream, (_, i) => stream.subarray(i, i + 1)));
        expect(bytewise).toEqual(readChunks(reader(p), [stream]));
        expect(bytewise.length).toBe(messages.length);
      }),
      { numRuns: 40 },
    );
  });

  it("random bytes never make the layer throw anything but TlsError", () => {
    fc.assert(
      fc.property(protection, fc.uint8Array({ maxLength: 3000 }), fc.array(fc.nat(), { maxLength: 10 }), (p, data, cuts) => {
        expect(throwsOnlyTlsError(() => readChunks(reader(p), chunk(data, cuts)))).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it("random bytes behind a plausible header never throw anything but TlsError", () => {
    const header = fc.tuple(fc.constantFrom(20, 21, 22, 23, 24), fc.constantFrom(2, 3), fc.nat({ max: 4 }), fc.nat({ max: 0x50 }), fc.nat({ max: 255 }));
    fc.assert(
      fc.property(protection, fc.array(fc.tuple(header, fc.uint8Array({ maxLength: 200 })), { maxLength: 6 }), (p, records) => {
        const stream = Uint8Array.from(records.flatMap(([h, body]) => [...h, ...body]));
        expect(throwsOnlyTlsError(() => readChunks(reader(p), [stream]))).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it("a mutated valid stream never throws anything but TlsError, and a flipped protected byte is always caught", () => {
    fc.assert(
      fc.property(protection, fc.array(message, { minLength: 1, maxLength: 4 }), fc.nat(), fc.integer({ min: 1, max: 255 }), (p, messages, where, xor) => {
        const writer = new RecordLayer();
        const c = cipherFor(p);
        if (c) writer.setWriteCipher(c);
        const stream = Uint8Array.from(messages.flatMap((m) => [...writer.write(m.type, m.data)]));
        const at = where % stream.length;
        stream[at] ^= xor;
        let error: unknown = null;
        let got: Content[] = [];
        try {
          got = readChunks(reader(p), [stream]);
        } catch (e) {
          error = e;
        }
        if (error !== null) expect(error).toBeInstanceOf(TlsError);
        // With protection, no mutation may yield records that differ from what was sent.
        if (p !== "none" && error === null) {
          const sent = messages.map((m) => ({ type: m.type, data: m.data }));
          expect(got).toEqual(sent.slice(0, got.length));
          expect(got.length).toBeLessThan(sent.length); // the mutated record (or a later one) was not delivered
        }
      }),
      { numRuns: 200 },
    );
  });
});

describe("handshake reassembler properties", () => {
  const hsMessage = fc.record({ type: fc.nat({ max: 255 }), body: fc.uint8Array({ maxLength: 500 }) });

  it("any chunking of a message stream gives the same messages", () => {
    fc.assert(
      fc.property(fc.array(hsMessage, { maxLength: 8 }), fc.array(fc.nat(), { maxLength: 40 }), (messages, cuts) => {
        const stream = Uint8Array.from(messages.flatMap((m) => [m.type, 0, m.body.length >> 8, m.body.length & 0xff, ...m.body]));
        const r = new HandshakeReassembler();
        const got: HandshakeMessage[] = [];
        for (const c of chunk(stream, cuts)) {
          r.push(c);
          for (let m = r.next(); m; m = r.next()) got.push(m);
        }
        expect(got.map((m) => ({ type: m.type, body: m.body.slice() }))).toEqual(messages);
        expect(r.pending).toBe(false);
      }),
      { numRuns: 200 },
    );
  });

  it("random bytes never make it throw anything but TlsError", () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 10 }), fc.integer({ min: 0, max: 70000 }), (pushes, max) => {
        const r = new HandshakeReassembler(max);
        expect(
          throwsOnlyTlsError(() => {
            for (const p of pushes) {
              r.push(p);
              while (r.next());
            }
          }),
        ).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});
