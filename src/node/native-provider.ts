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

// X25519 keys as raw bytes through fixed DER prefixes (RFC 8410): PKCS#8 for ours, SPKI for the peer's.
const X25519_PKCS8 = Buffer.from("302e020100300506032b656e04220420", "hex");
const X25519_SPKI = Buffer.from("302a300506032b656e032100", "hex");

const x25519: EcdhKeyAgreement = {
  generate() {
    const { privateKey, publicKey } = generateKeyPairSync("x25519");
    const priv = privateKey.export({ format: "der", type: "pkcs8" });
    const pub = publicKey.export({ format: "der", type: "spki" });
    return { privateKey: bytes(priv.subarray(priv.length - 32)).slice(), publicKey: bytes(pub.subarray(pub.length - 32)).slice() };
  },
  sharedSecret(privateKey, peerPublic) {
    const priv = createPrivateKey({ key: Buffer.concat([X25519_PKCS8, privateKey]), format: "der", type: "pkcs8" });
    const pub = createPublicKey({ key: Buffer.concat([X25519_SPKI, peerPublic]), format: "der", type: "spki" });
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

const rsaKeys = new WeakMap<object, KeyObject>();

function rsaKeyObject(key: RsaPublicKey): KeyObject {
  let k = rsaKeys.get(key);
  if (!k) {
    const n = key.modulus ?? bigToBytes(key.n);
    const e = key.exponent ?? bigToBytes(key.e);
    k = createPublicKey({ key: { kty: "RSA", n: b64url(n), e: b64url(e) }, format: "jwk" });
    rsaKeys.set(key, k);
  }
  return k;
}

// SPKI prefixes for uncompressed P-256 / P-384 points (id-ecPublicKey with the named curve).
const EC_SPKI: Record<EcCurve, Buffer> = {
  "P-256": Buffer.from("3059301306072a8648ce3d020106082a8648ce3d030107034200", "hex"),
  "P-384": Buffer.from("3076301006072a8648ce3d020106052b81040022036200", "hex"),
};

function ecKeyObject(curve: EcCurve, point: Uint8Array): KeyObject {
  const prefix = EC_SPKI[curve];
  if (!prefix) throw new RangeError("unsupported curve");
  // Compressed points are valid SEC1 too (certificates may carry them): expand them first.
  const full = point[0] === 0x04 ? point : (ECDH.convertKey(point, curve === "P-256" ? "prime256v1" : "secp384r1", undefined, undefined, "uncompressed") as Buffer);
  return createPublicKey({ key: Buffer.concat([prefix, full]), format: "der", type: "spki" });
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
        const key = createPublicKey({ key: Buffer.concat([Buffer.from("302a300506032b6570032100", "hex"), publicKey]), format: "der", type: "spki" });
        return publicKey.length === 32 && verify(null, message, key, signature);
      } catch {
        return false;
      }
    },
  },
  rsaEncrypt(key, data) {
    return bytes(publicEncrypt({ key: rsaKeyObject(key), padding: constants.RSA_PKCS1_PADDING }, data));
  },
};
