// The examples run as a user would run them: the demo with no network, the demo against another server,
// and https-get through node:http.
import { execFile } from "node:child_process";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { standardPki, TEST_HOST, type StandardPki } from "./helpers/pki.js";
import { closeAllServers, startNodeTlsServer, startOpensslServer, type ChildServer, type NodeTlsServer } from "./helpers/servers.js";

const ROOT = join(__dirname, "..");
const TSX = join(ROOT, "node_modules", ".bin", "tsx");

/** Runs an example asynchronously (the in-process server must keep serving meanwhile). */
function runExample(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(TSX, args, { cwd: ROOT, timeout: 60_000, encoding: "utf8" }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === "number" ? error.code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

let pki: StandardPki;
let openssl: ChildServer;
let https: NodeTlsServer;

beforeAll(async () => {
  pki = standardPki();
  const leaf = pki.leaves.rsa2048;
  openssl = await startOpensslServer({ certFile: leaf.certPath, keyFile: leaf.keyPath, chainFile: pki.intermediateFile, mode: "www" });
  https = await startNodeTlsServer({ key: pki.leaves.p256.keyPem, cert: pki.leaves.p256.certPem + pki.intermediate.certPem, mode: "https" });
});
afterAll(closeAllServers);

describe("examples", () => {
  it("npm run demo: a verified handshake with Node's tls server, no network", async () => {
    const { code, stdout } = await runExample(["examples/demo.ts"]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/cipher suite +TLS_ECDHE_ECDSA_WITH_/);
    expect(stdout).toMatch(/EMS +yes/);
    expect(stdout).toMatch(/ALPN +http\/1\.1/);
    expect(stdout).toMatch(/verification +OK/);
    expect(stdout).toMatch(/key +ECDSA P-256/);
    expect(stdout).toMatch(/response +HTTP\/1\.1 200 OK/);
  });

  it("demo host:port --ca: another server (openssl s_server, RSA leaf)", async () => {
    const { code, stdout } = await runExample(["examples/demo.ts", `127.0.0.1:${openssl.port}`, "--ca", pki.root.certPath, "--servername", TEST_HOST]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/cipher suite +TLS_ECDHE_RSA_WITH_/);
    expect(stdout).toMatch(/key +RSA 2048/);
    expect(stdout).toMatch(/response +HTTP\/1\.0 200 ok/);
  });

  it("demo host:port without the right CA: refuses and explains", async () => {
    const { code, stdout } = await runExample(["examples/demo.ts", `127.0.0.1:${openssl.port}`, "--servername", TEST_HOST]);
    expect(code).toBe(1);
    expect(stdout).toMatch(/BAD_CERTIFICATE/);
    expect(stdout).toMatch(/alert +48/);
    expect(stdout).toMatch(/NOT_TRUSTED/);
  });

  it("https-get fetches a page through node:http", async () => {
    const { code, stdout, stderr } = await runExample(["examples/https-get.ts", `https://localhost:${https.port}/page?q=1`, "--ca", pki.root.certPath]);
    expect(code).toBe(0);
    expect(stderr).toMatch(/HTTP 200 OK/);
    expect(JSON.parse(stdout)).toMatchObject({ url: "/page?q=1", servername: "localhost", alpn: "http/1.1" });
  });
});
