import { asciiBytes, bytesToAscii, equalBytes, Reader, Writer } from "../bytes.js";
import { hash } from "../crypto/hash.js";
import { randomBytes, type RandomSource } from "../crypto/random.js";
import { TlsError, tlsError } from "../errors.js";
import { MASTER_SECRET_LENGTH } from "./key-schedule.js";
import { TLS12 } from "./messages.js";

// What a client keeps to resume a TLS 1.2 session (RFC 5246 §7.4.1.2 session IDs, RFC 5077 tickets), its
// serialised form for flash across deep sleep, and the checks before offering it and after the server's answer.
// The master secret is in here: whoever reads a saved session can decrypt the connections resumed from it.

export interface TlsSession {
  /** Protocol version: 0x0303 (TLS 1.2). */
  version: number;
  /** IANA cipher suite code. A resumed connection must use the same one. */
  cipherSuite: number;
  /** The 48-byte master secret. Secret! */
  masterSecret: Uint8Array;
  /** Whether the master secret was made with RFC 7627 extended_master_secret. */
  extendedMasterSecret: boolean;
  /** The name the session was made for (SNI / the verified name); a session is only offered to the same name. */
  serverName: string | null;
  /** The server's session ID (0..32 bytes); empty when the server only gave a ticket. */
  sessionId: Uint8Array;
  /** The RFC 5077 ticket, opaque to us; null when the server issued none. */
  ticket: Uint8Array | null;
  /** The ticket's lifetime hint in seconds; 0 = unspecified (RFC 5077 §3.3). */
  ticketLifetime: number;
  /** When the ticket arrived (ms since the epoch); null without a clock. */
  ticketReceivedAt: number | null;
  /** The ALPN protocol of the original connection (printable ASCII only; informational). */
  alpn: string | null;
  /** SHA-256 of the server's leaf certificate DER: the identity the session was authenticated with. */
  peerCertificateHash: Uint8Array | null;
  /** Whether the server's chain and name were verified (verify: true) when the session was made. */
  verified: boolean;
  /** When the full handshake completed (ms since the epoch); null without a clock. */
  createdAt: number | null;
  /**
   * True once the handshake completed; set to false when the connection later fails with a fatal alert
   * (RFC 5246 §7.2.2: such sessions must not be resumed). The client mutates this same object.
   */
  resumable: boolean;
}

/** What the state machine knows when a full handshake completes (or an abbreviated one renews the ticket). */
export interface SessionParameters {
  cipherSuite: number;
  masterSecret: Uint8Array;
  extendedMasterSecret: boolean;
  serverName: string | null;
  sessionId: Uint8Array;
  ticket: { lifetimeHint: number; ticket: Uint8Array } | null;
  alpn: string | null;
  /** The server's leaf certificate (DER), or null on a resumed connection (then pass the old session's hash). */
  leafCertificate: Uint8Array | null;
  peerCertificateHash?: Uint8Array | null;
  verified: boolean;
  now: number | null;
}

/**
 * A new session from a completed handshake. Everything is copied: the handshake wipes its master secret
 * when it ends. Returns null when there is nothing to resume with (no session ID and no ticket).
 */
export function createSession(p: SessionParameters): TlsSession | null {
  // RFC 5077 §3.3: an empty ticket means the server will not issue one after all.
  const ticket = p.ticket && p.ticket.ticket.length > 0 && p.ticket.ticket.length <= 0xffff ? p.ticket : null;
  if (p.sessionId.length === 0 && ticket === null) return null;
  const now = p.now !== null && p.now === p.now ? Math.floor(p.now) : null;
  return {
    version: TLS12,
    cipherSuite: p.cipherSuite,
    masterSecret: p.masterSecret.slice(),
    extendedMasterSecret: p.extendedMasterSecret,
    serverName: p.serverName,
    sessionId: p.sessionId.slice(),
    ticket: ticket ? ticket.ticket.slice() : null,
    ticketLifetime: ticket ? ticket.lifetimeHint : 0,
    ticketReceivedAt: ticket ? now : null,
    alpn: p.alpn !== null && p.alpn.length <= 255 && isPrintableAscii(p.alpn) ? p.alpn : null,
    peerCertificateHash: p.leafCertificate ? hash("sha256", p.leafCertificate) : p.peerCertificateHash ? p.peerCertificateHash.slice() : null,
    verified: p.verified,
    createdAt: now,
    resumable: true,
  };
}

/**
 * What the ClientHello carries to offer a session: the session ID field and the session_ticket extension's data.
 * With a ticket, the session ID is fresh randomness the server echoes if it accepts the ticket (RFC 5077 §3.4).
 * Without one, the ticket extension goes out empty, asking for a ticket.
 */
export function sessionOffer(s: TlsSession | null, random: RandomSource): { sessionId: Uint8Array; ticketExtension: Uint8Array } {
  if (s === null) return { sessionId: new Uint8Array(0), ticketExtension: new Uint8Array(0) };
  if (s.ticket) return { sessionId: randomBytes(random, 32), ticketExtension: s.ticket };
  return { sessionId: s.sessionId, ticketExtension: new Uint8Array(0) };
}

// ---------- serialisation ----------

/** "mTLS" + format version. The version changes whenever the layout does; unknown versions are refused, not guessed. */
const MAGIC = [0x6d, 0x54, 0x4c, 0x53];
export const SESSION_FORMAT_VERSION = 1;
/** A truncated SHA-256 over everything before it: catches flash corruption and truncation (not an attacker who can write flash). */
const CHECK_LENGTH = 16;

const FLAG_EMS = 1;
const FLAG_RESUMABLE = 2;
const FLAG_VERIFIED = 4;
const FLAG_TICKET = 8;
const FLAG_CREATED_AT = 16;
const FLAG_RECEIVED_AT = 32;
const KNOWN_FLAGS = 63;

function sessionError(message: string): TlsError {
  return tlsError("config", message);
}

function isPrintableAscii(s: string): boolean {
  return /^[\x20-\x7e]*$/.test(s);
}

/** A timestamp (ms) as 8 bytes: two u32 halves, since JS bit operations stop at 32 bits. */
function writeTime(w: Writer, t: number): void {
  w.u32(Math.floor(t / 0x100000000)).u32(t % 0x100000000);
}

function readTime(r: Reader): number {
  return r.u32() * 0x100000000 + r.u32();
}

function validTime(t: number | null): boolean {
  return t === null || (typeof t === "number" && t >= 0 && t <= Number.MAX_SAFE_INTEGER && Math.floor(t) === t);
}

/** Checks the fields a session must have to be encoded or used; returns the problem or null. */
function sessionProblem(s: TlsSession): string | null {
  if (s === null || typeof s !== "object") return "not a session object";
  if (s.version !== TLS12) return `unsupported protocol version ${String(s.version)}`;
  if (!(typeof s.cipherSuite === "number" && s.cipherSuite >= 0 && s.cipherSuite <= 0xffff)) return "bad cipher suite";
  if (!(s.masterSecret instanceof Uint8Array) || s.masterSecret.length !== MASTER_SECRET_LENGTH) return "the master secret is not 48 bytes";
  if (!(s.sessionId instanceof Uint8Array) || s.sessionId.length > 32) return "the session ID is over 32 bytes";
  if (s.ticket !== null && (!(s.ticket instanceof Uint8Array) || s.ticket.length === 0 || s.ticket.length > 0xffff)) return "bad ticket";
  if (s.sessionId.length === 0 && s.ticket === null) return "it has neither a session ID nor a ticket";
  if (s.serverName !== null && (typeof s.serverName !== "string" || s.serverName.length > 255 || !isPrintableAscii(s.serverName))) return "bad server name";
  if (s.alpn !== null && (typeof s.alpn !== "string" || s.alpn.length === 0 || s.alpn.length > 255 || !isPrintableAscii(s.alpn))) return "bad ALPN protocol";
  if (s.peerCertificateHash !== null && (!(s.peerCertificateHash instanceof Uint8Array) || s.peerCertificateHash.length !== 32)) return "bad certificate hash";
  if (!(typeof s.ticketLifetime === "number" && s.ticketLifetime >= 0 && s.ticketLifetime <= 0xffffffff && Math.floor(s.ticketLifetime) === s.ticketLifetime)) return "bad ticket lifetime";
  if (!validTime(s.ticketReceivedAt) || !validTime(s.createdAt)) return "bad timestamp";
  return null;
}

/**
 * The session as bytes for flash or a file (Mbed TLS's mbedtls_ssl_session_save). It holds the master secret:
 * store it like a private key. About 190 bytes plus the ticket.
 */
export function encodeSession(s: TlsSession): Uint8Array {
  const problem = sessionProblem(s);
  if (problem) throw sessionError(`cannot encode the session: ${problem}`);
  const flags =
    (s.extendedMasterSecret ? FLAG_EMS : 0) | (s.resumable ? FLAG_RESUMABLE : 0) | (s.verified ? FLAG_VERIFIED : 0) |
    (s.ticket ? FLAG_TICKET : 0) | (s.createdAt !== null ? FLAG_CREATED_AT : 0) | (s.ticket && s.ticketReceivedAt !== null ? FLAG_RECEIVED_AT : 0);
  const w = new Writer(160 + (s.ticket ? s.ticket.length : 0));
  for (const b of MAGIC) w.u8(b);
  w.u8(SESSION_FORMAT_VERSION).u8(flags).u16(s.version).u16(s.cipherSuite);
  w.vec8(s.masterSecret).vec8(s.sessionId);
  w.vec8(s.serverName === null ? new Uint8Array(0) : asciiBytes(s.serverName));
  w.vec8(s.alpn === null ? new Uint8Array(0) : asciiBytes(s.alpn));
  w.vec8(s.peerCertificateHash ?? new Uint8Array(0));
  if (s.createdAt !== null) writeTime(w, s.createdAt);
  if (s.ticket) {
    w.vec16(s.ticket).u32(s.ticketLifetime);
    if (s.ticketReceivedAt !== null) writeTime(w, s.ticketReceivedAt);
  }
  const body = w.finish();
  return new Writer(body.length + CHECK_LENGTH).bytes(body).bytes(hash("sha256", body).subarray(0, CHECK_LENGTH)).finish();
}

/** The inverse of encodeSession. A corrupt, truncated or unknown-version blob is a TlsError CONFIG, never a crash. */
export function decodeSession(bytes: Uint8Array): TlsSession {
  if (!(bytes instanceof Uint8Array)) throw sessionError("a saved session must be a Uint8Array");
  if (bytes.length < MAGIC.length + 1 + CHECK_LENGTH || MAGIC.some((b, i) => bytes[i] !== b)) {
    throw sessionError("these bytes are not a saved microtls session");
  }
  const format = bytes[MAGIC.length];
  if (format !== SESSION_FORMAT_VERSION) {
    throw sessionError(`the saved session has format version ${format}, this microtls reads version ${SESSION_FORMAT_VERSION}: do a full handshake and save the new session`);
  }
  const body = bytes.subarray(0, bytes.length - CHECK_LENGTH);
  if (!equalBytes(hash("sha256", body).subarray(0, CHECK_LENGTH), bytes.subarray(bytes.length - CHECK_LENGTH))) {
    throw sessionError("the saved session is corrupt (its check value does not match): do a full handshake");
  }
  let session: TlsSession;
  try {
    const r = new Reader(body, "saved session");
    r.bytes(MAGIC.length + 1);
    const flags = r.u8();
    if (flags & ~KNOWN_FLAGS) throw sessionError("the saved session has unknown flags");
    const version = r.u16();
    const cipherSuite = r.u16();
    const masterSecret = r.vec8().slice();
    const sessionId = r.vec8().slice();
    const name = r.vec8();
    const alpn = r.vec8();
    const certHash = r.vec8();
    const createdAt = flags & FLAG_CREATED_AT ? readTime(r) : null;
    let ticket: Uint8Array | null = null;
    let ticketLifetime = 0;
    let ticketReceivedAt: number | null = null;
    if (flags & FLAG_TICKET) {
      ticket = r.vec16().slice();
      ticketLifetime = r.u32();
      if (flags & FLAG_RECEIVED_AT) ticketReceivedAt = readTime(r);
    } else if (flags & FLAG_RECEIVED_AT) {
      throw sessionError("the saved session is inconsistent");
    }
    r.end();
    session = {
      version,
      cipherSuite,
      masterSecret,
      extendedMasterSecret: (flags & FLAG_EMS) !== 0,
      serverName: name.length ? bytesToAscii(name) : null,
      sessionId,
      ticket,
      ticketLifetime,
      ticketReceivedAt,
      alpn: alpn.length ? bytesToAscii(alpn) : null,
      peerCertificateHash: certHash.length ? certHash.slice() : null,
      verified: (flags & FLAG_VERIFIED) !== 0,
      createdAt,
      resumable: (flags & FLAG_RESUMABLE) !== 0,
    };
  } catch (e) {
    if (e instanceof TlsError && e.code === "CONFIG") throw e;
    throw sessionError("the saved session is malformed: do a full handshake");
  }
  const problem = sessionProblem(session);
  if (problem) throw sessionError(`the saved session is unusable: ${problem}`);
  return session;
}

// ---------- before offering ----------

/** Sessions without a ticket lifetime hint are not offered after this long (RFC 5246 Appendix F.1.4: at most 24 hours). */
export const DEFAULT_MAX_SESSION_AGE_MS = 24 * 3600 * 1000;

export interface SessionUseContext {
  /** The name this connection is for (config.serverName). */
  serverName: string | null;
  /** The cipher suite codes this ClientHello offers. */
  offeredSuites: number[];
  /** The clock (ms), or null when the device has none. */
  now: number | null;
  /** True when this client verifies the server (verify: true): a session made without verification is not reused. */
  requireVerified: boolean;
  /** Offer sessions without extended master secret (RFC 7627 §5.3 says SHOULD NOT). Default false. */
  allowLegacyResumption?: boolean;
  /** Default DEFAULT_MAX_SESSION_AGE_MS. */
  maxAgeMs?: number;
}

function sameName(a: string | null, b: string | null): boolean {
  if (a === null || b === null) return a === b;
  return a.replace(/\.$/, "").toLowerCase() === b.replace(/\.$/, "").toLowerCase();
}

/**
 * true when the session may be offered in this ClientHello, else the reason it may not (for the trace; the
 * client then does a full handshake). Without a clock, expiry cannot be checked and the server decides.
 */
export function sessionUsable(s: TlsSession, ctx: SessionUseContext): true | string {
  const problem = sessionProblem(s);
  if (problem) return `the session is invalid: ${problem}`;
  if (!s.resumable) return "the session's connection failed or never completed";
  if (!sameName(s.serverName, ctx.serverName)) return `the session is for ${s.serverName ?? "no server name"}, not ${ctx.serverName ?? "no server name"}`;
  if (ctx.offeredSuites.indexOf(s.cipherSuite) < 0) return `the session's cipher suite 0x${(s.cipherSuite + 0x10000).toString(16).slice(1)} is no longer offered`;
  if (ctx.requireVerified && !s.verified) return "the session was made without verifying the server, and this client verifies";
  if (!s.extendedMasterSecret && !ctx.allowLegacyResumption) return "the session has no extended master secret (RFC 7627 §5.3: not resumed)";
  const now = ctx.now;
  if (now !== null && typeof now === "number" && now === now) {
    if (s.createdAt !== null && now < s.createdAt) return "the clock is earlier than the session's creation: the clock was reset, so its age is unknown";
    if (s.ticket !== null && s.ticketLifetime > 0) {
      const receivedAt = s.ticketReceivedAt ?? s.createdAt;
      if (receivedAt !== null && now >= receivedAt + s.ticketLifetime * 1000) return `the ticket expired (lifetime ${s.ticketLifetime} s)`;
    } else {
      const maxAge = ctx.maxAgeMs ?? DEFAULT_MAX_SESSION_AGE_MS;
      if (s.createdAt !== null && now - s.createdAt >= maxAge) return `the session is older than ${Math.round(maxAge / 1000)} s`;
    }
  }
  return true;
}

// ---------- after the ServerHello ----------

/** What the client learned from a ServerHello that resumed the session. */
export interface ResumedServerHello {
  cipherSuite: number;
  extendedMasterSecret: boolean;
  /** The name this connection is for (the session must be for the same one). */
  serverName: string | null;
}

function handshakeFailure(message: string): TlsError {
  return tlsError("handshake_failure", message);
}

/**
 * Whether the server resumed: it echoed the non-empty session ID we sent (RFC 5246 §7.4.1.3; with a ticket,
 * RFC 5077 §3.4, the ID we sent is one we made up for exactly this purpose).
 */
export function serverResumed(offeredSessionId: Uint8Array, serverSessionId: Uint8Array): boolean {
  return offeredSessionId.length > 0 && equalBytes(offeredSessionId, serverSessionId);
}

/** Throws TlsError when an abbreviated handshake does not match the session it resumes. */
export function checkResumedServerHello(s: TlsSession, hello: ResumedServerHello): void {
  if (hello.cipherSuite !== s.cipherSuite) {
    // RFC 5246 §7.4.1.3: the server must resume with the session's own suite.
    throw tlsError("illegal_parameter", "the server resumed the session with a different cipher suite");
  }
  // RFC 7627 §5.3: the master secret's derivation must be the session's, in both directions.
  if (s.extendedMasterSecret && !hello.extendedMasterSecret) {
    throw handshakeFailure("the server resumed a session made with extended_master_secret without the extension (RFC 7627 §5.3)");
  }
  if (!s.extendedMasterSecret && hello.extendedMasterSecret) {
    throw handshakeFailure("the server resumed a session made without extended_master_secret but now agreed to it (RFC 7627 §5.3)");
  }
  if (!sameName(s.serverName, hello.serverName)) {
    throw handshakeFailure(`the resumed session belongs to ${s.serverName ?? "no server name"}, not ${hello.serverName ?? "no server name"}`);
  }
}

/** Session resumption (this file): offering, checking, recording and (de)serialising sessions. */
export interface ResumptionSupport {
  decode(bytes: Uint8Array): TlsSession;
  encode(s: TlsSession): Uint8Array;
  usable(s: TlsSession, ctx: SessionUseContext): true | string;
  offer(s: TlsSession | null, random: RandomSource): { sessionId: Uint8Array; ticketExtension: Uint8Array };
  serverResumed(offeredSessionId: Uint8Array, serverSessionId: Uint8Array): boolean;
  checkResumedServerHello(s: TlsSession, hello: ResumedServerHello): void;
  create(p: SessionParameters): TlsSession | null;
}

/** Session resumption for microtls/core: pass it as the resumptionSupport option (the microtls entry always has it). */
export const resumptionSupport: ResumptionSupport = {
  decode: decodeSession,
  encode: encodeSession,
  usable: sessionUsable,
  offer: sessionOffer,
  serverResumed,
  checkResumedServerHello,
  create: createSession,
};
