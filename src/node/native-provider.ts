import {
  constants,
  createCipheriv,
  createDecipheriv,
  createECDH,
  ECDH,
  createHash,
  createHmac,
  createPrivateKey,
  createPublicKey,
  createSecretKey,
  diffieHellman,
  generateKeyPairSync,
  publicEncrypt,
  randomFillSync,
  verify,
  type Hash,
  type KeyObject,
} from "node:crypto";
import type { Aead, AeadFactory } from "../crypto/aead.js";
import type { EcCurve } from "../crypto/ecdsa.js";
import type { HashName, HashState } from "../crypto/hash.js";
import type { CryptoProvider, EcdhKeyAgreement } from "../crypto/provider.js";
import type { RsaPublicKey } from "../crypto/rsa.js";

// A CryptoProvider over node:crypto's synchronous calls (OpenSSL underneath): native AEADs, ECDH, signature checks
// and RSA encryption. An option, not the default: new TlsClient({ ..., crypto: nodeCryptoProvider }).

const TAG = 16;

function bytes(b: Buffer): Uint8Array {
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}

function wrapHash(h: Hash): HashState {
  return {
    update(data) {
      h.update(data);
      return this;
    },
    digest: () => bytes(h.digest()),
    clone: () => wrapHash(h.copy()),
  };
}

function hashOf(name: HashName): () => HashState {
  return () => wrapHash(createHash(name));
}

function hmacOf(name: HashName): (key: Uint8Array, data: Uint8Array) => Uint8Array {
  return (key, data) => bytes(createHmac(name, key).update(data).digest());
}

/** The key becomes a KeyObject once per direction; each record gets its own cipher (the nonce changes). */
function aeadOf(algorithm: "aes-128-gcm" | "aes-256-gcm" | "chacha20-poly1305", keyLength: number): AeadFactory {
  return (key: Uint8Array): Aead => {
    if (key.length !== keyLength) throw new RangeError(`${algorithm} key must be ${keyLength} bytes`);
    const k = createSecretKey(Buffer.from(key));
    return {
      keyLength,
      seal(nonce, plaintext, aad) {
        if (nonce.length !== 12) throw new RangeError(`${algorithm} nonce must be 12 bytes`);
        const c = createCipheriv(algorithm as "aes-128-gcm", k, nonce, { authTagLength: TAG });
        c.setAAD(aad, { plaintextLength: plaintext.length });
        const out = new Uint8Array(plaintext.length + TAG);
        const body = c.update(plaintext);
        out.set(body, 0);
        const tail = c.final();
        out.set(tail, body.length);
        out.set(c.getAuthTag(), body.length + tail.length);
        return out;
      },
      open(nonce, sealed, aad) {
        if (nonce.length !== 12 || sealed.length < TAG) return null;
        try {
          const n = sealed.length - TAG;
          const d = createDecipheriv(algorithm as "aes-128-gcm", k, nonce, { authTagLength: TAG });
          d.setAuthTag(sealed.subarray(n));
          d.setAAD(aad, { plaintextLength: n });
          const body = d.update(sealed.subarray(0, n));
          const tail = d.final(); // throws on a bad tag
          if (tail.length === 0) return bytes(body);
          const out = new Uint8Array(n);
          out.set(body, 0);
          out.set(tail, body.length);
          return out;
        } catch {
          return null;
        }
      },
    };
  };
}

// X25519 keys cross the interface as raw bytes, through JWK (OpenSSL's DER encoders cost ~10x more). The KeyObject of
// a key pair we generated is kept, keyed by its private-key bytes, so the shared secret needs no re-import.
const ourX25519 = new WeakMap<Uint8Array, KeyObject>();
const X25519_PKCS8 = Buffer.from("302e020100300506032b656e04220420", "hex");

const x25519: EcdhKeyAgreement = {
  generate() {
    const { privateKey } = generateKeyPairSync("x25519");
    const jwk = privateKey.export({ format: "jwk" });
    const priv = new Uint8Array(Buffer.from(jwk.d as string, "base64url"));
    ourX25519.set(priv, privateKey);
    return { privateKey: priv, publicKey: new Uint8Array(Buffer.from(jwk.x as string, "base64url")) };
  },
  sharedSecret(privateKey, peerPublic) {
    const priv = ourX25519.get(privateKey) ?? createPrivateKey({ key: Buffer.concat([X25519_PKCS8, privateKey]), format: "der", type: "pkcs8" });
    const pub = createPublicKey({ key: { kty: "OKP", crv: "X25519", x: b64url(peerPublic) }, format: "jwk" });
    // OpenSSL refuses an all-zero result (a low-order point) with an error: the protocol makes that illegal_parameter.
    return bytes(diffieHellman({ privateKey: priv, publicKey: pub }));
  },
};

function nist(curve: "prime256v1" | "secp384r1"): EcdhKeyAgreement {
  return {
    generate() {
      const ecdh = createECDH(curve);
      const publicKey = bytes(ecdh.generateKeys());
      return { privateKey: bytes(ecdh.getPrivateKey()), publicKey };
    },
    sharedSecret(privateKey, peerPublic) {
      const ecdh = createECDH(curve);
      ecdh.setPrivateKey(privateKey);
      // computeSecret checks the point is on the curve (it throws otherwise); the result is the x-coordinate.
      return bytes(ecdh.computeSecret(peerPublic));
    },
  };
}

// ---- public keys: KeyObjects from the certificate's raw fields (JWK), cached per key object ----

function b64url(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString("base64url");
}

function bigToBytes(x: bigint): Uint8Array {
  let hex = x.toString(16);
  if (hex.length & 1) hex = "0" + hex;
  return bytes(Buffer.from(hex, "hex"));
}

// Importing a public key costs more than a verification: the server's key comes back every handshake, so the
// last few are kept, keyed by their encoding.
const MAX_KEYS = 32;
const keyCache = new Map<string, KeyObject>();

function cachedKey(id: string, make: () => KeyObject): KeyObject {
  let k = keyCache.get(id);
  if (!k) {
    k = make();
    if (keyCache.size >= MAX_KEYS) keyCache.delete(keyCache.keys().next().value as string);
    keyCache.set(id, k);
  }
  return k;
}

function rsaKeyObject(key: RsaPublicKey): KeyObject {
  const n = b64url(key.modulus ?? bigToBytes(key.n));
  const e = b64url(key.exponent ?? bigToBytes(key.e));
  return cachedKey(`rsa:${n}:${e}`, () => createPublicKey({ key: { kty: "RSA", n, e }, format: "jwk" }));
}

function ecKeyObject(curve: EcCurve, point: Uint8Array): KeyObject {
  if (curve !== "P-256" && curve !== "P-384") throw new RangeError("unsupported curve");
  // Compressed points are valid SEC1 too (certificates may carry them): expand them first.
  const full = point[0] === 0x04 ? point : bytes(ECDH.convertKey(point, curve === "P-256" ? "prime256v1" : "secp384r1", undefined, undefined, "uncompressed") as Buffer);
  const size = curve === "P-256" ? 32 : 48;
  if (full.length !== 1 + 2 * size) throw new RangeError("bad point");
  return cachedKey(`${curve}:${b64url(full)}`, () =>
    createPublicKey({ key: { kty: "EC", crv: curve, x: b64url(full.subarray(1, 1 + size)), y: b64url(full.subarray(1 + size)) }, format: "jwk" }));
}

const MIN_RSA_BITS = 1024;

function rsaUsable(key: RsaPublicKey): boolean {
  return key.bits >= MIN_RSA_BITS;
}

export const nodeCryptoProvider: CryptoProvider = {
  name: "node:crypto",
  random: (buf) => {
    randomFillSync(buf);
  },
  hash: { sha256: hashOf("sha256"), sha384: hashOf("sha384"), sha512: hashOf("sha512") },
  hmac: { sha256: hmacOf("sha256"), sha384: hmacOf("sha384"), sha512: hmacOf("sha512") },
  aead: {
    "aes-128-gcm": aeadOf("aes-128-gcm", 16),
    "aes-256-gcm": aeadOf("aes-256-gcm", 32),
    "chacha20-poly1305": aeadOf("chacha20-poly1305", 32),
  },
  ecdh: { x25519, secp256r1: nist("prime256v1"), secp384r1: nist("secp384r1") },
  verify: {
    ecdsa(curve, publicKey, hash, message, derSignature) {
      try {
        return verify(hash, message, { key: ecKeyObject(curve, publicKey), dsaEncoding: "der" }, derSignature);
      } catch {
        return false;
      }
    },
    rsaPkcs1(key, hash, message, signature) {
      try {
        return rsaUsable(key) && verify(hash, message, { key: rsaKeyObject(key), padding: constants.RSA_PKCS1_PADDING }, signature);
      } catch {
        return false;
      }
    },
    rsaPss(key, hash, message, signature, saltLength) {
      try {
        const hLen = hash === "sha256" ? 32 : hash === "sha384" ? 48 : 64;
        return rsaUsable(key) && verify(hash, message, {
          key: rsaKeyObject(key),
          padding: constants.RSA_PKCS1_PSS_PADDING,
          saltLength: saltLength === undefined ? hLen : saltLength,
        }, signature);
      } catch {
        return false;
      }
    },
    ed25519(publicKey, message, signature) {
      try {
        if (publicKey.length !== 32) return false;
        const key = cachedKey(`ed25519:${b64url(publicKey)}`, () => createPublicKey({ key: { kty: "OKP", crv: "Ed25519", x: b64url(publicKey) }, format: "jwk" }));
        return verify(null, message, key, signature);
      } catch {
        return false;
      }
    },
  },
  rsaEncrypt(key, data) {
    return bytes(publicEncrypt({ key: rsaKeyObject(key), padding: constants.RSA_PKCS1_PADDING }, data));
  },
};
