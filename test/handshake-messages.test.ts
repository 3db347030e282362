import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Alert, TlsError } from "../src/errors.js";
import { checkServerExtensions, clientExtensions, type ExtensionOffer } from "../src/handshake/extensions.js";
import { encodeCertificateList, encodeClientHello, parseCertificateList, parseCertificateRequest, parseEcdheServerKeyExchange, parseEmpty, parseFinished, parseNewSessionTicket, parseServerHello } from "../src/handshake/messages.js";
import { ecdhParams, encodeCertificateRequest, encodeEcdheServerKeyExchange, encodeServerHello, parseClientHello } from "./helpers/server-codecs.js";
import { expectTlsError } from "./helpers/expect-tls-error.js";

const bytes = (min: number, max: number) => fc.uint8Array({ minLength: min, maxLength: max });
const u16 = fc.integer({ min: 0, max: 0xffff });
const extension = fc.record({ type: u16, data: bytes(0, 40) });
const body = (raw: Uint8Array) => raw.subarray(4);

/** Parsers of peer data throw TlsError or nothing: never a RangeError, TypeError or anything else. */
function onlyTlsErrors(parse: () => unknown): void {
  try {
    parse();
  } catch (e) {
    expect(e).toBeInstanceOf(TlsError);
  }
}

function expectDecodeError(parse: () => unknown): void {
  expectTlsError(parse, "DECODE_ERROR", Alert.decode_error);
}

const serverHello = fc.record({
  version: u16,
  random: bytes(32, 32),
  sessionId: bytes(0, 32),
  cipherSuite: u16,
  compression: fc.integer({ min: 0, max: 255 }),
  extensions: fc.array(extension, { maxLength: 6 }),
});

describe("handshake message codecs", () => {
  it("ClientHello round-trips", () => {
    fc.assert(
      fc.property(bytes(32, 32), bytes(0, 32), fc.array(u16, { minLength: 1, maxLength: 20 }), fc.array(extension, { maxLength: 8 }), (random, sessionId, cipherSuites, extensions) => {
        const parsed = parseClientHello(body(encodeClientHello({ random, sessionId, cipherSuites, extensions })));
        expect(parsed).toEqual({ version: 0x0303, random, sessionId, cipherSuites, extensions });
      }),
    );
  });

  it("ServerHello round-trips, and every truncation is decode_error", () => {
    fc.assert(
      fc.property(serverHello, (sh) => {
        const encoded = body(encodeServerHello(sh));
        expect(parseServerHello(encoded)).toEqual(sh);
        // Cutting exactly before the extensions block leaves a valid extension-less ServerHello (RFC 5246 §7.4.1.4).
        const noExtensions = 2 + 32 + 1 + sh.sessionId.length + 3;
        for (let n = 0; n < encoded.length; n++) if (n !== noExtensions) expectDecodeError(() => parseServerHello(encoded.subarray(0, n)));
      }),
      { numRuns: 50 },
    );
  });

  it("Certificate round-trips, and every truncation is decode_error", () => {
    fc.assert(
      fc.property(fc.array(bytes(1, 60), { maxLength: 4 }), (chain) => {
        const encoded = body(encodeCertificateList(chain));
        expect(parseCertificateList(encoded)).toEqual(chain);
        for (let n = 0; n < encoded.length; n++) expectDecodeError(() => parseCertificateList(encoded.subarray(0, n)));
      }),
      { numRuns: 50 },
    );
  });

  it("ECDHE ServerKeyExchange round-trips, keeping the signed params exactly, and truncations are decode_error", () => {
    fc.assert(
      fc.property(u16, bytes(1, 97), u16, bytes(0, 80), (group, publicKey, scheme, signature) => {
        const encoded = body(encodeEcdheServerKeyExchange({ group, publicKey, scheme, signature }));
        const ske = parseEcdheServerKeyExchange(encoded);
        expect(ske).toEqual({ curveType: 3, group, publicKey, params: ecdhParams(group, publicKey), scheme, signature });
        for (let n = 0; n < encoded.length; n++) expectDecodeError(() => parseEcdheServerKeyExchange(encoded.subarray(0, n)));
      }),
      { numRuns: 50 },
    );
  });

  it("CertificateRequest round-trips, and truncations are decode_error", () => {
    const request = fc.record({
      certificateTypes: bytes(1, 4),
      signatureSchemes: fc.array(u16, { minLength: 1, maxLength: 10 }),
      authorities: fc.array(bytes(0, 30), { maxLength: 3 }),
    });
    fc.assert(
      fc.property(request, (req) => {
        const encoded = body(encodeCertificateRequest(req));
        expect(parseCertificateRequest(encoded)).toEqual(req);
        for (let n = 0; n < encoded.length; n++) expectDecodeError(() => parseCertificateRequest(encoded.subarray(0, n)));
      }),
      { numRuns: 50 },
    );
  });

  it("fixed-size messages refuse any other size", () => {
    expect(parseFinished(new Uint8Array(12), 12)).toHaveLength(12);
    expectDecodeError(() => parseFinished(new Uint8Array(11), 12));
    expectDecodeError(() => parseFinished(new Uint8Array(13), 12));
    parseEmpty(new Uint8Array(0), "ServerHelloDone");
    expectDecodeError(() => parseEmpty(new Uint8Array(1), "ServerHelloDone"));
    expect(parseNewSessionTicket(Uint8Array.of(0, 0, 1, 0, 0, 2, 9, 9))).toEqual({ lifetimeHint: 256, ticket: Uint8Array.of(9, 9) });
    expectDecodeError(() => parseNewSessionTicket(Uint8Array.of(0, 0, 1, 0, 0, 2, 9)));
  });

  it("hostile bytes never escape as anything but TlsError", () => {
    const parsers: Array<(b: Uint8Array) => unknown> = [
      parseServerHello,
      parseCertificateList,
      parseEcdheServerKeyExchange,
      parseCertificateRequest,
      parseClientHello,
      parseNewSessionTicket,
      (b) => parseFinished(b, 12),
    ];
    fc.assert(
      fc.property(bytes(0, 200), (b) => {
        for (const parse of parsers) onlyTlsErrors(() => parse(b));
      }),
    );
  });
});

describe("ServerHello extension checks", () => {
  const offer: ExtensionOffer = {
    sniHost: "example.com",
    groups: [29, 23],
    schemes: [0x0403, 0x0804],
    alpn: ["mqtt", "h2"],
    maxFragmentLength: 1024,
    recordSizeLimit: 2000,
  };
  const offered = clientExtensions(offer);

  it("reads what the server agreed to", () => {
    const agreed = checkServerExtensions(
      [
        { type: 0, data: new Uint8Array(0) },
        { type: 23, data: new Uint8Array(0) },
        { type: 0xff01, data: Uint8Array.of(0) },
        { type: 11, data: Uint8Array.of(2, 1, 0) },
        { type: 16, data: Uint8Array.of(0, 3, 2, 0x68, 0x32) },
        { type: 1, data: Uint8Array.of(2) },
      ],
      offered,
      offer,
    );
    expect(agreed).toEqual({
      extendedMasterSecret: true,
      alpnProtocol: "h2",
      maxFragmentLength: 1024,
      peerRecordSizeLimit: null,
      sessionTicket: false,
    });
    expect(checkServerExtensions([{ type: 28, data: Uint8Array.of(0x01, 0) }], offered, offer).peerRecordSizeLimit).toBe(256);
  });

  it("refuses malformed bodies and contradictions", () => {
    const refuse = (type: number, data: number[]) => expect(() => checkServerExtensions([{ type, data: Uint8Array.from(data) }], offered, offer)).toThrow(TlsError);
    refuse(0, [0]); // server_name must be empty
    refuse(0xff01, [1, 0]); // renegotiation_info must be empty on an initial handshake
    refuse(23, [0]);
    refuse(11, [1, 1]); // only compressed points
    refuse(11, [0]);
    refuse(16, [0, 5, 2, 0x68, 0x32, 1, 0x61]); // two protocols
    refuse(16, [0, 1, 0]); // empty name
    refuse(28, [0, 63]); // below the minimum
    refuse(1, [3]); // not the code we asked for
    expect(() =>
      checkServerExtensions([{ type: 1, data: Uint8Array.of(2) }, { type: 28, data: Uint8Array.of(1, 0) }], offered, offer),
    ).toThrow(/both max_fragment_length and record_size_limit/);
  });

  it("never throws anything but TlsError on arbitrary extension lists", () => {
    const known = fc.constantFrom(0, 1, 10, 11, 13, 16, 23, 28, 35, 0xff01, 0x1234);
    fc.assert(
      fc.property(fc.array(fc.record({ type: known, data: bytes(0, 8) }), { maxLength: 5 }), (list) => {
        onlyTlsErrors(() => checkServerExtensions(list, offered, offer));
      }),
    );
  });
});
