// A CryptoProvider (src/crypto/provider.ts) over the JerryScript host's Mbed TLS natives (natives-mbedtls.c, global
// `mbedtls`): the template a device maker copies when the firmware already carries Mbed TLS. ES module, bundled into
// microtls.native.js (scripts/build-engine-bundle.mjs). No BigInt: RSA keys arrive with their modulus and exponent as
// bytes (src/x509/algorithms.ts makes the BigInt fields only when a BigInt verifier reads them).

const MIN_RSA_BITS = 1024;
const TAG = 16;

// Mbed TLS's signature parser accepts BER slips (e.g. a negative INTEGER missing its leading zero): hand it only
// strict DER, SEQUENCE { INTEGER r, INTEGER s }, minimal lengths, positive minimal integers, nothing after.
function strictDerSignature(sig) {
  let at = 0;
  const length = () => {
    const n = sig[at++];
    if (n < 0x80) return n;
    if (n !== 0x81 || sig[at] < 0x80) return -1;
    return sig[at++];
  };
  const integer = () => {
    if (sig[at++] !== 0x02) return false;
    const n = length();
    if (n <= 0 || at + n > sig.length || sig[at] & 0x80) return false;
    if (n > 1 && sig[at] === 0 && !(sig[at + 1] & 0x80)) return false;
    at += n;
    return true;
  };
  if (sig.length < 8 || sig[at++] !== 0x30) return false;
  const total = length();
  if (total < 0 || at + total !== sig.length) return false;
  return integer() && integer() && at === sig.length;
}

/** @param M the natives object (`mbedtls`) */
export function mbedtlsProvider(M) {
  if (!M) throw new Error("the host has no Mbed TLS natives (global `mbedtls`): build it with libmbedtls-dev installed");

  const hashState = (h) => ({
    update(data) {
      M.hashUpdate(h, data);
      return this;
    },
    digest: () => M.hashDigest(h),
    clone: () => hashState(M.hashClone(h)),
  });
  const hash = (name) => () => hashState(M.hashCreate(name));
  const hmac = (name) => (key, data) => M.hmac(name, key, data);

  const aead = (alg, keyLength) => (key) => {
    if (key.length !== keyLength) throw new RangeError(`${alg} key must be ${keyLength} bytes`);
    const ctx = M.aeadCreate(alg, key);
    return {
      keyLength,
      seal: (nonce, plaintext, aad) => M.aeadSeal(ctx, nonce, aad, plaintext),
      open(nonce, sealed, aad) {
        if (nonce.length !== 12 || sealed.length < TAG) return null;
        try {
          return M.aeadOpen(ctx, nonce, aad, sealed);
        } catch {
          return null;
        }
      },
    };
  };

  // The natives draw the private key from their own CTR-DRBG; they refuse a peer point that is not on the curve.
  const group = (name) => ({
    generate() {
      const kp = M.ecdhKeyPair(name);
      return { privateKey: kp[0], publicKey: kp[1] };
    },
    sharedSecret: (privateKey, peerPublic) => M.ecdhShared(name, privateKey, peerPublic),
  });

  const rsaUsable = (key) => key.bits >= MIN_RSA_BITS && key.modulus instanceof Uint8Array && key.exponent instanceof Uint8Array;
  const never = (f) => (...args) => {
    try {
      return f(...args) === true;
    } catch {
      return false;
    }
  };

  return {
    name: "mbedtls",
    random: (buf) => buf.set(M.random(buf.length)),
    hash: { sha256: hash("sha256"), sha384: hash("sha384"), sha512: hash("sha512") },
    hmac: { sha256: hmac("sha256"), sha384: hmac("sha384"), sha512: hmac("sha512") },
    aead: {
      "aes-128-gcm": aead("aes-gcm", 16),
      "aes-256-gcm": aead("aes-gcm", 32),
      "chacha20-poly1305": aead("chacha20-poly1305", 32),
    },
    ecdh: { x25519: group("x25519"), secp256r1: group("secp256r1"), secp384r1: group("secp384r1") },
    verify: {
      // Mbed TLS 2.28 reads only uncompressed points: a compressed key (rare in certificates) fails the check.
      ecdsa: never((curve, point, hash, message, der) => point[0] === 4 && strictDerSignature(der) && M.ecdsaVerify(curve, point, hash, message, der)),
      rsaPkcs1: never((key, hash, message, sig) => rsaUsable(key) && M.rsaPkcs1Verify(key.modulus, key.exponent, hash, message, sig)),
      rsaPss: never((key, hash, message, sig, saltLength) =>
        rsaUsable(key) && M.rsaPssVerify(key.modulus, key.exponent, hash, message, sig, saltLength === undefined ? (hash === "sha256" ? 32 : hash === "sha384" ? 48 : 64) : saltLength)),
    },
    rsaEncrypt(key, data) {
      if (!rsaUsable(key)) throw new RangeError("RSA key too small or without its modulus bytes");
      return M.rsaPkcs1Encrypt(key.modulus, key.exponent, data);
    },
  };
}
