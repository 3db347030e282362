import { x25519 } from "@noble/curves/ed25519.js";
import { illegalPeerKey, type EcdhGroup } from "./ecdh.js";
import { randomBytes, type RandomSource } from "./random.js";

const KEY_LENGTH = 32;

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
    return { privateKey, publicKey: x25519.getPublicKey(privateKey) };
  },
  sharedSecret(privateKey: Uint8Array, peerPublic: Uint8Array): Uint8Array {
    if (peerPublic.length !== KEY_LENGTH) throw illegalPeerKey("X25519 key must be 32 bytes");
    let shared: Uint8Array;
    try {
      shared = x25519.getSharedSecret(privateKey, peerPublic);
    } catch {
      // noble refuses low-order points, whose output would be all zeros (RFC 7748 §6.1).
      throw illegalPeerKey("low-order X25519 point");
    }
    if (isAllZero(shared)) throw illegalPeerKey("all-zero X25519 shared secret");
    return shared;
  },
};
