import { describe, expect, it } from "vitest";
import { concatBytes } from "../src/bytes.js";
import { verifySignature } from "../src/crypto/signature.js";
import { Alert } from "../src/errors.js";
import { HandshakeType, parseServerHello, type ServerHello } from "../src/handshake/messages.js";
import { encodeServerHello } from "./helpers/server-codecs.js";
import type { TlsClientOptions } from "../src/index.js";
import { buildServerBytes, encodeMsg, joinRecords, loadTranscript, replay, serverFlight, serverKeys, splitRecords, TRANSCRIPTS, type Msg, type Rec, type ReplayResult } from "./helpers/handshake-kit.js";
import { bigOdd, certificate, rsaSpki, tbs } from "./helpers/cert-forge.js";
import { Writer } from "../src/bytes.js";

// Issue #14's findings that need a server no real implementation will be: the recorded openssl flights
// (ECDHE-RSA x25519; ECDHE-ECDSA P-256), changed in one place per test.

const t = loadTranscript(TRANSCRIPTS[0]);
const ecdsa = loadTranscript(TRANSCRIPTS[1]);
const { messages, tail } = serverFlight(t);
const [serverHello, , serverKeyExchange, serverHelloDone] = messages;
const keys = serverKeys(t);
const protectedRecords = keys.open(); // Finished, application data, close_notify
const plainFlight = splitRecords(buildServerBytes(messages));
const EMPTY_APP: Rec = { type: 23, version: 0x0303, data: new Uint8Array(0) };
const helloRequest: Msg = { type: HandshakeType.hello_request, body: new Uint8Array(0) };

function run(server: Uint8Array, clientOptions: Partial<TlsClientOptions> = {}, tr = t): ReplayResult {
  return replay(tr, { server, clientOptions, eofAtEnd: true });
}

function expectFatal(r: ReplayResult, code: string, alert: number): void {
  expect(r.error, "expected a TlsError").not.toBeNull();
  expect({ code: r.error!.code, alert: r.error!.alert, message: r.error!.message }).toMatchObject({ code, alert });
  const last = splitRecords(r.output).pop()!;
  expect(last.type).toBe(21); // the alert went out
}

function withServerHello(change: (sh: ServerHello) => void): Msg {
  const sh = parseServerHello(serverHello.body);
  change(sh);
  return { type: HandshakeType.server_hello, body: encodeServerHello(sh).subarray(4) };
}

function certificateMessage(chain: Uint8Array[]): Msg {
  return { type: HandshakeType.certificate, body: new Writer().block(3, (w) => chain.forEach((c) => w.vec24(c))).finish() };
}

describe("RSA key bounds on the server's key (checked even with verify: false)", () => {
  it("a leaf with a 16,384-bit modulus and a 16,383-bit exponent is refused before the ServerKeyExchange check", () => {
    const lt = tbs({ issuer: "x", subject: "leaf", spki: rsaSpki(bigOdd(16384), bigOdd(16383)), ca: false, ski: Uint8Array.of(1), aki: Uint8Array.of(2), serial: 5 });
    const leaf = certificate(lt, new Uint8Array(2048).fill(1));
    let checks = 0;
    const counting: typeof verifySignature = (...a) => (checks++, verifySignature(...a));
    const server = buildServerBytes([serverHello, certificateMessage([leaf]), serverKeyExchange, serverHelloDone], tail);
    const r = run(server, { verify: false, verifySignature: counting } as Partial<TlsClientOptions>);
    expectFatal(r, "BAD_CERTIFICATE", Alert.unsupported_certificate);
    expect(r.error!.verifyFlags).toEqual(["KEY_BOUNDS"]);
    expect(r.error!.message).toMatch(/16384 bits exceeds the bound of 8192 bits/);
    expect(checks).toBe(0);

    // With verification on, the flag comes from the chain check and the message still names the bound.
    let checked = 0;
    const verified = run(server, { verifySignature: ((...a) => (checked++, verifySignature(...a))) as typeof verifySignature } as Partial<TlsClientOptions>);
    expectFatal(verified, "BAD_CERTIFICATE", Alert.unsupported_certificate);
    expect(verified.error!.verifyFlags).toContain("KEY_BOUNDS");
    expect(verified.error!.message).toMatch(/KEY_BOUNDS: RSA modulus of 16384 bits exceeds the bound of 8192 bits/);
    expect(checked).toBe(0);
  });

  it("maxRsaModulusBits lowers the bound, and a bound can only be lowered", () => {
    expect(() => run(buildServerBytes(messages, tail), { maxRsaModulusBits: 16384 } as Partial<TlsClientOptions>)).toThrow(/maxRsaModulusBits must be an integer in 2048..8192/);
    // The recorded server's leaf is RSA-2048: a 2048-bit bound still lets it through.
    expect(run(buildServerBytes(messages, tail), { maxRsaModulusBits: 2048 } as Partial<TlsClientOptions>).error).toBeNull();
  });
});

describe("record boundaries", () => {
  it("handshake bytes after ServerHelloDone in the same record are unexpected_message", () => {
    const done = concatBytes(encodeMsg(serverHelloDone), encodeMsg(helloRequest));
    const server = joinRecords([...plainFlight.slice(0, 3), { type: 22, version: 0x0303, data: done }, ...tail]);
    expectFatal(run(server), "UNEXPECTED_MESSAGE", Alert.unexpected_message);
    // the first bytes of a further message count too
    const partial = joinRecords([...plainFlight.slice(0, 3), { type: 22, version: 0x0303, data: concatBytes(encodeMsg(serverHelloDone), Uint8Array.of(20)) }, ...tail]);
    expectFatal(run(partial), "UNEXPECTED_MESSAGE", Alert.unexpected_message);
  });

  it("handshake bytes after Finished in the same record are unexpected_message", () => {
    const fin = protectedRecords[0];
    const after = [{ type: 22, data: concatBytes(fin.data, encodeMsg(helloRequest)) }, ...protectedRecords.slice(1)];
    expectFatal(run(joinRecords([...plainFlight, ...keys.seal(after)])), "UNEXPECTED_MESSAGE", Alert.unexpected_message);
  });

  it("messages packed together before ServerHelloDone, and the flight in one record, still work", () => {
    const r = replay(t, { server: joinRecords([{ type: 22, version: 0x0303, data: concatBytes(...messages.map(encodeMsg)) }, ...tail]) });
    expect(r.error).toBeNull();
  });
});

describe("empty application data before the handshake completes", () => {
  it("before ServerHello, between handshake messages, and between ChangeCipherSpec and Finished: unexpected_message", () => {
    expectFatal(run(joinRecords([EMPTY_APP, ...plainFlight, ...tail])), "UNEXPECTED_MESSAGE", Alert.unexpected_message);
    expectFatal(run(joinRecords([...plainFlight.slice(0, 2), EMPTY_APP, ...plainFlight.slice(2), ...tail])), "UNEXPECTED_MESSAGE", Alert.unexpected_message);
    const sealed = keys.seal([{ type: 23, data: new Uint8Array(0) }, ...protectedRecords]);
    expectFatal(run(joinRecords([...plainFlight, ...sealed])), "UNEXPECTED_MESSAGE", Alert.unexpected_message);
  });

  it("after the handshake an empty record is still fine (a traffic-analysis countermeasure)", () => {
    const sealed = keys.seal([protectedRecords[0], { type: 23, data: new Uint8Array(0) }, ...protectedRecords.slice(1)]);
    const r = replay(t, { server: joinRecords([...plainFlight, ...sealed]) });
    expect(r.error).toBeNull();
  });
});

describe("the promised NewSessionTicket (RFC 5077 §3.3)", () => {
  const ticketHello = withServerHello((sh) => sh.extensions.push({ type: 35, data: new Uint8Array(0) }));
  const opts = { sessionTickets: true } as Partial<TlsClientOptions>;

  it("a server that echoed session_ticket and goes straight to ChangeCipherSpec is unexpected_message", () => {
    const r = run(buildServerBytes([ticketHello, ...messages.slice(1)], tail), opts);
    expectFatal(r, "UNEXPECTED_MESSAGE", Alert.unexpected_message);
    expect(r.error!.message).toMatch(/NewSessionTicket/);
  });

  it("with the NewSessionTicket the handshake goes past ChangeCipherSpec (and fails there only because the changed ServerHello changed the keys)", () => {
    const nst: Msg = { type: HandshakeType.new_session_ticket, body: Uint8Array.of(0, 0, 0, 60, 0, 2, 7, 7) };
    const r = run(buildServerBytes([ticketHello, ...messages.slice(1), nst], tail), opts);
    expect(r.error?.alert).toBe(Alert.bad_record_mac);
  });
});

describe("HelloRequest floods", () => {
  const alertsSent = (out: Uint8Array) => splitRecords(out).filter((x) => x.type === 21).length;
  const flood = (n: number) => {
    const after = [protectedRecords[0], ...Array.from({ length: n }, () => ({ type: 22, data: encodeMsg(helloRequest) })), ...protectedRecords.slice(1)];
    return replay(t, { server: joinRecords([...plainFlight, ...keys.seal(after)]), eofAtEnd: true });
  };

  it("four are each answered with no_renegotiation; the fifth closes with a fatal unexpected_message", () => {
    const four = flood(4);
    expect(four.error).toBeNull();
    expect(alertsSent(four.output)).toBe(alertsSent(t.client) + 4);
    const r = flood(1000);
    expectFatal(r, "UNEXPECTED_MESSAGE", Alert.unexpected_message);
    expect(alertsSent(r.output)).toBe(4 + 1); // 4 warnings, then the fatal alert (no close_notify)
  });
});

describe("decisions (issue #14)", () => {
  it("an ECDSA leaf on a curve we did not offer is illegal_parameter, as BoringSSL", () => {
    // The P-256 server's flight, with a client that offers only P-384 (and still its suite).
    const flight = serverFlight(ecdsa);
    const r = run(buildServerBytes(flight.messages, flight.tail), { groups: ["secp384r1"] } as Partial<TlsClientOptions>, ecdsa);
    expectFatal(r, "ILLEGAL_PARAMETER", Alert.illegal_parameter);
    expect(r.error!.message).toMatch(/P-256/);
  });

  it("a ServerHello that echoes supported_groups is tolerated, as BoringSSL (it fails later only because the keys changed)", () => {
    const echo = withServerHello((sh) => sh.extensions.push({ type: 10, data: Uint8Array.of(0, 2, 0, 29) }));
    const r = run(buildServerBytes([echo, ...messages.slice(1)], tail));
    expect(r.error?.alert).toBe(Alert.bad_record_mac); // at the protected Finished, not unsupported_extension at the ServerHello
  });

  it("a flipped version byte on the protected Finished record is protocol_version", () => {
    const sealed = keys.seal(protectedRecords);
    for (const version of [0x0203, 0x0302, 0x0313]) {
      const bad = sealed.map((rec, i) => (i === 1 ? { ...rec, version } : rec));
      expectFatal(run(joinRecords([...plainFlight, ...bad])), "PROTOCOL_VERSION", Alert.protocol_version);
    }
  });

  it("trailing bytes inside the Finished message are decode_error", () => {
    const fin = protectedRecords[0];
    const body = concatBytes(fin.data.subarray(4), Uint8Array.of(0));
    const longer = encodeMsg({ type: HandshakeType.finished, body });
    const r = run(joinRecords([...plainFlight, ...keys.seal([{ type: 22, data: longer }, ...protectedRecords.slice(1)])]));
    expectFatal(r, "DECODE_ERROR", Alert.decode_error);
  });

  it("more certificates than maxCertificates is bad_certificate, before any parsing or signature check", () => {
    const junk = Uint8Array.of(0x30, 0x00);
    const server = buildServerBytes([serverHello, certificateMessage(Array.from({ length: 11 }, () => junk)), serverKeyExchange, serverHelloDone], tail);
    const r = run(server, { maxCertificates: 10 } as Partial<TlsClientOptions>);
    expectFatal(r, "BAD_CERTIFICATE", Alert.bad_certificate);
    expect(r.error!.message).toMatch(/11 certificates; at most 10/);
  });
});
