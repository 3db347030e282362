// Issue #13 §3, certificate rows: a refused chain names the fact (the name checked and the names held, the issuer
// nobody trusted, the certificate out of its validity and the clock's time), in the message and as fields, against
// a real openssl s_server; and the chain stays readable after the failure.
import * as net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TlsClient, type TlsClientOptions, type TlsError } from "../src/index.js";
import { TlsSocket } from "../src/node/index.js";
import { standardPki, TEST_HOST, type StandardPki } from "./helpers/pki.js";
import { closeAllServers, LOOPBACK, startOpensslServer, type ChildServer } from "./helpers/servers.js";

let std: StandardPki;
let good: ChildServer;
let expired: ChildServer;
const DAY = 86_400_000;

beforeAll(async () => {
  std = standardPki();
  good = await startOpensslServer({ certFile: std.leaves.p256.certPath, keyFile: std.leaves.p256.keyPath, chainFile: std.intermediateFile });
  const old = std.pki.issue({
    name: "errors-expired-leaf",
    cn: TEST_HOST,
    issuer: std.intermediate,
    dns: [TEST_HOST],
    notBefore: new Date(Date.now() - 60 * DAY),
    notAfter: new Date(Date.now() - 30 * DAY),
  });
  expired = await startOpensslServer({ certFile: old.certPath, keyFile: old.keyPath, chainFile: std.intermediateFile });
}, 60_000);

afterAll(closeAllServers);

/** Handshakes and resolves with the error and the client (for client.peerCertificates after the failure). */
function fail(port: number, options: Partial<TlsClientOptions>): Promise<{ error: TlsError; client: TlsClient }> {
  const client = new TlsClient({ serverName: TEST_HOST, ca: std.rootPem, ...options } as TlsClientOptions);
  const socket = new TlsSocket(client, net.connect({ host: LOOPBACK, port }), { handshakeTimeout: 15_000 });
  return new Promise((resolve, reject) => {
    socket.once("error", (error: TlsError) => resolve({ error, client }));
    socket.once("secureConnect", () => {
      socket.destroy();
      reject(new Error("the handshake succeeded but was expected to fail"));
    });
  });
}

describe("a refused chain names the fact", () => {
  it("hostname mismatch: the name checked and the certificate's DNS and IP SANs", async () => {
    const { error, client } = await fail(good.port, { serverName: "device.example.com" });
    expect(error.code).toBe("BAD_CERTIFICATE");
    expect(error.verifyFlags).toEqual(["HOSTNAME_MISMATCH"]);
    expect(error.checkedName).toBe("device.example.com");
    expect(error.certificateNames).toEqual([`DNS:${TEST_HOST}`, "DNS:localhost", "IP:127.0.0.1"]);
    expect(error.message).toContain(`checked "device.example.com"; the certificate names DNS:${TEST_HOST}, DNS:localhost, IP:127.0.0.1`);
    // The chain as sent stays readable, on the error and on the client.
    expect(error.peerCertificates?.map((c) => c.subject)).toEqual([`CN=${TEST_HOST}, O=microtls tests`, "CN=microtls Test Intermediate, O=microtls tests"]);
    expect(client.peerCertificates.map((c) => c.subject)).toEqual([`CN=${TEST_HOST}, O=microtls tests`, "CN=microtls Test Intermediate, O=microtls tests"]);
    // Logged or serialised, the error shows its words, not every certificate's bytes.
    expect(Object.keys(error)).not.toContain("peerCertificates");
    expect(JSON.parse(JSON.stringify(error))).toMatchObject({ code: "BAD_CERTIFICATE", checkedName: "device.example.com" });
  });

  it("an IP checked against IP SANs says so", async () => {
    const { error } = await fail(good.port, { serverName: "10.1.2.3" });
    expect(error.checkedName).toBe("10.1.2.3");
    expect(error.message).toMatch(/checked "10\.1\.2\.3"; the certificate names .*IP:127\.0\.0\.1/);
  });

  it("untrusted chain: the issuer no trusted CA matched, and the chain as sent (subject, issuer)", async () => {
    const other = std.pki.issue({ name: "errors-other-root", cn: "Some Other Root", ca: true });
    const { error, client } = await fail(good.port, { ca: other.certPem });
    expect(error.code).toBe("BAD_CERTIFICATE");
    expect(error.verifyFlags).toContain("NOT_TRUSTED");
    expect(error.untrustedIssuer).toBe("CN=microtls Test Root, O=microtls tests");
    expect(error.presentedChain?.map((c) => [c.subject, c.issuer])).toEqual([
      [`CN=${TEST_HOST}, O=microtls tests`, "CN=microtls Test Intermediate, O=microtls tests"],
      ["CN=microtls Test Intermediate, O=microtls tests", "CN=microtls Test Root, O=microtls tests"],
    ]);
    expect(error.message).toContain('no trusted CA matched the issuer "CN=microtls Test Root, O=microtls tests"');
    expect(error.message).toContain(`the chain as sent: [0] "CN=${TEST_HOST}, O=microtls tests" issued by "CN=microtls Test Intermediate, O=microtls tests", [1] "CN=microtls Test Intermediate, O=microtls tests" issued by "CN=microtls Test Root, O=microtls tests"`);
    expect(client.peerCertificates.length).toBe(2);
  });

  it("expired: which certificate, its validity, and the clock's time", async () => {
    const before = Date.now();
    const { error } = await fail(expired.port, {});
    expect(error.code).toBe("BAD_CERTIFICATE");
    expect(error.verifyFlags).toContain("EXPIRED");
    const bad = error.invalidCertificate!;
    expect(bad.index).toBe(0);
    expect(bad.subject).toBe(`CN=${TEST_HOST}, O=microtls tests`);
    expect(Date.parse(bad.notAfter)).toBeLessThan(before - 29 * DAY);
    expect(Date.parse(bad.notBefore)).toBeLessThan(Date.parse(bad.notAfter));
    expect(Math.abs(Date.parse(error.clockTime!) - before)).toBeLessThan(60_000);
    expect(error.message).toContain(`the leaf ("CN=${TEST_HOST}, O=microtls tests") is valid from ${bad.notBefore} to ${bad.notAfter}, and the clock says ${error.clockTime}`);
  });

  it("a device whose clock is wrong is told apart: a valid chain, a clock in 2001, NOT_YET_VALID with the clock's time", async () => {
    const wrongClock = Date.UTC(2001, 0, 1);
    const { error } = await fail(good.port, { now: () => wrongClock });
    expect(error.verifyFlags).toContain("NOT_YET_VALID");
    expect(error.clockTime).toBe("2001-01-01T00:00:00.000Z");
    expect(error.invalidCertificate!.index).toBe(0);
    expect(Date.parse(error.invalidCertificate!.notBefore)).toBeGreaterThan(Date.now() - 2 * DAY);
    expect(error.message).toContain("the clock says 2001-01-01T00:00:00.000Z (if that is not the current time, set the device's clock)");
  });
});
