// Shared by the engine tests and the measurements (test/engines/measure.ts): engine builds, bundles, the echo
// server, and the driver expressions. No vitest here, so scripts run under tsx can use it too.
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type * as tls from "node:tls";
import { buildEngineBundles, type EngineBundleName } from "../../scripts/build-engine-bundle.mjs";
import type { StandardPki } from "../helpers/pki.js";
import { startNodeTlsServer, type NodeTlsServer } from "../helpers/servers.js";
import { CACHE_DIR, ENGINE_DIR, type EngineName } from "./host.js";
import type { EngineCase } from "./vectors.js";

export const ECHO_BYTES = 16384;

/** The two suites the issue asks for, each with the leaf key type it needs. */
export const ENGINE_SUITES = [
  { suite: "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", openssl: "ECDHE-ECDSA-CHACHA20-POLY1305", leaf: "p256" },
  { suite: "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", openssl: "ECDHE-RSA-AES128-GCM-SHA256", leaf: "rsa2048" },
] as const;

/** Builds (or finds cached) the native engines. Cold: about 90 s on two cores. */
export function buildNativeEngines(): void {
  execFileSync("bash", [join(ENGINE_DIR, "build-engines.sh")], { stdio: ["ignore", "ignore", "inherit"], timeout: 900_000 });
}

/** The engine source tarballs (../shared/engines), absent in a clone outside CI. */
export const SHARED_ENGINES = process.env.MICROTLS_SHARED_ENGINES ?? join(ENGINE_DIR, "..", "..", "..", "shared", "engines");
export const sharedEnginesPresent = (): boolean => existsSync(SHARED_ENGINES);

/** Builds (or finds cached) xst or QuickJS-ng from ../shared/engines. Cold: 30 s (xst), 50 s (QuickJS-ng). */
export function buildSourceEngine(engine: "xst" | "qjsng"): void {
  execFileSync("bash", [join(ENGINE_DIR, "build-xst-qjsng.sh"), engine], { stdio: ["ignore", "ignore", "inherit"], timeout: 900_000 });
}

/** Which engine bundle a run loads, its crypto test bundle, and the recorded transcripts its suites cover. */
export interface BundlePair {
  bundle: string;
  testBundle: string;
  transcripts: readonly string[];
  /** Which crypto quick-subset cases the test bundle covers (default: all). */
  covers?: (c: EngineCase) => boolean;
}

export const ENGINE_PAIR: BundlePair = {
  bundle: "microtls.engine",
  testBundle: "microtls.engine-test",
  transcripts: ["openssl-ecdhe-ecdsa-p256-chacha20", "openssl-ecdhe-rsa-x25519-aes128gcm", "gnutls-ecdhe-ecdsa-p384-aes256gcm-certreq", "openssl-rsa-kx-aes256gcm"],
};

/** The device profile (issue #10): ECDHE-ECDSA/ECDHE-RSA, x25519/P-256, ChaCha20-Poly1305/AES-128-GCM only. */
export const DEVICE_PAIR: BundlePair = {
  bundle: "microtls.device",
  testBundle: "microtls.device-test",
  transcripts: ["openssl-ecdhe-ecdsa-p256-chacha20", "openssl-ecdhe-rsa-x25519-aes128gcm"],
  // No P-384 key exchange and no AES-256 in the profile; signatures stay whole, since chains may use any of them.
  covers: (c) => !(c.kind === "ecdh" && c.group === "secp384r1") && !(c.kind === "aead" && c.alg === "aes-gcm" && String(c.key).length !== 32),
};

/** What the engines built from source (xst, QuickJS-ng) run in their tests and in bench/device-engines.ts. */
export const SOURCE_ENGINE_PAIR: BundlePair = DEVICE_PAIR;

export const BUNDLE_PAIRS: Record<string, BundlePair> = { [ENGINE_PAIR.bundle]: ENGINE_PAIR, [DEVICE_PAIR.bundle]: DEVICE_PAIR };

/** Fresh bundles for this engine's test file, built with the same recipe as `npm run build`. */
export async function engineBundles(engine: EngineName, pair: BundlePair = ENGINE_PAIR): Promise<{ bundle: string; testBundle: string }> {
  // The device pair's names exist once scripts/build-engine-bundle.mjs builds them.
  const names = [pair.bundle, pair.testBundle] as EngineBundleName[];
  const [bundle, testBundle] = await buildEngineBundles({ outdir: join(CACHE_DIR, "bundle", engine), names });
  return { bundle, testBundle };
}

const GLUE: Record<EngineName, string> = { wasm: "hostfn", node: "hostfn", xs: "xs", qjs: "qjs", qjsng: "qjs", xst: "xst" };

export function engineScripts(engine: EngineName, bundle: string): string[] {
  return [bundle, join(ENGINE_DIR, `glue-${GLUE[engine]}.js`), join(ENGINE_DIR, "driver.js")];
}

/** A recorded transcript as the driver's replay() takes it: the JSON file's fields, hex as recorded. */
export function transcriptsFor(pair: BundlePair): Array<Record<string, unknown>> {
  return pair.transcripts.map((name) => ({ name, ...(JSON.parse(readFileSync(join(ENGINE_DIR, "..", "..", "vectors", `transcript-${name}.json`), "utf8")) as object) }));
}

export interface EchoConfig {
  suite: string;
  serverName: string;
  caPem: string;
  echoBytes: number;
}

/** The main expression that runs an echo session: blocking engines run it at once, the WASM one steps. */
export function echoMain(engine: EngineName, cfg: EchoConfig): string {
  const stepped = engine === "wasm" || engine === "node";
  return stepped ? `microtlsDriver.startEcho(${JSON.stringify(cfg)})` : `microtlsDriver.runEcho(${JSON.stringify(cfg)})`;
}

/** A Node echo server restricted to one suite, recording what it negotiated and how many bytes it echoed. */
export async function startEchoServer(pki: StandardPki, leaf: "p256" | "rsa2048", opensslCipher: string) {
  const seen: Array<{ cipher: string; bytes: number; ended: boolean }> = [];
  const server: NodeTlsServer = await startNodeTlsServer({
    mode: "custom",
    cert: readFileSync(pki.chainFile[leaf]),
    key: pki.leaves[leaf].keyPem,
    ciphers: opensslCipher,
    onConnection(socket: tls.TLSSocket) {
      const entry = { cipher: socket.getCipher()?.standardName ?? "", bytes: 0, ended: false };
      seen.push(entry);
      socket.on("error", () => socket.destroy());
      socket.on("data", (d: Buffer) => (entry.bytes += d.length));
      socket.on("end", () => (entry.ended = true));
      socket.pipe(socket);
    },
  });
  return { server, seen };
}
