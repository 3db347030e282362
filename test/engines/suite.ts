// The engine test suite, defined once and run by test/engines-{xs,qjs,wasm}.test.ts: the unmodified single-file
// bundle inside a real embedded engine, against a real TLS server on loopback, through the host bridge.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { standardPki, TEST_HOST, type StandardPki } from "../helpers/pki.js";
import { closeAllServers } from "../helpers/servers.js";
import { buildNativeEngines, ECHO_BYTES, echoMain, engineBundles, engineScripts, ENGINE_SUITES, startEchoServer, type BundleProfile, type EchoConfig } from "./harness.js";
import { runInEngine, type EngineName, type EngineRun } from "./host.js";
import { engineCases } from "./vectors.js";

type EchoResult = {
  ok: boolean;
  cipherSuite?: string;
  group?: string;
  verifyFlags?: string[];
  peerSubjects?: string[];
  echoBytes?: number;
  echoMatches?: boolean;
  state?: string;
  error?: { code: string; message: string; verifyFlags: string[] | null; stack: string };
};

function explain(run: EngineRun): string {
  return JSON.stringify({ result: run.result, stderr: run.stderr.slice(0, 2000), exitCode: run.exitCode });
}

export function defineEngineTests(engine: EngineName, label: string, profile: BundleProfile = "engine"): void {
  describe(`microtls inside ${label}`, () => {
    let bundles: { bundle: string; testBundle: string };
    let pki: StandardPki;

    beforeAll(async () => {
      if (engine !== "wasm") buildNativeEngines();
      bundles = await engineBundles(engine, profile);
      pki = standardPki();
    }, 900_000);

    afterAll(() => closeAllServers());

    it("loads the single-file bundle: one global `microtls` with the core's exports plus verifyChain", async () => {
      const run = await runInEngine(engine, { scripts: engineScripts(engine, bundles.bundle), main: "microtlsDriver.describe()" });
      const r = run.result as { exports: string[]; verifyChain: string; engine: Record<string, string> } | null;
      expect(r, explain(run)).not.toBeNull();
      expect(r!.exports).toEqual(expect.arrayContaining(["TlsClient", "TlsError", "WANT_READ", "WANT_WRITE", "Alert", "verifyChain"]));
      expect(r!.verifyChain).toBe("function");
      // The host supplies randomness: none of these engines has a Web Crypto RNG of its own.
      expect(r!.engine.getRandomValues).toBe("undefined");
      expect(r!.engine.BigInt).toBe("function");
    });

    it("agrees with the quick subset of the crypto vectors (Wycheproof, PRF, SHA-2)", async () => {
      const cases = engineCases();
      const payload = cases.map(({ id: _id, expect: _expect, ...c }) => c);
      const run = await runInEngine(engine, {
        scripts: engineScripts(engine, bundles.testBundle),
        main: `microtlsDriver.runVectors(${JSON.stringify(payload)})`,
      });
      const accepted = (run.result as { accepted?: unknown[] } | null)?.accepted;
      expect(accepted, explain(run)).toHaveLength(cases.length);
      const wrong = cases.filter((c, i) => accepted![i] !== c.expect).map((c) => `${c.id}: expected ${c.expect}, got ${String(accepted![cases.indexOf(c)])}`);
      expect(wrong).toEqual([]);
      expect(cases.filter((c) => !c.expect).length).toBeGreaterThan(20);
    }, 120_000);

    for (const { suite, openssl, leaf } of ENGINE_SUITES) {
      it(`handshakes with verification, echoes 16 KiB and exchanges close_notify: ${suite}`, async () => {
        const { server, seen } = await startEchoServer(pki, leaf, openssl);
        const cfg: EchoConfig = { suite, serverName: TEST_HOST, caPem: pki.rootPem, echoBytes: ECHO_BYTES };
        const run = await runInEngine(engine, { scripts: engineScripts(engine, bundles.bundle), main: echoMain(engine, cfg), port: server.port });
        const r = run.result as EchoResult | null;
        expect(r?.ok, explain(run)).toBe(true);
        expect(r!.cipherSuite).toBe(suite);
        expect(r!.verifyFlags).toEqual([]);
        expect(r!.peerSubjects![0]).toContain(`CN=${TEST_HOST}`);
        expect(r!.echoBytes).toBe(ECHO_BYTES);
        expect(r!.echoMatches).toBe(true);
        expect(r!.state).toBe("closed");
        // The server's side of the story: the same suite, every byte, and our close_notify (its "end").
        await waitFor(() => seen[0]?.ended === true);
        expect(seen[0]).toMatchObject({ cipher: suite, bytes: ECHO_BYTES, ended: true });
        expect(run.marks.handshake).toBeGreaterThan(run.marks.constructed);
        // In-process engines cannot have the server's reply before they yield to Node's event loop, so their first
        // recv is always empty: the client returned WANT_READ and was resumed. (Native engines may find data
        // already relayed, so whether they wait depends on timing.)
        if (engine === "wasm") expect(run.waits).toBeGreaterThan(0);
      }, 120_000);
    }

    it("refuses a certificate that does not name the server (verification is really on)", async () => {
      const { suite, openssl, leaf } = ENGINE_SUITES[0];
      const { server } = await startEchoServer(pki, leaf, openssl);
      const cfg: EchoConfig = { suite, serverName: "not-the-server.example", caPem: pki.rootPem, echoBytes: 16 };
      const run = await runInEngine(engine, { scripts: engineScripts(engine, bundles.bundle), main: echoMain(engine, cfg), port: server.port });
      const r = run.result as EchoResult | null;
      expect(r?.ok, explain(run)).toBe(false);
      expect(r!.error!.code).toBe("BAD_CERTIFICATE");
      expect(r!.error!.verifyFlags).toContain("HOSTNAME_MISMATCH");
    }, 120_000);
  });
}

async function waitFor(cond: () => boolean, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
}
