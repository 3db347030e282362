// TlsSocket as a node:tls TLSSocket: code written for a TLSSocket runs unchanged against a real Node server and
// reads the same certificate, cipher, protocol and ALPN as tls.connect; an early answer during an upload is delivered.
import { spawn } from "node:child_process";
import { createServer } from "node:net";
import * as http from "node:http";
import type * as net from "node:net";
import * as tls from "node:tls";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect, createConnection } from "../src/node/index.js";
import { expectTlsErrorAsync } from "./helpers/expect-tls-error.js";
import { standardPki, TEST_HOST, type StandardPki } from "./helpers/pki.js";
import { closeAllServers, LOOPBACK, startNodeTlsServer, type NodeTlsServer } from "./helpers/servers.js";
import { socketError } from "./helpers/tls.js";

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

describe("an early answer during an upload", () => {
  // In a process of its own, so its close races our writes for real, as a remote server's does. It answers as
  // soon as the request head is in, sends close_notify and FIN, and keeps reading (and dropping) the body until
  // the client is done: a lingering close (RFC 9112 §9.6), without which a server's reset may erase the answer
  // from the client's kernel before any client can read it.
  const EARLY_ANSWER_SERVER = `
const tls = require("node:tls");
const { key, cert, resetAfterMs } = JSON.parse(process.argv[1]);
const srv = tls.createServer({ key, cert, maxVersion: "TLSv1.2" }, (s) => {
  let head = "";
  s.on("error", () => s.destroy());
  s.on("data", (d) => {
    if (head === null) return; // the rest of the body: dropped
    head += d.toString("latin1");
    if (!head.includes("\\r\\n\\r\\n")) return;
    head = null;
    const body = "payload too large: 1 KiB max";
    s.end("HTTP/1.1 413 Payload Too Large\\r\\ncontent-type: text/plain\\r\\nconnection: close\\r\\ncontent-length: " + body.length + "\\r\\n\\r\\n" + body);
    // resetAfterMs: stop lingering and close with the body unread, which resets the connection.
    setTimeout(() => s.destroy(), resetAfterMs ?? 10000).unref();
  });
});
srv.listen(0, "127.0.0.1", () => console.log("LISTENING " + srv.address().port));
process.stdin.on("end", () => process.exit(0));
process.stdin.resume();
`;

  /** A server that answers 413 as soon as the headers arrive, then ends (or tears down) the connection. */
  async function earlyAnswerServer(resetAfterMs?: number): Promise<{ port: number; close(): Promise<void> }> {
    const leaf = pki.leaves.p256;
    const config = JSON.stringify({ key: leaf.keyPem, cert: leaf.certPem + pki.intermediate.certPem, resetAfterMs });
    const child = spawn(process.execPath, ["-e", EARLY_ANSWER_SERVER, config], { stdio: ["pipe", "pipe", "inherit"] });
    const port = await new Promise<number>((resolve, reject) => {
      let out = "";
      child.stdout!.on("data", (d: Buffer) => {
        out += d.toString();
        const m = /LISTENING (\d+)/.exec(out);
        if (m) resolve(Number(m[1]));
      });
      child.once("exit", (code) => reject(new Error(`early-answer server exited (${code})`)));
    });
    return {
      port,
      close: () => new Promise((r) => {
        child.once("exit", () => r());
        child.kill("SIGTERM");
      }),
    };
  }

  /** PUTs 8 MiB with backpressure; resolves with the response, however the upload ends. */
  function upload(port: number): Promise<{ status: number; body: string; uploadError: string | null }> {
    return new Promise((resolve, reject) => {
      let uploadError: string | null = null;
      let response: { status: number; body: string } | null = null;
      const req = http.request({
        method: "PUT",
        host: TEST_HOST,
        path: "/upload",
        headers: { "content-type": "application/octet-stream", "content-length": String(8 << 20) },
        createConnection: () => createConnection({ host: LOOPBACK, port, serverName: TEST_HOST, ca: pki.rootPem }) as unknown as net.Socket,
      }, (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (c: string) => (body += c));
        res.on("end", () => {
          response = { status: res.statusCode ?? 0, body };
          resolve({ ...response, uploadError });
        });
      });
      req.on("error", (e) => {
        uploadError = (e as NodeJS.ErrnoException).code ?? e.message;
        // An error after the whole answer arrived is fine; one that loses the answer is the bug.
        setTimeout(() => { if (!response) reject(e); }, 500);
      });
      const chunk = Buffer.alloc(64 * 1024, 0x61);
      let sent = 0;
      const pump = () => {
        while (sent < 8 << 20) {
          sent += chunk.length;
          if (!req.write(chunk)) return void req.once("drain", pump);
        }
        req.end();
      };
      pump();
    });
  }

  it("delivers a 413 the server sends and closes on while the client is still writing (5 of 5)", async () => {
    const srv = await earlyAnswerServer();
    try {
      for (let i = 0; i < 5; i++) {
        const r = await upload(srv.port);
        expect(r.status).toBe(413);
        expect(r.body).toBe("payload too large: 1 KiB max");
      }
    } finally {
      await srv.close();
    }
  });

  it("keeps an answer that arrived when the connection then resets, for a reader that comes late", async () => {
    // The answer is in our process long before the reset (100 ms); the reader looks only after 500 ms. The
    // socket must hand over the answer and its close_notify, then report the reset; never the reset alone.
    const srv = await earlyAnswerServer(100);
    try {
      const socket = await connect({ host: LOOPBACK, port: srv.port, serverName: TEST_HOST, ca: pki.rootPem });
      const errors: string[] = [];
      const closed = new Promise((r) => socket.once("close", r));
      socket.on("error", (e: NodeJS.ErrnoException) => errors.push(e.code ?? e.message));
      socket.write("PUT /upload HTTP/1.1\r\nhost: x\r\ncontent-length: 1000000000\r\n\r\n");
      const chunk = Buffer.alloc(64 * 1024, 0x61);
      let writeError: Error | null = null;
      const writeMore = () => {
        for (let i = 0; i < 2048 && !writeError && !socket.destroyed; i++) {
          if (!socket.write(chunk, (e) => (writeError ??= e ?? null))) return void socket.once("drain", writeMore);
        }
      };
      writeMore();
      await new Promise((r) => setTimeout(r, 500));
      let text = "";
      const ended = new Promise<string>((resolve) => {
        socket.on("data", (d: Buffer) => (text += d.toString("latin1")));
        socket.once("end", () => resolve("end"));
        socket.once("close", () => resolve("close"));
      });
      expect(await ended).toBe("end");
      expect(text).toMatch(/^HTTP\/1\.1 413 Payload Too Large\r\n[\s\S]*\r\n\r\npayload too large: 1 KiB max$/);
      await closed;
      expect(errors).toEqual(["TRANSPORT"]);
      expect(writeError).toMatchObject({ code: "TRANSPORT" });
    } finally {
      await srv.close();
    }
  });
});

describe("connect options that live in microtls/node", () => {
  it("signal: aborting during the handshake rejects with ABORTED at once and closes the connection", async () => {
    // A TCP server that accepts and never answers: the handshake would wait for its timeout.
    const conns: net.Socket[] = [];
    const silent = createServer((s) => {
      conns.push(s);
      s.on("error", () => {});
      s.resume(); // read, so our FIN shows as 'end'
    });
    await new Promise<void>((r) => silent.listen(0, LOOPBACK, () => r()));
    const port = (silent.address() as net.AddressInfo).port;
    try {
      const ac = new AbortController();
      const started = Date.now();
      const pending = connect({ host: LOOPBACK, port, serverName: TEST_HOST, ca: pki.rootPem, signal: ac.signal, handshakeTimeout: 30_000 });
      setTimeout(() => ac.abort(new Error("user pressed cancel")), 100);
      await expectTlsErrorAsync(pending, "ABORTED", undefined, /user pressed cancel/);
      expect(Date.now() - started).toBeLessThan(5000);
      await new Promise((r) => setTimeout(r, 100));
      expect(conns.length).toBe(1);
      expect(conns[0].destroyed || conns[0].readableEnded).toBe(true);
      // Already aborted: refused before any connection is opened.
      await expectTlsErrorAsync(connect({ host: LOOPBACK, port, serverName: TEST_HOST, ca: pki.rootPem, signal: AbortSignal.abort() }), "ABORTED");
      await new Promise((r) => setTimeout(r, 100));
      expect(conns.length).toBe(1);
    } finally {
      for (const s of conns) s.destroy();
      await new Promise((r) => silent.close(r));
    }
  });

  it("signal: aborting an open connection destroys it with ABORTED", async () => {
    const ac = new AbortController();
    const socket = await connect({ host: LOOPBACK, port: server.port, serverName: TEST_HOST, ca: pki.rootPem, signal: ac.signal });
    const failed = socketError(socket);
    ac.abort();
    await expectTlsErrorAsync(failed, "ABORTED");
    expect(socket.destroyed).toBe(true);
  });

  it('ca: "system" trusts Node\'s root store, and only it', async () => {
    // The test root is in no public store: with the system roots the handshake must fail verification.
    const error = await expectTlsErrorAsync(connect({ host: LOOPBACK, port: server.port, serverName: TEST_HOST, ca: "system" }), "BAD_CERTIFICATE");
    expect(error.verifyFlags).toEqual(expect.arrayContaining(["NOT_TRUSTED"]));
    // And the store is Node's: every root of tls.rootCertificates is an anchor in it.
    expect(tls.rootCertificates.length).toBeGreaterThan(100);
  });
});
