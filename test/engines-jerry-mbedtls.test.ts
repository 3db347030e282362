// Issue #11's Photon-class host: microtls's protocol code in JerryScript 3.0 (16-bit pointers), its crypto from Mbed
// TLS natives (test/engines/jerry/natives-mbedtls.c, through provider-mbedtls.js), the bundle (microtls.native.js, no
// noble) run from a static snapshot executed in place with its strings as external magic strings, and the application speaking through TLSTCPClient (src/tcp-client.ts)
// to openssl s_server. Skipped, with one line, when ../shared/engines is absent; fails when libmbedtls-dev is.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildEngineBundles } from "../scripts/build-engine-bundle.mjs";
import { CACHE_DIR } from "./engines/host.js";
import { buildJerry, explainJerry, JERRY_DIR, jerryAvailable, runInJerry, staticSnapshot, type JerryRun } from "./engines/jerry/run.js";
import { standardPki, TEST_HOST, type KeyKind, type StandardPki } from "./helpers/pki.js";
import { closeAllServers, startOpensslServer, type ChildServer } from "./helpers/servers.js";

const present = jerryAvailable();
if (!present) console.log("engines-jerry-mbedtls: ../shared/engines/jerryscript-5020015.tar.gz is absent: skipping the Mbed TLS JerryScript host tests");

/** The engine's default 16-bit compressed pointers; the heap the bench bisects down from. */
const VARIANT = "cp16-512";
const BIGINT_LITERAL = /(?<![\w$.])\d+n\b/;
/** 16 lines of 1 KiB: the 16 KiB echo, line by line as s_server -rev answers. */
const ECHO = { lines: 16, lineLength: 1024 };

type EchoResult = {
  ok: boolean;
  cipherSuite?: string;
  group?: string;
  maxFragmentLength?: number | null;
  verifyFlags?: string[];
  peerSubject?: string;
  sent?: number;
  received?: number;
  wrong?: number;
  errorAfterHandshake?: string | null;
  connectedAfterStop?: boolean;
  error?: { code: string; message: string; verifyFlags: string[] | null };
};

describe.skipIf(!present)("microtls.native in the JerryScript host over Mbed TLS natives, through TLSTCPClient", () => {
  let bundle: string;
  let flash: { snapshot: string; literals: string };
  let noBigInt: string;
  let tmp: string;
  let pki: StandardPki;

  beforeAll(async () => {
    if (!existsSync("/usr/include/mbedtls/version.h")) throw new Error("libmbedtls-dev is not installed (Debian: apt-get install libmbedtls-dev): the host needs its natives");
    buildJerry(VARIANT);
    [bundle] = await buildEngineBundles({ outdir: join(CACHE_DIR, "bundle", "jerry"), names: ["microtls.native"], metafile: true });
    // The firmware image: the bundle and the application (tcp-app.js) in one static snapshot.
    flash = staticSnapshot(VARIANT, bundle, join(JERRY_DIR, "tcp-app.js"));
    tmp = mkdtempSync(join(tmpdir(), "microtls-jerry-mbedtls-"));
    // Loaded first: any BigInt call fails the session, so the protocol path is shown to need none.
    noBigInt = join(tmp, "no-bigint.js");
    writeFileSync(noBigInt, 'globalThis.BigInt = function () { throw new Error("BigInt called"); };\n');
    pki = standardPki();
  }, 1_800_000);

  afterAll(async () => {
    await closeAllServers();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  const server = (leaf: KeyKind, cipher: string): Promise<ChildServer> =>
    startOpensslServer({ certFile: pki.leaves[leaf].certPath, chainFile: pki.intermediateFile, keyFile: pki.leaves[leaf].keyPath, mode: "rev", cipher, extraArgs: ["-msg"] });

  const session = (port: number, cfg: Record<string, unknown>): Promise<JerryRun> =>
    runInJerry({
      variant: VARIANT,
      // The bundle as firmware keeps it: a static snapshot executed in place, its strings registered as magic strings.
      scripts: [noBigInt, { snapshot: flash.snapshot }],
      magicStrings: flash.literals,
      main: `microtlsTcpApp.runEcho(${JSON.stringify({ port, caPem: pki.rootPem, ...ECHO, ...cfg })})`,
      port,
      lazyConnect: true,
    });

  it("the bundle holds no noble and no BigInt literal; BigInt calls only where the protocol never runs them", () => {
    const meta = JSON.parse(readFileSync(`${bundle}.meta.json`, "utf8")) as { outputs: Record<string, { inputs: Record<string, { bytesInOutput: number }> }> };
    const inputs = Object.entries(Object.values(meta.outputs)[0].inputs).filter(([, i]) => i.bytesInOutput > 0).map(([p]) => p);
    expect(inputs).toContain("src/tcp-client.ts");
    expect(inputs).toContain("test/engines/jerry/provider-mbedtls.js");
    expect(inputs.filter((p) => /noble|asn1/.test(p))).toEqual([]);
    const code = readFileSync(bundle, "utf8");
    expect(code).not.toMatch(BIGINT_LITERAL);
    expect(code).not.toMatch(/noble/i);
    const bigIntUsers = inputs.filter((p) => p.startsWith("src/") && /\bBigInt\(/.test(readFileSync(p, "utf8")));
    expect(bigIntUsers.sort()).toEqual(["src/record/sequence.ts", "src/x509/algorithms.ts"]);
  });

  for (const [leaf, suite, cipher] of [
    ["p256", "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", "ECDHE-ECDSA-CHACHA20-POLY1305"],
    ["rsa2048", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "ECDHE-RSA-AES128-GCM-SHA256"],
  ] as const) {
    it(`${suite}: verified handshake with max_fragment_length 1024, 16 KiB echo, close_notify (static snapshot in place, no BigInt)`, async () => {
      const s = await server(leaf, cipher);
      const run = await session(s.port, { host: TEST_HOST, maxFragmentLength: 1024 });
      const r = run.result as EchoResult | null;
      expect(r?.ok, explainJerry(run)).toBe(true);
      expect(run.stderr).not.toContain("BigInt called");
      expect(r!.cipherSuite).toBe(suite);
      expect(r!.maxFragmentLength).toBe(1024);
      expect(r!.verifyFlags).toEqual([]);
      expect(r!.peerSubject).toContain(TEST_HOST);
      expect(r!.errorAfterHandshake).toBeNull();
      expect(r!.sent).toBe(ECHO.lines * ECHO.lineLength);
      expect(r!.received).toBe(ECHO.lines * ECHO.lineLength);
      expect(r!.wrong).toBe(0);
      expect(r!.connectedAfterStop).toBe(false);
      // s_server -msg logs each message it receives: our close_notify reached it before the FIN.
      await s.waitForOutput(/<<< TLS 1\.2, Alert \[length 0002\], warning close_notify/);
      expect(run.memory.map((m) => m.moment)).toEqual(["start", "handshake", "echo", "closed", "exit"]);
    }, 180_000);
  }

  it("RSA key exchange with AES-256-GCM-SHA384 (the provider's rsaEncrypt, SHA-384 PRF and AES-256), when named", async () => {
    const s = await server("rsa2048", "AES256-GCM-SHA384");
    const run = await session(s.port, { host: TEST_HOST, maxFragmentLength: 1024, cipherSuites: ["TLS_RSA_WITH_AES_256_GCM_SHA384"], lines: 2 });
    const r = run.result as EchoResult | null;
    expect(r?.ok, explainJerry(run)).toBe(true);
    expect(r!.cipherSuite).toBe("TLS_RSA_WITH_AES_256_GCM_SHA384");
    expect(r!.verifyFlags).toEqual([]);
    expect(r!.received).toBe(2 * ECHO.lineLength);
    expect(r!.wrong).toBe(0);
  }, 180_000);

  it("refuses a certificate that does not name the host connect() was given", async () => {
    const s = await server("p256", "ECDHE-ECDSA-AES128-GCM-SHA256");
    const run = await session(s.port, { host: "not-the-server.example", maxFragmentLength: 1024 });
    const r = run.result as EchoResult | null;
    expect(r?.ok, explainJerry(run)).toBe(false);
    expect(r!.error!.code).toBe("BAD_CERTIFICATE");
    expect(r!.error!.verifyFlags).toContain("HOSTNAME_MISMATCH");
  }, 180_000);
});
