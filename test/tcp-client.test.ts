// TLSTCPClient (src/tcp-client.ts) over a TCPClient-like socket that replays a recorded handshake with openssl
// s_server (vectors/transcript-*.json): what it sends must be byte-identical to the recording, through the
// Photon-shaped calls. The live runs (JerryScript host, openssl s_server) are in engines-jerry-mbedtls.test.ts.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { TlsClient } from "../src/client.js";
import { TLSTCPClient, type TCPClientLike } from "../src/tcp-client.js";

type Transcript = { serverName: string; ca: string; now: number; options: Record<string, unknown>; random: string; request: string; response: string; server: string; client: string };
const load = (name: string) => JSON.parse(readFileSync(join(__dirname, "..", "vectors", `transcript-${name}.json`), "utf8")) as Transcript;
const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");
const bytes = (h: string) => new Uint8Array(Buffer.from(h, "hex"));

/** The server's recorded bytes, at most `chunk` per read and none on every other available() (a slow link). */
class ReplaySocket implements TCPClientLike {
  sent: Uint8Array[] = [];
  calls: string[] = [];
  private at = 0;
  private tick = 0;
  open = false;
  constructor(private readonly server: Uint8Array, private readonly chunk = 700, readonly refuse = false) {}
  connect(host: string, port: number) {
    this.calls.push(`connect ${host}:${port}`);
    this.open = !this.refuse;
    return this.open;
  }
  connected() {
    return this.open && this.at < this.server.length;
  }
  write(data: Uint8Array) {
    this.sent.push(data.slice());
    return data.length;
  }
  available() {
    if (this.tick++ % 2 === 0) return 0;
    return Math.min(this.chunk, this.server.length - this.at);
  }
  read(buf: Uint8Array) {
    const n = Math.min(buf.length, this.chunk, this.server.length - this.at);
    if (n <= 0) return -1;
    buf.set(this.server.subarray(this.at, this.at + n));
    this.at += n;
    return n;
  }
  stop() {
    this.calls.push("stop");
    this.open = false;
  }
}

function clientFor(t: Transcript, socket: TCPClientLike, overrides: Record<string, unknown> = {}) {
  const random = bytes(t.random);
  let taken = 0;
  let idles = 0;
  const client = new TLSTCPClient(
    socket,
    {
      ca: t.ca,
      sessionTickets: false,
      ...t.options,
      now: () => t.now,
      random: (buf: Uint8Array) => {
        buf.set(random.subarray(taken, taken + buf.length));
        taken += buf.length;
      },
      idle: () => void idles++,
      ...overrides,
    },
    TlsClient,
  );
  return { client, idles: () => idles };
}

describe("TLSTCPClient", () => {
  for (const name of ["openssl-ecdhe-ecdsa-p256-chacha20", "openssl-ecdhe-rsa-x25519-aes128gcm"]) {
    it(`speaks the recorded session byte for byte through connect/write/available/read/stop: ${name}`, () => {
      const t = load(name);
      const socket = new ReplaySocket(bytes(t.server));
      const { client, idles } = clientFor(t, socket);
      expect(client.connected()).toBe(false);
      // No serverName option: the name checked is connect()'s host, as with a Photon TCPClient.
      expect(client.connect(t.serverName, 443)).toBe(true);
      expect(client.error).toBeNull();
      expect(client.connected()).toBe(true);
      expect(client.tls!.verifyFlags).toEqual([]);
      expect(idles()).toBeGreaterThan(0);
      expect(client.write(bytes(t.request))).toBe(bytes(t.request).length);
      const got: number[] = [];
      const buf = new Uint8Array(100);
      while (client.connected()) {
        if (client.available() > 1) got.push(client.read()); // the one-byte form
        const n = client.read(buf);
        if (n > 0) got.push(...buf.subarray(0, n));
        else expect(n).toBe(-1);
      }
      expect(hex(Uint8Array.from(got))).toBe(t.response);
      expect(client.read(buf)).toBe(-1);
      expect(client.write(new Uint8Array(1))).toBe(-1);
      client.stop();
      expect(socket.calls).toEqual([`connect ${t.serverName}:443`, "stop"]);
      // Handshake, request, close_notify: what the recorded client sent.
      expect(hex(Uint8Array.from(socket.sent.flatMap((s) => [...s])))).toBe(t.client);
    });
  }

  it("connect() is false, with the TlsError, for a certificate that does not name the host", () => {
    const t = load("openssl-ecdhe-ecdsa-p256-chacha20");
    const socket = new ReplaySocket(bytes(t.server));
    const { client } = clientFor(t, socket);
    expect(client.connect("not-the-server.example", 443)).toBe(false);
    expect(client.error?.code).toBe("BAD_CERTIFICATE");
    expect(client.error?.verifyFlags).toContain("HOSTNAME_MISMATCH");
    expect(client.connected()).toBe(false);
    // The alert went out, then the socket was closed.
    expect(socket.calls).toEqual(["connect not-the-server.example:443", "stop"]);
    expect(socket.sent.at(-1)![0]).toBe(21);
    expect(client.write("x")).toBe(-1);
  });

  it("connect() is false with TRANSPORT when the socket does not connect; a serverName option wins over the host", () => {
    const t = load("openssl-ecdhe-ecdsa-p256-chacha20");
    const { client } = clientFor(t, new ReplaySocket(bytes(t.server), 700, true));
    expect(client.connect("10.0.0.1", 443)).toBe(false);
    expect(client.error?.code).toBe("TRANSPORT");
    const socket = new ReplaySocket(bytes(t.server));
    const named = clientFor(t, socket, { serverName: t.serverName }).client;
    expect(named.connect("10.0.0.1", 443)).toBe(true);
  });

  it("connect() gives up with TRANSPORT after timeoutMs when the server never answers", () => {
    const t = load("openssl-ecdhe-ecdsa-p256-chacha20");
    const silent = new (class extends ReplaySocket {
      override connected() {
        return this.open;
      }
    })(new Uint8Array(0));
    const { client } = clientFor(t, silent, { timeoutMs: 30 });
    const t0 = Date.now();
    expect(client.connect(t.serverName, 443)).toBe(false);
    expect(client.error?.code).toBe("TRANSPORT");
    expect(Date.now() - t0).toBeGreaterThanOrEqual(25);
  });

  it("refuses something that is not a TCPClient-like socket", () => {
    expect(() => new TLSTCPClient({} as TCPClientLike, { ca: "" })).toThrow(/TCPClient-like/);
  });
});
