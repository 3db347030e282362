// Session resumption against real servers: by session ticket (RFC 5077) and by session ID (RFC 5246), with Node's
// tls server and openssl s_server; a server that declines; the abbreviated flight checked on the wire; the session
// carried across "deep sleep" as bytes; and the refusals (tampered blob, other name, a connection that failed).
import { constants } from "node:crypto";
import type * as tls from "node:tls";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TlsError } from "../src/errors.js";
import { expectTlsError, expectTlsErrorAsync } from "./helpers/expect-tls-error.js";
import { decodeSession, encodeSession, type TlsSession } from "../src/handshake/session.js";
import { TlsClient } from "../src/client.js";
import { standardPki, TEST_HOST } from "./helpers/pki.js";
import { closeAllServers, startNodeTlsServer, startOpensslServer, type ChildServer, type NodeTlsServer } from "./helpers/servers.js";
import { openTls, parseRecords, plaintextHandshakeTypes, readToEnd, readUntil, socketError, whenClosed, type OpenOptions, type TappedClient } from "./helpers/tls.js";


const SERVER_HELLO = 2;
const NEW_SESSION_TICKET = 4;
const CERTIFICATE = 11;
const CLIENT_HELLO = 1;

const withSession = (session: TlsSession | Uint8Array | null, extra: OpenOptions = {}) => ({ ...extra, session }) as OpenOptions;

let nodeTickets: NodeTlsServer;
let nodeIds: NodeTlsServer;
let nodeOtherKeys: NodeTlsServer;
let opensslTickets: ChildServer;
let opensslIds: ChildServer;
const reused: boolean[] = [];

beforeAll(async () => {
  const pki = standardPki();
  const leaf = pki.leaves.p256;
  const common = {
    key: leaf.keyPem,
    cert: leaf.certPem + pki.intermediate.certPem,
    mode: "custom" as const,
    onConnection(socket: tls.TLSSocket) {
      reused.push(socket.isSessionReused());
      socket.on("error", () => socket.destroy());
      socket.pipe(socket);
    },
  };
  nodeTickets = await startNodeTlsServer(common);
  nodeOtherKeys = await startNodeTlsServer(common); // its own random ticket keys: declines nodeTickets' tickets
  nodeIds = await startNodeTlsServer({ ...common, secureOptions: constants.SSL_OP_NO_TICKET, sessionIdContext: "microtls-test" });
  // Node keeps no session cache of its own: the application provides one through these events.
  const cache = new Map<string, Buffer>();
  nodeIds.server.on("newSession", (id: Buffer, data: Buffer, done: () => void) => {
    cache.set(id.toString("hex"), data);
    done();
  });
  nodeIds.server.on("resumeSession", (id: Buffer, done: (err: Error | null, data: Buffer | null) => void) => done(null, cache.get(id.toString("hex")) ?? null));
  opensslTickets = await startOpensslServer({ certFile: leaf.certPath, keyFile: leaf.keyPath, chainFile: pki.intermediateFile, mode: "www" });
  opensslIds = await startOpensslServer({ certFile: leaf.certPath, keyFile: leaf.keyPath, chainFile: pki.intermediateFile, mode: "www", extraArgs: ["-no_ticket"] });
});

afterAll(async () => {
  await closeAllServers();
});

async function echoOnce(port: number, options: OpenOptions = {}): Promise<TappedClient> {
  const { socket, client } = await openTls(port, options);
  socket.write("ping\n");
  expect((await readUntil(socket, (b) => b.includes(10))).toString()).toBe("ping\n");
  socket.end();
  await whenClosed(socket);
  return client;
}

async function wwwOnce(port: number, options: OpenOptions = {}): Promise<{ client: TappedClient; page: string }> {
  const { socket, client } = await openTls(port, options);
  socket.write("GET / HTTP/1.0\r\n\r\n");
  return { client, page: (await readToEnd(socket)).toString("latin1") };
}

function serverFlight(client: TappedClient): number[] {
  return plaintextHandshakeTypes(parseRecords(client.tap.received)).map((m) => m.type);
}
function clientFlight(client: TappedClient): number[] {
  return plaintextHandshakeTypes(parseRecords(client.tap.sent)).map((m) => m.type);
}

describe("resumption by session ticket (RFC 5077)", () => {
  it("Node tls: full handshake gives a ticket; the next connection resumes with an abbreviated flight", async () => {
    const first = await echoOnce(nodeTickets.port);
    const session = first.session!;
    expect(session).toBeTruthy();
    expect(session.ticket!.length).toBeGreaterThan(0);
    expect(session.ticketLifetime).toBeGreaterThan(0);
    expect(session.extendedMasterSecret).toBe(true);
    expect(first.resumed).toBe(false);
    expect(serverFlight(first)).toContain(CERTIFICATE);

    const lines: string[] = [];
    const second = await echoOnce(nodeTickets.port, withSession(session, { trace: (l) => lines.push(l) }));
    expect(second.resumed).toBe(true);
    expect(reused[reused.length - 1]).toBe(true);
    expect(second.cipherSuite).toBe(first.cipherSuite);
    expect(second.peerCertificates).toEqual([]);
    // On the wire: the server sends ServerHello (and maybe a fresh ticket), then ChangeCipherSpec: no Certificate,
    // no ServerKeyExchange; we send only the ClientHello in plaintext.
    expect(serverFlight(second).filter((t) => t !== NEW_SESSION_TICKET)).toEqual([SERVER_HELLO]);
    expect(clientFlight(second)).toEqual([CLIENT_HELLO]);
    expect(lines.some((l) => /resume=ticket/.test(l))).toBe(true);
  });

  it("openssl s_server: resumes by ticket and says so", async () => {
    const first = await wwwOnce(opensslTickets.port);
    const session = first.client.session!;
    expect(session.ticket).not.toBeNull();
    const second = await wwwOnce(opensslTickets.port, withSession(session));
    expect(second.client.resumed).toBe(true);
    expect(second.page).toMatch(/Reused, TLSv1\.2/);
    expect(first.page).toMatch(/New, TLSv1\.2/);
  });

  it("microtls/node: the Duplex exposes session and resumed like the client", async () => {
    const first = await openTls(opensslTickets.port);
    expect(first.socket.session).toBe(first.client.session);
    expect(first.socket.resumed).toBe(false);
    first.socket.write("GET / HTTP/1.0\r\n\r\n");
    await readToEnd(first.socket);
    const saved = encodeSession(first.socket.session!);
    const second = await openTls(opensslTickets.port, withSession(saved));
    expect(second.socket.resumed).toBe(true);
    second.socket.write("GET / HTTP/1.0\r\n\r\n");
    expect((await readToEnd(second.socket)).toString("latin1")).toMatch(/Reused, TLSv1\.2/);
  });

  it("a server that declines the ticket gets a full handshake, and a new session", async () => {
    const first = await echoOnce(nodeTickets.port);
    const lines: string[] = [];
    const second = await echoOnce(nodeOtherKeys.port, withSession(first.session!, { trace: (l) => lines.push(l) }));
    expect(second.resumed).toBe(false);
    expect(serverFlight(second)).toContain(CERTIFICATE);
    expect(lines.some((l) => /session declined: full handshake/.test(l))).toBe(true);
    const fresh = second.session!;
    expect(fresh).toBeTruthy();
    // The new session resumes with the server that issued it.
    const third = await echoOnce(nodeOtherKeys.port, withSession(fresh));
    expect(third.resumed).toBe(true);
  });
});

describe("resumption by session ID (RFC 5246)", () => {
  it("Node tls without tickets", async () => {
    const first = await echoOnce(nodeIds.port);
    const session = first.session!;
    expect(session.ticket).toBeNull();
    expect(session.sessionId.length).toBe(32);
    const second = await echoOnce(nodeIds.port, withSession(session));
    expect(second.resumed).toBe(true);
    expect(serverFlight(second)).toEqual([SERVER_HELLO]);
  });

  it("openssl s_server -no_ticket", async () => {
    const first = await wwwOnce(opensslIds.port);
    const session = first.client.session!;
    expect(session.ticket).toBeNull();
    const second = await wwwOnce(opensslIds.port, withSession(session));
    expect(second.client.resumed).toBe(true);
    expect(second.page).toMatch(/Reused, TLSv1\.2/);
  });
});

describe("sessions across deep sleep, and the refusals", () => {
  it("resumes from the encoded bytes (what a device keeps in flash)", async () => {
    const first = await echoOnce(nodeTickets.port);
    const saved = encodeSession(first.session!);
    const second = await echoOnce(nodeTickets.port, withSession(saved));
    expect(second.resumed).toBe(true);
  });

  it("a tampered saved session is refused before anything is sent", async () => {
    const first = await echoOnce(nodeTickets.port);
    const saved = encodeSession(first.session!);
    saved[saved.length >> 1] ^= 0x20;
    expectTlsError(() => new TlsClient(withSession(saved, { serverName: TEST_HOST, ca: standardPki().rootPem }) as never), "CONFIG", undefined, /corrupt/);
  });

  it("a session is not offered to another server name", async () => {
    const first = await echoOnce(nodeTickets.port);
    const lines: string[] = [];
    const second = await echoOnce(nodeTickets.port, withSession(first.session!, { serverName: "localhost", trace: (l) => lines.push(l) }));
    expect(second.resumed).toBe(false);
    expect(lines).toContain(`session not offered: the session is for ${TEST_HOST}, not localhost`);
  });

  it("a session is not offered when its suite is no longer offered", async () => {
    const first = await echoOnce(nodeTickets.port);
    const session = first.session!;
    const other = session.cipherSuite === 0xc02b ? "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384" : "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256";
    const lines: string[] = [];
    const second = await echoOnce(nodeTickets.port, withSession(session, { cipherSuites: [other], trace: (l) => lines.push(l) }));
    expect(second.resumed).toBe(false);
    expect(lines.some((l) => /session not offered: the session's cipher suite .* is no longer offered/.test(l))).toBe(true);
  });

  it("a ticket past its lifetime hint is not offered (the clock says so), and a full handshake follows", async () => {
    const first = await echoOnce(nodeTickets.port);
    const session = first.session!;
    expect(session.ticketLifetime).toBeGreaterThan(0);
    const lines: string[] = [];
    const late = Date.now() + (session.ticketLifetime + 60) * 1000;
    const second = await echoOnce(nodeTickets.port, withSession(session, { now: () => late, trace: (l) => lines.push(l) }));
    expect(second.resumed).toBe(false);
    expect(serverFlight(second)).toContain(CERTIFICATE);
    expect(lines.some((l) => /session not offered: the ticket expired/.test(l))).toBe(true);
    // The same session within its lifetime still resumes: the refusal came from the clock.
    expect((await echoOnce(nodeTickets.port, withSession(session))).resumed).toBe(true);
  });

  it("a connection that ends in a fatal alert leaves no resumable session", async () => {
    const { socket, client } = await openTls(nodeTickets.port);
    const session = client.session!;
    expect(session.resumable).toBe(true);
    const failed = socketError(socket);
    socket.resume(); // read, so the client processes what arrives
    // A forged application-data record, as an attacker on the path would inject: bad_record_mac, fatal.
    socket.transport.emit("data", Buffer.from([23, 3, 3, 0, 40, ...new Array(40).fill(7)]));
    await expectTlsErrorAsync(failed, "BAD_RECORD_MAC");
    expect(client.session).toBeNull();
    expect(session.resumable).toBe(false);
    const lines: string[] = [];
    const next = await echoOnce(nodeTickets.port, withSession(session, { trace: (l) => lines.push(l) }));
    expect(next.resumed).toBe(false);
    expect(lines.some((l) => /session not offered: the session's connection failed/.test(l))).toBe(true);
  });

  it("a transport that drops without close_notify (a device going to sleep) keeps the session", async () => {
    const { socket, client } = await openTls(nodeTickets.port);
    const session = client.session!;
    const failed = new Promise<Error>((resolve) => socket.once("error", resolve));
    socket.resume();
    socket.transport.destroy();
    expect(((await failed) as TlsError).code).toMatch(/TRUNCATED|TRANSPORT/);
    expect(session.resumable).toBe(true);
    expect(client.session).toBe(session);
    const next = await echoOnce(nodeTickets.port, withSession(session));
    expect(next.resumed).toBe(true);
  });
});
