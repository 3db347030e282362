// Builds the single-file engine bundles: one ES2020 script, no imports, that defines one global.
//   microtls.engine.js       global `microtls`: the core's exports plus verifyChain (what a device loads)
//   microtls.engine-test.js  global `microtlsCrypto`: crypto entry points, only for the in-engine vector tests
// Called by tsup.config.ts (npm run build) and by the engine tests (into their cache), so both use one recipe.
import { build } from "esbuild";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

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
    source: [
      'export { aesGcm } from "./src/crypto/aes-gcm.ts";',
      'export { chacha20Poly1305 } from "./src/crypto/chacha20-poly1305.ts";',
      'export { x25519Group } from "./src/crypto/x25519.ts";',
      'export { p256Group, p384Group } from "./src/crypto/nist-ecdh.ts";',
      'export { ecdsaVerify } from "./src/crypto/ecdsa.ts";',
      'export { rsaPkcs1Verify, rsaPssVerify } from "./src/crypto/rsa.ts";',
      'export { hash, hmac } from "./src/crypto/hash.ts";',
      'export { prf } from "./src/crypto/prf.ts";',
    ].join("\n"),
  },
};

/**
 * @param {{ outdir?: string, names?: Array<keyof typeof ENTRIES>, minify?: boolean }} [opts]
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
      outfile,
      logLevel: "silent",
    });
    for (const w of result.warnings) {
      // The only expected warning is the missing verifyChain while src/x509 is unfinished.
      if (!/verifyChain/.test(w.text)) throw new Error(`engine bundle ${name}: ${w.text}`);
    }
    written.push(outfile);
  }
  return written;
}

// `node scripts/build-engine-bundle.mjs [outdir]`
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const files = await buildEngineBundles({ outdir: process.argv[2] });
  for (const f of files) console.log(f);
}
