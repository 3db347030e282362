// The interop harness itself, checked with Node's own TLS client: if these fail, the interop
// failures below them say nothing about microtls.
import { execFileSync } from "node:child_process";
import * as tls from "node:tls";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KEY_KINDS, standardPki, TEST_HOST, type StandardPki } from "./helpers/pki.js";
import { closeAllServers, LOOPBACK, startGnutlsServer, startNodeTlsServer, startNodeTlsServerProcess, startOpensslServer } from "./helpers/servers.js";

function nodeClient(port: number, ca: string, opts: tls.ConnectionOptions = {}, payload = "ping\n"): Promise<{ cipher: string; reply: string }> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host: LOOPBACK, port, servername: TEST_HOST, ca, ...opts }, () => {
      let reply = "";
      socket.on("data", (d: Buffer) => {
        reply += d.toString();
        if (reply.includes("\n") && !payload.startsWith("GET")) socket.end();
      });
      socket.on("end", () => resolve({ cipher: socket.getCipher().standardName, reply }));
      socket.write(payload);
    });
    socket.once("error", reject);
    socket.setTimeout(5000, () => socket.destroy(new Error("timeout")));
  });
}

describe("interop harness (with Node's TLS client)", () => {
  let pki: StandardPki;
  beforeAll(() => {
    pki = standardPki();
  });
  afterAll(closeAllServers);

  it("issues leaves that openssl verifies under the intermediate", () => {
    for (const kind of KEY_KINDS) {
      const out = execFileSync("openssl", ["verify", "-CAfile", pki.root.certPath, "-untrusted", pki.intermediate.certPath, pki.leaves[kind].certPath]);
      expect(out.toString()).toContain(": OK");
    }
    expect(pki.leaves.rsa2048.der[0]).toBe(0x30);
  });

  it("issues certificates with past validity", () => {
    const expired = pki.pki.issue({
      name: "harness-expired",
      issuer: pki.intermediate,
      dns: [TEST_HOST],
      notBefore: new Date(Date.now() - 10 * 86400_000),
      notAfter: new Date(Date.now() - 86400_000),
    });
    const verify = () => execFileSync("openssl", ["verify", "-CAfile", pki.root.certPath, "-untrusted", pki.intermediate.certPath, expired.certPath], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    expect(verify).toThrow(/certificate has expired/);
  }, 10_000);

  it("starts Node's tls server (echo)", async () => {
    const server = await startNodeTlsServer({ key: pki.leaves.p256.keyPem, cert: pki.leaves.p256.certPem + pki.intermediate.certPem });
    const r = await nodeClient(server.port, pki.rootPem);
    expect(r.reply).toBe("ping\n");
    expect(r.cipher).toMatch(/^TLS_ECDHE_ECDSA_/);
  });

  it("starts openssl s_server (-www) sending the chain", async () => {
    const leaf = pki.leaves.rsa2048;
    const server = await startOpensslServer({ certFile: leaf.certPath, keyFile: leaf.keyPath, chainFile: pki.intermediateFile });
    const r = await nodeClient(server.port, pki.rootPem, {}, "GET / HTTP/1.0\r\n\r\n");
    expect(r.reply).toMatch(/^HTTP\/1.0 200 ok/);
    expect(r.cipher).toMatch(/^TLS_ECDHE_RSA_/);
  });

  it("starts openssl s_server with -servername_fatal, which rejects another SNI", async () => {
    const leaf = pki.leaves.p256;
    const server = await startOpensslServer({ certFile: leaf.certPath, keyFile: leaf.keyPath, servername: TEST_HOST, servernameFatal: true, mode: "rev" });
    await expect(nodeClient(server.port, pki.rootPem, { servername: "other.test", checkServerIdentity: () => undefined })).rejects.toThrow(/unrecognized name|alert number 112/);
  });

  it("starts gnutls-serv (--echo, with a CertificateRequest)", async () => {
    const server = await startGnutlsServer({ certFile: pki.chainFile.p384, keyFile: pki.leaves.p384.keyPath });
    const r = await nodeClient(server.port, pki.rootPem);
    expect(r.reply).toBe("ping\n");
    expect(r.cipher).toMatch(/^TLS_ECDHE_ECDSA_/);
  });

  it("starts Node's tls server in a child process (for clients driven by a blocking loop)", async () => {
    const server = await startNodeTlsServerProcess({ certFile: pki.chainFile.rsa2048, keyFile: pki.leaves.rsa2048.keyPath });
    const r = await nodeClient(server.port, pki.rootPem);
    expect(r.reply).toBe("ping\n");
    expect(r.cipher).toMatch(/^TLS_ECDHE_RSA_/);
    expect(server.kind).toBe("node-process");
  });
});
