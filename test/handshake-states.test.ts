import { describe, expect, it } from "vitest";
import { concatBytes, toHex, Writer } from "../src/bytes.js";
import { Alert } from "../src/errors.js";
import { HandshakeType, parseServerHello, type ServerHello } from "../src/handshake/messages.js";
import { encodeServerHello } from "./helpers/server-codecs.js";
import {
  buildServerBytes,
  encodeMsg,
  joinRecords,
  loadTranscript,
  replay,
  serverFlight,
  serverKeys,
  splitRecords,
  TRANSCRIPTS,
  type Msg,
  type Rec,
  type ReplayResult,
} from "./helpers/handshake-kit.js";
import type { TlsClientOptions } from "../src/index.js";

// A hostile server built from a real one: the recorded openssl flight, changed in one place per test.
// Base: ECDHE-RSA, x25519, AES-128-GCM; the ECDSA transcript where the key type matters.
const t = loadTranscript(TRANSCRIPTS[0]);
const ecdsa = loadTranscript(TRANSCRIPTS[1]);
const { messages, tail } = serverFlight(t);
const [serverHello, certificate, serverKeyExchange, serverHelloDone] = messages;

function withServerHello(change: (sh: ServerHello) => void, rest: Msg[] = messages.slice(1)): Uint8Array {
  const sh = parseServerHello(serverHello.body);
  change(sh);
  return buildServerBytes([{ type: HandshakeType.server_hello, body: encodeServerHello(sh).subarray(4) }, ...rest], tail);
}

function ext(type: number, data: number[] = []): { type: number; data: Uint8Array } {
  return { type, data: Uint8Array.from(data) };
}

/** The client failed with this code and alert, sent that alert as its last record, and stays failed. */
function expectFatal(r: ReplayResult, code: string, alert: number): void {
  expect(r.error, "expected a TlsError").not.toBeNull();
  expect({ code: r.error!.code, alert: r.error!.alert }).toEqual({ code, alert });
  const last = splitRecords(r.output).pop()!;
  expect(last.type).toBe(21);
  if (last.data.length === 2) expect([...last.data]).toEqual([2, alert]);
  else expect(last.data.length).toBe(2 + 24); // protected: explicit nonce + alert + tag
  expect(() => r.client.handshake()).toThrow(r.error!);
  expect(() => r.client.write(new Uint8Array(1))).toThrow(r.error!);
  expect(r.client.state).toBe("closed");
  expect(r.client.error).toBe(r.error);
}

function run(server: Uint8Array, clientOptions: Partial<TlsClientOptions> = {}): ReplayResult {
  return replay(t, { server, clientOptions, eofAtEnd: true });
}

describe("ServerHello checks", () => {
  it("refuses versions other than TLS 1.2 with protocol_version", () => {
    for (const version of [0x0300, 0x0301, 0x0302, 0x0304]) {
      expectFatal(run(withServerHello((sh) => (sh.version = version))), "PROTOCOL_VERSION", Alert.protocol_version);
    }
  });

  it("refuses a suite, or compression, we did not offer", () => {
    expectFatal(run(withServerHello((sh) => (sh.cipherSuite = 0xc030))), "ILLEGAL_PARAMETER", Alert.illegal_parameter);
    expectFatal(run(withServerHello((sh) => (sh.cipherSuite = 0x009c))), "ILLEGAL_PARAMETER", Alert.illegal_parameter);
    expectFatal(run(withServerHello((sh) => (sh.compression = 1))), "ILLEGAL_PARAMETER", Alert.illegal_parameter);
  });

  it("refuses duplicated, unoffered and unknown extensions", () => {
    expectFatal(run(withServerHello((sh) => sh.extensions.push(ext(23)))), "ILLEGAL_PARAMETER", Alert.illegal_parameter);
    expectFatal(run(withServerHello((sh) => sh.extensions.push(ext(35)))), "UNSUPPORTED", Alert.unsupported_extension);
    expectFatal(run(withServerHello((sh) => sh.extensions.push(ext(0x1234)))), "UNSUPPORTED", Alert.unsupported_extension);
    expectFatal(run(withServerHello((sh) => sh.extensions.push(ext(1, [1])))), "UNSUPPORTED", Alert.unsupported_extension);
    // Offered by us, but a server must never echo it.
    expectFatal(run(withServerHello((sh) => sh.extensions.push(ext(13, [0, 2, 4, 1])))), "UNSUPPORTED", Alert.unsupported_extension);
  });

  it("refuses a non-empty renegotiation_info with handshake_failure (RFC 5746)", () => {
    const server = withServerHello((sh) => {
      sh.extensions = sh.extensions.map((e) => (e.type === 0xff01 ? ext(0xff01, [1, 7]) : e));
    });
    expectFatal(run(server), "HANDSHAKE_FAILURE", Alert.handshake_failure);
  });

  it("enforces max_fragment_length: the echo must match, and then the limit holds for what we receive", () => {
    const echo = (code: number) => withServerHello((sh) => sh.extensions.push(ext(1, [code])));
    expectFatal(run(echo(2), { maxFragmentLength: 512 }), "ILLEGAL_PARAMETER", Alert.illegal_parameter);
    // The recorded Certificate record is far over 512 bytes: with the echo agreed it must overflow.
    expect(certificate.body.length).toBeGreaterThan(512);
    expectFatal(run(echo(1), { maxFragmentLength: 512 }), "RECORD_OVERFLOW", Alert.record_overflow);
  });

  it("refuses an ALPN protocol we did not offer", () => {
    const alpn = (name: string) => [0, name.length + 1, name.length, ...Array.from(name, (c) => c.charCodeAt(0))];
    expectFatal(run(withServerHello((sh) => sh.extensions.push(ext(16, alpn("h2")))), { alpn: ["mqtt"] }), "ILLEGAL_PARAMETER", Alert.illegal_parameter);
  });

  it("requireExtendedMasterSecret turns a missing extended_master_secret into handshake_failure", () => {
    const noEms = withServerHello((sh) => (sh.extensions = sh.extensions.filter((e) => e.type !== 23)));
    expectFatal(run(noEms, { requireExtendedMasterSecret: true }), "HANDSHAKE_FAILURE", Alert.handshake_failure);
    // Without the option the handshake goes on, but stripping EMS changed the master secret: the real server's
    // protected Finished cannot open. A downgrade by a man in the middle is caught here.
    expectFatal(run(noEms), "BAD_RECORD_MAC", Alert.bad_record_mac);
  });

  it("refuses a truncated or padded ServerHello with decode_error", () => {
    const bad = (body: Uint8Array) => buildServerBytes([{ type: 2, body }, ...messages.slice(1)], tail);
    expectFatal(run(bad(serverHello.body.subarray(0, serverHello.body.length - 1))), "DECODE_ERROR", Alert.decode_error);
    expectFatal(run(bad(serverHello.body.subarray(0, 20))), "DECODE_ERROR", Alert.decode_error);
    expectFatal(run(bad(concatBytes(serverHello.body, Uint8Array.of(0)))), "DECODE_ERROR", Alert.decode_error);
  });
});

describe("message order", () => {
  const cases: Array<[string, Msg[]]> = [
    ["no Certificate", [serverHello, serverKeyExchange, serverHelloDone]],
    ["no ServerKeyExchange", [serverHello, certificate, serverHelloDone]],
    ["Certificate twice", [serverHello, certificate, certificate, serverKeyExchange, serverHelloDone]],
    ["ServerHello twice", [serverHello, serverHello, certificate, serverKeyExchange, serverHelloDone]],
    ["ServerHelloDone first", [serverHelloDone, serverHello]],
    ["a plaintext Finished", [serverHello, certificate, serverKeyExchange, { type: 20, body: new Uint8Array(12) }]],
    ["an unknown message type", [serverHello, { type: 99, body: new Uint8Array(0) }]],
    ["a NewSessionTicket nobody asked for", [...messages, { type: 4, body: new Uint8Array(6) }]],
    ["a Finished before ChangeCipherSpec", [...messages, { type: 20, body: new Uint8Array(12) }]],
    ["a CertificateRequest after ServerHelloDone", [...messages, { type: 13, body: Uint8Array.of(1, 1, 0, 2, 4, 1, 0, 0) }]],
  ];
  it.each(cases)("%s is unexpected_message", (_name, flight) => {
    expectFatal(run(buildServerBytes(flight, tail)), "UNEXPECTED_MESSAGE", Alert.unexpected_message);
  });

  it("ChangeCipherSpec before ServerHelloDone is unexpected_message", () => {
    const early = buildServerBytes([serverHello, certificate, serverKeyExchange], [{ type: 20, version: 0x0303, data: Uint8Array.of(1) }]);
    expectFatal(run(early), "UNEXPECTED_MESSAGE", Alert.unexpected_message);
  });

  it("ChangeCipherSpec in the middle of a handshake message is unexpected_message", () => {
    const sh = encodeMsg(serverHello);
    const split = joinRecords([
      { type: 22, version: 0x0303, data: sh.subarray(0, 10) },
      { type: 20, version: 0x0303, data: Uint8Array.of(1) },
      { type: 22, version: 0x0303, data: sh.subarray(10) },
    ]);
    expectFatal(run(split), "UNEXPECTED_MESSAGE", Alert.unexpected_message);
  });

  it("application data before the handshake is done is unexpected_message", () => {
    const early = buildServerBytes([serverHello, certificate], [{ type: 23, version: 0x0303, data: Uint8Array.of(1, 2, 3) }]);
    expectFatal(run(early), "UNEXPECTED_MESSAGE", Alert.unexpected_message);
  });

  it("a malformed ChangeCipherSpec is decode_error", () => {
    const bad = buildServerBytes(messages, [{ type: 20, version: 0x0303, data: Uint8Array.of(2) }]);
    expectFatal(run(bad), "DECODE_ERROR", Alert.decode_error);
  });

  it("reassembles messages however the server packs them into records", () => {
    const all = concatBytes(...messages.map(encodeMsg));
    const oneRecord = joinRecords([{ type: 22, version: 0x0303, data: all }, ...tail]);
    const byteRecords = joinRecords([...Array.from(all, (b) => ({ type: 22, version: 0x0303, data: Uint8Array.of(b) })), ...tail]);
    for (const server of [oneRecord, byteRecords]) {
      const r = replay(t, { server });
      expect(r.error).toBeNull();
      expect(toHex(r.output)).toBe(toHex(t.client));
      expect(toHex(r.response)).toBe(toHex(t.response));
    }
  });

  it("EOF in the middle of the handshake is TRUNCATED, with no alert sent", () => {
    const r = run(buildServerBytes([serverHello, certificate]));
    expect(r.error?.code).toBe("TRUNCATED");
    expect(splitRecords(r.output).map((x) => x.type)).toEqual([22]);
  });
});

describe("ServerKeyExchange and Certificate checks", () => {
  function withSke(change: (body: Uint8Array) => Uint8Array): Uint8Array {
    return buildServerBytes([serverHello, certificate, { type: 12, body: change(serverKeyExchange.body.slice()) }, serverHelloDone], tail);
  }
  // RSA transcript SKE layout: curve_type(1) group(2) len(1) point(32) scheme(2) siglen(2) sig
  const schemeAt = 4 + 32;

  it("a bad signature is decrypt_error", () => {
    const r = run(withSke((b) => ((b[b.length - 1] ^= 1), b)));
    expectFatal(r, "DECRYPT_ERROR", Alert.decrypt_error);
    const changedKey = run(withSke((b) => ((b[10] ^= 1), b)));
    expectFatal(changedKey, "DECRYPT_ERROR", Alert.decrypt_error);
  });

  it("a group, curve type or scheme we did not offer is illegal_parameter", () => {
    expectFatal(run(withSke((b) => ((b[2] = 23), b))), "ILLEGAL_PARAMETER", Alert.illegal_parameter);
    expectFatal(run(withSke((b) => ((b[0] = 1), b))), "ILLEGAL_PARAMETER", Alert.illegal_parameter);
    expectFatal(run(withSke((b) => ((b[schemeAt] = 2), (b[schemeAt + 1] = 1), b))), "ILLEGAL_PARAMETER", Alert.illegal_parameter); // rsa_pkcs1_sha1
    // ecdsa_secp256r1_sha256 is offered, but does not fit the RSA key in the certificate.
    expectFatal(run(withSke((b) => ((b[schemeAt] = 4), (b[schemeAt + 1] = 3), b))), "ILLEGAL_PARAMETER", Alert.illegal_parameter);
  });

  it("an invalid ECDH point from the server is illegal_parameter (crypto's error, mapped at the handshake's boundary)", () => {
    // x25519's all-zero point yields an all-zero secret (RFC 7748 §6.1). A verifier that accepts anything lets the
    // altered ServerKeyExchange through to the key exchange.
    const zeroPoint = withSke((b) => concatBytes(b.subarray(0, 4), new Uint8Array(32), b.subarray(36)));
    const r = run(zeroPoint, { verifySignature: () => true } as Partial<TlsClientOptions>);
    expectFatal(r, "ILLEGAL_PARAMETER", Alert.illegal_parameter);
    expect(r.error!.message).toMatch(/invalid peer ECDH public key/);
  });

  it("a ServerKeyExchange with trailing bytes is decode_error", () => {
    expectFatal(run(withSke((b) => concatBytes(b, Uint8Array.of(0)))), "DECODE_ERROR", Alert.decode_error);
  });

  it("an empty or garbled certificate list is refused", () => {
    // Empty: decode_error, as BoringSSL sends (issue #14).
    const empty = buildServerBytes([serverHello, { type: 11, body: Uint8Array.of(0, 0, 0) }, serverKeyExchange, serverHelloDone], tail);
    expectFatal(run(empty), "BAD_CERTIFICATE", Alert.decode_error);
    const garbage = new Writer().block(3, (w) => w.vec24(Uint8Array.of(0x30, 3, 1, 2, 3))).finish();
    const garbled = run(buildServerBytes([serverHello, { type: 11, body: garbage }, serverKeyExchange, serverHelloDone], tail));
    expectFatal(garbled, "BAD_CERTIFICATE", Alert.decode_error);
    expect(garbled.error!.verifyFlags).toContain("MALFORMED");
  });

  it("a certificate whose key does not fit the chosen suite is unsupported_certificate", () => {
    // The real ECDSA server's flight, but its ServerHello claims an ECDHE-RSA suite (which we offered too).
    const flight = serverFlight(ecdsa);
    const sh = parseServerHello(flight.messages[0].body);
    sh.cipherSuite = 0xcca8;
    const server = buildServerBytes([{ type: 2, body: encodeServerHello(sh).subarray(4) }, ...flight.messages.slice(1)], flight.tail);
    const options = { cipherSuites: ["TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256"] };
    const r = replay(ecdsa, { server, clientOptions: options, eofAtEnd: true });
    expectFatal(r, "UNSUPPORTED", Alert.unsupported_certificate);
  });
});

describe("Finished and after", () => {
  const keys = serverKeys(t);
  const protectedRecords = keys.open(); // [Finished, application data..., close_notify alert]

  it("the recorded server records decrypt to Finished, data and close_notify", () => {
    expect(protectedRecords[0].type).toBe(22);
    expect(protectedRecords[0].data[0]).toBe(HandshakeType.finished);
    expect(protectedRecords[protectedRecords.length - 1]).toEqual({ type: 21, data: Uint8Array.of(1, 0) });
  });

  it("a wrong Finished is decrypt_error, and the alert goes out protected", () => {
    const bad = protectedRecords.map((r, i) => (i === 0 ? { type: 22, data: r.data.map((b, j) => (j === 4 ? b ^ 1 : b)) } : r));
    const r = run(joinRecords([...splitRecords(buildServerBytes(messages)), ...keys.seal(bad)]));
    expectFatal(r, "DECRYPT_ERROR", Alert.decrypt_error);
  });

  it("a HelloRequest during the handshake is ignored; after it, we answer no_renegotiation and carry on", () => {
    const helloRequest: Msg = { type: 0, body: new Uint8Array(0) };
    const during = replay(t, { server: buildServerBytes([helloRequest, serverHello, certificate, helloRequest, serverKeyExchange, serverHelloDone], tail) });
    expect(during.error).toBeNull();
    expect(toHex(during.output)).toBe(toHex(t.client));

    const after = [protectedRecords[0], { type: 22, data: encodeMsg(helloRequest) }, ...protectedRecords.slice(1)];
    const r = replay(t, { server: joinRecords([...splitRecords(buildServerBytes(messages)), ...keys.seal(after)]) });
    expect(r.error).toBeNull();
    expect(toHex(r.response)).toBe(toHex(t.response));
    const alertsSent = (out: Uint8Array) => splitRecords(out).filter((x) => x.type === 21).length;
    expect(alertsSent(r.output)).toBe(alertsSent(t.client) + 1); // no_renegotiation, then close_notify
  });

  it("any other handshake message after Finished is unexpected_message (no renegotiation)", () => {
    const after = [protectedRecords[0], protectedRecords[0], ...protectedRecords.slice(1)];
    const r = run(joinRecords([...splitRecords(buildServerBytes(messages)), ...keys.seal(after)]));
    expectFatal(r, "UNEXPECTED_MESSAGE", Alert.unexpected_message);
  });

  it("a fatal alert after the handshake is ALERT_RECEIVED; data before it is still read", () => {
    const after = [...protectedRecords.slice(0, -1), { type: 21, data: Uint8Array.of(2, Alert.internal_error) }];
    const r = run(joinRecords([...splitRecords(buildServerBytes(messages)), ...keys.seal(after)]));
    expect(toHex(r.response)).toBe(toHex(t.response));
    expect(r.error?.code).toBe("ALERT_RECEIVED");
    expect(r.error?.alert).toBe(Alert.internal_error);
  });
});

describe("alerts from the server during the handshake", () => {
  const alert = (level: number, description: number): Rec => ({ type: 21, version: 0x0303, data: Uint8Array.of(level, description) });

  it("a fatal alert is ALERT_RECEIVED with its number, and is not answered", () => {
    const r = run(joinRecords([alert(2, Alert.handshake_failure)]));
    expect(r.error?.code).toBe("ALERT_RECEIVED");
    expect(r.error?.alert).toBe(Alert.handshake_failure);
    expect(r.error?.message).toMatch(/handshake_failure/);
    expect(splitRecords(r.output).map((x) => x.type)).toEqual([22]);
    expect(() => r.client.handshake()).toThrow(r.error!);
  });

  it("warnings are ignored (up to a limit), close_notify is the end", () => {
    const warned = replay(t, { server: concatBytes(joinRecords([alert(1, Alert.unrecognized_name)]), t.server) });
    expect(warned.error).toBeNull();
    expect(toHex(warned.output)).toBe(toHex(t.client));

    const flood = run(joinRecords(Array.from({ length: 20 }, () => alert(1, Alert.unrecognized_name))));
    expectFatal(flood, "UNEXPECTED_MESSAGE", Alert.unexpected_message);

    const closed = run(joinRecords([alert(1, Alert.close_notify)]));
    expect(closed.error?.code).toBe("ALERT_RECEIVED");
    expect(closed.error?.alert).toBe(Alert.close_notify);
  });

  it("a malformed alert is decode_error", () => {
    expectFatal(run(joinRecords([{ type: 21, version: 0x0303, data: Uint8Array.of(2, 40, 0) }])), "DECODE_ERROR", Alert.decode_error);
  });
});
