// Bad chains built with openssl, served by openssl s_server, refused by microtls during a real handshake:
// the TlsError code, the alert we send (which s_server must report receiving) and the verify flags.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectTlsErrorAsync } from "./helpers/expect-tls-error.js";
import { standardPki, TEST_HOST, type Issued, type StandardPki } from "./helpers/pki.js";
import { closeAllServers, startOpensslServer, type ChildServer } from "./helpers/servers.js";
import { openTls, refusedTls, type OpenOptions } from "./helpers/tls.js";

const DAY = 86400_000;
const Alert = { bad_certificate: 42, certificate_expired: 45, unknown_ca: 48 } as const;

interface Served {
  leaf: Issued;
  /** Certificates sent after the leaf, in this order. */
  chain: Issued[];
}

let pki: StandardPki;

function serve(s: Served): Promise<ChildServer> {
  const chainFile = s.chain.length > 0 ? pki.pki.bundle(`x509-chain-${s.leaf.name}`, s.chain) : undefined;
  return startOpensslServer({ certFile: s.leaf.certPath, keyFile: s.leaf.keyPath, chainFile, mode: "www" });
}

async function expectRefused(server: ChildServer, flag: string, alert: number, options: OpenOptions = {}): Promise<void> {
  const error = await expectTlsErrorAsync(refusedTls(server.port, options), "BAD_CERTIFICATE", alert);
  expect(error.verifyFlags).toContain(flag);
  expect(error.message.length).toBeGreaterThan(20);
  // The alert really went out: s_server reports what it received.
  await server.waitForOutput(new RegExp(`alert number ${alert}\\b`));
}

async function expectAccepted(server: ChildServer, options: OpenOptions = {}): Promise<void> {
  const { socket, client } = await openTls(server.port, options);
  expect(client.verifyFlags).toEqual([]);
  socket.destroy();
}

describe("certificate verification through a real handshake (openssl s_server)", () => {
  const servers: Record<string, ChildServer> = {};

  beforeAll(async () => {
    pki = standardPki();
    const p = pki.pki;
    const { root, intermediate } = pki;
    // The CN repeats the first SAN: the CA/B profile the verifier follows refuses a DNS-like CN that no SAN carries.
    const leaf = (name: string, extra: Partial<Parameters<typeof p.issue>[0]> = {}) =>
      p.issue({ name: `x509-${name}`, issuer: intermediate, dns: [TEST_HOST], ...extra, cn: (extra.dns ?? [TEST_HOST])[0] });

    const otherRoot = p.issue({ name: "x509-other-root", cn: "Some Other Root", ca: true });
    const otherInt = p.issue({ name: "x509-other-int", cn: "Some Other Intermediate", ca: 0, issuer: otherRoot });
    const notCa = p.issue({ name: "x509-not-ca-int", cn: "Not A CA", ca: false, issuer: root, keyUsage: "digitalSignature, keyCertSign" });
    const constrained = p.issue({ name: "x509-nc-int", cn: "Constrained Intermediate", ca: 0, issuer: root, nameConstraints: "permitted;DNS:allowed.test" });
    const upper = p.issue({ name: "x509-upper-int", cn: "Upper Intermediate", ca: 1, issuer: root });
    const lower = p.issue({ name: "x509-lower-int", cn: "Lower Intermediate", ca: 0, issuer: upper });

    const cases: Record<string, Served> = {
      expired: { leaf: leaf("expired", { notBefore: new Date(Date.now() - 30 * DAY), notAfter: new Date(Date.now() - DAY) }), chain: [intermediate] },
      notYetValid: { leaf: leaf("not-yet-valid", { notBefore: new Date(Date.now() + DAY), notAfter: new Date(Date.now() + 30 * DAY) }), chain: [intermediate] },
      wrongHost: { leaf: leaf("wrong-host", { dns: ["other.microtls.test"] }), chain: [intermediate] },
      selfSigned: { leaf: p.issue({ name: "x509-self-signed", cn: TEST_HOST, dns: [TEST_HOST] }), chain: [] },
      untrustedRoot: { leaf: p.issue({ name: "x509-untrusted", cn: TEST_HOST, issuer: otherInt, dns: [TEST_HOST] }), chain: [otherInt] },
      missingIntermediate: { leaf: leaf("missing-int"), chain: [] },
      nonCaIntermediate: { leaf: p.issue({ name: "x509-under-non-ca", cn: TEST_HOST, issuer: notCa, dns: [TEST_HOST] }), chain: [notCa] },
      clientAuthOnly: { leaf: leaf("client-auth-only", { eku: ["clientAuth"] }), chain: [intermediate] },
      nameConstraints: { leaf: p.issue({ name: "x509-nc-violation", cn: TEST_HOST, issuer: constrained, dns: [TEST_HOST] }), chain: [constrained] },
      nameConstraintsOk: { leaf: p.issue({ name: "x509-nc-ok", cn: "ok.allowed.test", issuer: constrained, dns: ["ok.allowed.test"] }), chain: [constrained] },
      wildcard: { leaf: leaf("wildcard", { dns: ["*.microtls.test"] }), chain: [intermediate] },
      partialWildcard: { leaf: leaf("partial-wildcard", { dns: ["inter*.microtls.test"] }), chain: [intermediate] },
      // The correct order is leaf, lower, upper: the path builder must not care.
      shuffled: { leaf: p.issue({ name: "x509-shuffled", cn: TEST_HOST, issuer: lower, dns: [TEST_HOST] }), chain: [upper, lower] },
      good: { leaf: pki.leaves.p256, chain: [intermediate] },
    };
    for (const [name, c] of Object.entries(cases)) servers[name] = await serve(c);
  });

  afterAll(closeAllServers);

  it("accepts the good chain (the baseline the cases below differ from)", () => expectAccepted(servers.good));
  it("refuses an expired leaf", () => expectRefused(servers.expired, "EXPIRED", Alert.certificate_expired));
  it("refuses a leaf that is not yet valid", () => expectRefused(servers.notYetValid, "NOT_YET_VALID", Alert.certificate_expired));
  it("refuses a certificate for another host", () => expectRefused(servers.wrongHost, "HOSTNAME_MISMATCH", Alert.bad_certificate));
  it("refuses a self-signed leaf", () => expectRefused(servers.selfSigned, "NOT_TRUSTED", Alert.unknown_ca));
  it("refuses a chain to an untrusted root", () => expectRefused(servers.untrustedRoot, "NOT_TRUSTED", Alert.unknown_ca));
  it("refuses a chain missing its intermediate", () => expectRefused(servers.missingIntermediate, "NOT_TRUSTED", Alert.unknown_ca));
  it("accepts that chain when the intermediate is a trust anchor", () =>
    expectAccepted(servers.missingIntermediate, { ca: [pki.rootPem, pki.intermediate.certPem] }));
  it("refuses a chain through a non-CA intermediate", () => expectRefused(servers.nonCaIntermediate, "NOT_CA", Alert.bad_certificate));
  it("refuses a clientAuth-only leaf", () => expectRefused(servers.clientAuthOnly, "EXT_KEY_USAGE", Alert.bad_certificate));
  it("refuses a name outside the intermediate's name constraints", () => expectRefused(servers.nameConstraints, "NAME_CONSTRAINTS", Alert.bad_certificate));
  it("accepts a name inside them", () => expectAccepted(servers.nameConstraintsOk, { serverName: "ok.allowed.test" }));
  it("matches a wildcard against one left-most label", () => expectAccepted(servers.wildcard, { serverName: "device.microtls.test" }));
  it("does not let a wildcard match two labels", () =>
    expectRefused(servers.wildcard, "HOSTNAME_MISMATCH", Alert.bad_certificate, { serverName: "a.b.microtls.test" }));
  it("does not let a wildcard match the bare parent domain", () =>
    expectRefused(servers.wildcard, "HOSTNAME_MISMATCH", Alert.bad_certificate, { serverName: "microtls.test" }));
  it("does not honour a partial-label wildcard", () =>
    expectRefused(servers.partialWildcard, "HOSTNAME_MISMATCH", Alert.bad_certificate, { serverName: "interop.microtls.test" }));
  it("builds the path from a shuffled chain", () => expectAccepted(servers.shuffled));
  it("checks an IP literal against the IP SANs", async () => {
    await expectAccepted(servers.good, { serverName: "127.0.0.1" });
    await expectRefused(servers.good, "HOSTNAME_MISMATCH", Alert.bad_certificate, { serverName: "127.0.0.2" });
  });
  it("with verify: false, connects to the self-signed server and still parses its chain", async () => {
    const { socket, client } = await openTls(servers.selfSigned.port, { verify: false });
    expect(client.peerCertificates.length).toBe(1);
    socket.destroy();
  });
});
