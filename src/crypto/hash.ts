import { sha256, sha384, sha512 } from "@noble/hashes/sha2.js";
import { hmac as nobleHmac } from "@noble/hashes/hmac.js";

export type HashName = "sha256" | "sha384" | "sha512";

/** Incremental hash; clone() lets the handshake transcript peek at a digest and keep going. */
export interface HashState {
  update(data: Uint8Array): HashState;
  digest(): Uint8Array;
  clone(): HashState;
}

type NobleHash = typeof sha256 | typeof sha384 | typeof sha512;

function nobleHash(name: HashName): NobleHash {
  switch (name) {
    case "sha256":
      return sha256;
    case "sha384":
      return sha384;
    case "sha512":
      return sha512;
    default:
      throw new RangeError(`unknown hash ${String(name)}`);
  }
}

type NobleHashInstance = ReturnType<NobleHash["create"]>;

function wrap(inner: NobleHashInstance): HashState {
  return {
    update(data: Uint8Array): HashState {
      inner.update(data);
      return this;
    },
    digest(): Uint8Array {
      return inner.digest();
    },
    clone(): HashState {
      return wrap(inner.clone() as NobleHashInstance);
    },
  };
}

export function createHash(name: HashName): HashState {
  return wrap(nobleHash(name).create());
}

export function hash(name: HashName, data: Uint8Array): Uint8Array {
  return nobleHash(name)(data);
}

export function hashLength(name: HashName): number {
  return nobleHash(name).outputLen;
}

export function hmac(name: HashName, key: Uint8Array, data: Uint8Array): Uint8Array {
  return nobleHmac(nobleHash(name), key, data);
}
