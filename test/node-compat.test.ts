// TlsSocket as a node:tls TLSSocket: code written for a TLSSocket runs unchanged against a real Node server and
// reads the same certificate, cipher, protocol and ALPN as tls.connect; an early answer during an upload is delivered.
import * as http from "node:http";
import * as https from "node:https";
import type * as net from "node:net";
import * as tls from "node:tls";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect, createConnection } from "../src/node/index.js";
import { standardPki, TEST_HOST, type StandardPki } from "./helpers/pki.js";
import { closeAllServers, LOOPBACK, startNodeTlsServer, type NodeTlsServer } from "./helpers/servers.js";

let pki: StandardPki;
let server: NodeTlsServer;

beforeAll(async () => {
  pki = standardPki();
  const leaf = pki.leaves.p256;
  server = await startNodeTlsServer({ key: leaf.keyPem, cert: leaf.certPem + pki.intermediate.certPem, ALPNProtocols: ["http/1.1"] });
});
afterAll(closeAllServers);

/** Written for node:tls, as an application would: it must not know which implementation it gets. */
function describeSession(socket: tls.TLSSocket) {
  const cert = socket.getPeerCertificate(true);
  return {
    authorized: socket.authorized,
    authorizationError: socket.authorizationError,
    protocol: socket.getProtocol(),
    cipher: socket.getCipher(),
    alpn: socket.alpnProtocol,
    subject: { ...cert.subject },
    issuer: { ...cert.issuer },
    subjectaltname: cert.subjectaltname,
    valid_from: cert.valid_from,
    valid_to: cert.valid_to,
    fingerprint256: cert.fingerprint256,
    serialNumber: cert.serialNumber,
    raw: cert.raw.toString("base64"),
    issuerSubject: { ...cert.issuerCertificate.subject },
  };
}

function nodeConnect(): Promise<tls.TLSSocket> {
  return new Promise((resolve, reject) => {
    const s = tls.connect({ host: LOOPBACK, port: server.port, servername: TEST_HOST, ca: pki.rootPem, ALPNProtocols: ["http/1.1"], maxVersion: "TLSv1.2" }, () => resolve(s));
    s.once("error", reject);
  });
}

describe("TlsSocket reads like a TLSSocket", () => {
  it("getPeerCertificate, getCipher, getProtocol, authorized and alpnProtocol match tls.connect's", async () => {
    const native = await nodeConnect();
    const expected = describeSession(native);
    native.destroy();
    const ours = await connect({ host: LOOPBACK, port: server.port, serverName: TEST_HOST, ca: pki.rootPem, alpn: ["http/1.1"] });
    const got = describeSession(ours as unknown as tls.TLSSocket);
    ours.destroy();
    expect(got).toEqual({ ...expected, cipher: { ...expected.cipher } });
    expect(got.subject).toEqual({ O: "microtls tests", CN: TEST_HOST });
    expect(got.subjectaltname).toBe(`DNS:${TEST_HOST}, DNS:localhost, IP Address:127.0.0.1`);
    expect(got.issuerSubject).toMatchObject({ CN: "microtls Test Intermediate" });
    expect(got.cipher?.standardName).toMatch(/^TLS_ECDHE_ECDSA_WITH_/);
    expect(Buffer.from(got.raw, "base64")).toEqual(Buffer.from(pki.leaves.p256.der));
  });

  it("before the handshake: no certificate, no cipher, no protocol, not authorized", async () => {
    const socket = createConnection({ host: LOOPBACK, port: server.port, serverName: TEST_HOST, ca: pki.rootPem });
    expect(socket.getPeerCertificate()).toEqual({});
    expect(socket.getCipher()).toBeNull();
    expect(socket.getProtocol()).toBeNull();
    expect(socket.authorized).toBe(false);
    expect(socket.alpnProtocol).toBeNull();
    await new Promise((r) => socket.once("secureConnect", r));
    expect(socket.alpnProtocol).toBe(false); // no ALPN offered: false, as node:tls
    socket.destroy();
  });

  it("verify: false is not authorized and says why", async () => {
    const socket = await connect({ host: LOOPBACK, port: server.port, serverName: TEST_HOST, verify: false });
    expect(socket.authorized).toBe(false);
    expect(socket.authorizationError).toBe("VERIFICATION_DISABLED");
    expect(socket.getPeerCertificate().subject.CN).toBe(TEST_HOST);
    socket.destroy();
  });

  it("getSession() resumes a later connection, and isSessionReused() says so", async () => {
    const first = await connect({ host: LOOPBACK, port: server.port, serverName: TEST_HOST, ca: pki.rootPem });
    const session = first.getSession();
    first.destroy();
    expect(Buffer.isBuffer(session)).toBe(true);
    const second = await connect({ host: LOOPBACK, port: server.port, serverName: TEST_HOST, ca: pki.rootPem, session });
    expect(second.isSessionReused()).toBe(true);
    expect(second.getProtocol()).toBe("TLSv1.2");
    second.destroy();
  });
});
