// Issue #12's target: an incoming record's bytes are copied once at most before the state that handles them. Counted
// here by watching every TypedArray set() and slice() while a recorded server flight is fed to the push engine, and
// looking for a 32-byte marker from the message in what each copy holds. The count stops when the handshake is handed
// the message (Handshake.onMessage): what the state does with its message is its business.
import { afterEach, describe, expect, it } from "vitest";
import { TlsConnection } from "../src/index.js";
import { Handshake } from "../src/handshake/handshake.js";
import { HandshakeType } from "../src/handshake/messages.js";
import { RecordLayer } from "../src/record/layer.js";
import { encodeMsg, joinRecords, loadTranscript, serverFlight, splitRecords, transcriptOptions, type Rec } from "./helpers/handshake-kit.js";

const t = loadTranscript("openssl-ecdhe-rsa-x25519-aes128gcm");
const TypedArrayProto = Object.getPrototypeOf(Uint8Array.prototype) as Uint8Array;
const originalSet = TypedArrayProto.set;
const originalSlice = TypedArrayProto.slice;
const originalOnMessage = Handshake.prototype.onMessage;

function holds(bytes: Uint8Array, marker: Uint8Array): boolean {
  outer: for (let i = 0; i + marker.length <= bytes.length; i++) {
    for (let j = 0; j < marker.length; j++) if (bytes[i + j] !== marker[j]) continue outer;
    return true;
  }
  return false;
}

/** Feeds the chunks to a fresh connection; returns how often the marker was copied before message `type` was handled. */
function copiesBeforeHandling(chunks: Uint8Array[], marker: Uint8Array, type: number): number {
  const conn = new TlsConnection(transcriptOptions(t));
  conn.consumed(conn.output().length); // the ClientHello
  let copies = 0;
  let counting = false;
  let handled = false;
  TypedArrayProto.set = function (this: Uint8Array, source: ArrayLike<number>, offset?: number) {
    if (counting && source instanceof Uint8Array && holds(source, marker)) copies++;
    return originalSet.call(this, source, offset);
  } as typeof originalSet;
  TypedArrayProto.slice = function (this: Uint8Array, start?: number, end?: number) {
    const out = originalSlice.call(this, start, end);
    if (counting && holds(out, marker)) copies++;
    return out;
  } as typeof originalSlice;
  Handshake.prototype.onMessage = function (this: Handshake, msg) {
    if (msg.type === type) {
      counting = false;
      handled = true;
      expect(holds(msg.raw, marker)).toBe(true);
    }
    return originalOnMessage.call(this, msg);
  };
  try {
    for (const chunk of chunks) {
      counting = !handled;
      conn.feed(chunk);
    }
  } finally {
    restore();
  }
  expect(handled).toBe(true);
  expect(conn.error).toBeNull();
  return copies;
}

function restore(): void {
  TypedArrayProto.set = originalSet;
  TypedArrayProto.slice = originalSlice;
  Handshake.prototype.onMessage = originalOnMessage;
}
afterEach(restore);

const records = splitRecords(t.server);
const serverHello = serverFlight(t).messages[0];
// The server random: 32 bytes no other message holds.
const helloMarker = serverHello.body.subarray(2, 34);
const certificate = serverFlight(t).messages[1];
const certificateMarker = certificate.body.subarray(200, 232);

describe("copies of an incoming record's bytes before the state that handles it", () => {
  it("a whole flight in one chunk: one (the message leaves the caller's bytes once)", () => {
    expect(copiesBeforeHandling([t.server], helloMarker, HandshakeType.server_hello)).toBe(1);
    expect(copiesBeforeHandling([t.server], certificateMarker, HandshakeType.certificate)).toBe(1);
  });

  it("a record split across two chunks: one (the record is gathered once, then handed on as it is)", () => {
    const split = 3; // inside the first record's header: the whole ServerHello arrives in the second chunk
    expect(copiesBeforeHandling([t.server.subarray(0, split), t.server.subarray(split)], helloMarker, HandshakeType.server_hello)).toBe(1);
  });

  it("a message split across two records: one (the message is gathered once)", () => {
    const raw = encodeMsg(serverHello);
    const cut = 40; // after the random
    const refragmented: Rec[] = [
      { type: 22, version: 0x0303, data: raw.subarray(0, cut) },
      { type: 22, version: 0x0303, data: raw.subarray(cut) },
      ...records.slice(1),
    ];
    // The ServerHello had a record of its own in this transcript; the rest follows unchanged.
    expect(records[0].data.length).toBe(raw.length);
    expect(copiesBeforeHandling([joinRecords(refragmented)], helloMarker, HandshakeType.server_hello)).toBe(1);
  });

  it("a protected record's plaintext is handed on as it was decrypted (no copy after decryption)", () => {
    // The server's Finished: its verify_data is the plaintext, produced by the decryption itself.
    const conn = new TlsConnection(transcriptOptions(t));
    conn.consumed(conn.output().length);
    let finished: Uint8Array | null = null;
    Handshake.prototype.onMessage = function (this: Handshake, msg) {
      if (msg.type === HandshakeType.finished) finished = msg.raw;
      return originalOnMessage.call(this, msg);
    };
    const decrypted: Uint8Array[] = [];
    const originalRead = RecordLayer.prototype.read;
    RecordLayer.prototype.read = function (this: RecordLayer) {
      const rec = originalRead.call(this);
      if (rec && rec.owned) decrypted.push(rec.data);
      return rec;
    };
    try {
      conn.feed(t.server);
    } finally {
      RecordLayer.prototype.read = originalRead;
      restore();
    }
    expect(conn.error).toBeNull();
    expect(finished).not.toBeNull();
    // The message is the decrypted record itself (a view of it), not a copy.
    expect(decrypted.some((d) => d.buffer === (finished as unknown as Uint8Array).buffer)).toBe(true);
    // And the application data is given out as it was decrypted.
    const piece = conn.take();
    expect(piece).not.toBeNull();
    expect(decrypted.some((d) => d.buffer === (piece as Uint8Array).buffer)).toBe(true);
  });
});
