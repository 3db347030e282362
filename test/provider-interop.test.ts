// The interop matrix's suites through the node:crypto provider alone: the microtls/core client (which has no default
// crypto, so nothing can fall back to noble) against Node's tls server, openssl s_server and gnutls-serv, every key
// kind and group, verified, with data both ways. Counters on the provider show each primitive really ran natively.
import * as net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CoreTlsClient } from "../src/client.js";
import type { GroupName } from "../src/crypto/ecdh.js";
import type { CryptoProvider } from "../src/crypto/provider.js";
import { nodeCryptoProvider } from "../src/node/native-provider.js";
import { TlsSocket } from "../src/node/tls-socket.js";
import type { TlsClient } from "../src/client.js";
import { InteropMatrix } from "./helpers/matrix.js";
import { KEY_KINDS, standardPki, TEST_HOST, type KeyKind } from "./helpers/pki.js";
import { closeAllServers, LOOPBACK, startGnutlsServer, startNodeTlsServer, startOpensslServer, type RunningServer } from "./helpers/servers.js";
import { readUntil, whenClosed } from "./helpers/tls.js";

type ServerKind = "node" | "openssl" | "gnutls";
const SERVERS: ServerKind[] = ["node", "openssl", "gnutls"];
const GROUPS: GroupName[] = ["x25519", "secp256r1", "secp384r1"];
const SUITES: Record<string, { openssl: string; keys: "ecdsa" | "rsa"; ecdhe: boolean }> = {
  TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256: { openssl: "ECDHE-ECDSA-CHACHA20-POLY1305", keys: "ecdsa", ecdhe: true },
  TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256: { openssl: "ECDHE-ECDSA-AES128-GCM-SHA256", keys: "ecdsa", ecdhe: true },
  TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384: { openssl: "ECDHE-ECDSA-AES256-GCM-SHA384", keys: "ecdsa", ecdhe: true },
  TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256: { openssl: "ECDHE-RSA-CHACHA20-POLY1305", keys: "rsa", ecdhe: true },
  TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256: { openssl: "ECDHE-RSA-AES128-GCM-SHA256", keys: "rsa", ecdhe: true },
  TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384: { openssl: "ECDHE-RSA-AES256-GCM-SHA384", keys: "rsa", ecdhe: true },
  // RSA key exchange is not a default suite, but it is the one path that uses rsaEncrypt (publicEncrypt).
  TLS_RSA_WITH_AES_128_GCM_SHA256: { openssl: "AES128-GCM-SHA256", keys: "rsa", ecdhe: false },
};

/** The node provider with every call counted, by slot and algorithm. */
const calls = new Map<string, number>();
function counted(p: CryptoProvider): CryptoProvider {
  const count = (k: string) => calls.set(k, (calls.get(k) ?? 0) + 1);
  const wrapTable = <T extends object>(slot: string, t: T | undefined): T | undefined => {
    if (!t) return t;
    const out: Record<string, unknown> = {};
    for (const [k, f] of Object.entries(t)) {
      if (typeof f === "function") out[k] = (...a: unknown[]) => (count(`${slot}.${k}`), (f as (...x: unknown[]) => unknown)(...a));
      else if (f && typeof f === "object") out[k] = wrapTable(`${slot}.${k}`, f as object);
    }
    return out as T;
  };
  return {
    name: "counted node",
    random: (b) => (count("random"), p.random!(b)),
    hash: wrapTable("hash", p.hash),
    hmac: wrapTable("hmac", p.hmac),
    aead: Object.fromEntries(Object.entries(p.aead!).map(([k, f]) => [k, (key: Uint8Array) => {
      count(`aead.${k}`);
      const a = f!(key);
      return { keyLength: a.keyLength, seal: (...x: Parameters<typeof a.seal>) => (count(`seal.${k}`), a.seal(...x)), open: (...x: Parameters<typeof a.open>) => (count(`open.${k}`), a.open(...x)) };
    }])),
    ecdh: wrapTable("ecdh", p.ecdh),
    verify: wrapTable("verify", p.verify),
    rsaEncrypt: (...a) => (count("rsaEncrypt"), p.rsaEncrypt!(...a)),
  };
}
const provider = counted(nodeCryptoProvider);

function open(port: number, cipherSuite: string, groups: GroupName[] | undefined): Promise<{ socket: TlsSocket; client: CoreTlsClient }> {
  const client = new CoreTlsClient({ serverName: TEST_HOST, ca: standardPki().rootPem, crypto: provider, cipherSuites: [cipherSuite], ...(groups ? { groups } : {}) });
  const socket = new TlsSocket(client as TlsClient, net.connect({ host: LOOPBACK, port, allowHalfOpen: true }), { handshakeTimeout: 15_000 });
  return new Promise((resolve, reject) => {
    socket.once("error", reject);
    socket.once("secureConnect", () => {
      socket.off("error", reject);
      resolve({ socket, client });
    });
  });
}

const matrix = new InteropMatrix();
const servers = new Map<string, RunningServer>();

describe("interop through the node:crypto provider (microtls/core, no noble)", () => {
  beforeAll(async () => {
    const pki = standardPki();
    for (const key of KEY_KINDS) {
      const leaf = pki.leaves[key];
      servers.set(`node/${key}`, await startNodeTlsServer({ key: leaf.keyPem, cert: leaf.certPem + pki.intermediate.certPem, ciphers: "ALL", honorCipherOrder: false, ecdhCurve: "X25519:P-256:P-384" }));
      servers.set(`openssl/${key}`, await startOpensslServer({ certFile: leaf.certPath, keyFile: leaf.keyPath, chainFile: pki.intermediateFile, mode: "www" }));
      servers.set(`gnutls/${key}`, await startGnutlsServer({ certFile: pki.chainFile[key], keyFile: leaf.keyPath }));
    }
  });

  afterAll(async () => {
    await closeAllServers();
    const path = matrix.write("provider-interop-matrix", "microtls interop matrix, node:crypto provider");
    console.log(`node provider interop: ${matrix.rows.filter((r) => r.pass).length}/${matrix.rows.length} pass, written to ${path}`);
  });

  for (const server of SERVERS)
    for (const key of KEY_KINDS as KeyKind[])
      for (const [suite, info] of Object.entries(SUITES)) {
        if ((info.keys === "rsa") !== (key === "rsa2048")) continue;
        for (const group of info.ecdhe ? GROUPS : [null]) {
          const name = `${server} ${key} ${suite} ${group ?? "(RSA key exchange)"}`;
          it(name, async () => {
            const row = { server, suite, key, group: group ?? "-", pass: false, detail: "" };
            try {
              // The leaf's curve goes after the group under test (RFC 8422 §5.1.1), as in the interop matrix.
              const leafCurve: GroupName | null = key === "p256" ? "secp256r1" : key === "p384" ? "secp384r1" : null;
              const groups = group ? [...new Set<GroupName>([group, ...(leafCurve ? [leafCurve] : [])])] : undefined;
              const { socket, client } = await open(servers.get(`${server}/${key}`)!.port, suite, groups);
              expect(client.cipherSuite).toBe(suite);
              expect(client.group).toBe(group);
              expect(client.extendedMasterSecret).toBe(true);
              expect(client.verifyFlags).toEqual([]);
              if (server === "openssl") {
                socket.write("GET / HTTP/1.0\r\n\r\n");
                const page = (await readUntil(socket, (b) => b.includes("</HTML>"))).toString("latin1");
                expect(page).toContain(`Cipher is ${info.openssl}`);
                socket.destroy();
              } else {
                const line = `ping ${name}\n`;
                socket.write(line);
                expect((await readUntil(socket, (b) => b.includes("\n"))).toString()).toBe(line);
                socket.end();
                await whenClosed(socket);
              }
              row.pass = true;
            } catch (e) {
              row.detail = e instanceof Error ? `${(e as { code?: string }).code ?? e.name}: ${e.message}` : String(e);
              throw e;
            } finally {
              matrix.record(row);
            }
          });
        }
      }

  it("ran every primitive natively", () => {
    for (const k of ["random", "hash.sha256", "hash.sha384", "hmac.sha256", "hmac.sha384", "seal.aes-128-gcm", "open.aes-128-gcm", "seal.aes-256-gcm",
      "open.aes-256-gcm", "seal.chacha20-poly1305", "open.chacha20-poly1305", "ecdh.x25519.generate", "ecdh.x25519.sharedSecret",
      "ecdh.secp256r1.sharedSecret", "ecdh.secp384r1.sharedSecret", "verify.ecdsa", "rsaEncrypt"]) {
      expect(calls.get(k) ?? 0, k).toBeGreaterThan(0);
    }
    // RSA certificates and ServerKeyExchanges: PSS (OpenSSL's and GnuTLS's choice) and PKCS#1 (the chain's signatures).
    expect((calls.get("verify.rsaPss") ?? 0) + (calls.get("verify.rsaPkcs1") ?? 0)).toBeGreaterThan(0);
  });
});
