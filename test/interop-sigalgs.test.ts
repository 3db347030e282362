// Every signature scheme microtls offers for the ServerKeyExchange, forced one at a time on openssl s_server
// with -sigalgs, and checked in the client's trace.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Alert } from "../src/errors.js";
import { expectTlsErrorAsync } from "./helpers/expect-tls-error.js";
import { standardPki, type KeyKind, type StandardPki } from "./helpers/pki.js";
import { closeAllServers, startOpensslServer } from "./helpers/servers.js";
import { openTls, readUntil, refusedTls } from "./helpers/tls.js";

const SCHEMES: Array<{ scheme: string; key: KeyKind }> = [
  { scheme: "ecdsa_secp256r1_sha256", key: "p256" },
  { scheme: "ecdsa_secp384r1_sha384", key: "p384" },
  { scheme: "rsa_pss_rsae_sha256", key: "rsa2048" },
  { scheme: "rsa_pss_rsae_sha384", key: "rsa2048" },
  { scheme: "rsa_pss_rsae_sha512", key: "rsa2048" },
  { scheme: "rsa_pkcs1_sha256", key: "rsa2048" },
  { scheme: "rsa_pkcs1_sha384", key: "rsa2048" },
  { scheme: "rsa_pkcs1_sha512", key: "rsa2048" },
];

let pki: StandardPki;
beforeAll(() => {
  pki = standardPki();
});
afterAll(closeAllServers);

describe("ServerKeyExchange signature schemes (openssl s_server -sigalgs)", () => {
  for (const { scheme, key } of SCHEMES) {
    it(`${scheme} with a ${key} leaf`, async () => {
      const leaf = pki.leaves[key];
      const server = await startOpensslServer({ certFile: leaf.certPath, keyFile: leaf.keyPath, chainFile: pki.intermediateFile, extraArgs: ["-sigalgs", scheme] });
      const lines: string[] = [];
      const { socket } = await openTls(server.port, { trace: (l) => lines.push(l) });
      expect(lines.find((l) => l.includes("server_key_exchange"))).toContain(`scheme=${scheme}`);
      socket.write("GET / HTTP/1.0\r\n\r\n");
      expect((await readUntil(socket, (b) => b.includes("</HTML>"))).toString()).toMatch(/^HTTP\/1.0 200 ok/);
      socket.destroy();
      await server.close();
    });
  }

  it("a server restricted to a scheme we do not offer (ecdsa_secp521r1_sha512) finds no common ground", async () => {
    const leaf = pki.leaves.p256;
    const server = await startOpensslServer({ certFile: leaf.certPath, keyFile: leaf.keyPath, chainFile: pki.intermediateFile, extraArgs: ["-sigalgs", "ecdsa_secp521r1_sha512"] });
    await expectTlsErrorAsync(refusedTls(server.port), "ALERT_RECEIVED", Alert.handshake_failure);
    await server.close();
  });
});
