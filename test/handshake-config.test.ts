import { afterEach, describe, expect, it, vi } from "vitest";
import { Reader } from "../src/bytes.js";
import { parseClientHello } from "./helpers/server-codecs.js";
import { TlsClient, WANT_READ, type TlsClientOptions } from "../src/index.js";
import { loadTranscript, replay, TRANSCRIPTS } from "./helpers/handshake-kit.js";
import { expectTlsError } from "./helpers/expect-tls-error.js";

const ca = loadTranscript(TRANSCRIPTS[0]).ca;
const base: TlsClientOptions = { serverName: "device.example.com", ca };

function configError(options: TlsClientOptions, pattern: RegExp): void {
  expectTlsError(() => new TlsClient(options), "CONFIG", undefined, pattern);
}

/** The ClientHello the client sends first: record header checked, then the message parsed. */
function clientHelloOf(options: TlsClientOptions) {
  const client = new TlsClient(options);
  const sent: Uint8Array[] = [];
  client.setBio(
    (d) => (sent.push(d.slice()), d.length),
    () => WANT_READ,
  );
  expect(client.handshake()).toBe(WANT_READ);
  expect(sent).toHaveLength(1);
  const r = new Reader(sent[0]);
  expect(r.u8()).toBe(22);
  const recordVersion = r.u16();
  const msg = r.vec16();
  r.end();
  expect(msg[0]).toBe(1);
  const hello = parseClientHello(msg.subarray(4));
  const ext = (type: number) => hello.extensions.find((e) => e.type === type)?.data;
  return { hello, recordVersion, ext, types: hello.extensions.map((e) => e.type) };
}

describe("configuration is checked before any byte is sent", () => {
  afterEach(() => vi.unstubAllGlobals());

  it("verify without serverName is a configuration error, unless explicitly opted out", () => {
    configError({ ca }, /no serverName/);
    expect(new TlsClient({ ca, allowNoServerName: true }).state).toBe("handshaking");
    expect(new TlsClient({ verify: false }).state).toBe("handshaking");
  });

  it("verify without a usable ca is a configuration error", () => {
    configError({ serverName: "a.example" }, /no ca/);
    configError({ serverName: "a.example", ca: "not a certificate" }, /ca/);
  });

  it("no clock is refused unless unknown time is accepted", () => {
    configError({ ...base, now: null }, /allowUnknownTime/);
    expect(new TlsClient({ ...base, now: null, allowUnknownTime: true }).state).toBe("handshaking");
  });

  it("refuses unknown or repeated suites, groups and bad limits", () => {
    configError({ ...base, cipherSuites: ["TLS_RSA_WITH_RC4_128_SHA"] }, /unsupported cipher suite/);
    configError({ ...base, cipherSuites: [] }, /cipherSuites/);
    configError({ ...base, cipherSuites: ["TLS_RSA_WITH_AES_128_GCM_SHA256", "TLS_RSA_WITH_AES_128_GCM_SHA256"] }, /twice/);
    configError({ ...base, groups: ["secp521r1" as never] }, /unsupported group/);
    configError({ ...base, maxFragmentLength: 1000 }, /maxFragmentLength/);
    configError({ ...base, recordSizeLimit: 63 }, /recordSizeLimit/);
    configError({ ...base, recordSizeLimit: 16386 }, /recordSizeLimit/);
    configError({ ...base, alpn: [""] }, /alpn/);
    configError({ ...base, serverName: "bad name.example" }, /not a valid DNS name/);
  });

  it("without a secure random source the client refuses to start (NO_RANDOM)", () => {
    vi.stubGlobal("crypto", undefined);
    expectTlsError(() => new TlsClient(base), "NO_RANDOM");
  });

  it("misuse errors do not break the connection", () => {
    const client = new TlsClient(base);
    expect(() => client.handshake()).toThrow(/setBio/);
    expect(() => client.read(new Uint8Array(0))).toThrow(/non-empty/);
    client.setBio(
      (d) => d.length,
      () => WANT_READ,
    );
    expect(client.handshake()).toBe(WANT_READ);
    expect(client.close()).toBe(0);
    expect(() => client.write(new Uint8Array(1))).toThrow(/close/);
    expect(client.state).toBe("closed");
  });
});

describe("the ClientHello", () => {
  it("offers the default suites, groups, schemes and extensions", () => {
    const random = (buf: Uint8Array) => buf.fill(7);
    const { hello, recordVersion, ext, types } = clientHelloOf({ ...base, random });
    expect(recordVersion).toBe(0x0301);
    expect(hello.version).toBe(0x0303);
    expect(hello.random).toEqual(new Uint8Array(32).fill(7));
    expect(hello.sessionId).toHaveLength(0);
    expect(hello.cipherSuites).toEqual([0xcca9, 0xcca8, 0xc02b, 0xc02f, 0xc02c, 0xc030]);
    expect(types).toEqual([0, 10, 11, 13, 23, 35, 0xff01]);
    expect([...ext(0)!]).toEqual([0, 21, 0, 0, 18, ...Array.from("device.example.com", (c) => c.charCodeAt(0))]);
    expect([...ext(10)!]).toEqual([0, 6, 0, 29, 0, 23, 0, 24]);
    expect([...ext(11)!]).toEqual([1, 0]);
    expect([...ext(13)!]).toEqual([0, 16, 4, 3, 5, 3, 8, 4, 8, 5, 8, 6, 4, 1, 5, 1, 6, 1]);
    expect([...ext(0xff01)!]).toEqual([0]);
  });

  it("offers RSA key exchange only when named, and then no EC extensions if no ECDHE suite remains", () => {
    const { hello, types } = clientHelloOf({ ...base, cipherSuites: ["TLS_RSA_WITH_AES_256_GCM_SHA384", "TLS_RSA_WITH_AES_128_GCM_SHA256"] });
    expect(hello.cipherSuites).toEqual([0x009d, 0x009c]);
    expect(types).toEqual([0, 13, 23, 35, 0xff01]);
  });

  it("sends no SNI for IP literals, and strips a trailing dot", () => {
    for (const serverName of ["192.0.2.1", "::1", "[2001:db8::1]"]) {
      expect(clientHelloOf({ ...base, serverName }).types).not.toContain(0);
    }
    const sni = clientHelloOf({ ...base, serverName: "a.example." }).ext(0)!;
    expect([...sni.subarray(5)]).toEqual(Array.from("a.example", (c) => c.charCodeAt(0)));
  });

  it("adds max_fragment_length, record_size_limit and ALPN only when configured", () => {
    const { ext, types } = clientHelloOf({ ...base, maxFragmentLength: 512, recordSizeLimit: 2048, alpn: ["mqtt", "x-amzn-mqtt-ca"], groups: ["secp384r1"] });
    expect([...ext(1)!]).toEqual([1]);
    expect([...ext(28)!]).toEqual([8, 0]);
    expect([...ext(16)!]).toEqual([0, 20, 4, ...Array.from("mqtt", (c) => c.charCodeAt(0)), 14, ...Array.from("x-amzn-mqtt-ca", (c) => c.charCodeAt(0))]);
    expect([...ext(10)!]).toEqual([0, 2, 0, 24]);
    expect(types).toContain(23);
  });
});

describe("option names", () => {
  it("refuses an unknown option with CONFIG, naming it", () => {
    configError({ ...base, severName: "typo.example" } as TlsClientOptions, /unknown option "severName"/);
  });

  it("refuses node:tls names with the microtls name to use, before any byte is sent", () => {
    const cases: Array<[string, unknown, RegExp]> = [
      ["servername", "device.example.com", /servername is a node:tls option; microtls uses serverName/],
      ["rejectUnauthorized", false, /uses verify \(rejectUnauthorized: false is verify: false\)/],
      ["checkServerIdentity", () => undefined, /checkServerIdentity is a node:tls option/],
      ["minVersion", "TLSv1.3", /TLS 1\.2 only/],
      ["ciphers", "ECDHE-ECDSA-AES128-GCM-SHA256", /uses cipherSuites/],
      ["ecdhCurve", "X25519", /uses groups/],
      ["ALPNProtocols", ["h2"], /uses alpn/],
    ];
    for (const [name, value, pattern] of cases) configError({ ...base, [name]: value } as TlsClientOptions, pattern);
  });

  it("accepts every documented option name, and undefined for any name", () => {
    expect(() => new TlsClient({ ...base, servername: undefined } as TlsClientOptions)).not.toThrow();
    expect(() => new TlsClient({ ...base, alpn: ["http/1.1"], maxFragmentLength: 1024, sessionTickets: false, trace: () => {} })).not.toThrow();
  });
});

describe("trust anchors from ca text", () => {
  it("parses the same PEM once: the exact text maps to one parsed store, another text to another", async () => {
    const { loadTrustAnchors } = await import("../src/handshake/server-certificate.js");
    const a = loadTrustAnchors(ca);
    expect(loadTrustAnchors(ca)).toBe(a);
    expect(loadTrustAnchors(`${ca}\n`)).not.toBe(a);
    expect(loadTrustAnchors([ca])).toBe(loadTrustAnchors([ca]));
    // Bytes are keyed by their content too; text and bytes, and different splits of an array, never share an entry.
    const bytes = new TextEncoder().encode(ca);
    expect(loadTrustAnchors(bytes)).toBe(loadTrustAnchors(new Uint8Array(bytes)));
    expect(loadTrustAnchors(bytes)).not.toBe(a);
    expect(loadTrustAnchors([ca, ca])).not.toBe(loadTrustAnchors([ca + ca]));
  });

  it("a changed ca is never served from the cache, and a cached store verifies as a fresh one does", () => {
    const [a, b] = [loadTranscript(TRANSCRIPTS[0]), loadTranscript(TRANSCRIPTS[1])];
    expect(a.ca).not.toBe(b.ca);
    // One buffer, rewritten in place between connections: the cache must look at the bytes, not the object.
    const size = Math.max(a.ca.length, b.ca.length) + 1;
    const padded = (text: string): Uint8Array => new TextEncoder().encode(text.padEnd(size, "\n"));
    const buffer = padded(a.ca);
    const run = (caValue: unknown) => replay(a, { clientOptions: { ca: caValue } as Partial<TlsClientOptions> });
    const first = run(buffer);
    expect(first.error).toBeNull();
    const cached = run(buffer);
    expect(cached.error).toBeNull();
    expect(cached.output).toEqual(first.output);
    buffer.set(padded(b.ca));
    const changed = run(buffer);
    expect(changed.error?.code).toBe("BAD_CERTIFICATE");
    // The same for text: the right anchors verify twice, the wrong ones fail every time, in any order.
    for (const text of [a.ca, b.ca, a.ca, b.ca]) expect(run(text).error?.code ?? null).toBe(text === a.ca ? null : "BAD_CERTIFICATE");
  });
});
