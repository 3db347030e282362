// Issue #14's findings a real server can show: openssl s_server with a leaf whose keyUsage lacks the bit the
// negotiated key exchange needs, and with more certificates than maxCertificates.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectTlsErrorAsync } from "./helpers/expect-tls-error.js";
import { standardPki, TEST_HOST, type StandardPki } from "./helpers/pki.js";
import { closeAllServers, startOpensslServer, type ChildServer } from "./helpers/servers.js";
import { openTls, refusedTls, type OpenOptions } from "./helpers/tls.js";

const Alert = { bad_certificate: 42 } as const;
const ECDHE_RSA = { cipherSuites: ["TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"] } as OpenOptions;
const RSA_KX = { cipherSuites: ["TLS_RSA_WITH_AES_256_GCM_SHA384"] } as OpenOptions;

let pki: StandardPki;
const servers: Record<string, ChildServer> = {};

async function expectRefused(server: ChildServer, options: OpenOptions, flag: string, message: RegExp): Promise<void> {
  const error = await expectTlsErrorAsync(refusedTls(server.port, options), "BAD_CERTIFICATE", Alert.bad_certificate, message);
  expect(error.verifyFlags).toContain(flag);
  await server.waitForOutput(new RegExp(`alert number ${Alert.bad_certificate}\\b`));
}

async function expectAccepted(server: ChildServer, options: OpenOptions): Promise<void> {
  const { socket, client } = await openTls(server.port, options);
  expect(client.verifyFlags).toEqual([]);
  socket.destroy();
}

beforeAll(async () => {
  pki = standardPki();
  const p = pki.pki;
  const rsaLeaf = (name: string, keyUsage: string) =>
    p.issue({ name: `hostile-${name}`, cn: TEST_HOST, dns: [TEST_HOST], key: "rsa2048", issuer: pki.intermediate, keyUsage });
  const serve = (leaf: ReturnType<typeof rsaLeaf>, copies = 1) =>
    startOpensslServer({ certFile: leaf.certPath, keyFile: leaf.keyPath, chainFile: p.bundle(`hostile-chain-${leaf.name}-${copies}`, Array(copies).fill(pki.intermediate)), mode: "www" });
  servers.signOnly = await serve(rsaLeaf("ku-sign-only", "digitalSignature"));
  servers.encipherOnly = await serve(rsaLeaf("ku-encipher-only", "keyEncipherment"));
  servers.copies101 = await serve(pki.leaves.rsa2048, 101);
  servers.copies99 = await serve(pki.leaves.rsa2048, 99);
});

afterAll(closeAllServers);

describe("the leaf's keyUsage must allow the negotiated key exchange (RFC 5246 §7.4.2, RFC 8422 §5.3, RFC 5280 §4.2.1.3)", () => {
  it("ECDHE_RSA with a leaf limited to keyEncipherment: KEY_USAGE, bad_certificate", () =>
    expectRefused(servers.encipherOnly, ECDHE_RSA, "KEY_USAGE", /needs digitalSignature/));
  it("RSA key exchange with a leaf limited to digitalSignature: KEY_USAGE, bad_certificate", () =>
    expectRefused(servers.signOnly, RSA_KX, "KEY_USAGE", /needs keyEncipherment/));
  it("each leaf is accepted for the key exchange its bit allows", async () => {
    await expectAccepted(servers.signOnly, ECDHE_RSA);
    await expectAccepted(servers.encipherOnly, RSA_KX);
  });
});

describe("the certificate count (README: at most 100 presented certificates)", () => {
  it("a leaf and 101 copies of the intermediate are refused with bad_certificate", () =>
    expectRefused(servers.copies101, {}, "PATH_TOO_LONG", /102 certificates; at most 100/));
  it("a leaf and 99 copies (100 certificates) still verify", () => expectAccepted(servers.copies99, {}));
});
