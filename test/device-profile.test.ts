import { once } from "node:events";
import * as net from "node:net";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { expectTlsErrorAsync } from "./helpers/expect-tls-error.js";
import { standardPki, TEST_HOST, type StandardPki } from "./helpers/pki.js";
import { closeAllServers, LOOPBACK, startNodeTlsServer, type NodeTlsServer } from "./helpers/servers.js";

// The device profile (src/device.ts) on the wire, with the device bundle's small crypto swapped in as
// scripts/build-engine-bundle.mjs does: it holds buffers no larger than what was negotiated, caps handshake
// messages, and offers only its own suites.
vi.mock("@noble/ciphers/aes.js", () => import("../src/crypto/aes-gcm-small.js"));
vi.mock("@noble/ciphers/chacha.js", () => import("../src/crypto/chacha-small.js"));
vi.mock("../src/crypto/nist-ecdh.js", () => import("../src/crypto/ec-small.js"));
vi.mock("../src/crypto/x25519.js", () => import("../src/crypto/ec-small.js"));
vi.mock("../src/crypto/ecdsa.js", () => import("../src/crypto/ec-small.js"));
vi.mock("../src/crypto/hash.js", () => import("../src/crypto/hash-small.js"));
vi.mock("../src/crypto/prf.js", () => import("../src/crypto/hash-small.js"));
const { TlsClient, WANT_READ } = await import("../src/device.js");
type Options = ConstructorParameters<typeof TlsClient>[0];

let pki: StandardPki;
let ecdsaEcho: NodeTlsServer;
let rsaEcho: NodeTlsServer;

beforeAll(async () => {
  pki = standardPki();
  const server = (kind: "p256" | "rsa2048") =>
    startNodeTlsServer({ mode: "echo", key: pki.leaves[kind].keyPem, cert: pki.leaves[kind].certPem + pki.intermediate.certPem });
  ecdsaEcho = await server("p256");
  rsaEcho = await server("rsa2048");
});
afterAll(closeAllServers);

/** Handshake, echo `bytes`, close: with every buffer size the client handed to send and recv recorded. */
async function echoSession(port: number, options: Partial<Options>, bytes: number) {
  const sock = net.connect({ host: LOOPBACK, port });
  await once(sock, "connect");
  const inbox: Buffer[] = [];
  let eof = false;
  let wake: (() => void) | null = null;
  sock.on("data", (d: Buffer) => (inbox.push(d), wake?.()));
  sock.on("end", () => ((eof = true), wake?.()));
  const recvSizes: number[] = [];
  const sendSizes: number[] = [];
  const client = new TlsClient({ serverName: TEST_HOST, ca: pki.rootPem, ...options } as Options);
  client.setBio(
    (d) => (sendSizes.push(d.length), sock.write(Buffer.from(d)), d.length),
    (buf) => {
      recvSizes.push(buf.length);
      if (inbox.length === 0) return eof ? 0 : WANT_READ;
      const n = Math.min(inbox[0].length, buf.length);
      buf.set(inbox[0].subarray(0, n));
      if (n === inbox[0].length) inbox.shift();
      else inbox[0] = inbox[0].subarray(n);
      return n;
    },
  );
  const drive = async (step: () => number): Promise<number> => {
    for (;;) {
      const r = step();
      if (r !== WANT_READ) return r;
      if (inbox.length === 0 && !eof) await new Promise<void>((resolve) => (wake = () => ((wake = null), resolve())));
    }
  };
  try {
    await drive(() => client.handshake());
    const payload = new Uint8Array(bytes).map((_, i) => (i * 13 + 5) & 0xff);
    let written = 0;
    while (written < bytes) written += await drive(() => client.write(payload.subarray(written)));
    const echoed: number[] = [];
    const buf = new Uint8Array(1024);
    while (echoed.length < bytes) {
      const n = await drive(() => client.read(buf));
      if (n === 0) break;
      echoed.push(...buf.subarray(0, n));
    }
    await drive(() => client.close());
    return { client, echoedOk: Buffer.from(echoed).equals(Buffer.from(payload)), recvSizes, sendSizes };
  } finally {
    sock.destroy();
  }
}

describe("device profile against Node's tls server", () => {
  it("ECDHE-ECDSA ChaCha20-Poly1305 with max_fragment_length 512: no send or receive buffer beyond one 512-byte record", async () => {
    const s = await echoSession(ecdsaEcho.port, { cipherSuites: ["TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256"], groups: ["secp256r1"], maxFragmentLength: 512 }, 16384);
    expect(s.echoedOk).toBe(true);
    expect(s.client.maxFragmentLength).toBe(512);
    expect(s.client.verifyFlags).toEqual([]);
    // A record: 5-byte header, 512 bytes, 8-byte explicit nonce and 16-byte tag at most.
    expect(Math.max(...s.recvSizes)).toBeLessThanOrEqual(512 + 29);
    expect(Math.max(...s.sendSizes)).toBeLessThanOrEqual(512 + 29);
    expect(s.sendSizes.length).toBeGreaterThanOrEqual(16384 / 512);
  });

  it("ECDHE-RSA AES-128-GCM (the device's own AES) over x25519 without a limit: 16 KiB records, verified", async () => {
    const s = await echoSession(rsaEcho.port, { cipherSuites: ["TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"], groups: ["x25519"] }, 16384);
    expect(s.echoedOk).toBe(true);
    expect(s.client.cipherSuite).toBe("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256");
    expect(s.client.group).toBe("x25519");
    expect(s.client.peerCertificates[0].subject).toContain(`CN=${TEST_HOST}`);
    expect(Math.max(...s.recvSizes)).toBe(16384 + 29);
  });

  it("refuses a Certificate message above maxHandshakeMessageSize on its header, before buffering it", async () => {
    await expectTlsErrorAsync(
      echoSession(ecdsaEcho.port, { maxHandshakeMessageSize: 600 }, 1),
      "ILLEGAL_PARAMETER",
      undefined,
      /handshake message type 11 of \d+ bytes exceeds the limit of 600/,
    );
  });

  it("checks maxHandshakeMessageSize and offers only the device's suites", () => {
    const base = { serverName: TEST_HOST, ca: standardPki().rootPem };
    for (const bad of [100, 65537, 1000.5]) expect(() => new TlsClient({ ...base, maxHandshakeMessageSize: bad })).toThrow(/maxHandshakeMessageSize/);
    expect(() => new TlsClient({ ...base, cipherSuites: ["TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384"] })).toThrow(/unsupported cipher suite/);
    expect(() => new TlsClient({ ...base, groups: ["secp384r1"] })).toThrow(/unsupported group/);
  });
});
