import { Reader, Writer } from "../../src/bytes.js";
import {
  encodeHandshake,
  HandshakeType,
  NAMED_CURVE,
  parseExtensionList,
  RANDOM_LENGTH,
  type CertificateRequest,
  type ClientHello,
  type EcdheServerKeyExchange,
  type ServerHello,
} from "../../src/handshake/messages.js";

// The server's side of the handshake codecs: what only a server (the tests' peers, the fuzz seeds) encodes or parses.
// A client never sends these, so they stay out of src/handshake/messages.ts.

/** Used by the test peer, and by the property tests: the inverse of encodeClientHello. */
export function parseClientHello(body: Uint8Array): ClientHello & { version: number } {
  const r = new Reader(body, "ClientHello");
  const version = r.u16();
  const random = r.bytes(RANDOM_LENGTH);
  const sessionId = r.vec8();
  const suites = r.sub16();
  const cipherSuites: number[] = [];
  while (suites.remaining > 0) cipherSuites.push(suites.u16());
  r.vec8();
  const extensions = r.remaining > 0 ? parseExtensionList(r) : [];
  r.end();
  return { version, random, sessionId, cipherSuites, extensions };
}

export function encodeServerHello(hello: ServerHello): Uint8Array {
  const w = new Writer(128);
  w.u16(hello.version).bytes(hello.random).vec8(hello.sessionId).u16(hello.cipherSuite).u8(hello.compression);
  if (hello.extensions.length > 0) {
    w.block(2, (w) => {
      for (const e of hello.extensions) w.u16(e.type).vec16(e.data);
    });
  }
  return encodeHandshake(HandshakeType.server_hello, w.finish());
}

export function encodeEcdheServerKeyExchange(ske: Omit<EcdheServerKeyExchange, "params" | "curveType">): Uint8Array {
  const w = new Writer(256);
  w.u8(NAMED_CURVE).u16(ske.group).vec8(ske.publicKey).u16(ske.scheme).vec16(ske.signature);
  return encodeHandshake(HandshakeType.server_key_exchange, w.finish());
}

export function ecdhParams(group: number, publicKey: Uint8Array): Uint8Array {
  return new Writer(publicKey.length + 4).u8(NAMED_CURVE).u16(group).vec8(publicKey).finish();
}

export function encodeCertificateRequest(req: CertificateRequest): Uint8Array {
  const w = new Writer(64);
  w.vec8(req.certificateTypes);
  w.block(2, (w) => {
    for (const s of req.signatureSchemes) w.u16(s);
  });
  w.block(2, (w) => {
    for (const a of req.authorities) w.vec16(a);
  });
  return encodeHandshake(HandshakeType.certificate_request, w.finish());
}
