// The crypto entry points the vector driver (test/engines/driver.js runVectors) calls, `microtlsCrypto`, over the host's
// Mbed TLS natives (natives-mbedtls.c, global `mbedtls`) instead of noble: proof that the natives compute what microtls's
// own crypto computes, and the shape issue #11's provider will wrap. Plain ES2020 script, no BigInt arithmetic.
(function (global) {
  "use strict";
  var M = global.mbedtls;
  if (!M) throw new Error("the host has no Mbed TLS natives: build it with libmbedtls-dev installed (build-jerry.sh)");

  function tlsError(message) {
    var e = new Error(message);
    e.name = "TlsError";
    e.code = "ILLEGAL_PARAMETER";
    return e;
  }
  function bigToBytes(x) {
    var h = x.toString(16);
    if (h.length & 1) h = "0" + h;
    var b = new Uint8Array(h.length >> 1);
    for (var i = 0; i < b.length; i++) b[i] = parseInt(h.substr(i * 2, 2), 16);
    return b;
  }
  function concat(a, b) {
    var out = new Uint8Array(a.length + b.length);
    out.set(a, 0);
    out.set(b, a.length);
    return out;
  }
  function ascii(s) {
    var b = new Uint8Array(s.length);
    for (var i = 0; i < s.length; i++) b[i] = s.charCodeAt(i);
    return b;
  }

  // Mbed TLS's signature parser accepts BER slips (e.g. a negative INTEGER missing its leading zero): hand it only
  // strict DER, SEQUENCE { INTEGER r, INTEGER s }, minimal lengths, positive minimal integers, nothing after.
  function strictDerSignature(sig) {
    var at = 0;
    function length() {
      var n = sig[at++];
      if (n < 0x80) return n;
      if (n !== 0x81 || sig[at] < 0x80) return -1; // at most 255 bytes here, and long form only when needed
      return sig[at++];
    }
    function integer() {
      if (sig[at++] !== 0x02) return false;
      var n = length();
      if (n <= 0 || at + n > sig.length) return false;
      if (sig[at] & 0x80) return false;
      if (n > 1 && sig[at] === 0 && !(sig[at + 1] & 0x80)) return false;
      at += n;
      return true;
    }
    if (sig.length < 8 || sig[at++] !== 0x30) return false;
    var total = length();
    if (total < 0 || at + total !== sig.length) return false;
    return integer() && integer() && at === sig.length;
  }

  function aead(alg) {
    return function (key) {
      var ctx = M.aeadCreate(alg, key);
      return {
        seal: function (iv, plaintext, aad) {
          return M.aeadSeal(ctx, iv, aad, plaintext);
        },
        open: function (iv, sealed, aad) {
          return M.aeadOpen(ctx, iv, aad, sealed);
        },
      };
    };
  }

  function group(name, pointLength) {
    return {
      keyPair: function () {
        var kp = M.ecdhKeyPair(name);
        return { privateKey: kp[0], publicKey: kp[1] };
      },
      sharedSecret: function (priv, pub) {
        if (pub.length !== pointLength) throw tlsError(name + " key must be " + pointLength + " bytes");
        if (name !== "x25519" && pub[0] !== 4) throw tlsError("not an uncompressed point");
        var shared;
        try {
          shared = M.ecdhShared(name, priv, pub);
        } catch (e) {
          throw tlsError(String(e.message));
        }
        var zero = 0;
        for (var i = 0; i < shared.length; i++) zero |= shared[i];
        if (zero === 0) throw tlsError("all-zero shared secret");
        return shared;
      },
    };
  }

  // TLS 1.2 PRF (RFC 5246 §5): P_hash over HMAC.
  function prf(hash, secret, label, seed, length) {
    var s = concat(ascii(label), seed), out = new Uint8Array(length), a = s, at = 0;
    while (at < length) {
      a = M.hmac(hash, secret, a);
      var block = M.hmac(hash, secret, concat(a, s));
      out.set(block.subarray(0, Math.min(block.length, length - at)), at);
      at += block.length;
    }
    return out;
  }

  global.microtlsCrypto = {
    aesGcm: aead("aes-gcm"),
    chacha20Poly1305: aead("chacha20-poly1305"),
    x25519Group: group("x25519", 32),
    p256Group: group("secp256r1", 65),
    p384Group: group("secp384r1", 97),
    ecdsaVerify: function (curve, key, hash, msg, sig) {
      return strictDerSignature(sig) && M.ecdsaVerify(curve, key, hash, msg, sig);
    },
    rsaPkcs1Verify: function (key, hash, msg, sig) {
      return M.rsaPkcs1Verify(bigToBytes(key.n), bigToBytes(key.e), hash, msg, sig);
    },
    rsaPssVerify: function (key, hash, msg, sig, saltLength) {
      return M.rsaPssVerify(bigToBytes(key.n), bigToBytes(key.e), hash, msg, sig, saltLength);
    },
    hash: function (hash, msg) {
      // Through the incremental interface, as a transcript uses it: two updates, a digest in between.
      var h = M.hashCreate(hash), cut = msg.length >> 1;
      M.hashUpdate(h, msg.subarray(0, cut));
      M.hashDigest(h);
      M.hashUpdate(h, msg.subarray(cut));
      return M.hashDigest(h);
    },
    hmac: function (hash, key, msg) {
      return M.hmac(hash, key, msg);
    },
    prf: prf,
  };
})(typeof globalThis !== "undefined" ? globalThis : this);
