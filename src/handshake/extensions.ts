import { asciiBytes, equalBytes, Reader, utf8Bytes, Writer } from "../bytes.js";
import { type TlsError, tlsError } from "../errors.js";
import type { Extension } from "./messages.js";

export const ExtensionType = {
  server_name: 0,
  max_fragment_length: 1,
  status_request: 5,
  supported_groups: 10,
  ec_point_formats: 11,
  signature_algorithms: 13,
  alpn: 16,
  extended_master_secret: 23,
  record_size_limit: 28,
  session_ticket: 35,
  renegotiation_info: 0xff01,
} as const;

export function extensionName(type: number): string {
  for (const [name, value] of Object.entries(ExtensionType)) if (value === type) return name;
  return `extension(${type})`;
}

/** RFC 6066 §4: the code for each allowed max_fragment_length. */
export const MAX_FRAGMENT_CODES: Record<number, number> = { 512: 1, 1024: 2, 2048: 3, 4096: 4 };
const UNCOMPRESSED_POINTS = 0;

/** What the ClientHello offers; kept to check the ServerHello against it. */
export interface ExtensionOffer {
  /** Hostname for SNI, or null (IP literals get none: RFC 6066 §3). */
  sniHost: string | null;
  groups: number[];
  schemes: number[];
  alpn: readonly string[];
  maxFragmentLength: number | null;
  recordSizeLimit: number | null;
  /** RFC 5077 session_ticket data: a ticket to resume with, empty to ask for one, null to not send the extension. */
  sessionTicket?: Uint8Array | null;
}

function ext(type: number, build: (w: Writer) => void): Extension {
  const w = new Writer(64);
  build(w);
  return { type, data: w.finish() };
}

export function clientExtensions(offer: ExtensionOffer): Extension[] {
  const list: Extension[] = [];
  if (offer.sniHost !== null) {
    const host = asciiBytes(offer.sniHost);
    list.push(ext(ExtensionType.server_name, (w) => w.block(2, (w) => w.u8(0 /* host_name */).vec16(host))));
  }
  if (offer.groups.length > 0) {
    list.push(ext(ExtensionType.supported_groups, (w) => w.block(2, (w) => offer.groups.forEach((g) => w.u16(g)))));
    list.push(ext(ExtensionType.ec_point_formats, (w) => w.vec8(Uint8Array.of(UNCOMPRESSED_POINTS))));
  }
  list.push(ext(ExtensionType.signature_algorithms, (w) => w.block(2, (w) => offer.schemes.forEach((s) => w.u16(s)))));
  if (offer.alpn.length > 0) {
    list.push(ext(ExtensionType.alpn, (w) => w.block(2, (w) => offer.alpn.forEach((p) => w.vec8(utf8Bytes(p))))));
  }
  list.push({ type: ExtensionType.extended_master_secret, data: new Uint8Array(0) });
  if (offer.maxFragmentLength !== null) {
    list.push(ext(ExtensionType.max_fragment_length, (w) => w.u8(MAX_FRAGMENT_CODES[offer.maxFragmentLength as number])));
  }
  if (offer.recordSizeLimit !== null) list.push(ext(ExtensionType.record_size_limit, (w) => w.u16(offer.recordSizeLimit as number)));
  if (offer.sessionTicket) list.push({ type: ExtensionType.session_ticket, data: offer.sessionTicket });
  // RFC 5746: the empty renegotiation_info says "secure renegotiation understood" on an initial handshake.
  list.push(ext(ExtensionType.renegotiation_info, (w) => w.vec8(new Uint8Array(0))));
  return list;
}

/** What the server agreed to. */
export interface ServerAgreement {
  extendedMasterSecret: boolean;
  alpnProtocol: string | null;
  maxFragmentLength: number | null;
  /** The server's record_size_limit: the most plaintext we may put in one record. */
  peerRecordSizeLimit: number | null;
  sessionTicket: boolean;
}

function illegal(message: string): TlsError {
  return tlsError("illegal_parameter", message);
}

function malformed(type: number): TlsError {
  return tlsError("decode_error", `malformed ${extensionName(type)} extension in ServerHello`);
}

/**
 * Checks the ServerHello extensions against the offer (RFC 5246 §7.4.1.4: anything not offered, or sent
 * twice, is fatal) and reads what was agreed.
 */
export function checkServerExtensions(list: Extension[], offered: Extension[], offer: ExtensionOffer): ServerAgreement {
  const agreed: ServerAgreement = {
    extendedMasterSecret: false,
    alpnProtocol: null,
    maxFragmentLength: null,
    peerRecordSizeLimit: null,
    sessionTicket: false,
  };
  const seen: number[] = [];
  for (const { type, data } of list) {
    if (seen.indexOf(type) >= 0) throw illegal(`the server sent the ${extensionName(type)} extension twice`);
    seen.push(type);
    if (!offered.some((e) => e.type === type)) {
      throw tlsError("unsupported_extension", `the server sent the ${extensionName(type)} extension, which we did not offer`);
    }
    const r = new Reader(data, `${extensionName(type)} extension`);
    switch (type) {
      case ExtensionType.server_name:
      case ExtensionType.extended_master_secret:
      case ExtensionType.session_ticket:
        if (data.length !== 0) throw malformed(type);
        if (type === ExtensionType.extended_master_secret) agreed.extendedMasterSecret = true;
        if (type === ExtensionType.session_ticket) agreed.sessionTicket = true;
        break;
      case ExtensionType.ec_point_formats: {
        const formats = r.vec8();
        r.end();
        if (formats.length === 0) throw malformed(type);
        if (formats.indexOf(UNCOMPRESSED_POINTS) < 0) throw illegal("the server does not accept uncompressed EC points");
        break;
      }
      case ExtensionType.renegotiation_info: {
        const info = r.vec8();
        r.end();
        // RFC 5746 §3.4: on an initial handshake the server's renegotiated_connection must be empty.
        if (info.length !== 0) {
          throw tlsError("handshake_failure", "the server's renegotiation_info is not empty on an initial handshake");
        }
        // Nothing to record: we never renegotiate, so an empty renegotiation_info is only checked.
        break;
      }
      case ExtensionType.max_fragment_length: {
        const code = r.u8();
        r.end();
        // RFC 6066 §4: the server must echo exactly what we asked for.
        if (offer.maxFragmentLength === null || code !== MAX_FRAGMENT_CODES[offer.maxFragmentLength]) {
          throw illegal(`the server answered max_fragment_length with code ${code}, not the one requested`);
        }
        agreed.maxFragmentLength = offer.maxFragmentLength;
        break;
      }
      case ExtensionType.record_size_limit: {
        const limit = r.u16();
        r.end();
        if (limit < 64) throw illegal(`the server's record_size_limit ${limit} is below the minimum of 64`);
        agreed.peerRecordSizeLimit = limit;
        break;
      }
      case ExtensionType.alpn: {
        const names = r.sub16();
        r.end();
        const chosen = names.vec8();
        names.end();
        if (chosen.length === 0) throw malformed(type);
        // RFC 7301 §3.2: exactly one protocol, and it must be one we offered.
        const match = offer.alpn.filter((p) => equalBytes(utf8Bytes(p), chosen));
        if (match.length === 0) throw illegal("the server selected an ALPN protocol we did not offer");
        agreed.alpnProtocol = match[0];
        break;
      }
      case ExtensionType.supported_groups:
        // Servers must not echo it (RFC 8422 §5.2 has no ServerHello form), but some do: tolerated, as BoringSSL does.
        break;
      default:
        // Offered but with nothing to agree on (signature_algorithms): servers must not echo it.
        throw tlsError("unsupported_extension", `the server sent the ${extensionName(type)} extension, which a server must not send`);
    }
  }
  // RFC 8449 §5: a server that supports record_size_limit must ignore max_fragment_length, so both is a violation.
  if (agreed.maxFragmentLength !== null && agreed.peerRecordSizeLimit !== null) {
    throw illegal("the server agreed to both max_fragment_length and record_size_limit");
  }
  return agreed;
}
