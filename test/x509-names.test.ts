import { describe, expect, it } from "vitest";
import { parsePem } from "../src/x509/index.js";
import { canonicalHostname, dnsSanMatches, formatIp, parseIp } from "../src/x509/hostname.js";
import { checkNameConstraints, constraintsWellFormed, NC_BUDGET } from "../src/x509/name-constraints.js";
import type { Certificate } from "../src/x509/certificate.js";
import type { GeneralName } from "../src/x509/general-names.js";
import { TlsError } from "../src/errors.js";

describe("parsePem", () => {
  const a = "MAECAQE="; // any base64 payload: parsePem does not parse certificates
  const bundle = [
    "# Issuer: CN=Example Root",
    "subject=/CN=ignored",
    "-----BEGIN CERTIFICATE-----",
    "MAEC",
    "AQE=",
    "-----END CERTIFICATE-----",
    "-----BEGIN PRIVATE KEY-----\r\nAAAA\r\n-----END PRIVATE KEY-----",
    "Bag Attributes: junk",
    "-----BEGIN CERTIFICATE-----\r\nAAECAw==\r\n-----END CERTIFICATE-----\r\n",
  ].join("\n");

  it("reads every CERTIFICATE block and skips comments and other blocks", () => {
    const blocks = parsePem(bundle);
    expect(blocks.map((b) => Array.from(b))).toEqual([
      [0x30, 0x01, 0x02, 0x01, 0x01],
      [0x00, 0x01, 0x02, 0x03],
    ]);
  });

  it("selects blocks by label", () => {
    expect(parsePem(bundle, "PRIVATE KEY").map((b) => b.length)).toEqual([3]);
    expect(parsePem("no pem here")).toEqual([]);
    expect(parsePem(`-----BEGIN CERTIFICATE-----\n${a}\n-----END CERTIFICATE-----`)).toHaveLength(1);
  });

  it("rejects broken base64 with a TlsError", () => {
    for (const body of ["AB$D", "ABC", "A=BC", "===="]) {
      expect(() => parsePem(`-----BEGIN CERTIFICATE-----\n${body}\n-----END CERTIFICATE-----`)).toThrow(TlsError);
    }
  });
});

describe("hostname matching", () => {
  const table: Array<[string, string, boolean]> = [
    ["example.com", "example.com", true],
    ["example.com", "EXAMPLE.com", true],
    ["Example.COM", "example.com", true],
    ["example.com", "example.com.", true], // trailing dot of an absolute name
    ["example.com", "www.example.com", false],
    ["*.example.com", "foo.example.com", true],
    ["*.example.com", "FOO.Example.Com.", true],
    ["*.example.com", "example.com", false], // never the bare parent
    ["*.example.com", "a.b.example.com", false], // one label only
    ["*.example.com", ".example.com", false],
    ["f*.example.com", "foo.example.com", false], // no partial-label wildcards
    ["*oo.example.com", "foo.example.com", false],
    ["foo.*.example.com", "foo.bar.example.com", false], // left-most label only
    ["*.com", "example.com", false], // no TLD-wide wildcards
    ["*.co.uk", "example.co.uk", false], // nor registry-wide ones
    ["*.s3.amazonaws.com", "bucket.s3.amazonaws.com", false], // nor shared-host-wide ones
    ["*.example.co.uk", "www.example.co.uk", true],
    ["*", "example", false],
    ["xn--*-1b3c148a.example.com", "xn--bliss-1b3c148a.example.com", false],
    ["foo_bar.example.com", "foo_bar.example.com", false], // not a valid host name
    ["8.8.8.8", "8.8.8.8", true], // as text: but verifyChain matches IP literals against iPAddress SANs only
  ];
  it.each(table)("SAN %s vs host %s -> %s", (san, host, want) => {
    const h = canonicalHostname(host);
    expect(h !== null && dnsSanMatches(san, h)).toBe(want);
  });

  it("parses IP literals strictly", () => {
    expect(Array.from(parseIp("192.0.2.1")!)).toEqual([192, 0, 2, 1]);
    expect(parseIp("192.168.001.001")).toBeNull();
    expect(parseIp("256.1.1.1")).toBeNull();
    expect(parseIp("1.2.3")).toBeNull();
    expect(formatIp(parseIp("2001:DB8:0:0:1:0:0:1")!)).toBe("2001:db8::1:0:0:1");
    expect(formatIp(parseIp("::1")!)).toBe("::1");
    expect(formatIp(parseIp("::ffff:192.0.2.1")!)).toBe("::ffff:c000:201");
    expect(parseIp("1::2::3")).toBeNull();
    expect(parseIp("1:2:3:4:5:6:7:8:9")).toBeNull();
  });
});

describe("name constraints", () => {
  const cert = (names: GeneralName[]): Certificate =>
    ({
      subjectDer: new Uint8Array([0x30, 0x00]),
      extensions: { subjectAltName: names },
    }) as unknown as Certificate;
  const dns = (value: string): GeneralName => ({ type: "dns", value });
  const ip = (...b: number[]): GeneralName => ({ type: "ip", value: new Uint8Array(b) });
  const check = (nc: { permitted?: GeneralName[]; excluded?: GeneralName[] }, names: GeneralName[]) =>
    checkNameConstraints({ permitted: nc.permitted ?? null, excluded: nc.excluded ?? null }, cert(names), { remaining: NC_BUDGET });

  it("permitted DNS subtrees include the name and its subdomains only", () => {
    expect(check({ permitted: [dns("example.com")] }, [dns("example.com")])).toBe("ok");
    expect(check({ permitted: [dns("example.com")] }, [dns("a.b.example.com")])).toBe("ok");
    expect(check({ permitted: [dns("example.com")] }, [dns("notexample.com")])).toBe("violation");
    expect(check({ permitted: [dns("example.com")] }, [dns("example.com"), dns("evil.test")])).toBe("violation");
  });

  it("excluded subtrees win over permitted ones", () => {
    expect(check({ permitted: [dns("example.com")], excluded: [dns("bad.example.com")] }, [dns("x.bad.example.com")])).toBe("violation");
  });

  it("wildcard SANs are checked against every name they could stand for", () => {
    expect(check({ excluded: [dns("bar.example.com")] }, [dns("*.example.com")])).toBe("violation");
    expect(check({ permitted: [dns("foo.example.com")] }, [dns("*.example.com")])).toBe("violation");
    expect(check({ permitted: [dns("example.com")] }, [dns("*.example.com")])).toBe("ok");
  });

  it("IP constraints compare under the mask; other name forms are unaffected", () => {
    const net = ip(192, 0, 2, 0, 255, 255, 255, 0);
    expect(check({ permitted: [net] }, [ip(192, 0, 2, 77)])).toBe("ok");
    expect(check({ permitted: [net] }, [ip(192, 0, 3, 1)])).toBe("violation");
    expect(check({ excluded: [net] }, [ip(192, 0, 2, 1)])).toBe("violation");
    expect(check({ permitted: [net] }, [dns("example.com")])).toBe("ok");
    expect(check({ permitted: [net] }, [ip(192, 0, 2, 0, 255, 255, 255, 0)])).toBe("violation"); // a range is not an address
  });

  it("malformed constraints are refused", () => {
    expect(constraintsWellFormed({ permitted: [dns(".example.com")], excluded: null })).toBe(false);
    expect(constraintsWellFormed({ permitted: [dns("*.example.com")], excluded: null })).toBe(false);
    expect(constraintsWellFormed({ permitted: [ip(10, 0, 0, 0, 255, 0, 255, 0)], excluded: null })).toBe(false);
    expect(constraintsWellFormed({ permitted: [ip(10, 0, 0, 1)], excluded: null })).toBe(false);
  });

  it("a hostile number of names against many constraints stops on the budget", () => {
    const many = Array.from({ length: 1200 }, (_, i) => dns(`n${i}.example.com`));
    expect(check({ permitted: many }, many)).toBe("violation");
  });
});
