import type { AeadFactory } from "./aead.js";
import type { GroupName } from "./ecdh.js";
import type { HashName, HashState } from "./hash.js";
import type { RandomSource } from "./random.js";
import type { RsaPublicKey } from "./rsa.js";
import type { Verifiers } from "../handshake/verifiers.js";

// The one interface between the protocol and the crypto. This file imports no implementation (types only), so a
// build against another provider carries none of noble: the noble provider is noble-provider.ts.

export type AeadName = "aes-128-gcm" | "aes-256-gcm" | "chacha20-poly1305";
export type PrfHash = "sha256" | "sha384";

/**
 * One ECDH group. The protocol checks the TLS encodings before calling sharedSecret (X25519: 32 bytes; NIST:
 * uncompressed 0x04||X||Y of the right length) and refuses an all-zero X25519 result; the provider must still
 * refuse a point that is not on the curve (throw anything: it becomes ILLEGAL_PARAMETER).
 */
export interface EcdhKeyAgreement {
  /** A fresh key pair; the public key in its TLS encoding. `random` is the client's source (a provider may use its own). */
  generate(random: RandomSource): { privateKey: Uint8Array; publicKey: Uint8Array };
  /** X25519 output, or the NIST shared point's x-coordinate (RFC 8422 §5.10). */
  sharedSecret(privateKey: Uint8Array, peerPublic: Uint8Array): Uint8Array;
}

/**
 * Every primitive the record layer, the handshake and the certificate verifier call. All members are optional and
 * each is keyed by algorithm: what a provider has, it has; what it lacks, another provider in the list (or no one)
 * supplies. Client-certificate signing is not here: it stays with the `sign` option (or the parsed `key`).
 */
export interface CryptoProvider {
  /** For traces. */
  readonly name?: string;
  /** A CSPRNG filling the buffer. The `random` option, when given, wins over every provider. */
  readonly random?: RandomSource;
  /** Incremental hashes (the transcript; clone() lets it peek at a digest and go on). */
  readonly hash?: Partial<Record<HashName, () => HashState>>;
  /** One-shot HMAC. */
  readonly hmac?: Partial<Record<HashName, (key: Uint8Array, data: Uint8Array) => Uint8Array>>;
  /** Optional shortcut for the TLS 1.2 PRF (RFC 5246 §5); without it the PRF is built on `hmac`. */
  readonly prf?: Partial<Record<PrfHash, (secret: Uint8Array, label: string, seed: Uint8Array, length: number) => Uint8Array>>;
  /** AEADs: the factory is called once per direction with the key; seal/open per record (12-byte nonce, 16-byte tag). */
  readonly aead?: Partial<Record<AeadName, AeadFactory>>;
  readonly ecdh?: Partial<Record<GroupName, EcdhKeyAgreement>>;
  /** Signature checks (ServerKeyExchange and every certificate in the chain): false on mismatch, never throw. */
  readonly verify?: Verifiers;
  /** RSAES-PKCS1-v1_5 encryption of the premaster secret, for RSA key exchange suites. */
  readonly rsaEncrypt?: (key: RsaPublicKey, data: Uint8Array, random: RandomSource) => Uint8Array;
}

type Slot = "hash" | "hmac" | "prf" | "aead" | "ecdh" | "verify";
const SLOTS: Slot[] = ["hash", "hmac", "prf", "aead", "ecdh", "verify"];

/**
 * Layers providers in order: for each algorithm the first provider that has it wins (so [hostAead, noble] takes the
 * host's AEADs and noble for the rest). Returns one provider holding the winners.
 */
export function layerProviders(list: readonly CryptoProvider[]): CryptoProvider {
  const merged: Record<string, unknown> = {};
  const names: string[] = [];
  for (const p of list) {
    if (p === null || typeof p !== "object") continue;
    if (p.name) names.push(p.name);
    if (merged.random === undefined && typeof p.random === "function") merged.random = p.random;
    if (merged.rsaEncrypt === undefined && typeof p.rsaEncrypt === "function") merged.rsaEncrypt = p.rsaEncrypt;
    for (const slot of SLOTS) {
      const table = p[slot] as Record<string, unknown> | undefined;
      if (!table || typeof table !== "object") continue;
      const into = (merged[slot] ?? (merged[slot] = {})) as Record<string, unknown>;
      // Functions, except ECDH groups, which are objects with generate/sharedSecret.
      for (const k of Object.keys(table)) {
        const v = table[k];
        if (into[k] === undefined && (typeof v === "function" || (slot === "ecdh" && v !== null && typeof v === "object"))) into[k] = v;
      }
    }
  }
  merged.name = names.join("+");
  return merged as CryptoProvider;
}

function ascii(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

function concat(a: Uint8Array, b: Uint8Array, c: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length + c.length);
  out.set(a, 0);
  out.set(b, a.length);
  out.set(c, a.length + b.length);
  return out;
}

/** The TLS 1.2 PRF over a one-shot HMAC (RFC 5246 §5): P_hash(secret, label || seed), truncated to `length`. */
export function prfFromHmac(hmac: (key: Uint8Array, data: Uint8Array) => Uint8Array) {
  return (secret: Uint8Array, label: string, seed: Uint8Array, length: number): Uint8Array => {
    const labelSeed = concat(ascii(label), seed, new Uint8Array(0));
    const out = new Uint8Array(length);
    let a = labelSeed;
    for (let filled = 0; filled < length; ) {
      a = hmac(secret, a);
      const block = hmac(secret, concat(a, labelSeed, new Uint8Array(0)));
      const take = Math.min(block.length, length - filled);
      out.set(block.subarray(0, take), filled);
      filled += take;
    }
    return out;
  };
}
