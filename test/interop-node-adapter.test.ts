// microtls/node: the Duplex runs node:http, keeps backpressure both ways, times out handshakes, and turns
// transport and protocol failures into TlsError events.
import { createHash, randomBytes } from "node:crypto";
import * as http from "node:http";
import * as net from "node:net";
import type * as tls from "node:tls";
import type * as https from "node:https";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket, { WebSocketServer } from "ws";
import { connect, createConnection, TlsSocket } from "../src/node/index.js";
import { Alert } from "../src/errors.js";
import type { Certificate } from "../src/x509/index.js";
import { expectTlsErrorAsync } from "./helpers/expect-tls-error.js";
import { standardPki, TEST_HOST, type StandardPki } from "./helpers/pki.js";
import { closeAllServers, freePort, LOOPBACK, startNodeTlsServer, type NodeTlsServer, type SessionInfo } from "./helpers/servers.js";
import { openTls, parseRecords, readUntil, socketError, waitFor, whenClosed } from "./helpers/tls.js";

let pki: StandardPki;
let httpsServer: NodeTlsServer;

beforeAll(async () => {
  pki = standardPki();
  const leaf = pki.leaves.p256;
  httpsServer = await startNodeTlsServer({ key: leaf.keyPem, cert: leaf.certPem + pki.intermediate.certPem, mode: "https", ALPNProtocols: ["http/1.1"] });
});
afterAll(closeAllServers);

function nodeCert() {
  return { key: pki.leaves.p256.keyPem, cert: pki.leaves.p256.certPem + pki.intermediate.certPem };
}

function base(port: number) {
  return { host: LOOPBACK, port, serverName: TEST_HOST, ca: pki.rootPem };
}

/** A plain TCP server (no TLS at all): for a peer that never answers, which no real TLS server imitates. */
async function silentTcpServer(): Promise<{ port: number; connections: net.Socket[]; close(): Promise<void> }> {
  const connections: net.Socket[] = [];
  const server = net.createServer((s) => {
    connections.push(s);
    s.on("error", () => {});
    s.resume();
  });
  await new Promise<void>((r) => server.listen(0, LOOPBACK, () => r()));
  return {
    port: (server.address() as net.AddressInfo).port,
    connections,
    close: () =>
      new Promise((r) => {
        for (const s of connections) s.destroy();
        server.close(() => r());
      }),
  };
}

describe("node:http over TlsSocket", () => {
  it("GET and POST through http.request({ createConnection })", async () => {
    const request = (method: string, body?: string) =>
      new Promise<{ status: number; info: SessionInfo }>((resolve, reject) => {
        const req = http.request(
          {
            method,
            host: TEST_HOST,
            path: "/hello?x=1",
            headers: body ? { "content-type": "text/plain" } : {},
            createConnection: () => createConnection({ ...base(httpsServer.port), alpn: ["http/1.1"] }) as unknown as net.Socket,
          },
          (res) => {
            let text = "";
            res.setEncoding("utf8");
            res.on("data", (c: string) => (text += c));
            res.on("end", () => resolve({ status: res.statusCode ?? 0, info: JSON.parse(text) as SessionInfo }));
          },
        );
        req.on("error", reject);
        req.end(body);
      });
    const get = await request("GET");
    expect(get.status).toBe(200);
    expect(get.info).toMatchObject({ method: "GET", url: "/hello?x=1", alpn: "http/1.1", servername: TEST_HOST, version: "TLSv1.2" });
    const post = await request("POST", "a body that crosses the wire");
    expect(post.info.body).toBe("a body that crosses the wire");
  });
});

describe("ws over TlsSocket", () => {
  it("a WebSocket client (ws) exchanges messages with a wss server", async () => {
    const server = await startNodeTlsServer({ ...nodeCert(), mode: "https" });
    const wss = new WebSocketServer({ server: server.server as https.Server });
    wss.on("connection", (ws) => ws.on("message", (m) => ws.send(`echo: ${String(m)}`)));
    const ws = new WebSocket(`wss://${TEST_HOST}:${server.port}/socket`, {
      createConnection: () => createConnection(base(server.port)) as unknown as net.Socket,
    });
    const reply = await new Promise<string>((resolve, reject) => {
      ws.on("open", () => ws.send("hello over microtls"));
      ws.on("message", (m) => resolve(String(m)));
      ws.on("error", reject);
    });
    expect(reply).toBe("echo: hello over microtls");
    const closed = new Promise<number>((r) => ws.on("close", (code) => r(code)));
    ws.close(1000);
    expect(await closed).toBe(1000);
    wss.close();
  });
});

describe("connect()", () => {
  it("mirrors what the client agreed", async () => {
    const socket = await connect({ ...base(httpsServer.port), alpn: ["h2", "http/1.1"], groups: ["secp256r1"] });
    expect(socket.cipherSuite).toBe(socket.client.cipherSuite);
    expect(socket.cipherSuite).toMatch(/^TLS_ECDHE_ECDSA_/);
    expect(socket.alpnProtocol).toBe("http/1.1");
    expect(socket.group).toBe("secp256r1");
    expect(socket.extendedMasterSecret).toBe(true);
    expect(socket.verifyFlags).toEqual([]);
    expect(socket.secure).toBe(true);
    expect(socket.handshakeMs).toBeGreaterThanOrEqual(0);
    const chain = socket.peerCertificates as Certificate[];
    expect(chain.map((c) => c.subject)).toEqual([expect.stringContaining(TEST_HOST), expect.stringContaining("microtls Test Intermediate")]);
    expect(socket.remotePort).toBe(httpsServer.port);
    socket.destroy();
  });

  it("rejects a bad configuration before opening a connection", async () => {
    const silent = await silentTcpServer();
    await expectTlsErrorAsync(connect({ host: LOOPBACK, port: silent.port, serverName: TEST_HOST }), "CONFIG");
    await new Promise((r) => setTimeout(r, 50));
    expect(silent.connections.length).toBe(0);
    await silent.close();
  });

  it("times out a handshake the server never answers, and closes the connection", async () => {
    const silent = await silentTcpServer();
    await expectTlsErrorAsync(connect({ ...base(silent.port), handshakeTimeout: 300 }), "TIMEOUT", undefined, /300 ms/);
    expect(silent.connections.length).toBe(1);
    await new Promise<void>((resolve) => (silent.connections[0].closed ? resolve() : silent.connections[0].once("close", () => resolve())));
    await silent.close();
  });

  it("reports a refused connection as a TRANSPORT error carrying the cause", async () => {
    const port = await freePort();
    const error = await expectTlsErrorAsync(connect(base(port)), "TRANSPORT");
    expect((error.cause as { code?: string } | undefined)?.code).toBe("ECONNREFUSED");
  });

  it("reports the server closing during the handshake", async () => {
    const server = net.createServer((s) => s.once("data", () => s.end()));
    await new Promise<void>((r) => server.listen(0, LOOPBACK, () => r()));
    const error = (await connect(base((server.address() as net.AddressInfo).port)).catch((e: unknown) => e)) as Error & { code?: string };
    expect(["TRUNCATED", "TRANSPORT"]).toContain(error.code);
    server.close();
  });
});

describe("backpressure", () => {
  it("write() reports a full pipe while the server does not read, then drains and delivers every byte", async () => {
    const received: Buffer[] = [];
    let serverSocket: tls.TLSSocket | undefined;
    const server = await startNodeTlsServer({
      ...nodeCert(),
      mode: "custom",
      onConnection: (s) => {
        serverSocket = s;
        s.pause();
        s.on("data", (d: Buffer) => received.push(d));
        s.on("error", () => {});
      },
    });
    const socket = await connect(base(server.port));
    const chunk = randomBytes(64 * 1024);
    const hash = createHash("sha256");
    let written = 0;
    while (socket.write(chunk)) {
      hash.update(chunk);
      written += chunk.length;
      expect(written).toBeLessThan(64 * 1024 * 1024); // the pipe must fill long before this
      await new Promise((r) => setImmediate(r));
    }
    hash.update(chunk);
    written += chunk.length;
    expect(socket.writableNeedDrain).toBe(true);
    const drained = new Promise((r) => socket.once("drain", r));
    serverSocket!.resume();
    await drained;
    await waitFor(() => Buffer.concat(received).length >= written, "every written byte at the server");
    expect(createHash("sha256").update(Buffer.concat(received)).digest("hex")).toBe(hash.digest("hex"));
    socket.destroy();
  });

  it("pauses the transport while the application does not read, and loses nothing", async () => {
    const data = randomBytes(4 * 1024 * 1024);
    const server = await startNodeTlsServer({
      ...nodeCert(),
      mode: "custom",
      onConnection: (s) => {
        s.on("error", () => {});
        s.end(data);
      },
    });
    const socket = await connect(base(server.port));
    socket.pause();
    await waitFor(() => socket.transport.isPaused(), "the transport to be paused");
    expect(socket.transport.isPaused()).toBe(true);
    const chunks: Buffer[] = [];
    socket.on("data", (c: Buffer) => chunks.push(c));
    const ended = new Promise((r) => socket.once("end", r));
    socket.resume(); // an explicit pause() is not undone by adding a 'data' listener
    await ended;
    expect(Buffer.concat(chunks).equals(data)).toBe(true);
    await whenClosed(socket);
  });
});

describe("zero-copy plumbing", () => {
  /** Sends `data` through an echo server and collects the chunks the socket pushes, kept as pushed. */
  async function echo(socket: TlsSocket, data: Buffer): Promise<Buffer[]> {
    const chunks: Buffer[] = [];
    let got = 0;
    const done = new Promise<void>((resolve) =>
      socket.on("data", (c: Buffer) => {
        chunks.push(c);
        got += c.length;
        if (got >= data.length) resolve();
      }),
    );
    for (let at = 0; at < data.length; at += 64 * 1024) socket.write(data.subarray(at, at + 64 * 1024));
    await done;
    return chunks;
  }

  it("the client never writes again into a buffer it sent (the adapter hands the transport views)", async () => {
    const server = await startNodeTlsServer(nodeCert());
    const socket = await connect(base(server.port));
    const sent: Array<{ view: Uint8Array; copy: Buffer }> = [];
    const write = socket.transport.write.bind(socket.transport) as (chunk: Uint8Array) => boolean;
    (socket.transport as { write: (chunk: Uint8Array) => boolean }).write = (chunk) => {
      sent.push({ view: chunk, copy: Buffer.from(chunk) });
      return write(chunk);
    };
    await echo(socket, randomBytes(2 * 1024 * 1024 + 123));
    socket.end();
    await whenClosed(socket);
    expect(sent.length).toBeGreaterThan(8);
    expect(sent.filter((s) => !Buffer.from(s.view).equals(s.copy)).length).toBe(0);
  });

  it("two connections reading at once each keep exactly their own bytes (both read their chunks in place)", async () => {
    const server = await startNodeTlsServer(nodeCert());
    const [a, b] = await Promise.all([connect(base(server.port)), connect(base(server.port))]);
    const dataA = randomBytes(3 * 1024 * 1024 + 7);
    const dataB = randomBytes(3 * 1024 * 1024 + 5000);
    const [chunksA, chunksB] = await Promise.all([echo(a, dataA), echo(b, dataB)]);
    // Compared only now: a chunk whose memory was reused after it was pushed would have changed by now.
    expect(Buffer.concat(chunksA).equals(dataA)).toBe(true);
    expect(Buffer.concat(chunksB).equals(dataB)).toBe(true);
    // Each piece is the plaintext of one record, as decrypted: a short one never pins a 16 KiB buffer in the application's hands.
    for (const c of [...chunksA, ...chunksB]) if (c.length < 1024) expect(c.buffer.byteLength).toBeLessThan(16 * 1024);
    a.destroy();
    b.destroy();
  });
});

describe("corked writes", () => {
  it("go out as one record", async () => {
    const server = await startNodeTlsServer(nodeCert());
    const { socket, client } = await openTls(server.port);
    const before = parseRecords(client.tap.sent).length;
    socket.cork();
    for (const part of ["one ", "two ", "three\n"]) socket.write(part);
    process.nextTick(() => socket.uncork());
    expect((await readUntil(socket, (b) => b.includes("\n"))).toString()).toBe("one two three\n");
    const records = parseRecords(client.tap.sent).slice(before);
    expect(records.map((r) => r.type)).toEqual([23]);
    socket.destroy();
  });
});

describe("errors after the handshake", () => {
  it("a forged record becomes a TlsError event, and the server hears bad_record_mac", async () => {
    const raw: net.Socket[] = [];
    const serverErrors: Error[] = [];
    const server = await startNodeTlsServer({
      ...nodeCert(),
      mode: "custom",
      onConnection: (s) => {
        s.on("error", (e) => serverErrors.push(e));
        s.on("data", () => raw[raw.length - 1].write(Buffer.concat([Buffer.from([23, 3, 3, 0, 40]), randomBytes(40)])));
      },
    });
    server.server.on("connection", (s: net.Socket) => raw.push(s));
    const socket = await connect(base(server.port));
    const failed = socketError(socket);
    socket.write("provoke\n");
    socket.resume();
    await expectTlsErrorAsync(failed, "BAD_RECORD_MAC", Alert.bad_record_mac);
    await waitFor(() => serverErrors.length > 0, "the server to see our alert");
    expect(serverErrors.map((e) => e.message).join(" ")).toMatch(/bad record mac|alert number 20/i);
  });

  it("a TlsSocket can wrap any Duplex transport (here a net.Socket the caller opened)", async () => {
    const transport = net.connect({ host: LOOPBACK, port: httpsServer.port, allowHalfOpen: true });
    const socket = await connect({ ...base(httpsServer.port), socket: transport });
    expect(socket).toBeInstanceOf(TlsSocket);
    expect(socket.transport).toBe(transport);
    socket.write(`GET / HTTP/1.1\r\nHost: ${TEST_HOST}\r\nConnection: close\r\n\r\n`);
    expect((await readUntil(socket, (b) => b.includes("}"))).toString()).toMatch(/^HTTP\/1.1 200 OK/);
    socket.destroy();
  });
});
