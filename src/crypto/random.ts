import { tlsError } from "../errors.js";

/** Fills `buf` with cryptographically secure random bytes. */
export type RandomSource = (buf: Uint8Array) => void;

// The Web Crypto API refuses requests above 65536 bytes, so large fills are chunked.
const MAX_WEB_CRYPTO_CHUNK = 65536;

interface WebCryptoLike {
  getRandomValues(buf: Uint8Array): Uint8Array;
}

function webCrypto(): WebCryptoLike | undefined {
  const c = (globalThis as { crypto?: Partial<WebCryptoLike> }).crypto;
  return c && typeof c.getRandomValues === "function" ? (c as WebCryptoLike) : undefined;
}

/**
 * The random source to use: the injected one, else the host's Web Crypto getRandomValues.
 * Without either we refuse to run: there is no safe fallback (no time seeds, no weak PRNGs).
 */
export function resolveRandom(injected?: RandomSource): RandomSource {
  if (injected) {
    if (typeof injected !== "function") throw tlsError("config", "random must be a function (buf: Uint8Array) => void");
    return injected;
  }
  const c = webCrypto();
  if (!c) {
    throw tlsError(
      "no_random",
      "no secure random source: this runtime has no globalThis.crypto.getRandomValues; " +
        "pass `random: (buf: Uint8Array) => void` filling buf from the platform's CSPRNG " +
        "(e.g. a hardware RNG or the engine's secure random API)",
    );
  }
  return (buf: Uint8Array) => {
    for (let off = 0; off < buf.length; off += MAX_WEB_CRYPTO_CHUNK) {
      c.getRandomValues(buf.subarray(off, Math.min(off + MAX_WEB_CRYPTO_CHUNK, buf.length)));
    }
  };
}

export function randomBytes(random: RandomSource, n: number): Uint8Array {
  const out = new Uint8Array(n);
  random(out);
  return out;
}
