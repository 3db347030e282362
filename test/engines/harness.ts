// Shared by the engine tests and the measurements (test/engines/measure.ts): engine builds, bundles, the echo
// server, and the driver expressions. No vitest here, so scripts run under tsx can use it too.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type * as tls from "node:tls";
import { buildEngineBundles } from "../../scripts/build-engine-bundle.mjs";
import type { StandardPki } from "../helpers/pki.js";
import { startNodeTlsServer, type NodeTlsServer } from "../helpers/servers.js";
import { CACHE_DIR, ENGINE_DIR, type EngineName } from "./host.js";

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

/** Which bundle pair a suite runs: the full one (microtls.engine.js) or the device profile (microtls.device.js). */
export type BundleProfile = "engine" | "device";

/** Fresh bundles for this engine's test file, built with the same recipe as `npm run build`. */
export async function engineBundles(engine: EngineName, profile: BundleProfile = "engine"): Promise<{ bundle: string; testBundle: string }> {
  const outdir = join(CACHE_DIR, "bundle", profile === "engine" ? engine : `${engine}-${profile}`);
  const [bundle, testBundle] = await buildEngineBundles({ outdir, names: [`microtls.${profile}`, `microtls.${profile}-test`] });
  return { bundle, testBundle };
}

export function engineScripts(engine: EngineName, bundle: string): string[] {
  const glue = engine === "wasm" || engine === "node" ? "hostfn" : engine;
  return [bundle, join(ENGINE_DIR, `glue-${glue}.js`), join(ENGINE_DIR, "driver.js")];
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
