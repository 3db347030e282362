// microtls/async: AsyncTlsClient over node:net against openssl s_server and Node's tls server, its failures
// (a wrong name, an abort, a socket that fails, a truncation), and a bare vm context that holds nothing but the
// injected socket and random source: the entry needs only ECMAScript.
import { randomFillSync } from "node:crypto";
import { readFileSync } from "node:fs";
import * as net from "node:net";
import type * as tls from "node:tls";
import vm from "node:vm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AsyncTlsClient, TlsConnection, type AsyncSocket } from "../src/async.js";
import { connectAsyncSocket, type NetAsyncSocket } from "./helpers/async-socket.js";
import { bundle } from "./helpers/bundle.js";
import { expectTlsErrorAsync } from "./helpers/expect-tls-error.js";
import { standardPki, TEST_HOST } from "./helpers/pki.js";
import { closeAllServers, LOOPBACK, startNodeTlsServer, startOpensslServer, type ChildServer, type NodeTlsServer } from "./helpers/servers.js";

const ascii = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));
const text = (chunks: Uint8Array[]) => Buffer.concat(chunks).toString("latin1");

async function readAll(client: AsyncTlsClient): Promise<Uint8Array[]> {
  const chunks: Uint8Array[] = [];
  for (let c = await client.read(); c !== null; c = await client.read()) chunks.push(c);
  return chunks;
}

let www: ChildServer;
let echo: NodeTlsServer;
let ca: string;

beforeAll(async () => {
  const pki = standardPki();
  ca = pki.rootPem;
  www = await startOpensslServer({ certFile: pki.leaves.p256.certPath, keyFile: pki.leaves.p256.keyPath, chainFile: pki.intermediateFile, mode: "www" });
  echo = await startNodeTlsServer({ key: pki.leaves.p256.keyPem, cert: readFileSync(pki.chainFile.p256, "utf8"), mode: "echo" });
});

afterAll(async () => {
  await closeAllServers();
});

describe("AsyncTlsClient over node:net", () => {
  it("fetches the openssl s_server status page: handshake, write, read to the close_notify", async () => {
    const socket = await connectAsyncSocket(www.port);
    const client = new AsyncTlsClient(new TlsConnection({ serverName: TEST_HOST, ca }), socket);
    await client.handshake();
    expect(client.connection.state).toBe("established");
    await client.write(ascii("GET / HTTP/1.0\r\n\r\n"));
    const page = text(await readAll(client));
    expect(page).toMatch(/^HTTP\/1\.0 200/);
    expect(page).toContain("s_server");
    // The page names the cipher in OpenSSL's words; the connection in IANA's.
    expect(page).toMatch(/TLSv1\.2, Cipher is ECDHE-ECDSA-/);
    expect(client.connection.cipherSuite).toMatch(/^TLS_ECDHE_ECDSA_WITH_/);
    expect(client.connection.receiveClosed).toBe(true);
    await client.close();
    expect(socket.closed).toBe(true);
    expect([socket.maxReads, socket.maxWrites]).toEqual([1, 1]);
  });

  it("echoes through Node's tls server with a reader and a writer running at once, in order", async () => {
    const socket = await connectAsyncSocket(echo.port);
    const client = new AsyncTlsClient(new TlsConnection({ serverName: TEST_HOST, ca }), socket);
    // Sizes around and above a record's 16 KiB; the first writes are made before the handshake, none awaited.
    const pieces = [1, 100, 16383, 16384, 16385, 70_000, 5, 40_000].map((n, i) => {
      const b = new Uint8Array(n);
      for (let j = 0; j < n; j++) b[j] = (i * 31 + j) & 0xff;
      return b;
    });
    const expected = Buffer.concat(pieces);
    const reader = (async () => {
      const got: Uint8Array[] = [];
      let total = 0;
      while (total < expected.length) {
        const chunk = await client.read();
        if (chunk === null) break;
        got.push(chunk);
        total += chunk.length;
      }
      return Buffer.concat(got);
    })();
    const writes = pieces.map((p) => client.write(p));
    await Promise.all(writes);
    const echoed = await reader;
    expect(echoed.equals(expected)).toBe(true);
    await client.close();
    expect(await client.read()).toBeNull();
    expect(socket.maxReads).toBe(1);
    expect(socket.maxWrites).toBe(1);
    await expect(client.write(ascii("late"))).rejects.toMatchObject({ code: "CLOSED" });
  });

  it("a wrong serverName rejects BAD_CERTIFICATE, the server gets the alert, and close() stays quiet", async () => {
    const before = echo.clientErrors.length;
    const socket = await connectAsyncSocket(echo.port);
    const client = new AsyncTlsClient(new TlsConnection({ serverName: "wrong.example", ca }), socket);
    const pendingRead = client.read();
    const error = await expectTlsErrorAsync(client.handshake(), "BAD_CERTIFICATE");
    expect(error.alert).toBeDefined();
    expect(await expectTlsErrorAsync(pendingRead, error.code)).toBe(error);
    expect(await expectTlsErrorAsync(client.write(ascii("x")), error.code)).toBe(error);
    expect(socket.closed).toBe(true);
    await expect(client.close()).resolves.toBeUndefined();
    // Node reports the client's alert as the reason the handshake failed.
    for (let i = 0; i < 100 && echo.clientErrors.length === before; i++) await new Promise((r) => setTimeout(r, 20));
    expect(echo.clientErrors.slice(before).map((e) => e.message).join("\n")).toMatch(/alert/i);
  });

  it("an early answer survives a lost write: the writer hears TRANSPORT, the reader still gets the answer", async () => {
    const pki = standardPki();
    const server = await startNodeTlsServer({
      key: pki.leaves.p256.keyPem,
      cert: readFileSync(pki.chainFile.p256, "utf8"),
      mode: "custom",
      // A server refusing an upload: it answers the first bytes and closes (close_notify, then FIN).
      onConnection: (s: tls.TLSSocket) => s.once("data", () => s.end("413 Payload Too Large")),
    });
    const inner = await connectAsyncSocket(server.port);
    let established = false;
    let writes = 0;
    // After the handshake, the second write meets the reset the server's close caused (EPIPE).
    const socket: AsyncSocket = {
      read: () => inner.read(),
      write: (bytes) => (established && ++writes > 1 ? Promise.reject(new Error("EPIPE")) : inner.write(bytes)),
      close: () => inner.close(),
    };
    const client = new AsyncTlsClient(new TlsConnection({ serverName: TEST_HOST, ca }), socket);
    await client.handshake();
    established = true;
    await client.write(ascii("upload, part 1"));
    await expectTlsErrorAsync(client.write(ascii("upload, part 2")), "TRANSPORT", null, /EPIPE/);
    await expectTlsErrorAsync(client.write(ascii("upload, part 3")), "TRANSPORT", null, /EPIPE/);
    expect(text(await readAll(client))).toBe("413 Payload Too Large");
    await client.close();
    await server.close();
  });

  it("delivers the data that came before a truncation, then rejects TRUNCATED", async () => {
    const pki = standardPki();
    const server = await startNodeTlsServer({
      key: pki.leaves.p256.keyPem,
      cert: readFileSync(pki.chainFile.p256, "utf8"),
      mode: "custom",
      // The reply, then the TCP connection dropped without close_notify.
      onConnection: (s: tls.TLSSocket) => s.write("early answer", () => s.destroy()),
    });
    const client = new AsyncTlsClient(new TlsConnection({ serverName: TEST_HOST, ca }), await connectAsyncSocket(server.port));
    const first = await client.read();
    expect(text([first!])).toBe("early answer");
    await expectTlsErrorAsync(client.read(), "TRUNCATED");
    await server.close();
  });
});

describe("aborting", () => {
  /** A TCP server that accepts and never answers: a handshake to it waits forever. */
  async function silentServer(): Promise<{ port: number; close: () => Promise<void> }> {
    const sockets = new Set<net.Socket>();
    const server = net.createServer((s) => {
      sockets.add(s);
      s.on("error", () => {});
    });
    await new Promise<void>((r) => server.listen(0, LOOPBACK, r));
    return {
      port: (server.address() as net.AddressInfo).port,
      close: () => new Promise<void>((r) => (sockets.forEach((s) => s.destroy()), server.close(() => r()))),
    };
  }

  it("mid-handshake: the handshake and a pending read reject ABORTED, and the socket is closed", async () => {
    const server = await silentServer();
    const socket = await connectAsyncSocket(server.port);
    const controller = new AbortController();
    const client = new AsyncTlsClient(new TlsConnection({ serverName: TEST_HOST, ca }), socket, { signal: controller.signal });
    const handshake = client.handshake();
    const read = client.read();
    // Wait until the ClientHello went out and the driver waits on the socket.
    while (socket.writes === 0 || socket.maxReads === 0) await new Promise((r) => setTimeout(r, 5));
    controller.abort(new Error("the user gave up"));
    const error = await expectTlsErrorAsync(handshake, "ABORTED");
    expect(error.message).toMatch(/the user gave up/);
    await expectTlsErrorAsync(read, "ABORTED");
    await expectTlsErrorAsync(client.write(ascii("x")), "ABORTED");
    expect(socket.closed).toBe(true);
    await expect(client.close()).resolves.toBeUndefined();
    await server.close();
  });

  it("an already aborted signal: nothing is sent, every call rejects ABORTED, the socket is closed", async () => {
    const calls: string[] = [];
    const socket: AsyncSocket = {
      read: async () => (calls.push("read"), null),
      write: async () => void calls.push("write"),
      close: () => void calls.push("close"),
    };
    const client = new AsyncTlsClient(new TlsConnection({ serverName: TEST_HOST, ca }), socket, { signal: AbortSignal.abort() });
    await expectTlsErrorAsync(client.handshake(), "ABORTED");
    await expectTlsErrorAsync(client.read(), "ABORTED");
    expect(calls).toEqual(["close"]);
  });
});

describe("a write that never completes", () => {
  /** The echo connection, established, whose socket.write() hangs from now on (a peer that stopped reading). */
  async function stalled(signal?: AbortSignal) {
    const inner = await connectAsyncSocket(echo.port);
    let hang = false;
    let failRead: ((e: Error) => void) | null = null;
    const socket: AsyncSocket = {
      read: () => Promise.race([inner.read(), new Promise<never>((_, reject) => (failRead = reject))]),
      write: (b) => (hang ? new Promise<void>(() => {}) : inner.write(b)),
      close: () => inner.close(),
    };
    const client = new AsyncTlsClient(new TlsConnection({ serverName: TEST_HOST, ca }), socket, { signal });
    await client.handshake();
    hang = true;
    const write = client.write(ascii("stuck"));
    const read = client.read();
    await new Promise((r) => setTimeout(r, 10));
    return { client, inner, write, read, failRead: (e: Error) => failRead!(e) };
  }

  it("is released by an abort: the write and a pending read reject ABORTED", async () => {
    const controller = new AbortController();
    const { client, inner, write, read } = await stalled(controller.signal);
    controller.abort();
    await expectTlsErrorAsync(write, "ABORTED");
    await expectTlsErrorAsync(read, "ABORTED");
    expect(inner.closed).toBe(true);
    await expect(client.close()).resolves.toBeUndefined();
  });

  it("is released by socket.read() failing: the write rejects TRANSPORT too", async () => {
    const { client, inner, write, read, failRead } = await stalled();
    failRead(new Error("ECONNRESET"));
    const error = await expectTlsErrorAsync(read, "TRANSPORT");
    expect(await expectTlsErrorAsync(write, error.code)).toBe(error);
    expect(inner.closed).toBe(true);
    await expect(client.close()).resolves.toBeUndefined();
  });
});

describe("a failing socket", () => {
  /** Takes writes, and answers reads with what `read` says. */
  const fakeSocket = (read: () => Promise<Uint8Array | null>, write: () => Promise<void> = async () => {}) => {
    const s = { closes: 0, read, write, close: () => void s.closes++ };
    return s;
  };

  it("socket.read() rejecting is TRANSPORT, for the handshake, a pending read and every later call", async () => {
    let fail!: (e: Error) => void;
    const socket = fakeSocket(() => new Promise((_, reject) => (fail = reject)));
    const client = new AsyncTlsClient(new TlsConnection({ serverName: TEST_HOST, ca }), socket);
    const handshake = client.handshake();
    const read = client.read();
    await new Promise((r) => setTimeout(r, 10));
    fail(new Error("ECONNRESET"));
    const error = await expectTlsErrorAsync(handshake, "TRANSPORT");
    expect(error.message).toMatch(/ECONNRESET/);
    expect(await expectTlsErrorAsync(read, error.code)).toBe(error);
    expect(await expectTlsErrorAsync(client.write(ascii("x")), error.code)).toBe(error);
    expect(socket.closes).toBe(1);
    await expect(client.close()).resolves.toBeUndefined();
    expect(socket.closes).toBe(1);
  });

  it("socket.write() rejecting (or throwing) is TRANSPORT", async () => {
    for (const write of [() => Promise.reject(new Error("EPIPE")), () => { throw new Error("EPIPE"); }]) {
      const client = new AsyncTlsClient(new TlsConnection({ serverName: TEST_HOST, ca }), fakeSocket(() => new Promise(() => {}), write as () => Promise<void>));
      await expectTlsErrorAsync(client.handshake(), "TRANSPORT", null, /^socket\.write\(\) failed: EPIPE$/);
    }
  });

  it("socket.read() resolving null during the handshake is TRUNCATED", async () => {
    const client = new AsyncTlsClient(new TlsConnection({ serverName: TEST_HOST, ca }), fakeSocket(async () => null));
    await expectTlsErrorAsync(client.handshake(), "TRUNCATED");
  });
});

describe("the entry's bundle", () => {
  it("with CoreTlsConnection, keeps the name tables out (TlsConnection is tree-shaken)", async () => {
    const { inputs, code } = await bundle(
      'import { AsyncTlsClient, CoreTlsConnection } from "./src/async.ts";\n' +
        "export const open = (options, socket) => new AsyncTlsClient(new CoreTlsConnection(options), socket);\n",
      { minify: true },
    );
    expect(inputs).toContain("src/async.ts");
    expect(inputs).not.toContain("src/handshake/name-tables.ts");
    expect(code).not.toMatch(/from\s*"node:|require\("node:/);
  });
});

describe("in a bare vm context", () => {
  it("handshakes and fetches a page with nothing but ECMAScript, the socket and a random source", async () => {
    const { code } = await bundle('export { AsyncTlsClient, TlsConnection } from "./src/async.ts";', { globalName: "microtls" });
    const context = vm.createContext({});
    // Nothing of the host: no timers, no TextEncoder, no crypto, no AbortSignal (V8 gives every context a console).
    expect(vm.runInContext("[typeof setTimeout, typeof queueMicrotask, typeof TextEncoder, typeof crypto, typeof AbortSignal, typeof process, typeof Buffer].join()", context))
      .toBe(Array(7).fill("undefined").join());
    // The context's own Promise and Uint8Array: what the socket hands in must be of the realm the bundle runs in.
    const promise = vm.runInContext("(executor) => new Promise(executor)", context) as <T>(e: (ok: (v: T) => void, no: (e: unknown) => void) => void) => Promise<T>;
    const bytes = vm.runInContext("(n) => new Uint8Array(n)", context) as (n: number) => Uint8Array;
    const tcp = await connectAsyncSocket(www.port);
    // The context holds exactly: `socket` (read/write/close bridged to the node:net connection, returning the
    // context's promises and Uint8Arrays), `random` (node:crypto randomFillSync), and `microtls`, the bundle's global.
    context.socket = {
      read: () =>
        promise<Uint8Array | null>((ok, no) =>
          tcp.read().then((b) => {
            if (b === null) return ok(null);
            const copy = bytes(b.length);
            copy.set(b);
            ok(copy);
          }, no),
        ),
      write: (b: Uint8Array) => promise<void>((ok, no) => tcp.write(Buffer.from(b)).then(() => ok(), no)),
      close: () => tcp.close(),
    };
    context.random = (buf: Uint8Array) => void randomFillSync(buf);
    vm.runInContext(code, context);
    const script = `(async () => {
      const { AsyncTlsClient, TlsConnection } = microtls;
      const client = new AsyncTlsClient(new TlsConnection({ serverName: ${JSON.stringify(TEST_HOST)}, ca: ${JSON.stringify(ca)}, random }), socket);
      await client.handshake();
      await client.write(Uint8Array.from("GET / HTTP/1.0\\r\\n\\r\\n", (c) => c.charCodeAt(0)));
      let page = "";
      for (let chunk = await client.read(); chunk !== null; chunk = await client.read()) page += String.fromCharCode.apply(null, chunk);
      await client.close();
      return { page, suite: client.connection.cipherSuite };
    })()`;
    const { page, suite } = (await vm.runInContext(script, context)) as { page: string; suite: string };
    expect(page).toMatch(/^HTTP\/1\.0 200/);
    expect(page).toContain("s_server");
    expect(page).toMatch(/TLSv1\.2, Cipher is ECDHE-ECDSA-/);
    expect(suite).toMatch(/^TLS_ECDHE_ECDSA_WITH_/);
    expect(tcp.closed).toBe(true);
  });
});
