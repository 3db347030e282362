// microtls/core: the client configured with objects instead of names, so a bundle carries only what it names.
// Checked three ways: the bundle itself (esbuild), the configuration rules, and handshakes with a real server.
import { Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bundledInputs } from "./helpers/bundle.js";
import { expectTlsError, expectTlsErrorAsync } from "./helpers/expect-tls-error.js";
import * as core from "../src/core.js";
import { parseClientHello } from "./helpers/server-codecs.js";
import { Alert, TlsClient as FullClient } from "../src/index.js";
import { sharedPki, standardPki, TEST_HOST } from "./helpers/pki.js";
import { closeAllServers, startOpensslServer, type ChildServer } from "./helpers/servers.js";

const {
  TlsClient,
  WANT_READ,
  TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
  TLS_RSA_WITH_AES_128_GCM_SHA256,
  x25519Group,
  p256Group,
  signatureVerifier,
  ecdsaVerify,
} = core;

const minimal = (ca: string) => ({
  serverName: TEST_HOST,
  ca,
  cipherSuites: [TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256],
  groups: [x25519Group],
  verifySignature: signatureVerifier({ ecdsa: ecdsaVerify }),
});

describe("the minimal profile's bundle", () => {
  it("holds no AES, no NIST ECDH, no RSA or Ed25519 verification, no client-certificate or session code", async () => {
    const contents =
      `import { TlsClient, TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256, x25519Group, signatureVerifier, ecdsaVerify } from "./src/core.ts";\n` +
      `export const make = (ca) => new TlsClient({ serverName: "d.example", ca, cipherSuites: [TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256], groups: [x25519Group], verifySignature: signatureVerifier({ ecdsa: ecdsaVerify }) });\n`;
    const inputs = await bundledInputs(contents, { minify: true });
    expect(inputs).toContain("src/crypto/chacha20-poly1305.ts");
    expect(inputs).toContain("src/crypto/x25519.ts");
    for (const unwanted of ["src/crypto/aes-gcm.ts", "@noble/ciphers/aes.js", "@noble/ciphers/_polyval.js", "src/crypto/nist-ecdh.ts", "src/handshake/name-tables.ts",
      "src/handshake/session.ts", "src/handshake/client-auth.ts", "src/handshake/client-credentials.ts", "src/x509/private-key.ts",
      // The chain is checked with the configured verifier, not the dispatcher that knows every algorithm.
      "src/crypto/signature.ts", "src/crypto/rsa.ts", "@noble/curves/ed25519.js", "@noble/curves/abstract/edwards.js"]) {
      expect(inputs).not.toContain(unwanted);
    }
  });
});

describe("configuration with objects", () => {
  const ca = standardPki().rootPem;
  const configError = (make: () => unknown, pattern: RegExp) => expectTlsError(make, "CONFIG", null, pattern);

  it("the microtls client takes objects and names, mixed", () => {
    expect(() => new FullClient({ serverName: TEST_HOST, ca, cipherSuites: [TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"], groups: [x25519Group, "secp256r1"] })).not.toThrow();
    configError(() => new FullClient({ serverName: TEST_HOST, ca, cipherSuites: [TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256, "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256"] }), /twice/);
  });

  it("the core client refuses names, and has no defaults", () => {
    expect(() => new TlsClient(minimal(ca))).not.toThrow();
    configError(() => new TlsClient({ ...minimal(ca), cipherSuites: ["TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256"] }), /microtls\/core takes the suite objects/);
    configError(() => new TlsClient({ ...minimal(ca), groups: ["x25519"] }), /microtls\/core takes the group objects/);
    configError(() => new TlsClient({ serverName: TEST_HOST, ca, groups: [x25519Group], verifySignature: minimal(ca).verifySignature }), /cipherSuites is required/);
    configError(() => new TlsClient({ ...minimal(ca), groups: undefined }), /groups is required/);
    configError(() => new TlsClient({ ...minimal(ca), verifySignature: undefined }), /verifySignature is required/);
    // RSA key exchange signs nothing, but the chain's signatures still need a verifier; with verify off none is needed.
    configError(() => new TlsClient({ serverName: TEST_HOST, ca, cipherSuites: [TLS_RSA_WITH_AES_128_GCM_SHA256] }), /verifySignature is required/);
    expect(() => new TlsClient({ serverName: TEST_HOST, verify: false, cipherSuites: [TLS_RSA_WITH_AES_128_GCM_SHA256] })).not.toThrow();
  });

  it("client certificates and sessions need their support objects", () => {
    const pki = standardPki();
    configError(() => new TlsClient({ ...minimal(ca), cert: pki.leaves.p256.certPem, key: pki.leaves.p256.keyPem }), /clientAuthSupport/);
    configError(() => new TlsClient({ ...minimal(ca), session: new Uint8Array(8) }), /resumptionSupport/);
    expect(() => new TlsClient({ ...minimal(ca), cert: pki.leaves.p256.certPem, key: pki.leaves.p256.keyPem, clientAuthSupport: core.clientAuthSupport })).not.toThrow();
    // With the support, a saved session is checked as in the microtls entry.
    configError(() => new TlsClient({ ...minimal(ca), session: new Uint8Array(8), resumptionSupport: core.resumptionSupport }), /session/);
  });

  it("refuses things that are not suites or groups", () => {
    configError(() => new TlsClient({ ...minimal(ca), cipherSuites: [{ name: "fake", id: 1 } as never] }), /unsupported cipher suite/);
    configError(() => new TlsClient({ ...minimal(ca), groups: [{ name: "fake" } as never] }), /unsupported group/);
    // An RSA key-exchange suite must bring its encryption.
    configError(() => new TlsClient({ ...minimal(ca), cipherSuites: [{ ...TLS_RSA_WITH_AES_128_GCM_SHA256, rsaEncrypt: undefined }] }), /unsupported cipher suite/);
  });
});

let ecdsaServer: ChildServer;
let rsaServer: ChildServer;

beforeAll(async () => {
  const pki = standardPki();
  ecdsaServer = await startOpensslServer({ certFile: pki.leaves.p256.certPath, keyFile: pki.leaves.p256.keyPath, chainFile: pki.intermediateFile, mode: "www" });
  rsaServer = await startOpensslServer({ certFile: pki.leaves.rsa2048.certPath, keyFile: pki.leaves.rsa2048.keyPath, chainFile: pki.intermediateFile, mode: "www" });
});

afterAll(async () => {
  await closeAllServers();
});

/**
 * Handshake, GET the s_server status page, read to the end: the smallest driver of the push engine over a net.Socket
 * (a client's own engine, or a bare connection).
 */
function fetchStatus(port: number, target: core.TlsConnection | { connection: core.TlsConnection }): Promise<string> {
  const conn = "connection" in target ? target.connection : target;
  const socket = new Socket();
  let page = "";
  let requested = false;
  return new Promise((resolve, reject) => {
    const pump = () => {
      for (;;) {
        const out = conn.output();
        if (out.length > 0) {
          socket.write(out);
          conn.consumed(out.length);
        }
        for (let piece = conn.take(); piece !== null; piece = conn.take()) page += Buffer.from(piece).toString("latin1");
        if (conn.handshakeComplete && !requested) {
          requested = true;
          conn.write(new TextEncoder().encode("GET / HTTP/1.0\r\n\r\n"));
          continue;
        }
        const status = conn.status;
        if (status === "needs-input") return;
        if (status === "closed") {
          socket.destroy();
          return conn.error ? reject(conn.error) : resolve(page);
        }
      }
    };
    socket.on("data", (d: Buffer) => {
      conn.feed(d);
      pump();
    });
    socket.on("end", () => {
      conn.end();
      pump();
    });
    socket.once("error", reject);
    socket.connect({ host: "127.0.0.1", port }, pump);
  });
}

describe("the core client against openssl s_server", () => {
  it("ECDHE-ECDSA with ChaCha20-Poly1305 and an ECDSA-only verifier", async () => {
    // OpenSSL wants an ECDSA leaf's curve among the offered groups (RFC 4492 §5.1); x25519 comes first and is chosen.
    const client = new core.TlsConnection({ ...minimal(standardPki().rootPem), groups: [x25519Group, p256Group] });
    const page = await fetchStatus(ecdsaServer.port, client);
    expect(page).toMatch(/ECDHE-ECDSA-CHACHA20-POLY1305/);
    expect(client.group).toBe("x25519");
    expect(client.cipherSuite).toBe("TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256");
  });

  it("an ECDSA-only verifier refuses an RSA-signed ServerKeyExchange", async () => {
    const client = new TlsClient({
      ...minimal(standardPki().rootPem),
      cipherSuites: [core.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256],
    });
    await expectTlsErrorAsync(fetchStatus(rsaServer.port, client), "DECRYPT_ERROR", Alert.decrypt_error);
  });

  it("an ECDSA-only verifier refuses a chain signed with RSA; naming RSA PKCS#1 accepts it", async () => {
    const pki = sharedPki();
    const rsaRoot = pki.issue({ name: "core-rsa-root", cn: "microtls Core RSA Root", key: "rsa2048", ca: true });
    const leaf = pki.issue({ name: "core-rsa-signed-leaf", cn: TEST_HOST, key: "p256", issuer: rsaRoot, dns: [TEST_HOST], ips: ["127.0.0.1"] });
    const server = await startOpensslServer({ certFile: leaf.certPath, keyFile: leaf.keyPath, mode: "www" });
    const options = { ...minimal(rsaRoot.certPem), groups: [x25519Group, p256Group] };
    const err = await expectTlsErrorAsync(fetchStatus(server.port, new TlsClient(options)), "BAD_CERTIFICATE");
    expect(err.verifyFlags).toContain("BAD_SIGNATURE");
    const withRsa = new TlsClient({ ...options, verifySignature: signatureVerifier({ ecdsa: ecdsaVerify, rsaPkcs1: core.rsaPkcs1Verify }) });
    expect(await fetchStatus(server.port, withRsa)).toMatch(/ECDHE-ECDSA-CHACHA20-POLY1305/);
    // The full entry's default verifier knows RSA.
    const full = new FullClient({ serverName: TEST_HOST, ca: rsaRoot.certPem, cipherSuites: [TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256] });
    expect(await fetchStatus(server.port, full as unknown as { connection: core.TlsConnection })).toMatch(/ECDHE-ECDSA-CHACHA20-POLY1305/);
  });

  it("without resumptionSupport no session_ticket is asked for and no session kept; with it, the session resumes", async () => {
    const extensionTypes = (client: InstanceType<typeof TlsClient>): number[] => {
      const sent: Uint8Array[] = [];
      client.setBio((d) => (sent.push(d.slice()), d.length), () => WANT_READ);
      expect(client.handshake()).toBe(WANT_READ);
      const hello = parseClientHello(sent[0].subarray(5 + 4));
      return hello.extensions.map((e) => e.type);
    };
    expect(extensionTypes(new TlsClient(minimal(standardPki().rootPem)))).not.toContain(35);
    expect(extensionTypes(new TlsClient({ ...minimal(standardPki().rootPem), resumptionSupport: core.resumptionSupport }))).toContain(35);
    const plain = new TlsClient({ ...minimal(standardPki().rootPem), groups: [x25519Group, p256Group] });
    await fetchStatus(ecdsaServer.port, plain);
    expect(plain.session).toBeNull();
    const withSupport = { ...minimal(standardPki().rootPem), groups: [x25519Group, p256Group], resumptionSupport: core.resumptionSupport };
    const first = new TlsClient(withSupport);
    expect(await fetchStatus(ecdsaServer.port, first)).toMatch(/New, TLSv1\.2/);
    expect(first.session).not.toBeNull();
    const second = new TlsClient({ ...withSupport, session: core.encodeSession(first.session!) });
    expect(await fetchStatus(ecdsaServer.port, second)).toMatch(/Reused, TLSv1\.2/);
    expect(second.resumed).toBe(true);
  });

  it("RSA key exchange: the suite object brings its own encryption", async () => {
    const client = new TlsClient({ ...minimal(standardPki().rootPem), cipherSuites: [TLS_RSA_WITH_AES_128_GCM_SHA256] });
    const page = await fetchStatus(rsaServer.port, client);
    expect(page).toMatch(/AES128-GCM-SHA256/);
    expect(client.group).toBeNull();
  });
});
