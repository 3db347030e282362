import { montgomery } from "@noble/curves/abstract/montgomery.js";
import { mod, pow2 } from "@noble/curves/abstract/modular.js";
import { illegalPeerKey, type EcdhGroup } from "./ecdh.js";
import { randomBytes, type RandomSource } from "./random.js";

const KEY_LENGTH = 32;
const P = BigInt("0x7fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffed"); // 2^255 - 19

/** x^(p-2) = 1/x by the usual Curve25519 addition chain: 254 squarings and 11 multiplications. */
function invert(x: bigint): bigint {
  const x2 = (x * x) % P;
  const x3 = (x2 * x) % P; // 2^2 - 1
  const x15 = (pow2(x3, BigInt(2), P) * x3) % P; // 2^4 - 1
  const b5 = (pow2(x15, BigInt(1), P) * x) % P; // 2^5 - 1
  const b10 = (pow2(b5, BigInt(5), P) * b5) % P;
  const b20 = (pow2(b10, BigInt(10), P) * b10) % P;
  const b40 = (pow2(b20, BigInt(20), P) * b20) % P;
  const b80 = (pow2(b40, BigInt(40), P) * b40) % P;
  const b160 = (pow2(b80, BigInt(80), P) * b80) % P;
  const b240 = (pow2(b160, BigInt(80), P) * b80) % P;
  const b250 = (pow2(b240, BigInt(10), P) * b10) % P; // 2^250 - 1
  const b252m3 = (pow2(b250, BigInt(2), P) * x) % P; // 2^252 - 3
  return mod(pow2(b252m3, BigInt(3), P) * x3, P); // (2^252 - 3) * 8 + 3 = 2^255 - 21 = p - 2
}

/**
 * X25519 straight from noble's Montgomery ladder (RFC 7748 §5). noble's own `x25519` (in ed25519.js) computes
 * public keys on the Edwards curve with a base-point table whose first use costs tens of milliseconds and
 * which drags the Edwards code into every bundle. The ladder costs about 1 ms more per key share when warm,
 * and nothing up front: the path of a device waking from deep sleep.
 */
const ladder = /* @__PURE__ */ montgomery({
  P,
  type: "x25519",
  powPminus2: invert,
  adjustScalarBytes(bytes: Uint8Array) {
    bytes[0] &= 248;
    bytes[31] &= 127;
    bytes[31] |= 64;
    return bytes;
  },
});

function isAllZero(b: Uint8Array): boolean {
  let acc = 0;
  for (let i = 0; i < b.length; i++) acc |= b[i];
  return acc === 0;
}

export const x25519Group: EcdhGroup = {
  name: "x25519",
  id: 29,
  generate(random: RandomSource) {
    // Any 32 bytes are a valid X25519 scalar: clamping happens inside the scalar multiplication.
    const privateKey = randomBytes(random, KEY_LENGTH);
    return { privateKey, publicKey: ladder.getPublicKey(privateKey) };
  },
  sharedSecret(privateKey: Uint8Array, peerPublic: Uint8Array): Uint8Array {
    if (peerPublic.length !== KEY_LENGTH) throw illegalPeerKey("X25519 key must be 32 bytes");
    let shared: Uint8Array;
    try {
      shared = ladder.scalarMult(privateKey, peerPublic);
    } catch {
      // noble refuses low-order points, whose output would be all zeros (RFC 7748 §6.1).
      throw illegalPeerKey("low-order X25519 point");
    }
    if (isAllZero(shared)) throw illegalPeerKey("all-zero X25519 shared secret");
    return shared;
  },
};
