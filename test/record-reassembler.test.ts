import { describe, expect, it } from "vitest";
import { expectTlsError } from "./helpers/expect-tls-error.js";
import { Alert, TlsError } from "../src/errors.js";
import { DEFAULT_MAX_HANDSHAKE_MESSAGE, HandshakeReassembler, type HandshakeMessage } from "../src/record/handshake-reassembler.js";

function message(type: number, body: number[] | Uint8Array): Uint8Array {
  const n = body.length;
  return Uint8Array.from([type, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff, ...body]);
}

function drain(r: HandshakeReassembler): HandshakeMessage[] {
  const out: HandshakeMessage[] = [];
  for (let m = r.next(); m; m = r.next()) out.push(m);
  return out;
}

describe("handshake reassembly", () => {
  it("splits a record that holds several messages, keeping each raw encoding for the transcript", () => {
    const r = new HandshakeReassembler();
    const serverHello = message(2, [1, 2, 3]);
    const helloDone = message(14, []);
    r.push(Uint8Array.from([...serverHello, ...helloDone]));
    const got = drain(r);
    expect(got.map((m) => m.type)).toEqual([2, 14]);
    expect([...got[0].body]).toEqual([1, 2, 3]);
    expect([...got[0].raw]).toEqual([...serverHello]);
    expect(got[1].body.length).toBe(0);
    expect([...got[1].raw]).toEqual([14, 0, 0, 0]);
    expect(r.pending).toBe(false);
  });

  it("joins a message that spans records, and says a partial message is pending", () => {
    const r = new HandshakeReassembler();
    const body = new Uint8Array(40000).map((_, i) => i & 0xff);
    const whole = message(11, body);
    r.push(whole.subarray(0, 2));
    expect(r.next()).toBeNull();
    expect(r.pending).toBe(true);
    r.push(whole.subarray(2, 16384));
    expect(r.next()).toBeNull();
    r.push(whole.subarray(16384, 32768));
    expect(r.next()).toBeNull();
    r.push(whole.subarray(32768));
    const m = r.next();
    expect(m?.type).toBe(11);
    expect(Buffer.from(m?.body ?? []).equals(Buffer.from(body))).toBe(true);
    expect(r.pending).toBe(false);
    expect(r.next()).toBeNull();
  });

  it("one byte at a time gives the same messages", () => {
    const stream = Uint8Array.from([...message(2, [9, 9]), ...message(11, new Array(300).fill(1)), ...message(14, [])]);
    const r = new HandshakeReassembler();
    const got: HandshakeMessage[] = [];
    for (let i = 0; i < stream.length; i++) {
      r.push(stream.subarray(i, i + 1));
      got.push(...drain(r));
    }
    expect(got.map((m) => [m.type, m.body.length])).toEqual([[2, 2], [11, 300], [14, 0]]);
  });

  it("returned messages are copies: later pushes do not change them", () => {
    const r = new HandshakeReassembler();
    const input = message(2, [5, 6]);
    r.push(input);
    const m = r.next();
    input.fill(0);
    r.push(message(3, new Array(5000).fill(7)));
    expect([...(m?.raw ?? [])]).toEqual([2, 0, 0, 2, 5, 6]);
  });

  it(`refuses a message over the cap (default ${DEFAULT_MAX_HANDSHAKE_MESSAGE}) as soon as its header is in`, () => {
    const fits = new HandshakeReassembler();
    fits.push(message(11, new Uint8Array(DEFAULT_MAX_HANDSHAKE_MESSAGE)));
    expect(fits.next()?.body.length).toBe(DEFAULT_MAX_HANDSHAKE_MESSAGE);

    const n = DEFAULT_MAX_HANDSHAKE_MESSAGE + 1;
    const tooBig = new HandshakeReassembler();
    tooBig.push(Uint8Array.from([11, n >> 16, (n >> 8) & 0xff, n & 0xff]));
    expectTlsError(() => tooBig.next(), "ILLEGAL_PARAMETER", Alert.illegal_parameter);

    const small = new HandshakeReassembler(100);
    small.push(Uint8Array.from([11, 0]));
    expect(small.next()).toBeNull();
    small.push(Uint8Array.from([0, 101]));
    expectTlsError(() => small.next(), "ILLEGAL_PARAMETER", Alert.illegal_parameter);
  });

  it("checks the cap of a message queued behind another one when it comes up", () => {
    const r = new HandshakeReassembler(10);
    r.push(Uint8Array.from([...message(2, [1]), 11, 0xff, 0xff, 0xff]));
    expect(r.next()?.type).toBe(2);
    expectTlsError(() => r.next(), "ILLEGAL_PARAMETER", Alert.illegal_parameter);
  });
});
