// Mutual TLS against real servers that request and verify a client certificate: Node's tls server and
// openssl s_server -Verify 1 (both requiring one), gnutls-serv (requesting without requiring), with ECDSA
// P-256/P-384 and RSA-2048 client keys, the external sign hook, and servers that reject our certificate.
import { constants, createPrivateKey, sign as nodeSign } from "node:crypto";
import type * as tls from "node:tls";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Alert } from "../src/errors.js";
import { clientSchemeByName } from "../src/handshake/client-credentials.js";
import type { ClientAuthOptions, ExternalSigner } from "../src/handshake/client-credentials.js";
import { expectTlsErrorAsync } from "./helpers/expect-tls-error.js";
import { clientPkiFor, keyDir, openssl as runOpenssl, type ClientPki } from "./helpers/client-keys.js";
import type { KeyKind } from "./helpers/pki.js";
import { decryptPrivateKey } from "../src/x509/encrypted-private-key.js";
import { closeAllServers, startGnutlsServer, startNodeTlsServer, startOpensslServer, type ChildServer, type NodeTlsServer } from "./helpers/servers.js";
import { openTls, readToEnd, readUntil, refusedTls, type OpenOptions } from "./helpers/tls.js";


const KINDS: KeyKind[] = ["p256", "p384", "rsa2048"];
let pki: ClientPki;
let node: NodeTlsServer;
const nodePeers: Array<{ cn: string | undefined; authorized: boolean }> = [];
let openssl: ChildServer;
let opensslOtherCa: ChildServer;
let gnutls: ChildServer;

/** cert/key/sign are TlsClient options since issue 7; typed loosely so this file compiles on either side of that. */
function withAuth(auth: ClientAuthOptions, extra: OpenOptions = {}): OpenOptions {
  return { ...extra, ...auth } as OpenOptions;
}

function credentials(kind: KeyKind): ClientAuthOptions {
  return { cert: pki.clients[kind].certPem + pki.clientCa.certPem, key: pki.clients[kind].keyPem };
}

beforeAll(async () => {
  pki = clientPkiFor();
  const s = pki.server;
  const leaf = s.leaves.p256;
  const clientCas = s.pki.bundle("client-auth-cas", [s.root, pki.clientCa]);
  node = await startNodeTlsServer({
    mode: "custom",
    key: leaf.keyPem,
    cert: leaf.certPem + s.intermediate.certPem,
    requestCert: true,
    rejectUnauthorized: true,
    ca: [s.root.certPem, pki.clientCa.certPem],
    onConnection(socket: tls.TLSSocket) {
      const peer = socket.getPeerCertificate();
      nodePeers.push({ cn: peer?.subject?.CN === undefined ? undefined : String(peer.subject.CN), authorized: socket.authorized });
      socket.on("error", () => socket.destroy());
      socket.end(`hello ${peer?.subject?.CN}\n`);
    },
  });
  openssl = await startOpensslServer({ certFile: leaf.certPath, keyFile: leaf.keyPath, chainFile: s.intermediateFile, mode: "www", extraArgs: ["-Verify", "1", "-CAfile", clientCas, "-verify_return_error"] });
  // Trusts only an unrelated root: our client certificate's issuers are unknown to it.
  const otherRoot = s.pki.issue({ name: "unrelated-client-root", cn: "Some Other Device CA", key: "p256", ca: true });
  opensslOtherCa = await startOpensslServer({ certFile: leaf.certPath, keyFile: leaf.keyPath, chainFile: s.intermediateFile, mode: "www", extraArgs: ["-Verify", "1", "-CAfile", s.pki.bundle("unrelated-client-root", [otherRoot]), "-verify_return_error"] });
  gnutls = await startGnutlsServer({ certFile: s.chainFile.p256, keyFile: leaf.keyPath, extraArgs: ["--x509cafile", clientCas] });
});

afterAll(async () => {
  await closeAllServers();
});

async function opensslStatus(options: OpenOptions): Promise<string> {
  const { socket } = await openTls(openssl.port, options);
  socket.write("GET / HTTP/1.0\r\n\r\n");
  return (await readToEnd(socket)).toString("latin1");
}

describe("client certificates against servers that require one", () => {
  for (const kind of KINDS) {
    it(`Node tls (requestCert + rejectUnauthorized) accepts our ${kind} certificate`, async () => {
      const lines: string[] = [];
      const { socket } = await openTls(node.port, withAuth(credentials(kind), { trace: (l) => lines.push(l) }));
      const reply = (await readToEnd(socket)).toString();
      expect(reply).toBe(`hello device-${kind}\n`);
      expect(nodePeers[nodePeers.length - 1]).toEqual({ cn: `device-${kind}`, authorized: true });
      expect(lines.some((l) => /^-> certificate 2 cert\(s\)/.test(l))).toBe(true);
      expect(lines.some((l) => /^-> certificate_verify (ecdsa_secp256r1_sha256|ecdsa_secp384r1_sha384|rsa_pss_rsae_sha256)/.test(l))).toBe(true);
    });

    it(`openssl s_server -Verify accepts our ${kind} certificate and names it`, async () => {
      const page = await opensslStatus(withAuth(credentials(kind)));
      expect(page).toMatch(new RegExp(`Client certificate[\\s\\S]*CN ?= ?device-${kind}`));
    });
  }

  it("the expected scheme per key: ECDSA by curve, RSA-PSS for RSA", async () => {
    const want: Record<KeyKind, string> = { p256: "ecdsa_secp256r1_sha256", p384: "ecdsa_secp384r1_sha384", rsa2048: "rsa_pss_rsae_sha256" };
    for (const kind of KINDS) {
      const lines: string[] = [];
      await opensslStatus(withAuth(credentials(kind), { trace: (l) => lines.push(l) }));
      expect(lines.filter((l) => l.startsWith("-> certificate_verify"))).toEqual([`-> certificate_verify ${want[kind]}`]);
    }
  });

  it("the sign hook: the key stays outside microtls (DER and raw r||s answers both work)", async () => {
    for (const [kind, encoding] of [["p256", "ieee-p1363"], ["p384", "der"], ["rsa2048", "der"]] as Array<[KeyKind, "der" | "ieee-p1363"]>) {
      const key = createPrivateKey(pki.clients[kind].keyPem);
      const asked: string[] = [];
      const sign: ExternalSigner = (scheme, data) => {
        asked.push(scheme);
        const alg = clientSchemeByName(scheme)!.algorithm as { kind: string; hash: string };
        return alg.kind === "rsa-pss"
          ? nodeSign(alg.hash, data, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST })
          : nodeSign(alg.hash, data, { key, dsaEncoding: encoding });
      };
      const page = await opensslStatus(withAuth({ cert: pki.clients[kind].certPem + pki.clientCa.certPem, sign }));
      expect(page).toMatch(new RegExp(`CN ?= ?device-${kind}`));
      expect(asked.length).toBe(1);
    }
  });

  it("an encrypted PKCS#8 key, decrypted with decryptPrivateKey", async () => {
    const encrypted = runOpenssl(["pkcs8", "-topk8", "-v2", "aes-256-cbc", "-in", pki.clients.rsa2048.keyPath, "-passout", "pass:device"], keyDir());
    const key = decryptPrivateKey(encrypted, "device");
    const page = await opensslStatus(withAuth({ cert: pki.clients.rsa2048.certPem + pki.clientCa.certPem, key }));
    expect(page).toMatch(/CN ?= ?device-rsa2048/);
  });

  it("a signer limited to PKCS#1 v1.5 gets rsa_pkcs1_sha256", async () => {
    const key = createPrivateKey(pki.clients.rsa2048.keyPem);
    const asked: string[] = [];
    const sign: ExternalSigner = (scheme, data) => {
      asked.push(scheme);
      return nodeSign("sha256", data, key);
    };
    await opensslStatus(withAuth({ cert: pki.clients.rsa2048.certPem + pki.clientCa.certPem, sign, signSchemes: ["rsa_pkcs1_sha256"] }));
    expect(asked).toEqual(["rsa_pkcs1_sha256"]);
  });

  it("without a certificate the requiring servers refuse, and their alert surfaces", async () => {
    const lines: string[] = [];
    // handshake_failure: "peer did not return a certificate"
    await expectTlsErrorAsync(refusedTls(openssl.port, { trace: (l) => lines.push(l) }), "ALERT_RECEIVED", Alert.handshake_failure);
    expect(lines.some((l) => /^-> certificate \(empty: no client certificate configured\)/.test(l))).toBe(true);
    await expectTlsErrorAsync(refusedTls(node.port), "ALERT_RECEIVED");
  });

  it("a server that does not trust our CA rejects the certificate with unknown_ca", async () => {
    await expectTlsErrorAsync(refusedTls(opensslOtherCa.port, withAuth(credentials("p256"))), "ALERT_RECEIVED", Alert.unknown_ca, /unknown_ca/);
  });
});

describe("a server that requests but does not require a certificate (gnutls-serv without -a)", () => {
  async function echo(options: OpenOptions): Promise<string> {
    const { socket } = await openTls(gnutls.port, options);
    socket.write("ping\n");
    const got = (await readUntil(socket, (b) => b.includes(10))).toString();
    socket.destroy();
    return got;
  }

  it("works without a certificate (empty Certificate)", async () => {
    expect(await echo({})).toBe("ping\n");
  });

  for (const kind of KINDS) {
    it(`works with our ${kind} certificate`, async () => {
      const lines: string[] = [];
      expect(await echo(withAuth(credentials(kind), { trace: (l) => lines.push(l) }))).toBe("ping\n");
      expect(lines.some((l) => l.startsWith("-> certificate_verify"))).toBe(true);
    });
  }
});
