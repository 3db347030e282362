// Every suite microtls offers, against Node's tls server, openssl s_server and gnutls-serv, with ECDSA P-256,
// ECDSA P-384 and RSA-2048 leaves under an intermediate CA, for every group: a real handshake, verified against
// the test root, then application data both ways. The matrix lands in test/.tmp/interop-matrix.md.
import type { GroupName } from "../src/crypto/ecdh.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InteropMatrix } from "./helpers/matrix.js";
import { KEY_KINDS, standardPki, type KeyKind } from "./helpers/pki.js";
import { closeAllServers, startGnutlsServer, startNodeTlsServer, startOpensslServer, type RunningServer } from "./helpers/servers.js";
import { openTls, readUntil, whenClosed } from "./helpers/tls.js";

type ServerKind = "node" | "openssl" | "gnutls";
const SERVERS: ServerKind[] = ["node", "openssl", "gnutls"];
const GROUPS = ["x25519", "secp256r1", "secp384r1"] as const;

// IANA name → OpenSSL name (what s_server's status page reports).
const SUITES: Record<string, { openssl: string; keys: "ecdsa" | "rsa"; ecdhe: boolean }> = {
  TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256: { openssl: "ECDHE-ECDSA-AES128-GCM-SHA256", keys: "ecdsa", ecdhe: true },
  TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384: { openssl: "ECDHE-ECDSA-AES256-GCM-SHA384", keys: "ecdsa", ecdhe: true },
  TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256: { openssl: "ECDHE-ECDSA-CHACHA20-POLY1305", keys: "ecdsa", ecdhe: true },
  TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256: { openssl: "ECDHE-RSA-AES128-GCM-SHA256", keys: "rsa", ecdhe: true },
  TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384: { openssl: "ECDHE-RSA-AES256-GCM-SHA384", keys: "rsa", ecdhe: true },
  TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256: { openssl: "ECDHE-RSA-CHACHA20-POLY1305", keys: "rsa", ecdhe: true },
  TLS_RSA_WITH_AES_128_GCM_SHA256: { openssl: "AES128-GCM-SHA256", keys: "rsa", ecdhe: false },
  TLS_RSA_WITH_AES_256_GCM_SHA384: { openssl: "AES256-GCM-SHA384", keys: "rsa", ecdhe: false },
};

interface Case {
  server: ServerKind;
  key: KeyKind;
  suite: string;
  group: (typeof GROUPS)[number] | null;
}

function cases(): Case[] {
  const out: Case[] = [];
  for (const server of SERVERS)
    for (const key of KEY_KINDS)
      for (const [suite, info] of Object.entries(SUITES)) {
        if ((info.keys === "rsa") !== (key === "rsa2048")) continue;
        if (!info.ecdhe) out.push({ server, key, suite, group: null });
        else for (const group of GROUPS) out.push({ server, key, suite, group });
      }
  return out;
}

const matrix = new InteropMatrix();
const servers = new Map<string, RunningServer>();

describe("interop matrix", () => {
  beforeAll(async () => {
    const pki = standardPki();
    for (const key of KEY_KINDS) {
      const leaf = pki.leaves[key];
      // honorCipherOrder/ecdhCurve: make Node's server follow the client's group order like the other two do.
      servers.set(`node/${key}`, await startNodeTlsServer({ key: leaf.keyPem, cert: leaf.certPem + pki.intermediate.certPem, ciphers: "ALL", honorCipherOrder: false, ecdhCurve: "X25519:P-256:P-384" }));
      servers.set(`openssl/${key}`, await startOpensslServer({ certFile: leaf.certPath, keyFile: leaf.keyPath, chainFile: pki.intermediateFile, mode: "www" }));
      servers.set(`gnutls/${key}`, await startGnutlsServer({ certFile: pki.chainFile[key], keyFile: leaf.keyPath }));
    }
  });

  afterAll(async () => {
    await closeAllServers();
    const path = matrix.write("interop-matrix", "microtls interop matrix");
    console.log(`interop matrix: ${matrix.rows.filter((r) => r.pass).length}/${matrix.rows.length} pass, written to ${path}`);
  });

  for (const c of cases()) {
    const name = `${c.server} ${c.key} ${c.suite} ${c.group ?? "(RSA key exchange)"}`;
    it(name, async () => {
      const row = { server: c.server, suite: c.suite, key: c.key, group: c.group ?? "-", pass: false, detail: "" };
      try {
        const server = servers.get(`${c.server}/${c.key}`)!;
        // TLS 1.2 (RFC 8422 §5.1.1): supported_groups also names the curves an ECDSA certificate may use, so the
        // leaf's curve is offered after the group under test; servers honour the client's order.
        const leafCurve: GroupName | null = c.key === "p256" ? "secp256r1" : c.key === "p384" ? "secp384r1" : null;
        const groups: GroupName[] | undefined = c.group ? [...new Set<GroupName>([c.group, ...(leafCurve ? [leafCurve] : [])])] : undefined;
        const { socket, client } = await openTls(server.port, { cipherSuites: [c.suite], ...(groups ? { groups } : {}) });
        expect(client.cipherSuite).toBe(c.suite);
        expect(client.group).toBe(c.group);
        expect(client.extendedMasterSecret).toBe(true);
        expect(client.verifyFlags).toEqual([]);
        if (c.server === "openssl") {
          socket.write("GET / HTTP/1.0\r\n\r\n");
          const page = (await readUntil(socket, (b) => b.includes("</HTML>"))).toString("latin1");
          expect(page).toMatch(/^HTTP\/1.0 200 ok/);
          expect(page).toContain(`Cipher is ${SUITES[c.suite].openssl}`);
          socket.destroy();
        } else {
          const line = `ping ${name}\n`;
          socket.write(line);
          const echoed = await readUntil(socket, (b) => b.includes("\n"));
          expect(echoed.toString()).toBe(line);
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
});
