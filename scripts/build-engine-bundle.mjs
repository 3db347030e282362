// Builds the single-file engine bundles: one ES2020 script, no imports, that defines one global.
//   microtls.engine.js       global `microtls`: the core's exports plus verifyChain (what a device loads)
//   microtls.engine-test.js  global `microtlsCrypto`: crypto entry points, only for the in-engine vector tests
//   microtls.device.js       global `microtls`: the device profile (src/device.ts), small enough for a device's heap
//   microtls.device-test.js  global `microtlsCrypto`: the same entry points over the device's crypto
//   microtls.native.js       global `microtls`: microtls/core, verifyChain and TLSTCPClient over the JerryScript
//                            host's Mbed TLS natives (test/engines/jerry/provider-mbedtls.js): no noble, no BigInt
// Called by tsup.config.ts (npm run build) and by the engine tests (into their cache), so both use one recipe.
import { build } from "esbuild";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";
import { writeFileSync } from "node:fs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

// The crypto entry points the in-engine vector tests call (global microtlsCrypto); the device pair builds the same
// names, with its plugin swapping the device's own crypto in under them.
const CRYPTO_TEST_SOURCE = [
  'export { aesGcm } from "./src/crypto/aes-gcm.ts";',
  'export { chacha20Poly1305 } from "./src/crypto/chacha20-poly1305.ts";',
  'export { x25519Group } from "./src/crypto/x25519.ts";',
  'export { p256Group, p384Group } from "./src/crypto/nist-ecdh.ts";',
  'export { ecdsaVerify } from "./src/crypto/ecdsa.ts";',
  'export { rsaPkcs1Verify, rsaPssVerify } from "./src/crypto/rsa.ts";',
  'export { hash, hmac } from "./src/crypto/hash.ts";',
  'export { prf } from "./src/crypto/prf.ts";',
].join("\n");

const ENTRIES = {
  "microtls.engine": {
    globalName: "microtls",
    source: [
      'export * from "./src/index.ts";',
      // Namespace import: until src/x509 exports verifyChain this builds with `undefined`, which the tests catch.
      'import * as x509 from "./src/x509/index.ts";',
      "export const verifyChain = x509.verifyChain;",
    ].join("\n"),
  },
  "microtls.engine-test": {
    globalName: "microtlsCrypto",
    source: CRYPTO_TEST_SOURCE,
  },
  "microtls.device": {
    globalName: "microtls",
    device: true,
    source: 'export * from "./src/device.ts";',
  },
  "microtls.device-test": {
    globalName: "microtlsCrypto",
    device: true,
    // The same names as microtls.engine-test, over the device's crypto (p384Group included: the device offers no
    // P-384 group, but its P-384 arithmetic verifies certificate signatures, so the vectors check it).
    source: CRYPTO_TEST_SOURCE,
  },
  "microtls.native": {
    globalName: "microtls",
    native: true,
    source: [
      'import { CoreTlsClient } from "./src/client.ts";',
      'import { signatureVerifier } from "./src/handshake/verifiers.ts";',
      'import { verifyChainWith } from "./src/x509/verify.ts";',
      'import { TLSTCPClient as BaseTCPClient } from "./src/tcp-client.ts";',
      'import { mbedtlsProvider } from "./test/engines/jerry/provider-mbedtls.js";',
      "export const provider = mbedtlsProvider(globalThis.mbedtls);",
      "const check = signatureVerifier(provider.verify);",
      "const sha256 = (d) => provider.hash.sha256().update(d).digest();",
      // The provider is the default crypto; an application's own `crypto` option still wins.
      "export class TlsClient extends CoreTlsClient { constructor(o) { super({ crypto: provider, ...o }); } }",
      "export class TLSTCPClient extends BaseTCPClient { constructor(socket, o) { super(socket, o, TlsClient); } }",
      "export const verifyChain = (opts) => verifyChainWith(opts, check, sha256);",
      'export { WANT_READ, WANT_WRITE } from "./src/client.ts";',
      'export { TlsError, Alert, alertName } from "./src/errors.ts";',
    ].join("\n"),
  },
};

// Device bundles take our small crypto where noble's costs heap: AES-GCM (noble's eagerly built tables take 896 KiB
// of QuickJS heap), the curves (a third of the bundle, and base-point tables), the hashes and ChaCha20 (every KB of
// script costs QuickJS about 10 KB to compile). src/crypto/*-small.ts say more. Node builds keep noble's.
const crypto = join(root, "src", "crypto");
const SMALL = {
  [join(crypto, "nist-ecdh")]: join(crypto, "ec-small.ts"),
  [join(crypto, "ecdsa")]: join(crypto, "ec-small.ts"),
  [join(crypto, "x25519")]: join(crypto, "ec-small.ts"),
  [join(crypto, "hash")]: join(crypto, "hash-small.ts"),
  [join(crypto, "prf")]: join(crypto, "hash-small.ts"),
};
const smallCrypto = {
  name: "device-small-crypto",
  setup(b) {
    b.onResolve({ filter: /^@noble\/ciphers\/aes\.js$/ }, () => ({ path: join(crypto, "aes-gcm-small.ts") }));
    b.onResolve({ filter: /^@noble\/ciphers\/chacha\.js$/ }, () => ({ path: join(crypto, "chacha-small.ts") }));
    // No CryptoProvider layering in the device bundle (src/handshake/provider-config-absent.ts says why).
    b.onResolve({ filter: /^\.\/provider-config\.js$/ }, (args) =>
      args.resolveDir === join(root, "src", "handshake") ? { path: join(root, "src", "handshake", "provider-config-absent.ts") } : undefined,
    );
    b.onResolve({ filter: /(nist-ecdh|ecdsa|x25519|hash|prf)\.[jt]s$/ }, (args) => {
      const small = SMALL[join(args.resolveDir, args.path).replace(/\.[jt]s$/, "")];
      return small ? { path: small } : undefined;
    });
  },
};

/**
 * @param {{ outdir?: string, names?: Array<keyof typeof ENTRIES>, minify?: boolean, metafile?: boolean }} [opts]
 * @returns {Promise<string[]>} the files written
 */
export async function buildEngineBundles(opts = {}) {
  const outdir = opts.outdir ?? join(root, "dist");
  const names = opts.names ?? Object.keys(ENTRIES);
  const written = [];
  for (const name of names) {
    const entry = ENTRIES[name];
    const outfile = join(outdir, `${name}.js`);
    const result = await build({
      stdin: { contents: entry.source, resolveDir: root, sourcefile: `${name}-entry.ts`, loader: "ts" },
      bundle: true,
      format: "iife",
      globalName: entry.globalName,
      platform: "neutral",
      mainFields: ["module", "main"],
      target: "es2020",
      // Engines parse the whole file at load, and QuickJS needs about 10x the source size while it does: full
      // minification (273 KB instead of 388 KB) lowers the smallest workable QuickJS memory limit by ~400 KiB.
      // TlsError sets its own name, so error names survive.
      minify: opts.minify ?? true,
      legalComments: "eof",
      inject: [join(root, "scripts", "engine-shims.mjs")],
      define: { "Object.hasOwn": "microtlsHasOwn" },
      treeShaking: true,
      plugins: entry.device ? [smallCrypto] : [],
      // QuickJS keeps every function's source text and line table unless the script opens with "use strip": for
      // the device bundle that is 270 KB of heap after load (and 350 KiB of --memory-limit). Other engines ignore it.
      banner: entry.device || entry.native ? { js: '"use strip";' } : undefined,
      metafile: opts.metafile ?? false,
      outfile,
      logLevel: "silent",
    });
    for (const w of result.warnings) {
      // The only expected warning is the missing verifyChain while src/x509 is unfinished.
      if (!/verifyChain/.test(w.text)) throw new Error(`engine bundle ${name}: ${w.text}`);
    }
    if (result.metafile) writeFileSync(`${outfile}.meta.json`, JSON.stringify(result.metafile));
    written.push(outfile);
  }
  return written;
}

// `node scripts/build-engine-bundle.mjs [outdir]`
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const files = await buildEngineBundles({ outdir: process.argv[2] });
  for (const f of files) console.log(f);
}
