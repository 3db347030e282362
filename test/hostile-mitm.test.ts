// Issue #14's hostile-server suite: microtls against a real server (Node's tls, in-process, P-256 chain) through a
// man in the middle on loopback (test/helpers/mitm.ts) that mutates, truncates, re-fragments, rewrites, replays,
// reorders and drops records. A case passes when the client ends in a TlsError with the alert RFC 5246 names (the
// proxy sees the plaintext alert it sent), or succeeds where it must, within its timeout and never with a raw
// exception (which the client would report as INTERNAL_ERROR). Counts per family are printed at the end.
import { readFileSync } from "node:fs";
import type * as tls from "node:tls";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TlsError } from "../src/errors.js";
import { expectTlsError } from "./helpers/expect-tls-error.js";
import { asRecords, count, drive, flipAt, handshakeMessage, HS, label, printTally, record, reframe, rejection, rewriteFirstFlight, startMitm, type Mitm, type MitmScript, type Outcome } from "./helpers/mitm.js";
import { standardPki } from "./helpers/pki.js";
import { closeAllServers, startNodeTlsServer, type NodeTlsServer } from "./helpers/servers.js";

const A = { unexpected_message: 10, bad_record_mac: 20, record_overflow: 22, illegal_parameter: 47, decode_error: 50, protocol_version: 70, unsupported_extension: 110, internal_error: 80 } as const;

let echo: NodeTlsServer;
let scripted: NodeTlsServer;
let mitm: Mitm;
let flightEnd = 0; // stream offset after ServerHelloDone
let handshakeEnd = 0; // stream offset after the server's Finished
let recordLengths: number[] = []; // of the server's records in the baseline run (the ECDSA signature's length varies by a byte or two)

beforeAll(async () => {
  const pki = standardPki();
  const creds = { key: pki.leaves.p256.keyPem, cert: readFileSync(pki.chainFile.p256) };
  echo = await startNodeTlsServer({ mode: "echo", ...creds });
  // For the post-handshake cases: "two" gets two records, "bye" gets one and close_notify, anything else an echo.
  scripted = await startNodeTlsServer({
    mode: "custom",
    ...creds,
    onConnection: (s: tls.TLSSocket) => {
      s.on("error", () => s.destroy());
      s.on("data", (d: Buffer) => {
        const cmd = d.toString();
        if (cmd === "two") {
          s.write("first");
          setTimeout(() => s.write("second"), 20);
        } else if (cmd === "bye") s.end("bye");
        else s.write(d);
      });
    },
  });
  mitm = await startMitm(echo.port);
  const base = await drive(mitm.port, { send: Buffer.from("hello"), readBytes: 5 });
  expect(base.ok, String(base.error)).toBe(true);
  const recs = mitm.last.serverRecords;
  const shd = recs.findIndex((r) => r.type === 22 && r.fragment[r.fragment.length - 4] === HS.server_hello_done);
  const ccs = recs.findIndex((r) => r.type === 20);
  expect(shd).toBeGreaterThan(0);
  flightEnd = recs[shd].offset + recs[shd].raw.length;
  handshakeEnd = recs[ccs + 1].offset + recs[ccs + 1].raw.length;
  recordLengths = recs.map((r) => r.raw.length);
}, 30_000);

afterAll(async () => {
  await mitm?.close();
  await closeAllServers();
  printTally("hostile-mitm");
});

async function runCase(script: MitmScript, opts: Parameters<typeof drive>[1] = {}): Promise<Outcome> {
  mitm.script = script;
  return drive(mitm.port, { timeoutMs: 5_000, ...opts });
}

describe("single-byte mutations of the server's flights", () => {
  it("every k-th byte of both server flights, xor 0x01 and 0x80: each handshake fails cleanly", async () => {
    const stride = Math.ceil(handshakeEnd / 250); // about 500 cases, 15-25 s on this machine
    const failures: string[] = [];
    for (let at = 0; at < handshakeEnd; at += stride) {
      for (const mask of [0x01, 0x80]) {
        const o = await runCase(flipAt(at, mask));
        const why = rejection(o, mitm);
        count(`byte sweep (stride ${stride}, ${handshakeEnd} bytes)`, why === null, label(o));
        if (why) failures.push(`byte ${at} ^0x${mask.toString(16)}: ${why}`);
      }
    }
    expect(failures).toEqual([]);
  }, 90_000);
});

describe("truncation", () => {
  it("the server stream cut at every record boundary and mid-record: TRUNCATED, never success", async () => {
    // [record index, bytes of it that get through]: every boundary, and inside the header, at its end, mid-body, one short.
    const cuts: Array<[number, number]> = [];
    recordLengths.forEach((len, i) => [0, 3, 5, len >> 1, len - 1].forEach((k) => cuts.push([i, k])));
    const failures: string[] = [];
    for (const [index, keep] of cuts) {
      const script: MitmScript = {
        server(rec, ctx) {
          if (ctx.state.cut) return;
          if (rec.index < index) return ctx.toClient(rec.raw);
          ctx.toClient(rec.raw.subarray(0, keep));
          ctx.state.cut = true;
          ctx.endClient();
        },
      };
      // After the handshake, a cut before the echo arrives is a truncation of application data.
      const o = await runCase(script, { send: Buffer.from("hello"), readBytes: 5 });
      // Cut inside the last record (the echo's close_notify), the echo has already arrived: that one must succeed.
      const why = index === recordLengths.length - 1 ? (o.ok ? null : rejection(o, mitm)) : rejection(o, mitm, "TRUNCATED");
      count("truncation", why === null, label(o));
      if (why) failures.push(`cut in record ${index} after ${keep} bytes: ${why}`);
    }
    expect(failures).toEqual([]);
  }, 60_000);
});

describe("valid re-fragmentations must succeed", () => {
  // How many plaintext handshake records went out, given the baseline's plaintext handshake bytes and records.
  const cases: Array<[string, MitmScript, (bytes: number, records: number) => number]> = [
    ["1-byte handshake records", reframe(() => 1, false), (bytes, records) => bytes - 4 * records],
    ["the first flight coalesced into one record (NewSessionTicket in its own)", reframe(() => 1 << 14, true), () => 2],
    ["the first flight re-cut at 7, 13, 300.. bytes across message boundaries", reframe((i) => [7, 13, 300, 2, 1000][i % 5], true), () => -1],
  ];
  for (const [name, script, expected] of cases)
    it(name, async () => {
      const o = await runCase(script, { send: Buffer.from("hello"), readBytes: 5 });
      count("re-fragmentation", o.ok && o.appData.toString() === "hello", label(o));
      expect(o.error).toBeUndefined();
      expect(o.appData.toString()).toBe("hello");
      const plain = mitm.last.serverRecords.filter((r) => r.type === 22 && r.index < mitm.last.serverRecords.findIndex((x) => x.type === 20));
      const bytes = plain.reduce((n, r) => n + r.fragment.length, 0) + 4 * plain.length;
      const emitted = mitm.last.state.emitted as number;
      if (expected(bytes, plain.length) >= 0) expect(emitted).toBe(expected(bytes, plain.length));
      else expect(emitted).toBeGreaterThan(plain.length);
    });
});

// ServerHello body: version(2) random(32) session_id(1+n) suite(2) compression(1) extensions(2+...).
function shLayout(m: Buffer): { suite: number; ext: number } {
  const sid = m[4 + 34];
  return { suite: 4 + 35 + sid, ext: 4 + 35 + sid + 3 };
}
function withExtensions(m: Buffer, edit: (exts: Buffer) => Buffer): Buffer {
  const { ext } = shLayout(m);
  const exts = edit(m.subarray(ext + 2, ext + 2 + m.readUInt16BE(ext)));
  const len = Buffer.alloc(2);
  len.writeUInt16BE(exts.length);
  return handshakeMessage(HS.server_hello, Buffer.concat([m.subarray(4, ext), len, exts]));
}
function editMsg(type: number, edit: (m: Buffer) => Buffer, emit = asRecords): MitmScript {
  return rewriteFirstFlight((msgs) => emit(msgs.map((m) => (m[0] === type ? edit(Buffer.from(m)) : m))));
}
function patch(m: Buffer, at: number, bytes: number[]): Buffer {
  Buffer.from(bytes).copy(m, at);
  return m;
}

describe("protocol violations injected by the proxy", () => {
  const ECDSA128 = { cipherSuites: ["TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"], groups: ["x25519", "secp256r1"] } as never;
  const cases: Array<[string, MitmScript, string, number]> = [
    ["ServerHello picks a suite we did not offer", editMsg(HS.server_hello, (m) => patch(m, shLayout(m).suite, [0xcc, 0xa9])), "ILLEGAL_PARAMETER", A.illegal_parameter],
    ["ServerHello picks compression 1", editMsg(HS.server_hello, (m) => patch(m, shLayout(m).suite + 2, [1])), "ILLEGAL_PARAMETER", A.illegal_parameter],
    ["ServerKeyExchange names a group we did not offer (secp384r1)", editMsg(HS.server_key_exchange, (m) => patch(m, 5, [0x00, 0x18])), "ILLEGAL_PARAMETER", A.illegal_parameter],
    ["ServerKeyExchange signed with a scheme we did not offer", editMsg(HS.server_key_exchange, (m) => patch(m, 4 + 4 + m[7], [0xfe, 0xfe])), "ILLEGAL_PARAMETER", A.illegal_parameter],
    ["ServerHello carries an extension we did not offer (early_data)", editMsg(HS.server_hello, (m) => withExtensions(m, (e) => Buffer.concat([e, Buffer.from([0, 42, 0, 0])]))), "UNSUPPORTED", A.unsupported_extension],
    ["ServerHello repeats an extension", editMsg(HS.server_hello, (m) => withExtensions(m, (e) => Buffer.concat([e, e.subarray(0, 4 + e.readUInt16BE(2))]))), "ILLEGAL_PARAMETER", A.illegal_parameter],
    ["ServerHello says TLS 1.1", editMsg(HS.server_hello, (m) => patch(m, 4, [3, 2])), "PROTOCOL_VERSION", A.protocol_version],
    ["ServerHello says TLS 1.3 in its legacy version", editMsg(HS.server_hello, (m) => patch(m, 4, [3, 4])), "PROTOCOL_VERSION", A.protocol_version],
    ["the Certificate record says SSL 3.0", rewriteFirstFlight((msgs) => msgs.map((m) => record(22, m, m[0] === HS.certificate ? 0x0300 : 0x0303))), "PROTOCOL_VERSION", A.protocol_version],
    ["a second ServerHello", rewriteFirstFlight((msgs) => asRecords([msgs[0], ...msgs])), "UNEXPECTED_MESSAGE", A.unexpected_message],
    ["ChangeCipherSpec right after ServerHello", rewriteFirstFlight((msgs) => [record(22, msgs[0]), record(20, Buffer.from([1])), ...asRecords(msgs.slice(1))]), "UNEXPECTED_MESSAGE", A.unexpected_message],
    ["ChangeCipherSpec right after ServerHelloDone", rewriteFirstFlight((msgs) => [...asRecords(msgs), record(20, Buffer.from([1]))]), "UNEXPECTED_MESSAGE", A.unexpected_message],
    ["an unknown handshake type (99) after Certificate", rewriteFirstFlight((msgs) => asRecords([msgs[0], msgs[1], handshakeMessage(99, Buffer.alloc(3)), ...msgs.slice(2)])), "UNEXPECTED_MESSAGE", A.unexpected_message],
    ["an unknown record type (25)", rewriteFirstFlight((msgs) => [record(25, Buffer.from([1, 2, 3])), ...asRecords(msgs)]), "UNEXPECTED_MESSAGE", A.unexpected_message],
    ["a Certificate whose header claims 65,537 bytes", editMsg(HS.certificate, (m) => patch(m, 1, [0x01, 0x00, 0x01])), "ILLEGAL_PARAMETER", A.illegal_parameter],
    ["a certificate_list length one byte longer than the message", editMsg(HS.certificate, (m) => patch(m, 4, [m[4], m[5], m[6] + 1])), "DECODE_ERROR", A.decode_error],
    ["a ServerHello with its extensions length one past the end", editMsg(HS.server_hello, (m) => patch(m, shLayout(m).ext, [m[shLayout(m).ext], m[shLayout(m).ext + 1] + 1])), "DECODE_ERROR", A.decode_error],
    ["a plaintext record of 16,385 bytes", rewriteFirstFlight((msgs) => [record(22, Buffer.concat([...msgs, Buffer.alloc(16_385 - Buffer.concat(msgs).length)]))]), "RECORD_OVERFLOW", A.record_overflow],
  ];
  for (const [name, script, code, alert] of cases)
    it(`${name}: ${code}`, async () => {
      const o = await runCase(script, { client: ECDSA128 });
      const why = rejection(o, mitm, code, alert);
      count("protocol violations", why === null, `${label(o)}`);
      expect(why).toBeNull();
    });
  it("the unmodified flight with the same client options succeeds (the cases above fail for their edit alone)", async () => {
    const o = await runCase(rewriteFirstFlight(asRecords), { client: ECDSA128 });
    count("protocol violations", o.ok, label(o));
    expect(o.error).toBeUndefined();
  });
});

/** Applies `edit` to the server's application-data records (those after its Finished); `n` counts them from 0. */
function afterHandshake(edit: (rec: Buffer, n: number, ctx: Parameters<NonNullable<MitmScript["server"]>>[1]) => void): MitmScript {
  return {
    server(rec, ctx) {
      const st = ctx.state as { afterCcs?: number };
      if (!ctx.serverCcsSeen) return ctx.toClient(rec.raw);
      st.afterCcs = (st.afterCcs ?? 0) + 1;
      if (st.afterCcs === 1) return ctx.toClient(rec.raw); // Finished
      edit(rec.raw, st.afterCcs - 2, ctx);
    },
  };
}

describe("post-handshake tampering", () => {
  const flip = (b: Buffer, at: number) => {
    const c = Buffer.from(b);
    c[at] ^= 1;
    return c;
  };
  const cases: Array<[string, MitmScript, string, (o: Outcome) => string | null]> = [
    ["a flipped ciphertext byte", afterHandshake((r, _n, ctx) => ctx.toClient(flip(r, r.length - 20))), "hello", (o) => rejection(o, mitm, "BAD_RECORD_MAC", A.bad_record_mac)],
    ["a flipped explicit nonce byte", afterHandshake((r, _n, ctx) => ctx.toClient(flip(r, 6))), "hello", (o) => rejection(o, mitm, "BAD_RECORD_MAC", A.bad_record_mac)],
    ["a flipped tag byte", afterHandshake((r, _n, ctx) => ctx.toClient(flip(r, r.length - 1))), "hello", (o) => rejection(o, mitm, "BAD_RECORD_MAC", A.bad_record_mac)],
    ["a record relabelled as an alert", afterHandshake((r, _n, ctx) => ctx.toClient(patch(Buffer.from(r), 0, [21]))), "hello", (o) => rejection(o, mitm, "BAD_RECORD_MAC", A.bad_record_mac)],
    ["a record with version 3.1", afterHandshake((r, _n, ctx) => ctx.toClient(patch(Buffer.from(r), 1, [3, 1]))), "hello", (o) => rejection(o, mitm, "PROTOCOL_VERSION", A.protocol_version)],
    ["a record cut short by its length field", afterHandshake((r, _n, ctx) => ctx.toClient(record(23, r.subarray(5, r.length - 1)))), "hello", (o) => rejection(o, mitm, "BAD_RECORD_MAC", A.bad_record_mac)],
    ["a replayed record", afterHandshake((r, _n, ctx) => (ctx.toClient(r), ctx.toClient(r))), "hello", (o) => rejection(o, mitm, "BAD_RECORD_MAC", A.bad_record_mac) ?? (o.appData.toString() === "hello" ? null : `read ${o.appData}`)],
    ["two records swapped", afterHandshake((r, n, ctx) => (n === 0 ? (ctx.state.held = r) : (ctx.toClient(r), ctx.toClient(ctx.state.held as Buffer)))), "two", (o) => rejection(o, mitm, "BAD_RECORD_MAC", A.bad_record_mac) ?? (o.appData.length === 0 ? null : `read ${o.appData}`)],
    ["the first of two records dropped", afterHandshake((r, n, ctx) => void (n === 1 && ctx.toClient(r))), "two", (o) => rejection(o, mitm, "BAD_RECORD_MAC", A.bad_record_mac)],
    ["a plaintext fatal alert injected mid-stream", afterHandshake((r, _n, ctx) => (ctx.toClient(record(21, Buffer.from([2, 40]))), ctx.toClient(r))), "hello", (o) => rejection(o, mitm, "BAD_RECORD_MAC", A.bad_record_mac)],
    ["a plaintext HelloRequest injected mid-stream", afterHandshake((r, _n, ctx) => (ctx.toClient(record(22, Buffer.from([0, 0, 0, 0]))), ctx.toClient(r))), "hello", (o) => rejection(o, mitm, "BAD_RECORD_MAC", A.bad_record_mac)],
    ["a 16,385-byte ciphertext record header... (over the 2^14+2048 limit)", afterHandshake((_r, _n, ctx) => ctx.toClient(record(23, Buffer.alloc(18_433)))), "hello", (o) => rejection(o, mitm, "RECORD_OVERFLOW", A.record_overflow)],
  ];
  for (const [name, script, send, check] of cases)
    it(name, async () => {
      const m2 = await startMitm(scripted.port, script);
      try {
        const saved = mitm;
        mitm = m2;
        const o = await drive(m2.port, { send: Buffer.from(send), readBytes: send === "two" ? 11 : 10, timeoutMs: 5_000 });
        const why = check(o);
        mitm = saved;
        count("post-handshake", why === null, label(o));
        expect(why).toBeNull();
      } finally {
        await m2.close();
      }
    });
  it("data after close_notify is never delivered; the stream ends cleanly", async () => {
    const script = afterHandshake((r, n, ctx) => {
      ctx.toClient(r);
      if (n === 1) {
        // After the encrypted close_notify: a replay of the data record, garbage, and a fatal alert.
        ctx.toClient(ctx.state.data as Buffer);
        ctx.toClient(record(23, Buffer.alloc(40, 7)));
        ctx.toClient(record(21, Buffer.from([2, 40])));
      } else ctx.state.data = r;
    });
    const m2 = await startMitm(scripted.port, script);
    try {
      const o = await drive(m2.port, { send: Buffer.from("bye"), timeoutMs: 5_000 });
      count("post-handshake", o.ok && o.cleanEof && o.appData.toString() === "bye", label(o));
      expect(o.error).toBeUndefined();
      expect(o.cleanEof).toBe(true);
      expect(o.appData.toString()).toBe("bye");
    } finally {
      await m2.close();
    }
  });
});

describe("a transport that throws or lies (no proxy: the bio itself is hostile)", () => {
  type Bio = [send: (d: Uint8Array) => number, recv: (b: Uint8Array) => number];
  const swallow = (d: Uint8Array) => d.length;
  const boom = (v: unknown) => () => {
    throw v;
  };
  const cases: Array<[string, Bio]> = [
    ["send throws an Error", [boom(new Error("EPIPE")), () => -2]],
    ["send throws a string", [boom("nope"), () => -2]],
    ["send throws undefined", [boom(undefined), () => -2]],
    ["send claims one byte more than it was given", [(d) => d.length + 1, () => -2]],
    ["send returns -7", [() => -7, () => -2]],
    ["send returns NaN", [() => NaN, () => -2]],
    ["send returns 1.5", [() => 1.5, () => -2]],
    ["send returns a string", [(() => "3") as never, () => -2]],
    ["recv throws", [swallow, boom(new RangeError("ECONNRESET"))]],
    ["recv claims one byte more than the buffer", [swallow, (b) => b.length + 1]],
    ["recv returns -7", [swallow, () => -7]],
    ["recv returns WANT_WRITE", [swallow, () => -3]],
    ["recv returns Infinity", [swallow, () => Infinity]],
    ["recv returns 0.5", [swallow, () => 0.5]],
    ["recv returns null", [swallow, (() => null) as never]],
  ];
  for (const [name, [send, recv]] of cases)
    it(`${name}: TRANSPORT, no alert, and the same error on every later call`, async () => {
      const { TlsClient } = await import("../src/client.js");
      const client = new TlsClient({ serverName: "x.test", ca: standardPki().rootPem });
      client.setBio(send, recv);
      let first: unknown;
      const t0 = Date.now();
      try {
        for (let i = 0; i < 5 && client.handshake() !== 0; i++);
      } catch (e) {
        first = e;
      }
      const ok = first instanceof TlsError && first.code === "TRANSPORT" && first.alert === undefined;
      count("hostile transport", ok, first instanceof TlsError ? first.code : String(first));
      // Tallied above whatever happened; asserted here (rethrowing what the handshake threw, if anything).
      expectTlsError(() => {
        throw first;
      }, "TRANSPORT", null);
      expect(() => client.handshake()).toThrow(first as Error);
      expect(Date.now() - t0).toBeLessThan(2_000);
    });
  it("send that never takes a byte: WANT_WRITE on every call, never an exception or a spin", async () => {
    const { TlsClient, WANT_WRITE } = await import("../src/client.js");
    const client = new TlsClient({ serverName: "x.test", ca: standardPki().rootPem });
    let calls = 0;
    client.setBio(() => (calls++, 0), () => -2);
    const results = Array.from({ length: 3 }, () => client.handshake());
    count("hostile transport", results.every((r) => r === WANT_WRITE) && calls === 3, "WANT_WRITE");
    expect(results).toEqual([WANT_WRITE, WANT_WRITE, WANT_WRITE]);
    expect(calls).toBe(3);
  });
});
