import { Reader, Writer } from "../bytes.js";
import { type TlsError, tlsError } from "../errors.js";

// Handshake message codecs (RFC 5246 §7.4). Encoders return the full message (4-byte header + body), which is
// what the transcript hashes. Parsers take the body and throw only TlsError (decode_error via Reader).

export const HandshakeType = {
  hello_request: 0,
  client_hello: 1,
  server_hello: 2,
  new_session_ticket: 4,
  certificate: 11,
  server_key_exchange: 12,
  certificate_request: 13,
  server_hello_done: 14,
  certificate_verify: 15,
  client_key_exchange: 16,
  finished: 20,
  certificate_status: 22,
} as const;

export function handshakeTypeName(type: number): string {
  for (const [name, value] of Object.entries(HandshakeType)) if (value === type) return name;
  return `handshake(${type})`;
}

export const TLS12 = 0x0303;
export const RANDOM_LENGTH = 32;

export interface Extension {
  type: number;
  data: Uint8Array;
}

export function encodeHandshake(type: number, body: Uint8Array): Uint8Array {
  return new Writer(body.length + 4).u8(type).vec24(body).finish();
}

export interface ClientHello {
  random: Uint8Array;
  sessionId: Uint8Array;
  cipherSuites: number[];
  extensions: Extension[];
}

export function encodeClientHello(hello: ClientHello): Uint8Array {
  const w = new Writer(512);
  w.u16(TLS12).bytes(hello.random).vec8(hello.sessionId);
  w.block(2, (w) => {
    for (const id of hello.cipherSuites) w.u16(id);
  });
  w.vec8(Uint8Array.of(0)); // compression: null only (CRIME)
  w.block(2, (w) => {
    for (const e of hello.extensions) w.u16(e.type).vec16(e.data);
  });
  return encodeHandshake(HandshakeType.client_hello, w.finish());
}

/** Parses extensions as a list, keeping order and duplicates so the caller can refuse duplicates. */
/** Exported for the test peer's ClientHello parser (test/helpers/server-codecs.ts). */
export function parseExtensionList(r: Reader): Extension[] {
  const list: Extension[] = [];
  const block = r.sub16();
  while (block.remaining > 0) list.push({ type: block.u16(), data: block.vec16() });
  return list;
}

export interface ServerHello {
  version: number;
  random: Uint8Array;
  sessionId: Uint8Array;
  cipherSuite: number;
  compression: number;
  extensions: Extension[];
}

export function parseServerHello(body: Uint8Array): ServerHello {
  const r = new Reader(body, "ServerHello");
  const version = r.u16();
  const random = r.bytes(RANDOM_LENGTH).slice();
  const sessionId = r.vec8().slice();
  if (sessionId.length > 32) throw tlsError("decode_error", "malformed ServerHello: session id over 32 bytes");
  const cipherSuite = r.u16();
  const compression = r.u8();
  // RFC 5246 §7.4.1.4: the extensions block is optional, but if present it must fill the message exactly.
  const extensions = r.remaining > 0 ? parseExtensionList(r) : [];
  r.end();
  return { version, random, sessionId, cipherSuite, compression, extensions };
}

/** Certificate (RFC 5246 §7.4.2): a list of DER certificates, leaf first. */
export function parseCertificateList(body: Uint8Array): Uint8Array[] {
  const r = new Reader(body, "Certificate");
  const list = r.sub24();
  r.end();
  const chain: Uint8Array[] = [];
  while (list.remaining > 0) {
    const der = list.vec24();
    if (der.length === 0) throw tlsError("decode_error", "malformed Certificate: empty certificate entry");
    chain.push(der.slice());
  }
  return chain;
}

export function encodeCertificateList(chain: Uint8Array[]): Uint8Array {
  const w = new Writer(64);
  w.block(3, (w) => {
    for (const der of chain) w.vec24(der);
  });
  return encodeHandshake(HandshakeType.certificate, w.finish());
}

/** ServerKeyExchange for ECDHE (RFC 8422 §5.4), with the TLS 1.2 signature (RFC 5246 §7.4.3). */
export interface EcdheServerKeyExchange {
  curveType: number;
  group: number;
  publicKey: Uint8Array;
  /** The ServerECDHParams bytes exactly as sent: they are what the signature covers. */
  params: Uint8Array;
  scheme: number;
  signature: Uint8Array;
}

export const NAMED_CURVE = 3;

export function parseEcdheServerKeyExchange(body: Uint8Array): EcdheServerKeyExchange {
  const r = new Reader(body, "ServerKeyExchange");
  const curveType = r.u8();
  if (curveType !== NAMED_CURVE) {
    throw tlsError("illegal_parameter", `ServerKeyExchange uses curve type ${curveType}, only named curves are allowed`);
  }
  const group = r.u16();
  const publicKey = r.vec8().slice();
  if (publicKey.length === 0) throw tlsError("decode_error", "malformed ServerKeyExchange: empty public key");
  const params = body.slice(0, r.offset);
  const scheme = r.u16();
  const signature = r.vec16().slice();
  r.end();
  return { curveType, group, publicKey, params, scheme, signature };
}

/** CertificateRequest (RFC 5246 §7.4.4). Kept whole so client certificates (a later feature) can select from it. */
export interface CertificateRequest {
  certificateTypes: Uint8Array;
  signatureSchemes: number[];
  authorities: Uint8Array[];
}

export function parseCertificateRequest(body: Uint8Array): CertificateRequest {
  const r = new Reader(body, "CertificateRequest");
  const certificateTypes = r.vec8().slice();
  if (certificateTypes.length === 0) throw tlsError("decode_error", "malformed CertificateRequest: no certificate types");
  const schemes = r.sub16();
  const signatureSchemes: number[] = [];
  while (schemes.remaining > 0) signatureSchemes.push(schemes.u16());
  if (signatureSchemes.length === 0) throw tlsError("decode_error", "malformed CertificateRequest: no signature algorithms");
  const names = r.sub16();
  const authorities: Uint8Array[] = [];
  while (names.remaining > 0) authorities.push(names.vec16().slice());
  r.end();
  return { certificateTypes, signatureSchemes, authorities };
}

/** ServerHelloDone and HelloRequest carry nothing. */
export function parseEmpty(body: Uint8Array, what: string): void {
  new Reader(body, what).end();
}

export function encodeClientKeyExchangeEcdhe(publicKey: Uint8Array): Uint8Array {
  return encodeHandshake(HandshakeType.client_key_exchange, new Writer(publicKey.length + 1).vec8(publicKey).finish());
}

/** RFC 5246 §7.4.7.1: the encrypted premaster secret, with its 2-byte length (TLS 1.0 and later). */
export function encodeClientKeyExchangeRsa(encrypted: Uint8Array): Uint8Array {
  return encodeHandshake(HandshakeType.client_key_exchange, new Writer(encrypted.length + 2).vec16(encrypted).finish());
}

export function parseFinished(body: Uint8Array, length: number): Uint8Array {
  const r = new Reader(body, "Finished");
  const verifyData = r.bytes(length);
  r.end();
  return verifyData;
}

export function encodeFinished(verifyData: Uint8Array): Uint8Array {
  return encodeHandshake(HandshakeType.finished, verifyData);
}

/** NewSessionTicket (RFC 5077 §3.3); parsed now only so a later resumption feature has it. */
export function parseNewSessionTicket(body: Uint8Array): { lifetimeHint: number; ticket: Uint8Array } {
  const r = new Reader(body, "NewSessionTicket");
  const lifetimeHint = r.u32();
  const ticket = r.vec16().slice();
  r.end();
  return { lifetimeHint, ticket };
}
