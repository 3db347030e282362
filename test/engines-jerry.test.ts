// microtls inside JerryScript 3.0 (commit 5020015, built from ../shared/engines with the patches in
// test/engines/jerry/), run by a small C host (test/engines/jerry/host.c) the way device firmware would: host calls for
// the socket, RNG and clock, and the code optionally in a snapshot executed in place. Also shows that each patch fixes
// something the stock engine gets wrong. Skipped, with one line, when ../shared/engines is absent.
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ECHO_BYTES, ENGINE_SUITES, startEchoServer, type EchoConfig } from "./engines/harness.js";
import { ENGINE_DIR, REPO_ROOT } from "./engines/host.js";
import {
  buildJerry,
  explainJerry,
  JERRY_BUNDLE,
  JERRY_DIR,
  JERRY_TEST_VARIANT,
  jerryAvailable,
  jerryBin,
  jerryBundles,
  jerryScripts,
  makeSnapshot,
  runInJerry,
  type JerryRun,
} from "./engines/jerry/run.js";
import { engineCases } from "./engines/vectors.js";
import { TRANSCRIPTS } from "./helpers/handshake-kit.js";
import { standardPki, TEST_HOST, type StandardPki } from "./helpers/pki.js";
import { closeAllServers } from "./helpers/servers.js";

const present = jerryAvailable();
if (!present) console.log("engines-jerry: ../shared/engines/jerryscript-5020015.tar.gz is absent: skipping the JerryScript tests");

const V = JERRY_TEST_VARIANT;
/** The P-256 field prime. */
const P256 = 0xffffffff00000001000000000000000000000000ffffffffffffffffffffffffn;

/** The transcripts whose suite and group the device profile offers (ECDHE-ECDSA/RSA, x25519/P-256, ChaCha/AES-128-GCM). */
const DEVICE_TRANSCRIPTS = TRANSCRIPTS.filter((n) => /ecdhe-(ecdsa|rsa)-(x25519|p256)-(chacha20|aes128gcm)$/.test(n));

type EchoResult = {
  ok: boolean;
  cipherSuite?: string;
  verifyFlags?: string[];
  peerSubjects?: string[];
  echoBytes?: number;
  echoMatches?: boolean;
  state?: string;
  error?: { code: string; verifyFlags: string[] | null };
};

/** Runs a script file with the plain `jerry` command line of a build; returns its stdout. */
function jerryPrint(variant: string, source: string): string {
  const dir = mkdtempSync(join(tmpdir(), "microtls-jerry-test-"));
  try {
    writeFileSync(join(dir, "t.js"), source);
    return execFileSync(jerryBin(variant, "jerry"), [join(dir, "t.js")], { encoding: "utf8" }).trim();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Deterministic pseudo-random BigInts of 1..12 32-bit digits (xorshift32), for a division cross-check with V8. */
function divisionCases(count: number): Array<[bigint, bigint]> {
  let s = 0x9e3779b9;
  const next = () => ((s ^= s << 13), (s ^= s >>> 17), (s ^= s << 5), s >>> 0);
  const big = (digits: number) => {
    let v = 0n;
    for (let i = 0; i < digits; i++) v = (v << 32n) | BigInt(next());
    return v === 0n ? 1n : v;
  };
  const out: Array<[bigint, bigint]> = [];
  for (let i = 0; i < count; i++) {
    const b = big(1 + (next() % 6));
    out.push([big(1 + (next() % 12)) * b + big(1 + (next() % 6)), b], [P256 * big(1 + (next() % 3)) + big(1 + (next() % 8)), P256]);
  }
  return out;
}

describe.skipIf(!present)("JerryScript 3.0: the patches", () => {
  beforeAll(() => void buildJerry("stock", V), 1_800_000);

  it("BigInt remainder: the stock engine gives P+1 for (P*12345n+1n) % P with the P-256 prime; the patched one 1", () => {
    const expr = `var P = 0x${P256.toString(16)}n; print(((P * 12345n + 1n) % P).toString(16), ((P * 12345n + 1n) / P).toString());`;
    expect(jerryPrint("stock", expr)).toBe(`${(P256 + 1n).toString(16)} 12344`);
    expect(jerryPrint(V, expr)).toBe("1 12345");
  });

  it("BigInt division and remainder agree with V8 on 400 pseudo-random operands once patched (and not before)", () => {
    const cases = divisionCases(200);
    const expected = cases.map(([a, b]) => `${(a / b).toString(16)},${(a % b).toString(16)}`).join(" ");
    const script = `var c = [${cases.map(([a, b]) => `[0x${a.toString(16)}n,0x${b.toString(16)}n]`).join(",")}];
      print(c.map(function (x) { return (x[0] / x[1]).toString(16) + "," + (x[0] % x[1]).toString(16); }).join(" "));`;
    const wrong = (out: string) => out.split(" ").filter((r, i) => r !== expected.split(" ")[i]).length;
    expect(wrong(jerryPrint(V, script))).toBe(0);
    expect(wrong(jerryPrint("stock", script))).toBeGreaterThan(0);
  });

  it("jerry-snapshot: the stock tool cannot write a snapshot over 256 KiB; the patched one can", () => {
    const dir = mkdtempSync(join(tmpdir(), "microtls-jerry-test-"));
    try {
      // Little code and 560 distinct 506-byte string literals: the literal table alone passes 256 KiB, as in a bundle
      // (and fits the stock build's 512 KB heap while the tool parses it).
      const source = `var strings = [${Array.from({ length: 560 }, (_, i) => `"${String(i).padStart(5, "0")} ${"x".repeat(500)}"`).join(",")}];`;
      writeFileSync(join(dir, "big.js"), source);
      const stock = spawnSync(jerryBin("stock", "jerry-snapshot"), ["generate", "-o", join(dir, "stock.snapshot"), join(dir, "big.js")], { encoding: "utf8" });
      expect(stock.status).not.toBe(0);
      expect(stock.stdout + stock.stderr).toContain("Cannot allocate memory for literals");
      makeSnapshot(V, join(dir, "big.js"), join(dir, "patched.snapshot"));
      expect(readFileSync(join(dir, "patched.snapshot")).length).toBeGreaterThan(256 * 1024);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("snapshots execute from read-only memory once patched: the stock engine writes into them and faults", async () => {
    const dir = mkdtempSync(join(tmpdir(), "microtls-jerry-test-"));
    try {
      writeFileSync(join(dir, "s.js"), 'function twice(x) { return 2 * x; } microtlsHostCall("D", Uint8Array.of(123, 125));');
      for (const variant of ["stock", V]) {
        const snapshot = makeSnapshot(variant, join(dir, "s.js"), join(dir, `${variant}.snapshot`));
        const run = await runInJerry({ variant, scripts: [{ snapshot }] });
        if (variant === "stock") expect(run.exitCode, explainJerry(run)).not.toBe(0);
        else expect(run.result, explainJerry(run)).toEqual({});
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe.skipIf(!present)(`microtls (${JERRY_BUNDLE}) inside JerryScript 3.0, patched (${V} build)`, () => {
  let bundles: { bundle: string; testBundle: string };
  let snapshot: string;
  let pki: StandardPki;

  beforeAll(async () => {
    buildJerry(V);
    bundles = await jerryBundles();
    snapshot = makeSnapshot(V, bundles.bundle);
    pki = standardPki();
  }, 1_800_000);

  afterAll(() => closeAllServers());

  it("loads the single-file bundle: one global `microtls` with TlsClient, TlsError and verifyChain", async () => {
    const run = await runInJerry({ variant: V, scripts: jerryScripts(bundles.bundle), main: "microtlsDriver.describe()" });
    const r = run.result as { exports: string[]; verifyChain: string; engine: Record<string, string> } | null;
    expect(r, explainJerry(run)).not.toBeNull();
    expect(r!.exports).toEqual(expect.arrayContaining(["TlsClient", "TlsError", "WANT_READ", "WANT_WRITE", "verifyChain"]));
    expect(r!.engine.getRandomValues).toBe("undefined");
    expect(r!.engine.BigInt).toBe("function");
    // The host reports the heap at exit: the bundle really is on JerryScript's heap.
    expect(run.memory.at(-1)?.moment).toBe("exit");
    expect(run.memory.at(-1)!.peak).toBeGreaterThan(readFileSync(bundles.bundle).length / 10);
  });

  it("agrees with the quick subset of the crypto vectors (Wycheproof, PRF, SHA-2)", async () => {
    const cases = engineCases();
    const payload = cases.map(({ id: _id, expect: _expect, ...c }) => c);
    const run = await runInJerry({ variant: V, scripts: jerryScripts(bundles.testBundle), main: `microtlsDriver.runVectors(${JSON.stringify(payload)})` });
    const accepted = (run.result as { accepted?: unknown[] } | null)?.accepted;
    expect(accepted, explainJerry(run)).toHaveLength(cases.length);
    const wrong = cases.filter((c, i) => accepted![i] !== c.expect).map((c) => `${c.id}: expected ${c.expect}, got ${String(accepted![cases.indexOf(c)])}`);
    expect(wrong).toEqual([]);
    expect(cases.filter((c) => !c.expect).length).toBeGreaterThan(20);
  }, 300_000);

  it.each(DEVICE_TRANSCRIPTS)("replays the recorded transcript %s byte-identically", async (name) => {
    const t = JSON.parse(readFileSync(join(REPO_ROOT, "vectors", `transcript-${name}.json`), "utf8")) as Record<string, unknown>;
    const input = { serverName: t.serverName, ca: t.ca, now: t.now, options: t.options, random: t.random, request: t.request, server: t.server };
    const run = await runInJerry({ variant: V, scripts: [bundles.bundle, join(JERRY_DIR, "replay.js")], main: `microtlsReplay.run(${JSON.stringify(input)})` });
    const r = run.result as Record<string, unknown> | null;
    expect(r?.error ?? null, explainJerry(run)).toBeNull();
    expect(r!.outcome).toBe("closed");
    expect(r!.output).toBe(t.client);
    expect(r!.response).toBe(t.response);
    expect(r!.cipherSuite).toBe(t.cipherSuite);
    expect(r!.group).toBe(t.group);
    expect(r!.extendedMasterSecret).toBe(true);
    expect(r!.verifyFlags).toEqual([]);
  }, 120_000);

  const session = async (cfg: EchoConfig, port: number, code: string | { snapshot: string }): Promise<JerryRun> =>
    runInJerry({ variant: V, scripts: jerryScripts(code), main: `microtlsDriver.runEcho(${JSON.stringify(cfg)})`, port });

  for (const { suite, openssl, leaf } of ENGINE_SUITES) {
    it(`handshakes with verification, echoes 16 KiB and exchanges close_notify: ${suite}`, async () => {
      const { server, seen } = await startEchoServer(pki, leaf, openssl);
      const cfg: EchoConfig = { suite, serverName: TEST_HOST, caPem: pki.rootPem, echoBytes: ECHO_BYTES };
      const run = await session(cfg, server.port, bundles.bundle);
      const r = run.result as EchoResult | null;
      expect(r?.ok, explainJerry(run)).toBe(true);
      expect(r!.cipherSuite).toBe(suite);
      expect(r!.verifyFlags).toEqual([]);
      expect(r!.peerSubjects![0]).toContain(`CN=${TEST_HOST}`);
      expect(r!.echoBytes).toBe(ECHO_BYTES);
      expect(r!.echoMatches).toBe(true);
      expect(r!.state).toBe("closed");
      await waitFor(() => seen[0]?.ended === true);
      expect(seen[0]).toMatchObject({ cipher: suite, bytes: ECHO_BYTES, ended: true });
      // The host logged the heap at every mark, so the bench can read peaks per phase.
      expect(run.memory.map((m) => m.moment)).toEqual(["start", "constructed", "handshake", "echo", "closed", "exit"]);
    }, 180_000);
  }

  it("runs the same session with the bundle in a snapshot executed in place (mapped read-only)", async () => {
    const { suite, openssl, leaf } = ENGINE_SUITES[0];
    const { server, seen } = await startEchoServer(pki, leaf, openssl);
    const cfg: EchoConfig = { suite, serverName: TEST_HOST, caPem: pki.rootPem, echoBytes: ECHO_BYTES };
    const run = await session(cfg, server.port, { snapshot });
    const r = run.result as EchoResult | null;
    expect(r?.ok, explainJerry(run)).toBe(true);
    expect(r!.echoMatches).toBe(true);
    await waitFor(() => seen[0]?.ended === true);
    expect(seen[0]).toMatchObject({ cipher: suite, bytes: ECHO_BYTES, ended: true });
  }, 180_000);

  it("refuses a certificate that does not name the server (verification is really on)", async () => {
    const { suite, openssl, leaf } = ENGINE_SUITES[0];
    const { server } = await startEchoServer(pki, leaf, openssl);
    const cfg: EchoConfig = { suite, serverName: "not-the-server.example", caPem: pki.rootPem, echoBytes: 16 };
    const run = await session(cfg, server.port, bundles.bundle);
    const r = run.result as EchoResult | null;
    expect(r?.ok, explainJerry(run)).toBe(false);
    expect(r!.error!.code).toBe("BAD_CERTIFICATE");
    expect(r!.error!.verifyFlags).toContain("HOSTNAME_MISMATCH");
  }, 180_000);
});

// The base of issue #11's Photon-class host: Mbed TLS primitives as natives (natives-mbedtls.c), in a build with the
// engine's default 16-bit pointers and a 512 KB heap, and no noble at all (crypto-mbedtls.js adapts them).
describe.skipIf(!present)("the JerryScript host's Mbed TLS natives (16-bit pointers, 512 KB heap)", () => {
  const variant = "cp16-512";
  const scripts = [join(JERRY_DIR, "crypto-mbedtls.js"), join(ENGINE_DIR, "driver.js")];

  beforeAll(() => void buildJerry(variant), 1_800_000);

  it("agree with the quick subset of the crypto vectors", async () => {
    const cases = engineCases();
    const payload = cases.map(({ id: _id, expect: _expect, ...c }) => c);
    const run = await runInJerry({ variant, scripts, main: `microtlsDriver.runVectors(${JSON.stringify(payload)})` });
    expect(run.stderr).not.toContain("the host has no Mbed TLS natives");
    const accepted = (run.result as { accepted?: unknown[] } | null)?.accepted;
    expect(accepted, explainJerry(run)).toHaveLength(cases.length);
    const wrong = cases.filter((c, i) => accepted![i] !== c.expect).map((c) => `${c.id}: expected ${c.expect}, got ${String(accepted![cases.indexOf(c)])}`);
    expect(wrong).toEqual([]);
  }, 300_000);

  it("generate key pairs that agree on a shared secret, and random bytes that differ", async () => {
    const main = `(function () {
      var C = microtlsCrypto, out = {};
      ["x25519Group", "p256Group", "p384Group"].forEach(function (g) {
        var a = C[g].keyPair(), b = C[g].keyPair();
        var ab = C[g].sharedSecret(a.privateKey, b.publicKey), ba = C[g].sharedSecret(b.privateKey, a.publicKey);
        out[g] = [a.publicKey.length, ab.length, ab.join() === ba.join(), a.publicKey.join() !== b.publicKey.join()];
      });
      var r1 = mbedtls.random(32), r2 = mbedtls.random(32);
      out.random = [r1.length, r1.join() !== r2.join()];
      var t = JSON.stringify(out), bytes = new Uint8Array(t.length);
      for (var i = 0; i < t.length; i++) bytes[i] = t.charCodeAt(i);
      microtlsHostCall("D", bytes);
    })()`;
    const run = await runInJerry({ variant, scripts, main });
    expect(run.result, explainJerry(run)).toEqual({
      x25519Group: [32, 32, true, true],
      p256Group: [65, 32, true, true],
      p384Group: [97, 48, true, true],
      random: [32, true],
    });
  }, 120_000);
});

async function waitFor(cond: () => boolean, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
}
