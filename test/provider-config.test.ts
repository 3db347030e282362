// The `crypto` option: layering, what a partial provider leads the client to offer (and leave out, with a trace
// line), CONFIG when nothing is possible, a layered host-AEAD + noble-ECDH handshake, and what a bundle built
// against another provider holds (no noble, no BigInt literals).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CoreTlsClient, TlsClient, WANT_READ } from "../src/client.js";
import { nobleProvider } from "../src/crypto/noble-provider.js";
import { layerProviders, type CryptoProvider } from "../src/crypto/provider.js";
import type { TlsClientOptions } from "../src/handshake/config.js";
import { expectTlsError } from "./helpers/expect-tls-error.js";
import { parseClientHello } from "./helpers/server-codecs.js";
import { nodeCryptoProvider as node } from "../src/node/native-provider.js";
import { TlsSocket } from "../src/node/tls-socket.js";
import { readFileSync } from "node:fs";
import * as net from "node:net";
import { join } from "node:path";
import { bundle } from "./helpers/bundle.js";
import { standardPki, TEST_HOST } from "./helpers/pki.js";
import { closeAllServers, LOOPBACK, startOpensslServer, type ChildServer } from "./helpers/servers.js";
import { readUntil } from "./helpers/tls.js";

const ca = () => standardPki().rootPem;

/** A device's host crypto: ChaCha20-Poly1305, X25519, ECDSA and SHA-256 only (here node:crypto's). */
const host: CryptoProvider = {
  name: "host",
  random: node.random,
  hash: { sha256: node.hash!.sha256 },
  hmac: { sha256: node.hmac!.sha256 },
  aead: { "chacha20-poly1305": node.aead!["chacha20-poly1305"] },
  ecdh: { x25519: node.ecdh!.x25519 },
  verify: { ecdsa: node.verify!.ecdsa },
};

function u16s(data: Uint8Array, skip: number): number[] {
  const out: number[] = [];
  for (let i = skip; i + 1 < data.length; i += 2) out.push((data[i] << 8) | data[i + 1]);
  return out;
}

/** What a client puts in its ClientHello: suites, supported_groups, signature_algorithms. */
function offer(client: CoreTlsClient): { suites: number[]; groups: number[]; schemes: number[] } {
  const sent: Uint8Array[] = [];
  client.setBio((d) => (sent.push(d.slice()), d.length), () => WANT_READ);
  expect(client.handshake()).toBe(WANT_READ);
  const hello = parseClientHello(sent[0].subarray(5 + 4));
  const ext = (type: number) => hello.extensions.find((e) => e.type === type);
  return {
    suites: hello.cipherSuites.filter((s) => s !== 0x00ff),
    groups: ext(10) ? u16s(ext(10)!.data, 2) : [],
    schemes: ext(13) ? u16s(ext(13)!.data, 2) : [],
  };
}

describe("layering", () => {
  it("takes each algorithm from the first provider that has it", () => {
    const merged = layerProviders([host, nobleProvider]);
    expect(merged.aead!["chacha20-poly1305"]).toBe(host.aead!["chacha20-poly1305"]);
    expect(merged.aead!["aes-128-gcm"]).toBe(nobleProvider.aead!["aes-128-gcm"]);
    expect(merged.ecdh!.x25519).toBe(host.ecdh!.x25519);
    expect(merged.ecdh!.secp256r1).toBe(nobleProvider.ecdh!.secp256r1);
    expect(merged.verify!.ecdsa).toBe(host.verify!.ecdsa);
    expect(merged.verify!.rsaPss).toBe(nobleProvider.verify!.rsaPss);
    expect(merged.random).toBe(host.random);
    expect(merged.rsaEncrypt).toBe(nobleProvider.rsaEncrypt);
    expect(merged.name).toBe("host+noble");
  });
});

describe("missing primitives", () => {
  it("microtls/core with a partial provider offers only what it can do, and traces the rest", () => {
    const lines: string[] = [];
    const client = new CoreTlsClient({ serverName: TEST_HOST, ca: ca(), crypto: host, trace: (l) => lines.push(l) });
    const o = offer(client);
    expect(o.suites).toEqual([0xcca9]);
    expect(o.groups).toEqual([29]);
    expect(o.schemes).toEqual([0x0403, 0x0503]);
    expect(lines).toContain("crypto: TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 left out: no provider has aes-128-gcm");
    expect(lines).toContain("crypto: TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256 left out: no provider verifies RSA signatures");
    expect(lines).toContain("crypto: group secp256r1 left out: no provider has it");
    expect(lines).toContain("crypto: signature scheme rsa_pss_rsae_sha256 left out: no provider verifies rsa-pss");
    // Names work in microtls/core once a provider is given.
    const named = new CoreTlsClient({ serverName: TEST_HOST, ca: ca(), crypto: host, cipherSuites: ["TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256"], groups: ["x25519"] });
    expect(offer(named).suites).toEqual([0xcca9]);
  });

  it("the microtls entry layers noble under the given provider, so everything is offered", () => {
    const o = offer(new TlsClient({ serverName: TEST_HOST, ca: ca(), crypto: host }));
    expect(o.suites).toEqual([0xcca9, 0xcca8, 0xc02b, 0xc02f, 0xc02c, 0xc030]);
    expect(o.groups).toEqual([29, 23, 24]);
    expect(o.schemes).toEqual([0x0403, 0x0503, 0x0804, 0x0805, 0x0806, 0x0401, 0x0501, 0x0601]);
  });

  it("a suite left out because its hash is missing (SHA-384 suites with a SHA-256-only host)", () => {
    const lines: string[] = [];
    const hostGcm: CryptoProvider = { ...host, aead: node.aead };
    const o = offer(new CoreTlsClient({ serverName: TEST_HOST, ca: ca(), crypto: hostGcm, trace: (l) => lines.push(l) }));
    expect(o.suites).toEqual([0xcca9, 0xc02b]);
    expect(lines).toContain("crypto: TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384 left out: no provider has sha384");
  });

  it("only impossible choices are CONFIG at construction", () => {
    const client = (options: Partial<TlsClientOptions>) => () => new CoreTlsClient({ serverName: TEST_HOST, ca: ca(), ...options });
    expectTlsError(client({ crypto: host, cipherSuites: ["TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"] }), "CONFIG", undefined, /no cipher suite can be offered.*no provider has aes-128-gcm/);
    expectTlsError(client({ crypto: host, groups: ["secp384r1"] }), "CONFIG", undefined, /no ECDH group/);
    expectTlsError(client({ crypto: { ...host, verify: undefined } }), "CONFIG", undefined, /verif/);
    expectTlsError(client({ crypto: null as never }), "CONFIG");
    expectTlsError(client({ crypto: [] }), "CONFIG");
    expectTlsError(client({ crypto: host, cipherSuites: ["TLS_NOT_A_SUITE"] }), "CONFIG");
  });

  it("the README's worked example offers exactly the ECDSA ChaCha20 suite, x25519 and the ECDSA schemes", async () => {
    const core = await import("../src/core.js");
    const lines: string[] = [];
    const client = new core.TlsClient({
      serverName: TEST_HOST,
      ca: ca(),
      crypto: [host, { ecdh: { x25519: core.x25519Group }, verify: { ecdsa: core.ecdsaVerify } }, core.nobleHashes],
      trace: (l) => lines.push(l),
    });
    expect(offer(client)).toEqual({ suites: [0xcca9], groups: [29], schemes: [0x0403, 0x0503] });
    expect(lines).toContain("crypto: TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256 left out: no provider verifies RSA signatures");
  });

  it("the random option wins over a provider's random", () => {
    let used = 0;
    const client = new CoreTlsClient({ serverName: TEST_HOST, ca: ca(), crypto: host, random: (b) => (used++, b.fill(7)) });
    offer(client);
    expect(used).toBeGreaterThan(0);
  });
});

describe("a layered handshake: host AEAD over noble ECDH and signatures", () => {
  let server: ChildServer;
  beforeAll(async () => {
    const pki = standardPki();
    server = await startOpensslServer({ certFile: pki.leaves.p256.certPath, keyFile: pki.leaves.p256.keyPath, chainFile: pki.intermediateFile, mode: "www" });
  });
  afterAll(async () => {
    await closeAllServers();
  });

  it("completes against openssl s_server, each primitive from the layer that has it", async () => {
    let seals = 0;
    const chacha = node.aead!["chacha20-poly1305"]!;
    const aeadOnly: CryptoProvider = {
      name: "host-aead",
      aead: { "chacha20-poly1305": (key) => {
        const a = chacha(key);
        return { keyLength: a.keyLength, seal: (n, p, d) => (seals++, a.seal(n, p, d)), open: a.open };
      } },
    };
    const client = new CoreTlsClient({ serverName: TEST_HOST, ca: ca(), crypto: [aeadOnly, nobleProvider], cipherSuites: ["TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256"], groups: ["x25519", "secp256r1"] });
    const socket = new TlsSocket(client as TlsClient, net.connect({ host: LOOPBACK, port: server.port }), { handshakeTimeout: 15_000 });
    await new Promise<void>((resolve, reject) => (socket.once("secureConnect", resolve), socket.once("error", reject)));
    socket.write("GET / HTTP/1.0\r\n\r\n");
    const page = (await readUntil(socket, (b) => b.includes("</HTML>"))).toString("latin1");
    socket.destroy();
    expect(page).toContain("Cipher is ECDHE-ECDSA-CHACHA20-POLY1305");
    expect(client.group).toBe("x25519");
    expect(seals).toBeGreaterThanOrEqual(2); // Finished and the request
  });
});

describe("a bundle built against another provider", () => {
  const BIGINT_LITERAL = /(?<![\w$.])\d+n\b/;
  const stub = (entry: string) =>
    `import { TlsClient } from "${entry}";\n` +
    `const h = globalThis.host;\n` +
    `const stub = { name: "stub", random: h.random, hash: { sha256: h.sha256 }, hmac: { sha256: h.hmac256 },\n` +
    `  aead: { "chacha20-poly1305": h.chacha }, ecdh: { x25519: h.x25519 }, verify: { ecdsa: h.ecdsa } };\n` +
    `export const make = (ca) => new TlsClient({ serverName: "d.example", ca, crypto: stub });\n`;

  /** The kept src/ files whose source uses BigInt at all. */
  const bigIntUsers = (inputs: string[]) => inputs.filter((p) => p.startsWith("src/") && /\bBigInt\b/.test(readFileSync(join(__dirname, "..", p), "utf8"))).sort();

  it("holds no noble, no RSA code and no BigInt literals (microtls/core)", async () => {
    const { inputs, code } = await bundle(stub("./src/core.ts"), { minify: true });
    expect(inputs).toContain("src/handshake/provider-config.ts");
    expect(inputs.filter((p) => p.startsWith("@noble/"))).toEqual([]);
    for (const f of ["rsa", "aes-gcm", "chacha20-poly1305", "x25519", "nist-ecdh", "prf", "hash", "noble-provider", "signature", "ecdsa"]) {
      expect(inputs).not.toContain(`src/crypto/${f}.ts`);
    }
    // A BigInt literal is a syntax error on an engine without BigInt: the whole bundle would fail to load.
    expect(code).not.toMatch(BIGINT_LITERAL);
    expect(code).not.toMatch(/noble/i);
    // BigInt calls remain only where they never run on this path: a record sequence start (tests) and the RSA
    // integers of a certificate's key, made on first use by a BigInt verifier (a provider reads the bytes).
    expect(bigIntUsers(inputs)).toEqual(["src/record/sequence.ts", "src/x509/algorithms.ts"]);
  });

  it("while the same client on the noble provider carries noble and our BigInt RSA (so the checks can fail)", async () => {
    const { inputs } = await bundle(
      `import { TlsClient, nobleProvider } from "./src/core.ts";\nexport const make = (ca) => new TlsClient({ serverName: "d.example", ca, crypto: nobleProvider });\n`,
      { minify: true },
    );
    expect(inputs.filter((p) => p.startsWith("@noble/")).length).toBeGreaterThan(0);
    expect(bigIntUsers(inputs)).toContain("src/crypto/rsa.ts");
    // The literal check sees literals through esbuild's minifier.
    expect((await bundle("export const x = 10n;\n", { minify: true })).code).toMatch(BIGINT_LITERAL);
  });
});
