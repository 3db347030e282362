import { concatBytes, equalBytes } from "../bytes.js";
import type { EcdhGroup } from "../crypto/ecdh.js";
import { randomBytes } from "../crypto/random.js";
import type { PublicKey } from "../crypto/signature.js";
import { atBoundary, TlsError, tlsError } from "../errors.js";
import type { RecordCipher } from "../record/cipher.js";
import type { HandshakeMessage } from "../record/handshake-reassembler.js";
import type { ResumptionSupport } from "./config.js";
import { HandshakeContext, NO_CLIENT_CERTIFICATE, readClock, unexpectedMessage } from "./context.js";
import { checkServerExtensions, clientExtensions, extensionName, type ExtensionOffer, type ServerAgreement } from "./extensions.js";
import { finishedVerifyData, masterSecret, trafficKeys, VERIFY_DATA_LENGTH } from "./key-schedule.js";
import {
  encodeCertificateList,
  encodeClientHello,
  encodeClientKeyExchangeEcdhe,
  encodeClientKeyExchangeRsa,
  encodeFinished,
  HandshakeType,
  parseCertificateList,
  parseCertificateRequest,
  parseEcdheServerKeyExchange,
  parseEmpty,
  parseFinished,
  parseNewSessionTicket,
  parseServerHello,
  RANDOM_LENGTH,
  TLS12,
  type CertificateRequest,
  type Extension,
} from "./messages.js";
import { checkServerCertificate } from "./server-certificate.js";
import type { TlsSession } from "./session.js";
import { schemeFitsKey, schemeName } from "./signature-schemes.js";
import { suiteName } from "./suite-params.js";
import type { CipherSuite } from "./suites.js";

// The client's TLS 1.2 handshake (RFC 5246 §7.3) as one small step per state, after rustls's client/tls12.rs:
// each state takes one message and returns the next state, handing on what it learned as the next state's
// constructor arguments, so nothing a state reads can be missing. The full handshake, with an optional client
// certificate, then the abbreviated one that resumes a session (by ID or ticket).

export interface HandshakeState {
  /** What this state waits for, for error messages and traces. */
  readonly expecting: string;
  /** Set on the final state only: what the handshake agreed. */
  readonly result?: HandshakeResult;
  handle(hs: HandshakeContext, msg: HandshakeMessage): HandshakeState;
  /** Only the state waiting for the server's ChangeCipherSpec accepts one. */
  changeCipherSpec?(hs: HandshakeContext): HandshakeState;
}

/** What a completed handshake agreed: the connection keeps this, and drops the handshake. */
export interface HandshakeResult {
  readonly suite: CipherSuite;
  readonly alpnProtocol: string | null;
  readonly extendedMasterSecret: boolean;
  readonly maxFragmentLength: number | null;
  readonly group: EcdhGroup | null;
  /** The server's chain as DER, leaf first (empty when a session was resumed). */
  readonly chain: Uint8Array[];
  readonly verifyFlags: string[];
  readonly session: TlsSession | null;
  readonly resumed: boolean;
}

/** The session the ClientHello offered, and the session ID field that offered it. */
interface Offered {
  readonly session: TlsSession;
  readonly sessionId: Uint8Array;
  readonly support: ResumptionSupport;
}

/** What the ClientHello said: the ServerHello is checked against it. */
interface Hello {
  readonly random: Uint8Array;
  readonly offer: ExtensionOffer;
  readonly extensions: Extension[];
  readonly offered: Offered | null;
}

/** What the ServerHello settled: every later state has it. */
interface Negotiated {
  readonly clientRandom: Uint8Array;
  readonly serverRandom: Uint8Array;
  readonly sessionId: Uint8Array;
  readonly suite: CipherSuite;
  readonly agreed: ServerAgreement;
  /** Our supported_groups, which also bound the curves of ECDSA certificates. */
  readonly offeredGroups: number[];
}

/** The server's checked chain (full handshake). */
interface ServerIdentity {
  readonly chain: Uint8Array[];
  readonly leafKey: PublicKey;
  readonly verifyFlags: string[];
}

/** The ServerKeyExchange's group and public key (ECDHE only). */
interface ServerShare {
  readonly group: EcdhGroup;
  readonly publicKey: Uint8Array;
}

/** The keys of one handshake; the write cipher is installed when our ChangeCipherSpec goes out. */
interface Keys {
  readonly masterSecret: Uint8Array;
  readonly readCipher: RecordCipher;
  readonly writeCipher: RecordCipher;
}

/** How the handshake ends once the server's Finished checks out: the full and abbreviated ones differ here. */
interface Ending {
  readonly group: EcdhGroup | null;
  readonly identity: ServerIdentity | null;
  /** The abbreviated handshake: the session resumed. */
  readonly resumed: Offered | null;
}

type Ticket = { lifetimeHint: number; ticket: Uint8Array };

/** The end state: it carries the result, which the facade hands to the connection. */
class Established implements HandshakeState {
  readonly expecting = "nothing (handshake complete)";
  constructor(readonly result: HandshakeResult) {}

  handle(_hs: HandshakeContext, msg: HandshakeMessage): HandshakeState {
    throw unexpectedMessage(this.expecting, msg.type);
  }
}

/** RFC 8422 §5.1.1 NamedCurve ids of the curves a certificate key may use. */
const CURVE_GROUP_IDS: Record<string, number> = { "P-256": 23, "P-384": 24 };

function expect(state: HandshakeState, msg: HandshakeMessage, type: number): void {
  if (msg.type !== type) throw unexpectedMessage(state.expecting, msg.type);
}

/** Sends the ClientHello and returns the first waiting state. */
export function startHandshake(hs: HandshakeContext): HandshakeState {
  const { config } = hs;
  const random = randomBytes(config.random, RANDOM_LENGTH);
  const ecdhe = config.suites.some((s) => s.keyExchange === "ECDHE");
  const resumption = config.resumption;
  let session: TlsSession | null = null;
  if (resumption && config.session) {
    const usable = resumption.usable(config.session, {
      serverName: config.serverName,
      offeredSuites: config.suites.map((s) => s.id),
      now: readClock(config),
      requireVerified: config.verify,
      allowLegacyResumption: config.allowLegacyResumption,
    });
    if (usable === true) session = config.session;
    else config.trace?.(`session not offered: ${usable}`);
  }
  const ids = resumption ? resumption.offer(session, config.random) : null;
  const offered = session && resumption && ids ? { session, sessionId: ids.sessionId, support: resumption } : null;
  hs.offeredSession = session;
  const offer: ExtensionOffer = {
    sniHost: config.serverNameKind === "dns" ? config.serverName : null,
    groups: ecdhe ? config.groups.map((g) => g.id) : [],
    schemes: config.schemes.map((s) => s.id),
    alpn: config.alpn,
    maxFragmentLength: config.maxFragmentLength,
    recordSizeLimit: config.recordSizeLimit,
    // An empty session_ticket asks for a ticket to resume with later (unless sessionTickets: false).
    sessionTicket: ids && (session || config.sessionTickets) ? ids.ticketExtension : null,
  };
  const extensions = clientExtensions(offer);
  const hello = encodeClientHello({
    random,
    // Without a session to offer, an empty session ID field (or the one resumption.offer made for none).
    sessionId: ids ? ids.sessionId : new Uint8Array(0),
    cipherSuites: config.suites.map((s) => s.id),
    extensions,
  });
  // The first record says TLS 1.0, as every browser does: some old middleboxes drop other values.
  const detail = !config.trace ? "" : `suites=${config.suites.length} groups=${config.groups.map((g) => g.name).join(",")}` +
    (offer.sniHost ? ` sni=${offer.sniHost}` : "") + (config.alpn.length ? ` alpn=${config.alpn.join(",")}` : "") +
    (session ? (session.ticket ? " resume=ticket" : " resume=session-id") : "");
  hs.sendHandshake(hello, detail, 0x0301);
  return new ExpectServerHello({ random, offer, extensions, offered });
}

class ExpectServerHello implements HandshakeState {
  readonly expecting = "ServerHello";
  constructor(private readonly hello: Hello) {}

  handle(hs: HandshakeContext, msg: HandshakeMessage): HandshakeState {
    expect(this, msg, HandshakeType.server_hello);
    const { config } = hs;
    const server = parseServerHello(msg.body);
    if (server.version !== TLS12) {
      const v = server.version === 0x0300 ? "SSL 3.0" : server.version >= 0x0301 && server.version < TLS12 ? `TLS 1.${server.version - 0x0301}` : `0x${server.version.toString(16)}`;
      throw tlsError("protocol_version", `the server chose ${v}; only TLS 1.2 is supported`);
    }
    // RFC 5246 §7.4.1.3: the suite and compression must be ones we offered.
    const suite = config.suites.filter((s) => s.id === server.cipherSuite)[0];
    if (!suite) throw tlsError("illegal_parameter", `the server chose cipher suite ${suiteName(server.cipherSuite, config.knownSuites)}, which we did not offer`);
    if (server.compression !== 0) throw tlsError("illegal_parameter", `the server chose compression method ${server.compression}, which we did not offer`);
    const agreed = checkServerExtensions(server.extensions, this.hello.extensions, this.hello.offer);
    if (!agreed.extendedMasterSecret && config.requireExtendedMasterSecret) {
      throw tlsError("handshake_failure", "the server does not support extended_master_secret (RFC 7627), which requireExtendedMasterSecret demands");
    }
    hs.transcript.useHash(suite.createHash);
    hs.transcript.add(msg.raw);
    // RFC 6066 §4: the negotiated fragment length holds from the messages after the ServerHello, both ways.
    if (agreed.maxFragmentLength !== null) hs.record.setMaxFragment(agreed.maxFragmentLength, agreed.maxFragmentLength);
    const n: Negotiated = {
      clientRandom: this.hello.random,
      serverRandom: server.random,
      sessionId: server.sessionId,
      suite,
      agreed,
      offeredGroups: this.hello.offer.groups,
    };
    const offered = this.hello.offered;
    const resumed = offered !== null && offered.support.serverResumed(offered.sessionId, server.sessionId);
    config.trace?.(`<- server_hello suite=${suite.name} ext=[${server.extensions.map((e) => extensionName(e.type)).join(",")}]` +
      (agreed.alpnProtocol ? ` alpn=${agreed.alpnProtocol}` : "") + (offered ? (resumed ? " resumed" : " session declined: full handshake") : ""));
    if (offered && resumed) return resumeSession(hs, n, offered);
    // A declined session falls back to a full handshake, which makes a new session (RFC 5246 §7.4.1.3).
    hs.offeredSession = null;
    return new ExpectCertificate(n);
  }
}

class ExpectCertificate implements HandshakeState {
  readonly expecting = "Certificate";
  constructor(private readonly n: Negotiated) {}

  handle(hs: HandshakeContext, msg: HandshakeMessage): HandshakeState {
    expect(this, msg, HandshakeType.certificate);
    const chain = parseCertificateList(msg.body);
    hs.transcript.add(msg.raw);
    hs.config.trace?.(`<- certificate ${chain.length} cert(s)`);
    const { config } = hs;
    const { suite } = this.n;
    // Kept before the check, so a refused chain stays readable (client.peerCertificates).
    hs.chain = chain;
    const { leafKey, flags } = checkServerCertificate({
      chain,
      anchors: config.verify ? config.trustAnchors : null,
      serverName: config.serverName,
      serverNameKind: config.serverNameKind,
      now: readClock(config),
      allowUnknownTime: config.allowUnknownTime,
      verifier: config.verifySignature,
      digest: config.digest,
      limits: config.limits,
      // RFC 5246 §7.4.2, RFC 8422 §5.3: ECDHE signs with the leaf's key, RSA key exchange encrypts to it.
      leafKeyUsage: suite.keyExchange === "ECDHE" ? "digitalSignature" : "keyEncipherment",
      pins: config.pins,
      pinHash: config.pinHash,
      verifyPeer: config.verifyPeer,
    });
    const wanted = suite.auth === "ECDSA" ? "ec" : "rsa";
    if (leafKey.type !== wanted) {
      throw tlsError(
        "unsupported_certificate",
        `${suite.name} needs an ${suite.auth} server key, but the certificate holds ${leafKey.type === "unsupported" ? leafKey.algorithm : leafKey.type}`,
      );
    }
    // In TLS 1.2 supported_groups also names the curves we accept in ECDSA certificates (RFC 8422 §5.1); like
    // BoringSSL, a leaf on another curve is refused with illegal_parameter.
    if (leafKey.type === "ec" && this.n.offeredGroups.indexOf(CURVE_GROUP_IDS[leafKey.curve]) < 0) {
      throw tlsError("illegal_parameter", `the server's ECDSA certificate is on ${leafKey.curve}, which our supported_groups did not offer`);
    }
    const identity: ServerIdentity = { chain, leafKey, verifyFlags: flags };
    // RFC 5246 §7.4.3: only the ECDHE suites have a ServerKeyExchange.
    return suite.keyExchange === "ECDHE" ? new ExpectServerKeyExchange(this.n, identity) : new ExpectCertificateRequestOrDone(this.n, identity, null);
  }
}

class ExpectServerKeyExchange implements HandshakeState {
  readonly expecting = "ServerKeyExchange";
  constructor(private readonly n: Negotiated, private readonly identity: ServerIdentity) {}

  handle(hs: HandshakeContext, msg: HandshakeMessage): HandshakeState {
    expect(this, msg, HandshakeType.server_key_exchange);
    const { config } = hs;
    const ske = parseEcdheServerKeyExchange(msg.body);
    const group = config.groups.filter((g) => g.id === ske.group)[0];
    if (!group) throw tlsError("illegal_parameter", `the server chose group ${ske.group}, which we did not offer`);
    const scheme = config.schemes.filter((s) => s.id === ske.scheme)[0];
    if (!scheme) throw tlsError("illegal_parameter", `the server signed with ${schemeName(ske.scheme)}, which we did not offer`);
    const key = this.identity.leafKey;
    if (!schemeFitsKey(scheme, key)) throw tlsError("illegal_parameter", `the server signed with ${scheme.name}, which does not fit its ${key.type} key`);
    // RFC 8422 §5.4: the signature covers both randoms and the ECDH parameters.
    const signed = concatBytes(this.n.clientRandom, this.n.serverRandom, ske.params);
    let verified = false;
    try {
      verified = config.verifySignature(key, scheme.algorithm, signed, ske.signature);
    } catch {
      // A verifier the application passed must not turn a bad signature into an internal error.
    }
    if (!verified) throw tlsError("decrypt_error", "the ServerKeyExchange signature does not verify with the server certificate's key");
    hs.transcript.add(msg.raw);
    config.trace?.(`<- server_key_exchange group=${group.name} scheme=${scheme.name}`);
    return new ExpectCertificateRequestOrDone(this.n, this.identity, { group, publicKey: ske.publicKey });
  }
}

class ExpectCertificateRequestOrDone implements HandshakeState {
  readonly expecting = "CertificateRequest or ServerHelloDone";
  constructor(private readonly n: Negotiated, private readonly identity: ServerIdentity, private readonly share: ServerShare | null) {}

  handle(hs: HandshakeContext, msg: HandshakeMessage): HandshakeState {
    if (msg.type === HandshakeType.certificate_request) {
      const request = parseCertificateRequest(msg.body);
      hs.transcript.add(msg.raw);
      hs.config.trace?.(`<- certificate_request types=[${Array.from(request.certificateTypes).join(",")}]`);
      return new ExpectServerHelloDone(this.n, this.identity, this.share, request);
    }
    expect(this, msg, HandshakeType.server_hello_done);
    return new ExpectServerHelloDone(this.n, this.identity, this.share, null).handle(hs, msg);
  }
}

class ExpectServerHelloDone implements HandshakeState {
  readonly expecting = "ServerHelloDone";
  constructor(
    private readonly n: Negotiated,
    private readonly identity: ServerIdentity,
    private readonly share: ServerShare | null,
    private readonly request: CertificateRequest | null,
  ) {}

  handle(hs: HandshakeContext, msg: HandshakeMessage): HandshakeState {
    expect(this, msg, HandshakeType.server_hello_done);
    parseEmpty(msg.body, "ServerHelloDone");
    hs.transcript.add(msg.raw);
    hs.config.trace?.("<- server_hello_done");
    const keys = sendClientFlight(hs, this.n, this.identity, this.share, this.request);
    return expectTicketOrChangeCipherSpec(this.n, keys, { group: this.share ? this.share.group : null, identity: this.identity, resumed: null });
  }
}

/** [Certificate] ClientKeyExchange [CertificateVerify] ChangeCipherSpec Finished (RFC 5246 §7.3). */
function sendClientFlight(hs: HandshakeContext, n: Negotiated, identity: ServerIdentity, share: ServerShare | null, request: CertificateRequest | null): Keys {
  const { config } = hs;
  const { suite } = n;
  // RFC 5246 §7.4.8: the CertificateVerify, made once the ClientKeyExchange is in the transcript.
  let certificateVerify: { scheme: string; encode: () => Uint8Array } | null = null;
  const auth = config.clientAuth;
  if (request) {
    const choice = auth ? auth.select(request, config.clientCredential) : { reason: NO_CLIENT_CERTIFICATE };
    if ("reason" in choice) {
      // RFC 5246 §7.4.6: an empty Certificate lets the server decide whether to go on without one.
      hs.sendHandshake(encodeCertificateList([]), `(empty: ${choice.reason})`);
      hs.sentEmptyCertificate = choice.reason;
    } else if (auth) {
      const { credential, scheme, chain } = choice;
      hs.sendHandshake(encodeCertificateList(chain), `${chain.length} cert(s) for ${scheme.name}`);
      // Signed over every handshake message so far, hashed with the scheme's own hash.
      certificateVerify = { scheme: scheme.name, encode: () => auth.encodeCertificateVerify(credential, scheme, hs.transcript.messages(), config.random) };
    }
  }
  const preMaster = share ? ecdhePreMaster(hs, share) : rsaPreMaster(hs, suite, identity.leafKey);
  // RFC 7627 §3: the session hash runs up to the ClientKeyExchange, before any CertificateVerify.
  const master = masterSecret(suite, preMaster, n.clientRandom, n.serverRandom, n.agreed.extendedMasterSecret ? hs.transcript.current() : null);
  preMaster.fill(0);
  hs.masterSecret = master;
  if (certificateVerify) {
    let message: Uint8Array;
    try {
      message = certificateVerify.encode();
    } catch (e) {
      // Our own key or signer failing is our fault, not the server's: internal_error.
      throw atBoundary(e, "internal_error");
    }
    hs.sendHandshake(message, certificateVerify.scheme);
  }
  const keys = installKeys(hs, n, master);
  sendFinished(hs, n, keys);
  return keys;
}

/** RFC 8422 §5.10: our ephemeral share; the premaster secret is the ECDH result. */
function ecdhePreMaster(hs: HandshakeContext, share: ServerShare): Uint8Array {
  const { group } = share;
  const pair = group.generate(hs.config.random);
  let preMaster: Uint8Array;
  try {
    preMaster = group.sharedSecret(pair.privateKey, share.publicKey);
  } catch (e) {
    // RFC 8422 §5.11: a point off the curve (or a degenerate secret) is the server's illegal parameter.
    throw atBoundary(e, "illegal_parameter");
  } finally {
    pair.privateKey.fill(0);
  }
  hs.sendHandshake(encodeClientKeyExchangeEcdhe(pair.publicKey), `group=${group.name}`);
  return preMaster;
}

/** RFC 5246 §7.4.7.1: client_version (the version we offered) || 46 random bytes, encrypted to the server's key. */
function rsaPreMaster(hs: HandshakeContext, suite: CipherSuite, key: PublicKey): Uint8Array {
  const { config } = hs;
  if (key.type !== "rsa" || !suite.rsaEncrypt) throw tlsError("internal_error", "RSA key exchange without an RSA key or encryption");
  const preMaster = concatBytes(Uint8Array.of(TLS12 >> 8, TLS12 & 0xff), randomBytes(config.random, 46));
  let encrypted: Uint8Array;
  try {
    encrypted = suite.rsaEncrypt(key, preMaster, config.random);
  } catch (e) {
    // The certificate check bounds the key, so a key the primitive still refuses is a certificate of a kind we do
    // not accept; any other failure is ours.
    throw atBoundary(e, e instanceof TlsError && e.code === "UNSUPPORTED" ? "certificate_key_bounds" : "internal_error");
  }
  hs.sendHandshake(encodeClientKeyExchangeRsa(encrypted), "rsa");
  return preMaster;
}

/** RFC 5246 §6.3: the key block, as the two record ciphers; the key bytes are wiped once the ciphers hold them. */
function installKeys(hs: HandshakeContext, n: Negotiated, master: Uint8Array): Keys {
  hs.logKeys(n.clientRandom, master);
  const { suite } = n;
  const keys = trafficKeys(suite, master, n.clientRandom, n.serverRandom);
  const readCipher = suite.recordCipher(suite.aead(keys.serverKey), keys.serverIv);
  const writeCipher = suite.recordCipher(suite.aead(keys.clientKey), keys.clientIv);
  keys.clientKey.fill(0);
  keys.serverKey.fill(0);
  return { masterSecret: master, readCipher, writeCipher };
}

/** Our ChangeCipherSpec and Finished (RFC 5246 §7.4.9): after our flight, or after the server's in a resumption. */
function sendFinished(hs: HandshakeContext, n: Negotiated, keys: Keys): void {
  hs.sendChangeCipherSpec();
  hs.record.setWriteCipher(keys.writeCipher);
  // RFC 8449 §4: the record size limit governs protected records, so it starts with the new ciphers.
  const rsl = n.agreed.peerRecordSizeLimit;
  if (rsl !== null) hs.record.setMaxFragment(Math.min(rsl, 1 << 14), Math.min(hs.config.recordSizeLimit ?? 1 << 14, 1 << 14));
  hs.sendHandshake(encodeFinished(finishedVerifyData(n.suite, keys.masterSecret, "client", hs.transcript.current())));
}

/** RFC 5077 §3.3: a server that echoed session_ticket MUST send a NewSessionTicket before its ChangeCipherSpec. */
function expectTicketOrChangeCipherSpec(n: Negotiated, keys: Keys, ending: Ending): HandshakeState {
  return n.agreed.sessionTicket ? new ExpectNewTicket(n, keys, ending) : new ExpectChangeCipherSpec(n, keys, ending, null);
}

class ExpectNewTicket implements HandshakeState {
  readonly expecting = "NewSessionTicket";
  constructor(private readonly n: Negotiated, private readonly keys: Keys, private readonly ending: Ending) {}

  handle(hs: HandshakeContext, msg: HandshakeMessage): HandshakeState {
    expect(this, msg, HandshakeType.new_session_ticket);
    const ticket = parseNewSessionTicket(msg.body);
    hs.transcript.add(msg.raw);
    hs.config.trace?.(`<- new_session_ticket lifetime=${ticket.lifetimeHint}s`);
    return new ExpectChangeCipherSpec(this.n, this.keys, this.ending, ticket);
  }
}

class ExpectChangeCipherSpec implements HandshakeState {
  readonly expecting = "ChangeCipherSpec";
  constructor(private readonly n: Negotiated, private readonly keys: Keys, private readonly ending: Ending, private readonly ticket: Ticket | null) {}

  handle(_hs: HandshakeContext, msg: HandshakeMessage): HandshakeState {
    throw unexpectedMessage(this.expecting, msg.type);
  }

  changeCipherSpec(hs: HandshakeContext): HandshakeState {
    hs.config.trace?.("<- change_cipher_spec");
    hs.record.setReadCipher(this.keys.readCipher);
    return new ExpectFinished(this.n, this.keys, this.ending, this.ticket);
  }
}

class ExpectFinished implements HandshakeState {
  readonly expecting = "Finished";
  constructor(private readonly n: Negotiated, private readonly keys: Keys, private readonly ending: Ending, private readonly ticket: Ticket | null) {}

  handle(hs: HandshakeContext, msg: HandshakeMessage): HandshakeState {
    expect(this, msg, HandshakeType.finished);
    const { n, keys, ending } = this;
    const expected = finishedVerifyData(n.suite, keys.masterSecret, "server", hs.transcript.current());
    const received = parseFinished(msg.body, VERIFY_DATA_LENGTH);
    if (!equalBytes(expected, received)) {
      throw tlsError("decrypt_error", "the server's Finished does not match the handshake: the connection was tampered with or keys differ");
    }
    hs.transcript.add(msg.raw);
    hs.config.trace?.("<- finished");
    let session: TlsSession | null;
    if (ending.resumed) {
      // RFC 5246 §7.3 Figure 2: in an abbreviated handshake our Finished follows the server's.
      sendFinished(hs, n, keys);
      const old = ending.resumed.session;
      // A renewed ticket makes a new session with the same master secret; otherwise the old one goes on (an empty
      // NewSessionTicket, RFC 5077 §3.3, means "no new ticket", not "forget the old one").
      const renewed = this.ticket && this.ticket.ticket.length > 0
        ? newSession(hs, n, old.masterSecret, this.ticket, { serverName: old.serverName, leafCertificate: null, peerCertificateHash: old.peerCertificateHash, verified: old.verified })
        : null;
      session = renewed ?? old;
    } else {
      const leaf = ending.identity && ending.identity.chain.length > 0 ? ending.identity.chain[0] : null;
      session = newSession(hs, n, keys.masterSecret, this.ticket, { serverName: hs.config.serverName, leafCertificate: leaf, verified: hs.config.verify });
    }
    return new Established({
      suite: n.suite,
      alpnProtocol: n.agreed.alpnProtocol,
      extendedMasterSecret: n.agreed.extendedMasterSecret,
      maxFragmentLength: n.agreed.maxFragmentLength,
      group: ending.group,
      chain: ending.identity ? ending.identity.chain : [],
      verifyFlags: ending.identity ? ending.identity.verifyFlags : [],
      session,
      resumed: ending.resumed !== null,
    });
  }
}

/** The session client.session will hold: after a full handshake, or a resumption that renewed the ticket. */
function newSession(
  hs: HandshakeContext,
  n: Negotiated,
  master: Uint8Array,
  ticket: Ticket | null,
  peer: { serverName: string | null; leafCertificate: Uint8Array | null; peerCertificateHash?: Uint8Array | null; verified: boolean },
): TlsSession | null {
  const resumption = hs.config.resumption;
  if (!resumption) return null;
  return resumption.create({
    // A resumption keeps the session's suite and EMS (checkResumedServerHello), so these are the session's too.
    cipherSuite: n.suite.id,
    masterSecret: master,
    extendedMasterSecret: n.agreed.extendedMasterSecret,
    sessionId: n.sessionId,
    ticket,
    alpn: n.agreed.alpnProtocol,
    now: readClock(hs.config),
    ...peer,
  });
}

// ---- the abbreviated handshake (RFC 5246 §7.3 Figure 2): ServerHello [NewSessionTicket] CCS Finished, then ours ----

function resumeSession(hs: HandshakeContext, n: Negotiated, offered: Offered): HandshakeState {
  const { session } = offered;
  offered.support.checkResumedServerHello(session, {
    cipherSuite: n.suite.id,
    extendedMasterSecret: n.agreed.extendedMasterSecret,
    serverName: hs.config.serverName,
  });
  const master = session.masterSecret.slice();
  hs.masterSecret = master;
  // Our keys wait for the server's Finished: sendFinished installs the write cipher then.
  const keys = installKeys(hs, n, master);
  return expectTicketOrChangeCipherSpec(n, keys, { group: null, identity: null, resumed: offered });
}
