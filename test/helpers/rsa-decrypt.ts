import type { RandomSource } from "../../src/crypto/random.js";
import type { RsaPrivateKey } from "../../src/crypto/rsa.js";

// RSAES-PKCS1-v1_5 decryption, for tests that play the server (and the Wycheproof decryption vectors). A TLS client
// never decrypts, so this is not in src/. Plain CRT, no blinding and no Bleichenbacher-safe implicit rejection.

function modPow(base: bigint, exp: bigint, mod: bigint): bigint {
  let result = 1n;
  let b = base % mod;
  for (let e = exp; e > 0n; e >>= 1n) {
    if (e & 1n) result = (result * b) % mod;
    b = (b * b) % mod;
  }
  return result;
}

function toBigInt(b: Uint8Array): bigint {
  let x = 0n;
  for (const v of b) x = (x << 8n) | BigInt(v);
  return x;
}

function toBytes(x: bigint, length: number): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = length - 1; i >= 0; i--, x >>= 8n) out[i] = Number(x & 0xffn);
  return out;
}

/** null for every kind of bad ciphertext or padding alike; `random` is accepted for the old signature and unused. */
export function rsaPkcs1Decrypt(key: RsaPrivateKey, ciphertext: Uint8Array, _random?: RandomSource): Uint8Array | null {
  const k = (key.n.toString(2).length + 7) >> 3;
  if (key.n.toString(2).length < 1024 || ciphertext.length !== k) return null;
  const c = toBigInt(ciphertext);
  if (c >= key.n) return null;
  const m1 = modPow(c, key.dp, key.p);
  const m2 = modPow(c, key.dq, key.q);
  const h = (key.qinv * (((m1 - m2) % key.p) + key.p)) % key.p;
  const em = toBytes(m2 + h * key.q, k);
  if (em[0] !== 0 || em[1] !== 2) return null;
  const separator = em.indexOf(0, 2);
  return separator < 10 ? null : em.slice(separator + 1);
}
