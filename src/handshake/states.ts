import { concatBytes, equalBytes } from "../bytes.js";
import { randomBytes } from "../crypto/random.js";
import { Alert, TlsError } from "../errors.js";
import type { HandshakeMessage } from "../record/handshake-reassembler.js";
import { HandshakeContext, NO_CLIENT_CERTIFICATE, unexpectedMessage } from "./context.js";
import { checkServerExtensions, clientExtensions, extensionName } from "./extensions.js";
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
} from "./messages.js";
import type { ClientCredentialChoice } from "./client-auth.js";
import { checkServerCertificate } from "./server-certificate.js";
import { schemeFitsKey, schemeName } from "./signature-schemes.js";
import { suiteName } from "./suite-params.js";

// The client's TLS 1.2 handshake (RFC 5246 §7.3) as one small step per state, after rustls's client/tls12.rs:
// each state takes one message and returns the next state. The full handshake, with an optional client certificate,
// and the abbreviated one that resumes a session (by ID or ticket) at the end of the file.

export interface HandshakeState {
  /** What this state waits for, for error messages and traces. */
  readonly expecting: string;
  handle(hs: HandshakeContext, msg: HandshakeMessage): HandshakeState;
  /** Only the state waiting for the server's ChangeCipherSpec accepts one. */
  changeCipherSpec?(hs: HandshakeContext): HandshakeState;
}

/** The end state: the caller collects the results from the context and drops it. */
export const Established: HandshakeState = {
  expecting: "nothing (handshake complete)",
  handle(_hs, msg) {
    throw unexpectedMessage(this.expecting, msg.type);
  },
};

/** RFC 8422 §5.1.1 NamedCurve ids of the curves a certificate key may use. */
const CURVE_GROUP_IDS: Record<string, number> = { "P-256": 23, "P-384": 24 };

function illegal(message: string): TlsError {
  return new TlsError("ILLEGAL_PARAMETER", message, Alert.illegal_parameter);
}

function expect(state: HandshakeState, msg: HandshakeMessage, type: number): void {
  if (msg.type !== type) throw unexpectedMessage(state.expecting, msg.type);
}

/** Sends the ClientHello and returns the first waiting state. */
export function startHandshake(hs: HandshakeContext): HandshakeState {
  const { config } = hs;
  hs.clientRandom = randomBytes(config.random, RANDOM_LENGTH);
  const ecdhe = config.suites.some((s) => s.keyExchange === "ECDHE");
  const resumption = config.resumption;
  if (resumption && config.session) {
    const clock = config.now ? config.now() : null;
    const usable = resumption.usable(config.session, {
      serverName: config.serverName,
      offeredSuites: config.suites.map((s) => s.id),
      now: typeof clock === "number" && clock === clock ? clock : null,
      requireVerified: config.verify,
      allowLegacyResumption: config.allowLegacyResumption,
    });
    if (usable === true) hs.offeredSession = config.session;
    else hs.config.trace?.(`session not offered: ${usable}`);
  }
  const offered = resumption ? resumption.offer(hs.offeredSession, config.random) : null;
  if (offered) hs.offeredSessionId = offered.sessionId;
  hs.offer = {
    sniHost: config.serverNameKind === "dns" ? config.serverName : null,
    groups: ecdhe ? config.groups.map((g) => g.id) : [],
    schemes: config.schemes.map((s) => s.id),
    alpn: config.alpn,
    maxFragmentLength: config.maxFragmentLength,
    recordSizeLimit: config.recordSizeLimit,
    // An empty session_ticket asks for a ticket to resume with later (unless sessionTickets: false).
    sessionTicket: offered && (hs.offeredSession || config.sessionTickets) ? offered.ticketExtension : null,
  };
  hs.offeredExtensions = clientExtensions(hs.offer);
  const hello = encodeClientHello({
    random: hs.clientRandom,
    sessionId: hs.offeredSessionId,
    cipherSuites: config.suites.map((s) => s.id),
    extensions: hs.offeredExtensions,
  });
  // The first record says TLS 1.0, as every browser does: some old middleboxes drop other values.
  const detail = !config.trace ? "" : `suites=${config.suites.length} groups=${config.groups.map((g) => g.name).join(",")}` +
    (hs.offer.sniHost ? ` sni=${hs.offer.sniHost}` : "") + (config.alpn.length ? ` alpn=${config.alpn.join(",")}` : "") +
    (hs.offeredSession ? (hs.offeredSession.ticket ? " resume=ticket" : " resume=session-id") : "");
  hs.sendHandshake(hello, detail, 0x0301);
  return new ExpectServerHello();
}

class ExpectServerHello implements HandshakeState {
  readonly expecting = "ServerHello";

  handle(hs: HandshakeContext, msg: HandshakeMessage): HandshakeState {
    expect(this, msg, HandshakeType.server_hello);
    const hello = parseServerHello(msg.body);
    if (hello.version !== TLS12) {
      const v = hello.version === 0x0300 ? "SSL 3.0" : hello.version >= 0x0301 && hello.version < TLS12 ? `TLS 1.${hello.version - 0x0301}` : `0x${hello.version.toString(16)}`;
      throw new TlsError("PROTOCOL_VERSION", `the server chose ${v}; only TLS 1.2 is supported`, Alert.protocol_version);
    }
    const suite = hs.config.suites.filter((s) => s.id === hello.cipherSuite)[0];
    if (!suite) throw illegal(`the server chose cipher suite ${suiteName(hello.cipherSuite, hs.config.knownSuites)}, which we did not offer`);
    if (hello.compression !== 0) throw illegal(`the server chose compression method ${hello.compression}, which we did not offer`);
    const agreed = checkServerExtensions(hello.extensions, hs.offeredExtensions, hs.offer!);
    if (!agreed.extendedMasterSecret && hs.config.requireExtendedMasterSecret) {
      throw new TlsError("HANDSHAKE_FAILURE", "the server does not support extended_master_secret (RFC 7627), which requireExtendedMasterSecret demands", Alert.handshake_failure);
    }
    hs.serverRandom = hello.random;
    hs.sessionId = hello.sessionId;
    hs.suite = suite;
    hs.agreed = agreed;
    hs.transcript.useHash(suite.createHash);
    hs.transcript.add(msg.raw);
    // RFC 6066 §4: the negotiated fragment length holds from the messages after the ServerHello, both ways.
    if (agreed.maxFragmentLength !== null) hs.record.setMaxFragment(agreed.maxFragmentLength, agreed.maxFragmentLength);
    const resumed = hs.offeredSession !== null && hs.config.resumption!.serverResumed(hs.offeredSessionId, hello.sessionId);
    hs.config.trace?.(`<- server_hello suite=${suite.name} ext=[${hello.extensions.map((e) => extensionName(e.type)).join(",")}]` +
      (agreed.alpnProtocol ? ` alpn=${agreed.alpnProtocol}` : "") + (hs.offeredSession ? (resumed ? " resumed" : " session declined: full handshake") : ""));
    if (resumed) return resumeSession(hs);
    // A declined session falls back to a full handshake, which makes a new session (RFC 5246 §7.4.1.3).
    hs.offeredSession = null;
    return new ExpectCertificate();
  }
}

class ExpectCertificate implements HandshakeState {
  readonly expecting = "Certificate";

  handle(hs: HandshakeContext, msg: HandshakeMessage): HandshakeState {
    expect(this, msg, HandshakeType.certificate);
    const chain = parseCertificateList(msg.body);
    hs.transcript.add(msg.raw);
    hs.config.trace?.(`<- certificate ${chain.length} cert(s)`);
    const { config } = hs;
    const clock = config.now ? config.now() : null;
    // Kept before the check, so a refused chain stays readable (client.peerCertificates).
    hs.chain = chain;
    const { leafKey, flags } = checkServerCertificate({
      chain,
      anchors: config.verify ? config.trustAnchors : null,
      serverName: config.serverName,
      serverNameKind: config.serverNameKind,
      now: typeof clock === "number" && clock === clock ? clock : null,
      allowUnknownTime: config.allowUnknownTime,
      verifier: config.verifySignature,
      digest: config.digest,
      limits: config.limits,
      // RFC 5246 §7.4.2, RFC 8422 §5.3: ECDHE signs with the leaf's key, RSA key exchange encrypts to it.
      leafKeyUsage: hs.suite!.keyExchange === "ECDHE" ? "digitalSignature" : "keyEncipherment",
      pins: config.pins,
      pinHash: config.pinHash,
      verifyPeer: config.verifyPeer,
    });
    const suite = hs.suite!;
    const wanted = suite.auth === "ECDSA" ? "ec" : "rsa";
    if (leafKey.type !== wanted) {
      throw new TlsError(
        "HANDSHAKE_FAILURE",
        `${suite.name} needs an ${suite.auth} server key, but the certificate holds ${leafKey.type === "unsupported" ? leafKey.algorithm : leafKey.type}`,
        Alert.unsupported_certificate,
      );
    }
    // In TLS 1.2 supported_groups also names the curves we accept in ECDSA certificates (RFC 8422 §5.1); like
    // BoringSSL, a leaf on another curve is refused with illegal_parameter.
    if (leafKey.type === "ec") {
      const id = CURVE_GROUP_IDS[leafKey.curve];
      if (hs.offer!.groups.indexOf(id) < 0) {
        throw illegal(`the server's ECDSA certificate is on ${leafKey.curve}, which our supported_groups did not offer`);
      }
    }
    hs.chain = chain;
    hs.leafKey = leafKey;
    hs.verifyFlags = flags;
    return suite.keyExchange === "ECDHE" ? new ExpectServerKeyExchange() : new ExpectCertificateRequestOrDone();
  }
}

class ExpectServerKeyExchange implements HandshakeState {
  readonly expecting = "ServerKeyExchange";

  handle(hs: HandshakeContext, msg: HandshakeMessage): HandshakeState {
    expect(this, msg, HandshakeType.server_key_exchange);
    const ske = parseEcdheServerKeyExchange(msg.body);
    const group = hs.config.groups.filter((g) => g.id === ske.group)[0];
    if (!group) throw illegal(`the server chose group ${ske.group}, which we did not offer`);
    const scheme = hs.config.schemes.filter((s) => s.id === ske.scheme)[0];
    if (!scheme) throw illegal(`the server signed with ${schemeName(ske.scheme)}, which we did not offer`);
    const key = hs.leafKey!;
    if (!schemeFitsKey(scheme, key)) throw illegal(`the server signed with ${scheme.name}, which does not fit its ${key.type} key`);
    const signed = concatBytes(hs.clientRandom, hs.serverRandom, ske.params);
    let verified = false;
    try {
      verified = hs.config.verifySignature(key, scheme.algorithm, signed, ske.signature);
    } catch {
      // A verifier the application passed must not turn a bad signature into an internal error.
    }
    if (!verified) {
      throw new TlsError("DECRYPT_ERROR", "the ServerKeyExchange signature does not verify with the server certificate's key", Alert.decrypt_error);
    }
    hs.transcript.add(msg.raw);
    hs.group = group;
    hs.serverPublic = ske.publicKey;
    hs.config.trace?.(`<- server_key_exchange group=${group.name} scheme=${scheme.name}`);
    return new ExpectCertificateRequestOrDone();
  }
}

class ExpectCertificateRequestOrDone implements HandshakeState {
  readonly expecting = "CertificateRequest or ServerHelloDone";

  handle(hs: HandshakeContext, msg: HandshakeMessage): HandshakeState {
    if (msg.type === HandshakeType.certificate_request) {
      hs.certificateRequest = parseCertificateRequest(msg.body);
      hs.transcript.add(msg.raw);
      hs.config.trace?.(`<- certificate_request types=[${Array.from(hs.certificateRequest.certificateTypes).join(",")}]`);
      return new ExpectServerHelloDone();
    }
    expect(this, msg, HandshakeType.server_hello_done);
    return new ExpectServerHelloDone().handle(hs, msg);
  }
}

class ExpectServerHelloDone implements HandshakeState {
  readonly expecting = "ServerHelloDone";

  handle(hs: HandshakeContext, msg: HandshakeMessage): HandshakeState {
    expect(this, msg, HandshakeType.server_hello_done);
    parseEmpty(msg.body, "ServerHelloDone");
    hs.transcript.add(msg.raw);
    hs.config.trace?.("<- server_hello_done");
    sendClientFlight(hs);
    return new ExpectChangeCipherSpec();
  }
}

/** [Certificate] ClientKeyExchange ChangeCipherSpec Finished (RFC 5246 §7.3). */
function sendClientFlight(hs: HandshakeContext): void {
  const suite = hs.suite!;
  const { config } = hs;
  let clientAuth: ClientCredentialChoice | null = null;
  if (hs.certificateRequest) {
    clientAuth = config.clientAuth
      ? config.clientAuth.select(hs.certificateRequest, config.clientCredential)
      : { reason: NO_CLIENT_CERTIFICATE };
    if ("reason" in clientAuth) {
      // RFC 5246 §7.4.6: an empty Certificate lets the server decide whether to go on without one.
      hs.sendHandshake(encodeCertificateList([]), `(empty: ${clientAuth.reason})`);
      hs.sentEmptyCertificate = clientAuth.reason;
    } else {
      hs.sendHandshake(encodeCertificateList(clientAuth.chain), `${clientAuth.chain.length} cert(s) for ${clientAuth.scheme.name}`);
    }
  }
  let preMaster: Uint8Array;
  if (suite.keyExchange === "ECDHE") {
    const group = hs.group!;
    const pair = group.generate(config.random);
    preMaster = group.sharedSecret(pair.privateKey, hs.serverPublic!);
    pair.privateKey.fill(0);
    hs.sendHandshake(encodeClientKeyExchangeEcdhe(pair.publicKey), `group=${group.name}`);
  } else {
    const key = hs.leafKey!;
    if (key.type !== "rsa" || !suite.rsaEncrypt) throw new TlsError("INTERNAL_ERROR", "RSA key exchange without an RSA key or encryption", Alert.internal_error);
    // RFC 5246 §7.4.7.1: client_version (the version we offered) || 46 random bytes.
    preMaster = concatBytes(Uint8Array.of(TLS12 >> 8, TLS12 & 0xff), randomBytes(config.random, 46));
    hs.sendHandshake(encodeClientKeyExchangeRsa(suite.rsaEncrypt(key, preMaster, config.random)), "rsa");
  }
  const ems = hs.agreed!.extendedMasterSecret;
  // RFC 7627 §3: the session hash runs up to the ClientKeyExchange, before any CertificateVerify.
  hs.masterSecret = masterSecret(suite, preMaster, hs.clientRandom, hs.serverRandom, ems ? hs.transcript.current() : null);
  preMaster.fill(0);
  if (clientAuth && "scheme" in clientAuth) {
    // RFC 5246 §7.4.8: signed over every handshake message so far, hashed with the scheme's own hash.
    hs.sendHandshake(config.clientAuth!.encodeCertificateVerify(clientAuth.credential, clientAuth.scheme, hs.transcript.messages(), config.random), clientAuth.scheme.name);
  }
  hs.logKeys();
  const keys = trafficKeys(suite, hs.masterSecret, hs.clientRandom, hs.serverRandom);
  hs.pendingReadCipher = suite.recordCipher(suite.aead(keys.serverKey), keys.serverIv);
  const writeCipher = suite.recordCipher(suite.aead(keys.clientKey), keys.clientIv);
  keys.clientKey.fill(0);
  keys.serverKey.fill(0);

  hs.sendChangeCipherSpec();
  hs.record.setWriteCipher(writeCipher);
  // RFC 8449 §4: the record size limit governs protected records, so it starts with the new ciphers.
  const rsl = hs.agreed!.peerRecordSizeLimit;
  if (rsl !== null) hs.record.setMaxFragment(Math.min(rsl, 1 << 14), Math.min(config.recordSizeLimit ?? 1 << 14, 1 << 14));
  const verifyData = finishedVerifyData(suite, hs.masterSecret, "client", hs.transcript.current());
  hs.sendHandshake(encodeFinished(verifyData));
}

class ExpectChangeCipherSpec implements HandshakeState {
  readonly expecting = "ChangeCipherSpec";

  handle(hs: HandshakeContext, msg: HandshakeMessage): HandshakeState {
    // RFC 5077 §3.3: a NewSessionTicket comes before the CCS, and only if the server agreed to session_ticket.
    if (msg.type === HandshakeType.new_session_ticket && hs.agreed!.sessionTicket && !hs.sessionTicket) {
      hs.sessionTicket = parseNewSessionTicket(msg.body);
      hs.transcript.add(msg.raw);
      hs.config.trace?.(`<- new_session_ticket lifetime=${hs.sessionTicket.lifetimeHint}s`);
      return this;
    }
    throw unexpectedMessage(this.expecting, msg.type);
  }

  changeCipherSpec(hs: HandshakeContext): HandshakeState {
    // RFC 5077 §3.3: a server that echoed session_ticket MUST send NewSessionTicket (empty if it has none).
    if (hs.agreed!.sessionTicket && !hs.sessionTicket) {
      throw new TlsError("UNEXPECTED_MESSAGE", "the server agreed to session_ticket but sent ChangeCipherSpec without the NewSessionTicket it promised", Alert.unexpected_message);
    }
    hs.config.trace?.("<- change_cipher_spec");
    hs.record.setReadCipher(hs.pendingReadCipher!);
    hs.pendingReadCipher = null;
    return new ExpectFinished();
  }
}

class ExpectFinished implements HandshakeState {
  readonly expecting = "Finished";

  handle(hs: HandshakeContext, msg: HandshakeMessage): HandshakeState {
    expect(this, msg, HandshakeType.finished);
    const expected = finishedVerifyData(hs.suite!, hs.masterSecret!, "server", hs.transcript.current());
    const received = parseFinished(msg.body, VERIFY_DATA_LENGTH);
    if (!equalBytes(expected, received)) {
      throw new TlsError("DECRYPT_ERROR", "the server's Finished does not match the handshake: the connection was tampered with or keys differ", Alert.decrypt_error);
    }
    hs.transcript.add(msg.raw);
    hs.config.trace?.("<- finished");
    if (hs.resumed) sendResumedFinished(hs);
    else recordSession(hs);
    return Established;
  }
}

/** What client.session will hold after a full handshake. */
function recordSession(hs: HandshakeContext): void {
  const resumption = hs.config.resumption;
  if (!resumption) return;
  const clock = hs.config.now ? hs.config.now() : null;
  hs.session = resumption.create({
    cipherSuite: hs.suite!.id,
    masterSecret: hs.masterSecret!,
    extendedMasterSecret: hs.agreed!.extendedMasterSecret,
    serverName: hs.config.serverName,
    sessionId: hs.sessionId,
    ticket: hs.sessionTicket,
    alpn: hs.agreed!.alpnProtocol,
    leafCertificate: hs.chain.length > 0 ? hs.chain[0] : null,
    verified: hs.config.verify,
    now: typeof clock === "number" && clock === clock ? clock : null,
  });
}

// ---- the abbreviated handshake (RFC 5246 §7.3 Figure 2): ServerHello [NewSessionTicket] CCS Finished, then ours ----

function resumeSession(hs: HandshakeContext): HandshakeState {
  const session = hs.offeredSession!;
  hs.config.resumption!.checkResumedServerHello(session, {
    cipherSuite: hs.suite!.id,
    extendedMasterSecret: hs.agreed!.extendedMasterSecret,
    serverName: hs.config.serverName,
  });
  hs.resumed = true;
  hs.masterSecret = session.masterSecret.slice();
  hs.logKeys();
  const suite = hs.suite!;
  const keys = trafficKeys(suite, hs.masterSecret, hs.clientRandom, hs.serverRandom);
  hs.pendingReadCipher = suite.recordCipher(suite.aead(keys.serverKey), keys.serverIv);
  hs.pendingWriteCipher = suite.recordCipher(suite.aead(keys.clientKey), keys.clientIv);
  keys.clientKey.fill(0);
  keys.serverKey.fill(0);
  return new ExpectChangeCipherSpec();
}

/** After the server's Finished in an abbreviated handshake: our ChangeCipherSpec and Finished. */
function sendResumedFinished(hs: HandshakeContext): void {
  const { config } = hs;
  hs.sendChangeCipherSpec();
  hs.record.setWriteCipher(hs.pendingWriteCipher!);
  hs.pendingWriteCipher = null;
  const rsl = hs.agreed!.peerRecordSizeLimit;
  if (rsl !== null) hs.record.setMaxFragment(Math.min(rsl, 1 << 14), Math.min(config.recordSizeLimit ?? 1 << 14, 1 << 14));
  hs.sendHandshake(encodeFinished(finishedVerifyData(hs.suite!, hs.masterSecret!, "client", hs.transcript.current())));
  const old = hs.offeredSession!;
  // A renewed ticket makes a new session with the same master secret; otherwise the old one goes on (an empty
  // NewSessionTicket, RFC 5077 §3.3, means "no new ticket", not "forget the old one").
  const renewed = hs.sessionTicket && hs.sessionTicket.ticket.length > 0
    ? config.resumption!.create({
        cipherSuite: old.cipherSuite,
        masterSecret: old.masterSecret,
        extendedMasterSecret: old.extendedMasterSecret,
        serverName: old.serverName,
        sessionId: hs.sessionId,
        ticket: hs.sessionTicket,
        alpn: hs.agreed!.alpnProtocol,
        leafCertificate: null,
        peerCertificateHash: old.peerCertificateHash,
        verified: old.verified,
        now: config.now ? config.now() : null,
      })
    : null;
  hs.session = renewed ?? old;
}
