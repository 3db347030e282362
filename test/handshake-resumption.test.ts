// The client's side of an abbreviated handshake against a scripted server: what the ClientHello offers, and the
// ServerHello checks of RFC 5246 §7.4.1.3 and RFC 7627 §5.3, which no well-behaved real server would violate.
import { randomFillSync } from "node:crypto";
import { describe, expect, it } from "vitest";
import { TlsClient, WANT_READ } from "../src/client.js";
import { TlsError, type TlsErrorCode } from "../src/errors.js";
import { expectTlsError } from "./helpers/expect-tls-error.js";
import type { TlsClientOptions } from "../src/handshake/config.js";
import { encodeCertificateList, HandshakeType, type Extension } from "../src/handshake/messages.js";
import { encodeServerHello, parseClientHello } from "./helpers/server-codecs.js";
import type { TlsSession } from "../src/handshake/session.js";


const HOST = "device.example";
const CHACHA_ECDSA = 0xcca9;
const GCM128_ECDSA = 0xc02b;
const EMS: Extension = { type: 23, data: new Uint8Array(0) };
const RENEGOTIATION_INFO: Extension = { type: 0xff01, data: Uint8Array.of(0) };

function session(over: Partial<TlsSession> = {}): TlsSession {
  return {
    version: 0x0303, cipherSuite: CHACHA_ECDSA, masterSecret: new Uint8Array(48).fill(0x42), extendedMasterSecret: true,
    serverName: HOST, sessionId: new Uint8Array(32).fill(0x17), ticket: null, ticketLifetime: 0, ticketReceivedAt: null,
    alpn: null, peerCertificateHash: null, verified: false, createdAt: null, resumable: true, ...over,
  };
}

function record(type: number, body: Uint8Array): Uint8Array {
  return Uint8Array.of(type, 3, 3, body.length >> 8, body.length & 0xff, ...body);
}

/** A client on an in-memory transport: `sent` collects its bytes, `deliver` queues the server's. */
function harness(options: Partial<TlsClientOptions> & { session?: TlsSession | null; sessionTickets?: boolean; allowLegacyResumption?: boolean }) {
  const inbound: Uint8Array[] = [];
  const sent: number[] = [];
  const client = new TlsClient({ serverName: HOST, verify: false, random: (b) => void randomFillSync(b), now: () => 1_800_000_000_000, ...options } as TlsClientOptions);
  client.setBio(
    (data) => {
      sent.push(...data);
      return data.length;
    },
    (buf) => {
      const next = inbound.shift();
      if (!next) return WANT_READ;
      buf.set(next);
      return next.length;
    },
  );
  expect(client.handshake()).toBe(WANT_READ);
  // The ClientHello: record header (5) + handshake header (4) + body.
  const hello = parseClientHello(Uint8Array.from(sent.slice(9)));
  sent.length = 0;
  return { client, hello, sent, deliver: (...records: Uint8Array[]) => inbound.push(...records) };
}

function serverHello(sessionId: Uint8Array, cipherSuite: number, extensions: Extension[]): Uint8Array {
  return record(22, encodeServerHello({ version: 0x0303, random: new Uint8Array(32).fill(9), sessionId, cipherSuite, compression: 0, extensions }));
}

function fatal(client: TlsClient, sent: number[], code: TlsErrorCode, alert: number, message: RegExp): void {
  expectTlsError(() => client.handshake(), code, alert, message);
  expect(sent.slice(-7)).toEqual([21, 3, 3, 0, 2, 2, alert]); // the fatal alert went out in the clear
}

describe("offering a session", () => {
  it("by session ID: the stored ID, and an empty session_ticket asking for a ticket", () => {
    const { hello } = harness({ session: session() });
    expect(Array.from(hello.sessionId)).toEqual(Array.from(session().sessionId));
    const ticketExt = hello.extensions.filter((e) => e.type === 35);
    expect(ticketExt.map((e) => e.data.length)).toEqual([0]);
    expect(hello.extensions.some((e) => e.type === 23)).toBe(true); // RFC 7627 §5.3: EMS always offered when resuming
  });

  it("by ticket: the ticket in session_ticket and 32 fresh random bytes as session ID", () => {
    const ticket = Uint8Array.from({ length: 100 }, (_, i) => i);
    const { hello } = harness({ session: session({ ticket, ticketLifetime: 300, ticketReceivedAt: 1_800_000_000_000 - 1000 }) });
    expect(hello.sessionId.length).toBe(32);
    expect(Array.from(hello.sessionId)).not.toEqual(Array.from(session().sessionId));
    expect(Array.from(hello.extensions.filter((e) => e.type === 35)[0].data)).toEqual(Array.from(ticket));
  });

  it("nothing when the session is unusable, and no session_ticket with sessionTickets: false", () => {
    const lines: string[] = [];
    const { hello } = harness({ session: session({ serverName: "other.example" }), sessionTickets: false, trace: (l) => lines.push(l) });
    expect(hello.sessionId.length).toBe(0);
    expect(hello.extensions.some((e) => e.type === 35)).toBe(false);
    expect(lines).toContain(`session not offered: the session is for other.example, not ${HOST}`);
  });
});

describe("checking the server's resumption", () => {
  it("refuses a different cipher suite with illegal_parameter", () => {
    const h = harness({ session: session() });
    h.deliver(serverHello(h.hello.sessionId, GCM128_ECDSA, [EMS, RENEGOTIATION_INFO]));
    fatal(h.client, h.sent, "ILLEGAL_PARAMETER", 47, /different cipher suite/);
  });

  it("refuses an EMS session resumed without EMS with handshake_failure", () => {
    const h = harness({ session: session() });
    h.deliver(serverHello(h.hello.sessionId, CHACHA_ECDSA, [RENEGOTIATION_INFO]));
    fatal(h.client, h.sent, "HANDSHAKE_FAILURE", 40, /without the extension/);
  });

  it("refuses a non-EMS session resumed with EMS with handshake_failure", () => {
    const h = harness({ session: session({ extendedMasterSecret: false }), allowLegacyResumption: true });
    h.deliver(serverHello(h.hello.sessionId, CHACHA_ECDSA, [EMS, RENEGOTIATION_INFO]));
    fatal(h.client, h.sent, "HANDSHAKE_FAILURE", 40, /without extended_master_secret but now/);
  });

  it("a Certificate after a resuming ServerHello is unexpected_message", () => {
    const h = harness({ session: session() });
    const cert = encodeCertificateList([Uint8Array.of(0x30, 0)]);
    h.deliver(serverHello(h.hello.sessionId, CHACHA_ECDSA, [EMS, RENEGOTIATION_INFO]), record(22, cert));
    expect(cert[0]).toBe(HandshakeType.certificate);
    fatal(h.client, h.sent, "UNEXPECTED_MESSAGE", 10, /expected ChangeCipherSpec, received certificate/);
  });

  it("a resuming server that echoed session_ticket must send the NewSessionTicket first (RFC 5077 §3.3)", () => {
    const h = harness({ session: session() });
    const TICKET: Extension = { type: 35, data: new Uint8Array(0) };
    h.deliver(serverHello(h.hello.sessionId, CHACHA_ECDSA, [EMS, TICKET, RENEGOTIATION_INFO]), record(20, Uint8Array.of(1)));
    fatal(h.client, h.sent, "UNEXPECTED_MESSAGE", 10, /ChangeCipherSpec while expecting NewSessionTicket/);
  });

  it("a resuming server that did not echo session_ticket may not send a NewSessionTicket", () => {
    const h = harness({ session: session() });
    const nst = Uint8Array.of(HandshakeType.new_session_ticket, 0, 0, 6, 0, 0, 0, 60, 0, 0);
    h.deliver(serverHello(h.hello.sessionId, CHACHA_ECDSA, [EMS, RENEGOTIATION_INFO]), record(22, nst));
    fatal(h.client, h.sent, "UNEXPECTED_MESSAGE", 10, /expected ChangeCipherSpec, received new_session_ticket/);
  });

  it("a failed resumption leaves the session unresumable", () => {
    const s = session();
    const h = harness({ session: s });
    h.deliver(serverHello(h.hello.sessionId, GCM128_ECDSA, [EMS, RENEGOTIATION_INFO]));
    expect(() => h.client.handshake()).toThrow(TlsError);
    expect(s.resumable).toBe(false);
  });

  it("another session ID in the ServerHello means a full handshake (the client waits for the Certificate)", () => {
    const lines: string[] = [];
    const h = harness({ session: session(), trace: (l) => lines.push(l) });
    h.deliver(serverHello(new Uint8Array(32).fill(0x55), CHACHA_ECDSA, [EMS, RENEGOTIATION_INFO]));
    expect(h.client.handshake()).toBe(WANT_READ);
    expect(lines.some((l) => /session declined: full handshake/.test(l))).toBe(true);
  });
});
