// `microtls connect`: the report a device maker reads, against real local servers, including a failing chain.
import { createHash, X509Certificate } from "node:crypto";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { run } from "../src/node/cli/main.js";
import { clientPkiFor } from "./helpers/client-keys.js";
import { sharedPki, standardPki, TEST_HOST, type StandardPki } from "./helpers/pki.js";
import { closeAllServers, LOOPBACK, startNodeTlsServer, startOpensslServer, type ChildServer, type NodeTlsServer } from "./helpers/servers.js";

let pki: StandardPki;
let dir: string;
let node: NodeTlsServer;
let withRoot: ChildServer;
let rootFile: string;
let otherRootFile: string;
let mutual: ChildServer;

beforeAll(async () => {
  pki = standardPki();
  dir = mkdtempSync(join(tmpdir(), "microtls-cli-"));
  rootFile = join(dir, "root.pem");
  writeFileSync(rootFile, pki.rootPem);
  const other = sharedPki().issue({ name: "cli-other-root", cn: "Some Other Root", ca: true });
  otherRootFile = other.certPath;
  const leaf = pki.leaves.p256;
  node = await startNodeTlsServer({ key: leaf.keyPem, cert: leaf.certPem + pki.intermediate.certPem, ALPNProtocols: ["mqtt"] });
  // A server that also sends its root, as many do.
  const full = pki.pki.bundle("cli-full-chain", [pki.intermediate, pki.root]);
  withRoot = await startOpensslServer({ certFile: leaf.certPath, keyFile: leaf.keyPath, chainFile: full });
  // Requires a client certificate from the test client CA.
  const clients = clientPkiFor();
  const clientCas = pki.pki.bundle("cli-client-cas", [pki.root, clients.clientCa]);
  mutual = await startOpensslServer({ certFile: leaf.certPath, keyFile: leaf.keyPath, chainFile: pki.intermediateFile, mode: "www", extraArgs: ["-Verify", "1", "-CAfile", clientCas, "-verify_return_error"] });
});
afterAll(closeAllServers);

async function cli(...argv: string[]) {
  let stdout = "";
  let stderr = "";
  const code = await run(argv, (s) => (stdout += `${s}\n`), (s) => (stderr += `${s}\n`));
  return { code, stdout, stderr, json: () => JSON.parse(stdout) };
}

function spkiPin(pem: string): string {
  const spki = new X509Certificate(pem).publicKey.export({ type: "spki", format: "der" });
  return createHash("sha256").update(spki).digest("base64");
}

describe("microtls connect", () => {
  it("reports the parameters, the chain as sent, the verification and the anchor for the device", async () => {
    const keylog = join(dir, "keys.log");
    const r = await cli("connect", `${LOOPBACK}:${node.port}`, "--ca", rootFile, "--servername", TEST_HOST, "--alpn", "mqtt", "--groups", "secp256r1", "--keylog", keylog, "--json");
    expect(r.code).toBe(0);
    const j = r.json();
    expect(j.connected).toBe(true);
    expect(j.negotiated).toMatchObject({ protocol: "TLSv1.2", alpn: "mqtt", group: "secp256r1", extendedMasterSecret: true });
    expect(j.negotiated.cipherSuite).toMatch(/^TLS_ECDHE_ECDSA_WITH_/);
    expect(j.chain).toHaveLength(2);
    expect(j.chain[0]).toMatchObject({ subject: expect.stringContaining(`CN=${TEST_HOST}`), key: "EC prime256v1", sans: [`DNS:${TEST_HOST}`, "DNS:localhost", "IP Address:127.0.0.1"] });
    expect(j.chain[0].sha256).toBe(new X509Certificate(pki.leaves.p256.certPem).fingerprint256);
    expect(j.chain[0].spkiPin).toBe(spkiPin(pki.leaves.p256.certPem));
    expect(j.chain[1].subject).toContain("CN=microtls Test Intermediate");
    expect(j.verification).toMatchObject({ ok: true, flags: [] });
    expect(j.verification.path).toHaveLength(3);
    expect(j.device).toMatchObject({ kind: "trust anchor", subject: expect.stringContaining("microtls Test Root"), alternative: null });
    expect(new X509Certificate(j.device.pem).fingerprint256).toBe(new X509Certificate(pki.rootPem).fingerprint256);
    expect(j.device.validForDays).toBeGreaterThan(0);
    expect(readFileSync(keylog, "utf8")).toMatch(/^CLIENT_RANDOM [0-9a-f]{64} [0-9a-f]{96}$/m);
  });

  it("text output names every part, and --trace goes to stderr", async () => {
    const r = await cli("connect", `${LOOPBACK}:${withRoot.port}`, "--ca", rootFile, "--servername", TEST_HOST, "--trace");
    expect(r.code).toBe(0);
    for (const part of ["negotiated", "chain as sent (3)", "SPKI pin", "verification: OK", "certificate for the device", "trust anchor: ", "-----BEGIN CERTIFICATE-----"]) {
      expect(r.stdout).toContain(part);
    }
    expect(r.stderr).toMatch(/^trace: /m);
  });

  it("a chain that does not verify fails with the error's code and a non-zero exit", async () => {
    const r = await cli("connect", `${LOOPBACK}:${node.port}`, "--ca", otherRootFile, "--servername", TEST_HOST);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("FAILED: BAD_CERTIFICATE");
    expect(r.stdout).toContain("--insecure");
    expect(r.stderr).toMatch(/^microtls: BAD_CERTIFICATE: /m);
  });

  it("--insecure shows the failing chain, its reasons, and the root it names", async () => {
    const r = await cli("connect", `${LOOPBACK}:${node.port}`, "--ca", otherRootFile, "--servername", TEST_HOST, "--insecure", "--json");
    expect(r.code).toBe(0);
    const j = r.json();
    expect(j.verification.ok).toBe(false);
    expect(j.verification.flags).toContain("NOT_TRUSTED");
    expect(j.verification.reasons[0]).toMatch(/^NOT_TRUSTED: /);
    // This server does not send its root: the report names it, without a PEM it cannot have.
    expect(j.device).toMatchObject({ kind: "named root", pem: null, subject: expect.stringContaining("microtls Test Root") });
    const full = await cli("connect", `${LOOPBACK}:${withRoot.port}`, "--ca", otherRootFile, "--servername", TEST_HOST, "--insecure", "--json");
    const fj = full.json();
    expect(fj.device.kind).toBe("named root");
    expect(new X509Certificate(fj.device.pem).fingerprint256).toBe(new X509Certificate(pki.rootPem).fingerprint256);
  });

  it("a wrong server name is a HOSTNAME_MISMATCH, and bad usage exits 2", async () => {
    const r = await cli("connect", `${LOOPBACK}:${node.port}`, "--ca", rootFile, "--servername", "other.example", "--insecure", "--json");
    expect(r.json().verification.flags).toEqual(["HOSTNAME_MISMATCH"]);
    expect((await cli("connect", "no-port")).code).toBe(2);
  });

  it("--cert/--key authenticate to a server that requires a client certificate; --suites and --max-fragment-length are offered", async () => {
    const client = clientPkiFor().clients.p256;
    const chainFile = pki.pki.bundle("cli-client-chain", [client, clientPkiFor().clientCa]);
    const base = ["connect", `${LOOPBACK}:${mutual.port}`, "--ca", rootFile, "--servername", TEST_HOST];
    const ok = await cli(...base, "--cert", chainFile, "--key", client.keyPath, "--suites", "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "--max-fragment-length", "1024", "--json");
    expect(ok.code).toBe(0);
    expect(ok.json().negotiated).toMatchObject({ cipherSuite: "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", maxFragmentLength: 1024 });
    // Without the certificate the server refuses the handshake: a non-zero exit with the error's code.
    const refused = await cli(...base);
    expect(refused.code).toBe(1);
    // openssl -Verify answers an empty Certificate with a fatal handshake_failure (40).
    expect(refused.stderr).toMatch(/^microtls: ALERT_RECEIVED: /m);
  });
});
