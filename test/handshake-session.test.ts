import { createHash, randomFillSync } from "node:crypto";
import fc from "fast-check";
import { readClock } from "../src/handshake/context.js";
import { describe, expect, it } from "vitest";
import type { TlsErrorCode } from "../src/errors.js";
import { expectTlsError } from "./helpers/expect-tls-error.js";
import {
  checkResumedServerHello,
  createSession,
  decodeSession,
  DEFAULT_MAX_SESSION_AGE_MS,
  encodeSession,
  serverResumed,
  sessionOffer,
  sessionUsable,
  SESSION_FORMAT_VERSION,
  type TlsSession,
} from "../src/handshake/session.js";

const random = (buf: Uint8Array) => void randomFillSync(buf);
const T0 = Date.UTC(2026, 10, 21, 12, 0, 0);
const CHACHA_ECDSA = 0xcca9;
const GCM128_RSA = 0xc02f;

function session(over: Partial<TlsSession> = {}): TlsSession {
  return {
    version: 0x0303,
    cipherSuite: CHACHA_ECDSA,
    masterSecret: new Uint8Array(48).fill(7),
    extendedMasterSecret: true,
    serverName: "broker.example.com",
    sessionId: new Uint8Array(32).fill(1),
    ticket: Uint8Array.from({ length: 180 }, (_, i) => i),
    ticketLifetime: 7200,
    ticketReceivedAt: T0,
    alpn: "mqtt",
    peerCertificateHash: new Uint8Array(32).fill(9),
    verified: true,
    createdAt: T0,
    resumable: true,
    ...over,
  };
}

const ctx = { serverName: "broker.example.com", offeredSuites: [CHACHA_ECDSA, GCM128_RSA], now: T0 + 60_000, requireVerified: true };

function configError(fn: () => unknown, re: RegExp): void {
  expectTlsError(fn, "CONFIG", undefined, re);
}

describe("encodeSession / decodeSession", () => {
  it("round-trips a ticket session and a session-ID-only session without a clock", () => {
    const a = session();
    expect(decodeSession(encodeSession(a))).toEqual(a);
    const b = session({ ticket: null, ticketLifetime: 0, ticketReceivedAt: null, createdAt: null, alpn: null, serverName: null, peerCertificateHash: null, verified: false, extendedMasterSecret: false, resumable: false });
    expect(decodeSession(encodeSession(b))).toEqual(b);
  });

  it("is small: under 200 bytes plus the ticket", () => {
    const blob = encodeSession(session());
    expect(blob.length - 180).toBeLessThan(200);
    // magic, then the format version
    expect(Array.from(blob.subarray(0, 5))).toEqual([0x6d, 0x54, 0x4c, 0x53, SESSION_FORMAT_VERSION]);
  });

  const arbSession = fc.record({
    version: fc.constant(0x0303),
    cipherSuite: fc.integer({ min: 0, max: 0xffff }),
    masterSecret: fc.uint8Array({ minLength: 48, maxLength: 48 }),
    extendedMasterSecret: fc.boolean(),
    serverName: fc.option(fc.stringMatching(/^[a-z0-9.-]{1,60}$/), { nil: null }),
    sessionId: fc.uint8Array({ minLength: 1, maxLength: 32 }),
    ticket: fc.option(fc.uint8Array({ minLength: 1, maxLength: 600 }), { nil: null }),
    ticketLifetime: fc.integer({ min: 0, max: 0xffffffff }),
    ticketReceivedAt: fc.option(fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), { nil: null }),
    alpn: fc.option(fc.stringMatching(/^[a-z0-9/.]{1,20}$/), { nil: null }),
    peerCertificateHash: fc.option(fc.uint8Array({ minLength: 32, maxLength: 32 }), { nil: null }),
    verified: fc.boolean(),
    createdAt: fc.option(fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), { nil: null }),
    resumable: fc.boolean(),
  }).map((s): TlsSession => (s.ticket ? s : { ...s, ticketLifetime: 0, ticketReceivedAt: null }));

  it("round-trips arbitrary sessions (fast-check)", () => {
    fc.assert(fc.property(arbSession, (s) => {
      expect(decodeSession(encodeSession(s))).toEqual(s);
    }), { numRuns: 300 });
  });

  it("any changed byte is refused with TlsError CONFIG (fast-check)", () => {
    fc.assert(fc.property(arbSession, fc.nat(), fc.integer({ min: 1, max: 255 }), (s, at, xor) => {
      const blob = encodeSession(s);
      blob[at % blob.length] ^= xor;
      configError(() => decodeSession(blob), /corrupt|not a saved microtls session|format version/);
    }), { numRuns: 500 });
  });

  it("any truncation or extension is refused (fast-check)", () => {
    fc.assert(fc.property(arbSession, fc.nat(), fc.uint8Array({ minLength: 1, maxLength: 8 }), (s, cut, extra) => {
      const blob = encodeSession(s);
      configError(() => decodeSession(blob.subarray(0, cut % blob.length)), /./);
      const longer = new Uint8Array(blob.length + extra.length);
      longer.set(blob);
      longer.set(extra, blob.length);
      configError(() => decodeSession(longer), /./);
    }), { numRuns: 300 });
  });

  it("arbitrary bytes never crash the decoder", () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 400 }), (bytes) => {
      configError(() => decodeSession(bytes), /./);
    }), { numRuns: 300 });
  });

  /** Rebuilds a blob's check value, as a different writer would: only the structure checks are left. */
  function resealed(body: Uint8Array): Uint8Array {
    const check = createHash("sha256").update(body).digest().subarray(0, 16);
    return new Uint8Array(Buffer.concat([body, check]));
  }

  it("names an unknown format version, even with a valid check value", () => {
    const blob = encodeSession(session());
    const body = blob.slice(0, blob.length - 16);
    body[4] = 2;
    configError(() => decodeSession(resealed(body)), /format version 2, this microtls reads version 1/);
  });

  it("checks the structure behind a valid check value: lengths, flags, the master secret size", () => {
    const body = encodeSession(session()).slice(0, -16);
    const unknownFlag = body.slice();
    unknownFlag[5] |= 0x80;
    configError(() => decodeSession(resealed(unknownFlag)), /unknown flags/);
    const shortSecret = body.slice();
    shortSecret[10] = 47; // the master secret's length prefix
    configError(() => decodeSession(resealed(shortSecret)), /malformed|unusable/);
    configError(() => decodeSession(resealed(body.subarray(0, body.length - 3))), /malformed/);
  });

  it("refuses to encode nonsense", () => {
    configError(() => encodeSession(session({ masterSecret: new Uint8Array(47) })), /48 bytes/);
    configError(() => encodeSession(session({ sessionId: new Uint8Array(0), ticket: null })), /neither a session ID nor a ticket/);
    configError(() => encodeSession(session({ version: 0x0301 })), /version/);
    configError(() => decodeSession("abc" as unknown as Uint8Array), /Uint8Array/);
  });
});

describe("sessionUsable", () => {
  it("accepts a fresh, verified, EMS session for the same name and an offered suite", () => {
    expect(sessionUsable(session(), ctx)).toBe(true);
    expect(sessionUsable(session(), { ...ctx, serverName: "BROKER.example.com." })).toBe(true);
  });

  const refusals: Array<[string, Partial<TlsSession>, Partial<typeof ctx> & { allowLegacyResumption?: boolean; maxAgeMs?: number }, RegExp]> = [
    ["another server name", {}, { serverName: "evil.example.com" }, /for broker\.example\.com, not evil\.example\.com/],
    ["a suite no longer offered", {}, { offeredSuites: [GCM128_RSA] }, /cipher suite 0xcca9 is no longer offered/],
    ["an expired ticket", {}, { now: T0 + 7200_000 }, /ticket expired \(lifetime 7200 s\)/],
    ["a failed connection's session", { resumable: false }, {}, /failed or never completed/],
    ["an unverified session when verifying", { verified: false }, {}, /without verifying/],
    ["a session without EMS", { extendedMasterSecret: false }, {}, /extended master secret/],
    ["a session ID older than the maximum age", { ticket: null, ticketLifetime: 0, ticketReceivedAt: null }, { now: T0 + DEFAULT_MAX_SESSION_AGE_MS }, /older than 86400 s/],
    ["a clock before the session", {}, { now: T0 - 1000 }, /clock was reset/],
    ["a broken session object", { masterSecret: new Uint8Array(3) }, {}, /invalid/],
  ];
  for (const [name, over, c, re] of refusals) {
    it(`refuses ${name}`, () => {
      const r = sessionUsable(session(over), { ...ctx, ...c });
      expect(r).not.toBe(true);
      expect(r).toMatch(re);
    });
  }

  it("allows what the options allow: legacy resumption, unverified sessions without verification, no clock", () => {
    expect(sessionUsable(session({ extendedMasterSecret: false }), { ...ctx, allowLegacyResumption: true })).toBe(true);
    expect(sessionUsable(session({ verified: false }), { ...ctx, requireVerified: false })).toBe(true);
    // Without a clock the server judges expiry.
    expect(sessionUsable(session(), { ...ctx, now: null })).toBe(true);
    // A ticket with lifetime 0 (unspecified) falls back to the maximum age.
    expect(sessionUsable(session({ ticketLifetime: 0 }), { ...ctx, now: T0 + 3600_000 })).toBe(true);
    expect(sessionUsable(session({ ticketLifetime: 0 }), { ...ctx, now: T0 + DEFAULT_MAX_SESSION_AGE_MS })).toMatch(/older/);
    expect(sessionUsable(session(), { ...ctx, now: T0 + 7199_000 })).toBe(true);
  });
});

describe("checkResumedServerHello (RFC 5246 §7.4.1.3, RFC 7627 §5.3)", () => {
  const ok = { cipherSuite: CHACHA_ECDSA, extendedMasterSecret: true, serverName: "broker.example.com" };

  function fails(s: TlsSession, hello: typeof ok, code: TlsErrorCode, alert: number, re: RegExp): void {
    expectTlsError(() => checkResumedServerHello(s, hello), code, alert, re);
  }

  it("accepts a matching abbreviated handshake", () => {
    expect(() => checkResumedServerHello(session(), ok)).not.toThrow();
    expect(() => checkResumedServerHello(session({ extendedMasterSecret: false }), { ...ok, extendedMasterSecret: false })).not.toThrow();
  });

  it("refuses another suite with illegal_parameter", () => {
    fails(session(), { ...ok, cipherSuite: GCM128_RSA }, "ILLEGAL_PARAMETER", 47, /different cipher suite/);
  });

  it("refuses an EMS session resumed without EMS, and a non-EMS session resumed with it, with handshake_failure", () => {
    fails(session(), { ...ok, extendedMasterSecret: false }, "HANDSHAKE_FAILURE", 40, /made with extended_master_secret without/);
    fails(session({ extendedMasterSecret: false }), ok, "HANDSHAKE_FAILURE", 40, /made without extended_master_secret but now/);
  });

  it("refuses a session for another name", () => {
    fails(session(), { ...ok, serverName: "other.example.com" }, "HANDSHAKE_FAILURE", 40, /belongs to broker\.example\.com/);
  });
});

describe("createSession, sessionOffer, serverResumed", () => {
  const leaf = Uint8Array.of(0x30, 1, 2, 3);
  const base = {
    cipherSuite: CHACHA_ECDSA,
    masterSecret: new Uint8Array(48).fill(5),
    extendedMasterSecret: true,
    serverName: "broker.example.com",
    sessionId: new Uint8Array(32).fill(3),
    ticket: { lifetimeHint: 300, ticket: Uint8Array.of(1, 2, 3) },
    alpn: "mqtt",
    leafCertificate: leaf,
    verified: true,
    now: T0,
  };

  it("copies the secrets (the handshake wipes its own) and hashes the leaf", () => {
    const s = createSession(base)!;
    base.masterSecret.fill(0);
    expect(s.masterSecret.every((b) => b === 5)).toBe(true);
    expect(Buffer.from(s.peerCertificateHash!).equals(createHash("sha256").update(leaf).digest())).toBe(true);
    expect(s.ticketLifetime).toBe(300);
    expect(s.ticketReceivedAt).toBe(T0);
    expect(s.resumable).toBe(true);
    expect(sessionUsable(s, { ...ctx, now: T0 + 1000 })).toBe(true);
  });

  it("returns null when the server gave neither an ID nor a ticket (an empty ticket counts as none)", () => {
    expect(createSession({ ...base, sessionId: new Uint8Array(0), ticket: null })).toBeNull();
    expect(createSession({ ...base, sessionId: new Uint8Array(0), ticket: { lifetimeHint: 300, ticket: new Uint8Array(0) } })).toBeNull();
    const idOnly = createSession({ ...base, ticket: { lifetimeHint: 300, ticket: new Uint8Array(0) } })!;
    expect(idOnly.ticket).toBeNull();
    expect(idOnly.ticketLifetime).toBe(0);
    expect(decodeSession(encodeSession(idOnly))).toEqual(idOnly);
  });

  it("offers a ticket with a fresh random session ID, and a plain session by its ID", () => {
    const withTicket = sessionOffer(session(), random);
    expect(withTicket.sessionId.length).toBe(32);
    expect(Array.from(withTicket.sessionId)).not.toEqual(Array.from(session().sessionId));
    expect(Array.from(withTicket.ticketExtension)).toEqual(Array.from(session().ticket!));
    const idOnly = sessionOffer(session({ ticket: null, ticketLifetime: 0, ticketReceivedAt: null }), random);
    expect(Array.from(idOnly.sessionId)).toEqual(Array.from(session().sessionId));
    expect(idOnly.ticketExtension.length).toBe(0);
    const none = sessionOffer(null, random);
    expect(none.sessionId.length + none.ticketExtension.length).toBe(0);
  });

  it("detects resumption by the echoed session ID only", () => {
    const id = new Uint8Array(32).fill(4);
    expect(serverResumed(id, id.slice())).toBe(true);
    expect(serverResumed(id, new Uint8Array(32).fill(5))).toBe(false);
    expect(serverResumed(new Uint8Array(0), new Uint8Array(0))).toBe(false);
  });
});

describe("the handshake's one clock reader", () => {
  it("gives ms, or null without a clock and for a clock that returns NaN or a non-number", () => {
    expect(readClock({ now: () => 1_800_000_000_000 })).toBe(1_800_000_000_000);
    expect(readClock({ now: null })).toBeNull();
    expect(readClock({ now: () => NaN })).toBeNull();
    expect(readClock({ now: (() => "soon") as unknown as () => number })).toBeNull();
  });
});
