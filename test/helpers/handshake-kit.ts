// Replays recorded handshakes (vectors/transcript-*.json) through the sans-I/O core, and rewrites the recorded
// server flight to play a hostile server: a real server's bytes, changed in exactly one place.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { concatBytes, fromHex, Reader, toHex, Writer } from "../../src/bytes.js";
import { TlsClient, WANT_READ, WANT_WRITE, type TlsClientOptions } from "../../src/index.js";
import type { TlsError } from "../../src/errors.js";
import { trafficKeys } from "../../src/handshake/key-schedule.js";
import { suiteByName } from "./suite-by-name.js";
import type { RecordCipher } from "../../src/record/cipher.js";

export const TRANSCRIPTS = ["openssl-ecdhe-rsa-x25519-aes128gcm", "openssl-ecdhe-ecdsa-p256-chacha20", "gnutls-ecdhe-ecdsa-p384-aes256gcm-certreq", "openssl-rsa-kx-aes256gcm"];

export interface Transcript {
  name: string;
  serverName: string;
  ca: string;
  now: number;
  options: Partial<TlsClientOptions>;
  cipherSuite: string;
  group: string;
  random: Uint8Array;
  request: Uint8Array;
  response: Uint8Array;
  server: Uint8Array;
  client: Uint8Array;
}

export function loadTranscript(name: string): Transcript {
  const j = JSON.parse(readFileSync(join(__dirname, "..", "..", "vectors", `transcript-${name}.json`), "utf8"));
  return { ...j, name, random: fromHex(j.random), request: fromHex(j.request), response: fromHex(j.response), server: fromHex(j.server), client: fromHex(j.client) };
}

/** Hands out the recorded random bytes, in order; running dry is a test failure, not silent zeros. */
export function replayRandom(bytes: Uint8Array): (buf: Uint8Array) => void {
  let at = 0;
  return (buf) => {
    if (at + buf.length > bytes.length) throw new Error("replay ran out of recorded random bytes");
    buf.set(bytes.subarray(at, at + buf.length));
    at += buf.length;
  };
}

export function transcriptOptions(t: Transcript, extra: Partial<TlsClientOptions> = {}): TlsClientOptions {
  return { serverName: t.serverName, ca: t.ca, now: () => t.now, random: replayRandom(t.random), sessionTickets: false, ...t.options, ...extra } as TlsClientOptions;
}

export interface ReplayResult {
  client: TlsClient;
  /** Everything the client sent. */
  output: Uint8Array;
  response: Uint8Array;
  error: TlsError | null;
  /** Where the client stopped: "closed" after close_notify both ways, "stalled" when it wanted more server bytes. */
  outcome: "closed" | "stalled" | "failed";
  sendCalls: number;
}

export interface ReplayOptions {
  server?: Uint8Array;
  /** Bytes handed out per recv call (default: all available). */
  recvChunk?: number;
  /** Bytes accepted per send call (default: all), and whether every other send call says WANT_WRITE first. */
  sendChunk?: number;
  sendPushBack?: boolean;
  /** Transport EOF once the server bytes are used up (default: WANT_READ forever). */
  eofAtEnd?: boolean;
  clientOptions?: Partial<TlsClientOptions>;
  request?: Uint8Array;
}

/** Drives one connection the way an event loop would: handshake, write the request, read to the end, close. */
export function replay(t: Transcript, opts: ReplayOptions = {}): ReplayResult {
  const server = opts.server ?? t.server;
  const client = new TlsClient(transcriptOptions(t, opts.clientOptions));
  const sent: Uint8Array[] = [];
  let at = 0;
  let sendCalls = 0;
  client.setBio(
    (data) => {
      sendCalls++;
      if (opts.sendPushBack && sendCalls % 2 === 1) return WANT_WRITE;
      const n = Math.min(data.length, opts.sendChunk ?? data.length);
      sent.push(data.slice(0, n));
      return n;
    },
    (buf) => {
      if (at >= server.length) return opts.eofAtEnd ? 0 : WANT_READ;
      const n = Math.min(buf.length, server.length - at, opts.recvChunk ?? Infinity);
      buf.set(server.subarray(at, at + n));
      at += n;
      return n;
    },
  );
  const response: Uint8Array[] = [];
  const result = (outcome: ReplayResult["outcome"], error: TlsError | null): ReplayResult => ({
    client,
    output: concatBytes(...sent),
    response: concatBytes(...response),
    error,
    outcome,
    sendCalls,
  });
  // A bounded loop: WANT_WRITE is retried (the test transport always accepts eventually), WANT_READ means "stalled".
  const settle = (call: () => number): number => {
    for (let i = 0; i < 100000; i++) {
      const r = call();
      if (r !== WANT_WRITE) return r;
    }
    throw new Error("transport never became writable");
  };
  try {
    if (settle(() => client.handshake()) === WANT_READ) return result("stalled", null);
    const request = opts.request ?? t.request;
    let written = 0;
    while (written < request.length) {
      const n = settle(() => client.write(request.subarray(written)));
      if (n === WANT_READ) return result("stalled", null);
      written += n;
    }
    const buf = new Uint8Array(1000);
    for (;;) {
      const n = settle(() => client.read(buf));
      if (n === WANT_READ) return result("stalled", null);
      if (n === 0) break;
      response.push(buf.slice(0, n));
    }
    settle(() => client.close());
    return result("closed", null);
  } catch (e) {
    if ((e as { name?: string }).name !== "TlsError") throw e;
    return result("failed", e as TlsError);
  }
}

// ---- the server's byte stream as records and messages ----

export interface Rec {
  type: number;
  version: number;
  data: Uint8Array;
}

export function splitRecords(bytes: Uint8Array): Rec[] {
  const r = new Reader(bytes, "records");
  const out: Rec[] = [];
  while (r.remaining > 0) out.push({ type: r.u8(), version: r.u16(), data: r.vec16().slice() });
  return out;
}

export function joinRecords(records: Rec[]): Uint8Array {
  const w = new Writer(4096);
  for (const rec of records) w.u8(rec.type).u16(rec.version).vec16(rec.data);
  return w.finish();
}

export interface Msg {
  type: number;
  body: Uint8Array;
}

/** The server's plaintext handshake messages (before its ChangeCipherSpec), and the records from the CCS on. */
export function serverFlight(t: Transcript): { messages: Msg[]; tail: Rec[] } {
  const records = splitRecords(t.server);
  const ccs = records.findIndex((r) => r.type === 20);
  const plain = concatBytes(...records.slice(0, ccs).map((r) => r.data));
  const r = new Reader(plain, "flight");
  const messages: Msg[] = [];
  while (r.remaining > 0) messages.push({ type: r.u8(), body: r.vec24().slice() });
  return { messages, tail: records.slice(ccs) };
}

export function encodeMsg(m: Msg): Uint8Array {
  return new Writer(m.body.length + 4).u8(m.type).vec24(m.body).finish();
}

/** One handshake record per message, then the tail: what a hostile server built from the real flight sends. */
export function buildServerBytes(messages: Msg[], tail: Rec[] = []): Uint8Array {
  return joinRecords([...messages.map((m) => ({ type: 22, version: 0x0303, data: encodeMsg(m) })), ...tail]);
}

/** The master secret of a replayed handshake, from the keyLog line. */
export function masterSecretOf(t: Transcript): Uint8Array {
  let line = "";
  replay(t, { clientOptions: { keyLog: (l) => (line = l) } });
  return fromHex(line.split(" ")[2]);
}

/** The server's protected records, decrypted with the keys of the replayed handshake: Finished, data, alerts. */
export function serverKeys(t: Transcript): { open(): Array<{ type: number; data: Uint8Array }>; seal(recs: Array<{ type: number; data: Uint8Array }>): Rec[] } {
  const suite = suiteByName(t.cipherSuite)!;
  const ms = masterSecretOf(t);
  const clientRandom = t.random.subarray(0, 32);
  const serverHello = serverFlight(t).messages[0];
  const serverRandom = serverHello.body.subarray(2, 34);
  const keys = trafficKeys(suite, ms, clientRandom, serverRandom);
  const cipher = (): RecordCipher => suite.recordCipher(suite.aead(keys.serverKey), keys.serverIv);
  const { tail } = serverFlight(t);
  return {
    open() {
      const c = cipher();
      return tail.slice(1).map((rec) => ({ type: rec.type, data: c.decrypt(rec.type, rec.data) }));
    },
    seal(recs) {
      const c = cipher();
      return [tail[0], ...recs.map((rec) => ({ type: rec.type, version: 0x0303, data: c.encrypt(rec.type, rec.data) }))];
    },
  };
}

export function hex(b: Uint8Array): string {
  return toHex(b);
}
