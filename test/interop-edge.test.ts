// Edge cases against real servers: fragment limits checked on the wire, ALPN, SNI, a 1 MiB echo, both ways
// of closing, a truncated connection, a handshake fed one byte at a time, and the CertificateRequest path.
import { createHash, randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type * as net from "node:net";
import type * as tls from "node:tls";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Alert } from "../src/errors.js";
import { expectTlsErrorAsync } from "./helpers/expect-tls-error.js";
import { standardPki, TEST_HOST, type StandardPki } from "./helpers/pki.js";
import { closeAllServers, startGnutlsServer, startNodeTlsServer, startOpensslServer, type ChildServer, type NodeTlsServer } from "./helpers/servers.js";
import { openTls, parseRecords, plaintextHandshakeTypes, readToEnd, readUntil, refusedTls, socketError, textLines, waitFor, whenClosed, type WireRecord } from "./helpers/tls.js";

const ALERT = 21;
const CCS = 20;
const APPLICATION_DATA = 23;
// Largest AEAD expansion of our suites: AES-GCM's 8-byte explicit nonce + 16-byte tag.
const MAX_AEAD_OVERHEAD = 24;

let pki: StandardPki;
let openssl: ChildServer;
let gnutls: ChildServer;
let nodeEcho: NodeTlsServer;

function nodeCert(kind: "p256" | "rsa2048" = "p256") {
  return { key: pki.leaves[kind].keyPem, cert: pki.leaves[kind].certPem + pki.intermediate.certPem };
}

/** Every record within the limit: plaintext ≤ limit before ChangeCipherSpec, ciphertext ≤ limit + AEAD overhead after. */
function expectRecordsWithin(records: WireRecord[], limit: number): void {
  let encrypted = false;
  for (const r of records) {
    expect(r.length, `record type ${r.type}`).toBeLessThanOrEqual(encrypted ? limit + MAX_AEAD_OVERHEAD : limit);
    if (r.type === CCS) encrypted = true;
  }
}

beforeAll(async () => {
  pki = standardPki();
  const leaf = pki.leaves.p256;
  openssl = await startOpensslServer({ certFile: leaf.certPath, keyFile: leaf.keyPath, chainFile: pki.intermediateFile, mode: "www" });
  gnutls = await startGnutlsServer({ certFile: pki.chainFile.p256, keyFile: leaf.keyPath });
  nodeEcho = await startNodeTlsServer(nodeCert());
});

afterAll(closeAllServers);

describe("max_fragment_length 512, checked on the wire", () => {
  const request = `GET / HTTP/1.0\r\nX-Padding: ${"p".repeat(3000)}\r\n\r\n`;

  it("openssl s_server: every record it sends and every record we send fits", async () => {
    const { socket, client } = await openTls(openssl.port, { maxFragmentLength: 512 });
    expect(client.maxFragmentLength).toBe(512);
    socket.write(request);
    const page = await readUntil(socket, (b) => b.includes("</HTML>"));
    expect(page.length).toBeGreaterThan(2048);
    socket.destroy();
    const received = parseRecords(client.tap.received);
    const sent = parseRecords(client.tap.sent);
    expectRecordsWithin(received, 512);
    expectRecordsWithin(sent, 512);
    // The limit really split the data: the page and the request took several records each.
    expect(received.filter((r) => r.type === APPLICATION_DATA).length).toBeGreaterThanOrEqual(5);
    expect(sent.filter((r) => r.type === APPLICATION_DATA).length).toBeGreaterThanOrEqual(6);
  });

  it("gnutls-serv: a 5000-byte echo travels in records of at most 512 bytes both ways", async () => {
    const { socket, client } = await openTls(gnutls.port, { maxFragmentLength: 512 });
    expect(client.maxFragmentLength).toBe(512);
    const payload = textLines(5000);
    socket.write(payload);
    const echoed = await readUntil(socket, (b) => b.length >= payload.length);
    expect(echoed.equals(payload)).toBe(true);
    socket.destroy();
    const received = parseRecords(client.tap.received);
    const sent = parseRecords(client.tap.sent);
    expectRecordsWithin(received, 512);
    expectRecordsWithin(sent, 512);
    expect(sent.filter((r) => r.type === APPLICATION_DATA).length).toBeGreaterThanOrEqual(10);
  });

  it("Node's tls server honours it too", async () => {
    const { socket, client } = await openTls(nodeEcho.port, { maxFragmentLength: 512 });
    expect(client.maxFragmentLength).toBe(512);
    const payload = randomBytes(3000);
    socket.write(payload);
    expect((await readUntil(socket, (b) => b.length >= payload.length)).equals(payload)).toBe(true);
    socket.destroy();
    expectRecordsWithin(parseRecords(client.tap.received), 512);
    expectRecordsWithin(parseRecords(client.tap.sent), 512);
  });
});

describe("small records without negotiation (openssl s_server -max_send_frag 700)", () => {
  it("reassembles handshake messages and data split across many records", async () => {
    const leaf = pki.leaves.rsa2048;
    const server = await startOpensslServer({ certFile: leaf.certPath, keyFile: leaf.keyPath, chainFile: pki.intermediateFile, maxSendFrag: 700 });
    const { socket, client } = await openTls(server.port);
    socket.write("GET / HTTP/1.0\r\n\r\n");
    expect((await readUntil(socket, (b) => b.includes("</HTML>"))).toString()).toMatch(/^HTTP\/1.0 200 ok/);
    socket.destroy();
    const received = parseRecords(client.tap.received);
    expectRecordsWithin(received, 700);
    // The RSA certificate chain alone is over 1400 bytes: the Certificate message spanned several records.
    expect(received.filter((r) => r.type === 22).length).toBeGreaterThanOrEqual(4);
  });
});

describe("ALPN", () => {
  it("agrees on the protocol both sides have (Node)", async () => {
    const server = await startNodeTlsServer({ ...nodeCert(), ALPNProtocols: ["mqtt", "http/1.1"] });
    const { socket, client } = await openTls(server.port, { alpn: ["x-amzn-mqtt-ca", "mqtt"] });
    expect(client.alpnProtocol).toBe("mqtt");
    expect(socket.alpnProtocol).toBe("mqtt");
    socket.destroy();
  });

  it("agrees with openssl s_server", async () => {
    const leaf = pki.leaves.p256;
    const server = await startOpensslServer({ certFile: leaf.certPath, keyFile: leaf.keyPath, chainFile: pki.intermediateFile, alpn: ["http/1.1", "mqtt"] });
    const { socket, client } = await openTls(server.port, { alpn: ["mqtt"] });
    expect(client.alpnProtocol).toBe("mqtt");
    socket.destroy();
  });

  it("refused with a fatal no_application_protocol by Node's server", async () => {
    const server = await startNodeTlsServer({ ...nodeCert(), ALPNProtocols: ["h2"] });
    await expectTlsErrorAsync(refusedTls(server.port, { alpn: ["mqtt"] }), "ALERT_RECEIVED", Alert.no_application_protocol);
  });

  it("refused with a fatal no_application_protocol by gnutls-serv --alpn-fatal", async () => {
    const server = await startGnutlsServer({ certFile: pki.chainFile.p256, keyFile: pki.leaves.p256.keyPath, alpn: ["h2"], alpnFatal: true });
    await expectTlsErrorAsync(refusedTls(server.port, { alpn: ["mqtt"] }), "ALERT_RECEIVED", Alert.no_application_protocol);
  });

  it("refused with a fatal no_application_protocol by openssl s_server", async () => {
    const leaf = pki.leaves.p256;
    const server = await startOpensslServer({ certFile: leaf.certPath, keyFile: leaf.keyPath, chainFile: pki.intermediateFile, alpn: ["h2"] });
    await expectTlsErrorAsync(refusedTls(server.port, { alpn: ["mqtt"] }), "ALERT_RECEIVED", Alert.no_application_protocol);
  });

  it("ignored by a server without ALPN: no protocol, the connection goes on", async () => {
    const { socket, client } = await openTls(openssl.port, { alpn: ["mqtt"] });
    expect(client.alpnProtocol).toBeNull();
    socket.write("GET / HTTP/1.0\r\n\r\n");
    expect((await readUntil(socket, (b) => b.includes("</HTML>"))).toString()).toMatch(/^HTTP\/1.0 200 ok/);
    socket.destroy();
  });
});

describe("SNI on openssl s_server -servername_fatal", () => {
  let server: ChildServer;
  beforeAll(async () => {
    const leaf = pki.leaves.p256;
    server = await startOpensslServer({ certFile: leaf.certPath, keyFile: leaf.keyPath, servername: TEST_HOST, servernameFatal: true, mode: "www" });
  });

  it("accepts the configured name", async () => {
    // s_server sends no chain from its SNI context, so the intermediate is a trust anchor here.
    const { socket, client } = await openTls(server.port, { ca: [pki.rootPem, pki.intermediate.certPem] });
    expect(client.cipherSuite).toMatch(/^TLS_ECDHE_ECDSA_/);
    socket.destroy();
  });

  it("surfaces the unrecognized_name alert for another name", async () => {
    await expectTlsErrorAsync(refusedTls(server.port, { serverName: "wrong.microtls.test" }), "ALERT_RECEIVED", Alert.unrecognized_name, /unrecognized_name/);
  });
});

describe("bulk data", () => {
  const MiB = 1 << 20;

  // gnutls-serv echoes line by line, so the data is lines of random base64 text.
  async function echoMiB(port: number): Promise<void> {
    const { socket, client } = await openTls(port);
    const data = textLines(MiB);
    const replyPromise = readUntil(socket, (b) => b.length >= MiB, 60_000);
    for (let at = 0; at < MiB; at += 65536) socket.write(data.subarray(at, at + 65536));
    const reply = await replyPromise;
    expect(reply.length).toBe(MiB);
    expect(createHash("sha256").update(reply).digest("hex")).toBe(createHash("sha256").update(data).digest("hex"));
    // 1 MiB needs at least 64 full-size records each way.
    expect(parseRecords(client.tap.sent).filter((r) => r.type === APPLICATION_DATA).length).toBeGreaterThanOrEqual(64);
    socket.end();
    await whenClosed(socket);
  }

  it("echoes 1 MiB through Node's tls server, checksum intact", () => echoMiB(nodeEcho.port));
  it("echoes 1 MiB through gnutls-serv, checksum intact", () => echoMiB(gnutls.port));
});

describe("closing", () => {
  it("close_notify from us: the server sees a clean end and answers with its own", async () => {
    let serverSawEnd = false;
    const server = await startNodeTlsServer({
      ...nodeCert(),
      mode: "custom",
      onConnection: (s) => {
        s.on("data", (d) => s.write(d));
        s.on("end", () => {
          serverSawEnd = true;
          s.end();
        });
        s.on("error", () => {});
      },
    });
    const { socket, client } = await openTls(server.port);
    socket.write("hello\n");
    expect((await readUntil(socket, (b) => b.includes("\n"))).toString()).toBe("hello\n");
    const ended = readToEnd(socket);
    socket.end();
    expect((await ended).length).toBe(0);
    await whenClosed(socket);
    expect(serverSawEnd).toBe(true);
    const sent = parseRecords(client.tap.sent);
    const received = parseRecords(client.tap.received);
    expect(sent[sent.length - 1].type).toBe(ALERT);
    expect(received[received.length - 1].type).toBe(ALERT);
  });

  it("close_notify from the server: all data arrives, then a clean end, and we answer", async () => {
    let serverSawEnd = false;
    const server = await startNodeTlsServer({
      ...nodeCert(),
      mode: "custom",
      onConnection: (s) => {
        s.on("end", () => (serverSawEnd = true));
        s.on("error", () => {});
        s.resume();
        s.end("last words\n");
      },
    });
    const { socket, client } = await openTls(server.port);
    expect((await readToEnd(socket)).toString()).toBe("last words\n");
    await whenClosed(socket);
    const received = parseRecords(client.tap.received);
    const sent = parseRecords(client.tap.sent);
    expect(received[received.length - 1].type).toBe(ALERT);
    expect(sent[sent.length - 1].type).toBe(ALERT); // our reply
    await waitFor(() => serverSawEnd, "the server to read our close_notify");
    expect(serverSawEnd).toBe(true);
  });

  it("gnutls-serv answers our close_notify with its own: a clean end after the echo", async () => {
    const { socket, client } = await openTls(gnutls.port);
    socket.write("bye\n");
    socket.end();
    expect((await readToEnd(socket)).toString()).toBe("bye\n");
    await whenClosed(socket);
    const received = parseRecords(client.tap.received);
    expect(received[received.length - 1].type).toBe(ALERT);
  });

  it("openssl s_server -www ends its answer with close_notify: read() reaches a clean end", async () => {
    const { socket, client } = await openTls(openssl.port);
    socket.write("GET / HTTP/1.0\r\n\r\n");
    expect((await readToEnd(socket)).toString()).toMatch(/<\/HTML>\s*$/);
    await whenClosed(socket);
    const received = parseRecords(client.tap.received);
    expect(received[received.length - 1].type).toBe(ALERT);
  });

  it("TCP EOF without close_notify after data is TRUNCATED (openssl s_server killed)", async () => {
    const leaf = pki.leaves.p256;
    const server = await startOpensslServer({ certFile: leaf.certPath, keyFile: leaf.keyPath, chainFile: pki.intermediateFile, mode: "plain" });
    const { socket } = await openTls(server.port);
    const got: Buffer[] = [];
    socket.on("data", (d: Buffer) => got.push(d));
    const failed = socketError(socket);
    await server.waitForOutput(/CONNECTION ESTABLISHED|Secure Renegotiation/);
    server.send("partial\n");
    await waitFor(() => Buffer.concat(got).toString() === "partial\n", "the data sent before the kill");
    server.child.kill("SIGKILL"); // the kernel closes the TCP connection: FIN, no close_notify
    await expectTlsErrorAsync(failed, "TRUNCATED");
    expect(Buffer.concat(got).toString()).toBe("partial\n");
  });

  it("TCP EOF without close_notify from Node's server is TRUNCATED too", async () => {
    const raw: net.Socket[] = [];
    const server = await startNodeTlsServer({
      ...nodeCert(),
      mode: "custom",
      onConnection: (s: tls.TLSSocket) => {
        s.on("error", () => {});
        s.write("partial\n", () => raw[raw.length - 1].end()); // FIN under the TLS layer
      },
    });
    server.server.on("connection", (s: net.Socket) => raw.push(s));
    const { socket } = await openTls(server.port);
    const got: Buffer[] = [];
    socket.on("data", (d: Buffer) => got.push(d));
    await expectTlsErrorAsync(socketError(socket), "TRUNCATED");
    expect(Buffer.concat(got).toString()).toBe("partial\n");
  });
});

describe("one byte per recv() call", () => {
  it("completes a handshake and a request with openssl s_server", async () => {
    const { socket, client } = await openTls(openssl.port, { recvLimit: 1 });
    socket.write("GET / HTTP/1.0\r\n\r\n");
    expect((await readUntil(socket, (b) => b.includes("</HTML>"))).toString()).toMatch(/^HTTP\/1.0 200 ok/);
    socket.destroy();
    expect(client.tap.maxRecv).toBe(1);
    expect(client.tap.received.length).toBeGreaterThan(1000);
  });

  it("completes a handshake with gnutls-serv (CertificateRequest included) and echoes", async () => {
    const { socket, client } = await openTls(gnutls.port, { recvLimit: 1, groups: ["secp384r1", "secp256r1"] });
    expect(client.group).toBe("secp384r1");
    socket.write("one byte at a time\n");
    expect((await readUntil(socket, (b) => b.includes("\n"))).toString()).toBe("one byte at a time\n");
    socket.destroy();
    expect(client.tap.maxRecv).toBe(1);
  });
});

describe("CertificateRequest (gnutls-serv without -a)", () => {
  it("answers with an empty Certificate and no CertificateVerify", async () => {
    const { socket, client } = await openTls(gnutls.port);
    socket.write("after a CertificateRequest\n");
    expect((await readUntil(socket, (b) => b.includes("\n"))).toString()).toBe("after a CertificateRequest\n");
    socket.destroy();
    const serverMessages = plaintextHandshakeTypes(parseRecords(client.tap.received)).map((m) => m.type);
    expect(serverMessages).toContain(13); // certificate_request
    const ours = plaintextHandshakeTypes(parseRecords(client.tap.sent));
    expect(ours.map((m) => m.type)).toEqual([1, 11, 16]); // client_hello, certificate, client_key_exchange
    expect(ours[1].length).toBe(3); // an empty certificate_list
  });
});

describe("record_size_limit (RFC 8449) with gnutls-serv --recordsize 512", () => {
  it("our records honour the server's 512, its records honour our 1024", async () => {
    const server = await startGnutlsServer({ certFile: pki.chainFile.p256, keyFile: pki.leaves.p256.keyPath, extraArgs: ["--recordsize", "512"] });
    const { socket, client } = await openTls(server.port, { recordSizeLimit: 1024 });
    const payload = textLines(3000);
    socket.write(payload);
    expect((await readUntil(socket, (b) => b.length >= payload.length)).equals(payload)).toBe(true);
    socket.destroy();
    const sent = parseRecords(client.tap.sent).filter((r) => r.type === APPLICATION_DATA);
    const received = parseRecords(client.tap.received);
    for (const r of sent) expect(r.length).toBeLessThanOrEqual(512 + MAX_AEAD_OVERHEAD);
    expect(sent.length).toBeGreaterThanOrEqual(6);
    for (const r of received) expect(r.length).toBeLessThanOrEqual(1024 + MAX_AEAD_OVERHEAD);
  });
});

describe("renegotiation is refused", () => {
  it("a HelloRequest from Node's server gets a no_renegotiation warning (OpenSSL then ends the connection)", async () => {
    const serverErrors: Error[] = [];
    let renegotiateError: Error | null = null;
    const server = await startNodeTlsServer({
      ...nodeCert(),
      mode: "custom",
      onConnection: (s) => {
        s.on("error", (e) => serverErrors.push(e));
        s.once("data", () => s.renegotiate({}, (e) => (renegotiateError = e)));
      },
    });
    const lines: string[] = [];
    const { socket } = await openTls(server.port, { trace: (l) => lines.push(l) });
    const failed = new Promise<Error & { code?: string; alert?: number }>((r) => socket.once("error", r));
    socket.write("go\n");
    socket.resume();
    const error = await failed;
    // OpenSSL answers our warning with a fatal handshake_failure: the refusal itself is what we check.
    expect(error.code).toBe("ALERT_RECEIVED");
    expect(error.alert).toBe(40);
    expect(lines.some((l) => /hello_request/.test(l))).toBe(true);
    expect([...serverErrors, renegotiateError].map((e) => e?.message ?? "").join(" ")).toMatch(/no renegotiation/);
  });
});

describe("an ECDSA certificate's curve must be among the offered groups (RFC 8422 §5.1.1)", () => {
  it("openssl s_server refuses a P-256 certificate when only x25519 is offered", async () => {
    await expectTlsErrorAsync(refusedTls(openssl.port, { groups: ["x25519"] }), "ALERT_RECEIVED", Alert.handshake_failure);
  });

  it("offering the curve after x25519 works, and x25519 is still the key exchange", async () => {
    const { socket, client } = await openTls(openssl.port, { groups: ["x25519", "secp256r1"] });
    expect(client.group).toBe("x25519");
    socket.destroy();
  });
});

describe("keyLog", () => {
  it("writes the same NSS key log line as openssl s_server -keylogfile", async () => {
    const leaf = pki.leaves.p384;
    const file = join(pki.pki.dir, "s_server-keylog.txt");
    const server = await startOpensslServer({ certFile: leaf.certPath, keyFile: leaf.keyPath, chainFile: pki.intermediateFile, extraArgs: ["-keylogfile", file] });
    const ours: string[] = [];
    const { socket } = await openTls(server.port, { keyLog: (line) => ours.push(line) });
    socket.write("GET / HTTP/1.0\r\n\r\n");
    await readUntil(socket, (b) => b.includes("</HTML>"));
    socket.destroy();
    const theirs = readFileSync(file, "utf8").split("\n").filter((l) => l.startsWith("CLIENT_RANDOM "));
    expect(ours.length).toBe(1);
    expect(ours[0]).toMatch(/^CLIENT_RANDOM [0-9a-f]{64} [0-9a-f]{96}$/i);
    expect(theirs.map((l) => l.toLowerCase())).toContain(ours[0].toLowerCase());
  });
});
