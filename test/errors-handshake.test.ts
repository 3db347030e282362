// Issue #13 §3, handshake rows: an alert or a non-TLS peer is explained by what caused it (the client certificate
// we lack, the version we don't speak, what we offered, the peer's own words), and a handshake timeout has its
// own code. Each against a real peer: openssl s_server, or plain TCP servers for the last two.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import * as net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Alert, TlsClient, type TlsError } from "../src/index.js";
import { connect } from "../src/node/index.js";
import { expectTlsError, expectTlsErrorAsync } from "./helpers/expect-tls-error.js";
import { requirePeer } from "./helpers/peers.js";
import { standardPki, type StandardPki } from "./helpers/pki.js";
import { closeAllServers, LOOPBACK, startOpensslServer } from "./helpers/servers.js";
import { refusedTls } from "./helpers/tls.js";

let std: StandardPki;
const tcpServers: net.Server[] = [];

beforeAll(() => {
  std = standardPki();
});

afterAll(async () => {
  for (const s of tcpServers) s.close();
  await closeAllServers();
});

/** A plain TCP server: `onConnection` decides what (if anything) it answers. */
async function tcpServer(onConnection: (s: net.Socket) => void): Promise<number> {
  const server = net.createServer((s) => {
    s.on("error", () => {});
    onConnection(s);
  });
  tcpServers.push(server);
  await new Promise<void>((r) => server.listen(0, LOOPBACK, () => r()));
  return (server.address() as net.AddressInfo).port;
}

const leaf = () => ({ certFile: std.leaves.p256.certPath, keyFile: std.leaves.p256.keyPath, chainFile: std.intermediateFile });

describe("handshake failures name their cause", () => {
  it("fatal handshake_failure after our empty Certificate: the server requested a client certificate and none is configured", async () => {
    const server = await startOpensslServer({ ...leaf(), extraArgs: ["-Verify", "1", "-CAfile", std.pki.dir + "/root.pem"] });
    const error = await expectTlsErrorAsync(refusedTls(server.port), "ALERT_RECEIVED", Alert.handshake_failure, /^the server requested a client certificate and none is configured/);
    expect(error.message).toContain("(pass cert and key, or sign)");
  });

  it("fatal handshake_failure after our empty Certificate, with a certificate configured that the request ruled out: says why", async () => {
    const server = await startOpensslServer({
      ...leaf(),
      extraArgs: ["-Verify", "1", "-CAfile", std.pki.dir + "/root.pem", "-client_sigalgs", "rsa_pss_rsae_sha256"],
    });
    const error = await expectTlsErrorAsync(
      refusedTls(server.port, { cert: std.leaves.p256.certPem, key: std.leaves.p256.keyPem }),
      "ALERT_RECEIVED",
      Alert.handshake_failure,
      /^the server requested a client certificate and ours did not fit its request \(.*our ECDSA P-256 key\): it answered our empty Certificate/,
    );
    expect(error.message).not.toContain("none is configured");
  });

  it("fatal protocol_version: microtls speaks TLS 1.2 only and the server requires another version", async () => {
    const server = await startOpensslServer({ ...leaf(), version: "1.3" });
    const error = await expectTlsErrorAsync(refusedTls(server.port), "ALERT_RECEIVED", Alert.protocol_version);
    expect(error.message).toContain("microtls speaks TLS 1.2 only, and the server requires another version");
  });

  it("fatal handshake_failure with no shared suite: the suites and groups we offered", async () => {
    // TLS_RSA_WITH_AES_128_GCM_SHA256 only: RSA key exchange, which we offer only when named.
    const rsa = std.leaves.rsa2048;
    const server = await startOpensslServer({ certFile: rsa.certPath, keyFile: rsa.keyPath, chainFile: std.intermediateFile, cipher: "AES128-GCM-SHA256" });
    const error = await expectTlsErrorAsync(refusedTls(server.port, { groups: ["x25519", "secp256r1"] }), "ALERT_RECEIVED", Alert.handshake_failure);
    expect(error.offeredSuites).toContain("TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256");
    expect(error.offeredSuites).not.toContain("TLS_RSA_WITH_AES_128_GCM_SHA256");
    expect(error.offeredGroups).toEqual(["x25519", "secp256r1"]);
    expect(error.message).toContain(`we offered the suites ${error.offeredSuites!.join(", ")} and the groups x25519, secp256r1`);
  });

  it("the peer is not TLS: says so, with its first bytes as text", async () => {
    const port = await tcpServer((s) => {
      s.once("data", () => s.end("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n"));
    });
    const error = await expectTlsErrorAsync(refusedTls(port), "UNEXPECTED_MESSAGE", undefined, /^the peer is not speaking TLS \(unknown record content type 72\): it sent "HTTP\/1\.1 400 Bad Request\\r\\n/);
    expect(error.peerBytes).toMatch(/^HTTP\/1\.1 400 Bad Request\\r\\nContent-Length: 0/);
  });

  it("handshake timeout has its own code, TIMEOUT (microtls/node handshakeTimeout)", async () => {
    const port = await tcpServer((s) => s.resume());
    const started = Date.now();
    const error = await expectTlsErrorAsync(connect({ host: LOOPBACK, port, serverName: "device.test", ca: std.rootPem, handshakeTimeout: 300 }), "TIMEOUT");
    expect(error.message).toContain("within 300 ms (handshakeTimeout)");
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
  });

  it("the encrypted-key message names the entry that exports decryptPrivateKey", () => {
    const dir = mkdtempSync(join(tmpdir(), "microtls-errors-"));
    const out = join(dir, "enc.pem");
    execFileSync(requirePeer("openssl"), ["pkcs8", "-topk8", "-v2", "aes-256-cbc", "-passout", "pass:x", "-in", std.leaves.p256.keyPath, "-out", out]);
    const error = expectTlsError(() => new TlsClient({ serverName: "device.test", ca: std.rootPem, cert: std.leaves.p256.certPem, key: readFileSync(out, "utf8") }), "CONFIG");
    expect(error.message).toContain("decryptPrivateKey(pem, passphrase), exported by the microtls entry");
    expect(error.message).not.toContain("microtls/x509");
  });
});
