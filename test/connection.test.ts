// The push engine's contract (src/connection.ts), on recorded handshakes: what `status` says at each step, that only
// misuse throws (and changes nothing), and that a failure closes the connection after the data that came before it.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Alert, TlsConnection, TlsError } from "../src/index.js";
import { TlsClient, WANT_READ } from "../src/client.js";
import { expectTlsError } from "./helpers/expect-tls-error.js";
import { buildServerBytes, joinRecords, loadTranscript, serverFlight, serverKeys, splitRecords, transcriptOptions, TRANSCRIPTS } from "./helpers/handshake-kit.js";

const t = loadTranscript("openssl-ecdhe-rsa-x25519-aes128gcm");
const text = (b: Uint8Array) => new TextDecoder().decode(b);

/** Takes the connection's output as a transport that accepts everything would. */
function drain(conn: TlsConnection): Uint8Array {
  const out = conn.output().slice();
  conn.consumed(out.length);
  return out;
}

describe("TlsConnection status", () => {
  it("walks has-output → needs-input → has-output → has-data → closed through a recorded session", () => {
    const conn = new TlsConnection(transcriptOptions(t));
    expect(conn.state).toBe("handshaking");
    expect(conn.status).toBe("has-output");
    const hello = drain(conn);
    expect(hello[0]).toBe(22); // a handshake record: the ClientHello
    expect(conn.status).toBe("needs-input");
    // The server's whole side at once: its flight, its Finished, the response and its close_notify.
    expect(conn.feed(t.server)).toBe("has-output");
    expect(conn.handshakeComplete).toBe(true);
    expect(conn.cipherSuite).toBe(t.cipherSuite);
    drain(conn); // our second flight
    expect(conn.status).toBe("has-data");
    let response = "";
    for (let piece = conn.take(); piece !== null; piece = conn.take()) response += text(piece);
    expect(response).toBe(text(t.response));
    expect(conn.receiveClosed).toBe(true);
    expect(conn.status).toBe("closed");
    expect(conn.error).toBeNull();
  });

  it("read(buf) copies data out in pieces of the caller's size", () => {
    const conn = new TlsConnection(transcriptOptions(t));
    drain(conn);
    conn.feed(t.server);
    drain(conn);
    const buf = new Uint8Array(7);
    const parts: string[] = [];
    for (let n = conn.read(buf); n > 0; n = conn.read(buf)) parts.push(text(buf.subarray(0, n)));
    expect(parts.join("")).toBe(text(t.response));
    expect(parts[0].length).toBe(7);
  });

  it("one byte per feed gives the same session", () => {
    const conn = new TlsConnection(transcriptOptions(t));
    drain(conn);
    let response = "";
    for (let i = 0; i < t.server.length; i++) {
      conn.feed(t.server.subarray(i, i + 1));
      drain(conn);
      for (let piece = conn.take(); piece !== null; piece = conn.take()) response += text(piece);
    }
    expect(response).toBe(text(t.response));
    expect(conn.status).toBe("closed");
    expect(conn.error).toBeNull();
  });
});

describe("fed bytes are read in place", () => {
  it("the feeder may reuse its buffer once feed returns: any chunking, the buffer scribbled over after each feed", () => {
    const transcripts = TRANSCRIPTS.map(loadTranscript);
    // The chain each session must end with, as the server sent it.
    const chains = transcripts.map((tr) => {
      const conn = new TlsConnection(transcriptOptions(tr));
      drain(conn);
      conn.feed(tr.server.slice());
      return conn.peerCertificates.map((c) => Buffer.from(c.der).toString("hex"));
    });
    fc.assert(
      fc.property(fc.nat(transcripts.length - 1), fc.array(fc.integer({ min: 1, max: 700 }), { minLength: 1, maxLength: 40 }), (which, sizes) => {
        const tr = transcripts[which];
        const conn = new TlsConnection(transcriptOptions(tr));
        drain(conn);
        const reused = new Uint8Array(700); // one transport buffer, as a socket's read loop has
        let response = "";
        for (let at = 0, i = 0; at < tr.server.length; i++) {
          const n = Math.min(sizes[i % sizes.length], tr.server.length - at);
          reused.set(tr.server.subarray(at, at + n));
          conn.feed(reused.subarray(0, n));
          reused.fill(0xaa); // whatever the connection still needs, it must have copied
          at += n;
          drain(conn);
          // Data is taken only every other feed, so records wait (retained) behind unread data too.
          if (i % 2 === 1) for (let piece = conn.take(); piece !== null; piece = conn.take()) response += text(piece);
        }
        for (let piece = conn.take(); piece !== null; piece = conn.take()) response += text(piece);
        expect(conn.error).toBeNull();
        expect(response).toBe(text(tr.response));
        expect(conn.peerCertificates.map((c) => Buffer.from(c.der).toString("hex"))).toEqual(chains[which]);
      }),
      { numRuns: 60 },
    );
  });
});

describe("misuse throws and changes nothing", () => {
  it("bad arguments and calls the state rules out are CONFIG or CLOSED, and the connection goes on", () => {
    const conn = new TlsConnection(transcriptOptions(t));
    expectTlsError(() => conn.feed("bytes" as unknown as Uint8Array), "CONFIG", null);
    expectTlsError(() => conn.consumed(1e9), "CONFIG", null);
    expectTlsError(() => conn.write(new Uint8Array(1)), "CONFIG", null); // before the handshake completed
    expect(conn.error).toBeNull();
    drain(conn);
    conn.feed(t.server);
    expect(conn.error).toBeNull();
    expect(conn.handshakeComplete).toBe(true);
    conn.close();
    expectTlsError(() => conn.write(new Uint8Array(1)), "CLOSED", null);
    conn.end();
    expectTlsError(() => conn.feed(new Uint8Array(1)), "CLOSED", null);
    expect(conn.error).toBeNull();
  });
});

describe("a failure closes the connection without throwing", () => {
  it("a tampered flight: error set, the fatal alert waits in output, write throws the error, close is quiet", () => {
    const { messages } = serverFlight(t);
    const certificate = messages[1];
    certificate.body[certificate.body.length - 40] ^= 1; // inside the leaf's signature
    const conn = new TlsConnection(transcriptOptions(t));
    drain(conn);
    expect(conn.feed(buildServerBytes(messages))).toBe("has-output");
    const error = conn.error as TlsError;
    expect(error).toBeInstanceOf(TlsError);
    expect(error.code).toBe("BAD_CERTIFICATE");
    const alert = splitRecords(drain(conn));
    expect(alert.map((r) => [r.type, ...r.data])).toEqual([[21, 2, error.alert]]);
    expect(conn.status).toBe("closed");
    expect(() => conn.write(new Uint8Array(1))).toThrow(error);
    expect(() => conn.close()).not.toThrow();
    expect(conn.pendingOutput).toBe(0); // no close_notify after a fatal alert
    expect(conn.error).toBe(error);
  });

  it("data that arrived before a fatal alert is delivered first", () => {
    const keys = serverKeys(t);
    const opened = keys.open();
    const beforeClose = opened.slice(0, -1); // Finished and the response, without the close_notify
    const server = joinRecords([...splitRecords(buildServerBytes(serverFlight(t).messages)), ...keys.seal([...beforeClose, { type: 21, data: Uint8Array.of(2, Alert.internal_error) }])]);
    const conn = new TlsConnection(transcriptOptions(t));
    drain(conn);
    conn.feed(server);
    drain(conn);
    expect(conn.error).toBeNull(); // not yet: the response comes first
    let response = "";
    for (let piece = conn.take(); piece !== null; piece = conn.take()) response += text(piece);
    expect(response).toBe(text(t.response));
    expect(conn.error?.code).toBe("ALERT_RECEIVED");
    expect(conn.error?.alert).toBe(Alert.internal_error);
    expect(conn.status).toBe("closed");
  });

  it("an error of the caller's kind thrown from inside the protocol is no misuse: internal_error, sent and sticky", () => {
    let calls = 0;
    const conn = new TlsConnection(transcriptOptions(t, {
      now: () => {
        if (++calls > 0) throw new TlsError("CONFIG", "the clock callback broke");
        return t.now;
      },
    }));
    drain(conn);
    conn.feed(t.server);
    expect(conn.error?.code).toBe("INTERNAL_ERROR");
    expect(conn.error?.message).toMatch(/the clock callback broke/);
    expect(splitRecords(drain(conn)).map((r) => [r.type, ...r.data])).toEqual([[21, 2, Alert.internal_error]]);
  });

  it("an end of stream without close_notify is TRUNCATED, after the data", () => {
    const conn = new TlsConnection(transcriptOptions(t));
    drain(conn);
    const records = splitRecords(t.server);
    conn.feed(joinRecords(records.slice(0, -1))); // everything but the close_notify
    drain(conn);
    conn.end();
    expect(conn.status).toBe("has-data");
    while (conn.take() !== null);
    expect(conn.error?.code).toBe("TRUNCATED");
  });
});

describe("TlsClient over the engine", () => {
  it("close() after a fatal error returns 0 quietly and the error stays readable", () => {
    const { messages } = serverFlight(t);
    messages[0].body[0] = 2; // ServerHello version 2.x
    const server = buildServerBytes(messages);
    const client = new TlsClient(transcriptOptions(t));
    let served = false;
    client.setBio(
      (d) => d.length,
      (buf) => {
        if (served) return WANT_READ;
        served = true;
        buf.set(server.subarray(0, Math.min(buf.length, server.length)));
        return Math.min(buf.length, server.length);
      },
    );
    expectTlsError(() => client.handshake(), "PROTOCOL_VERSION", Alert.protocol_version);
    const error = client.error;
    expect(error).not.toBeNull();
    expect(client.close()).toBe(0);
    expect(client.error).toBe(error);
    expect(() => client.handshake()).toThrow(error as TlsError);
  });
});
