import { ScalarMultiplier } from "@noble/curves/abstract/curve.js";
import { p256, p384 } from "@noble/curves/nist.js";
import { illegalPeerKey, type EcdhGroup, type GroupName } from "./ecdh.js";
import { randomBytes, type RandomSource } from "./random.js";

type NistCurve = typeof p256;

function bytesToBigInt(b: Uint8Array): bigint {
  let n = BigInt(0);
  for (let i = 0; i < b.length; i++) n = (n << BigInt(8)) | BigInt(b[i]);
  return n;
}

function nistGroup(name: GroupName, id: number, curve: NistCurve): EcdhGroup {
  const fieldBytes = curve.Point.Fp.BYTES;
  const order = curve.Point.Fn.ORDER;
  const pointLength = 1 + 2 * fieldBytes;
  // The ECDH multiply without noble's scalar blinding. getSharedSecret blinds every secret scalar with 128 random
  // bits (a 384-bit multiply for P-256: 7.5 ms instead of 5.1 ms here, the ECDHE path's extra cost). Blinding
  // guards a long-lived key used many times; an ECDHE key multiplies exactly once. The multiply stays noble's
  // constant-operation-count fixed-window path; no table is built for the peer's point.
  const ephemeral = /* @__PURE__ */ new ScalarMultiplier(curve.Point, undefined);
  return {
    name,
    id,
    generate(random: RandomSource) {
      // Rejection sampling keeps the scalar uniform in [1, n-1]; n is close to 2^bits, so retries are rare.
      for (;;) {
        const privateKey = randomBytes(random, curve.Point.Fn.BYTES);
        const k = bytesToBigInt(privateKey);
        if (k > BigInt(0) && k < order) return { privateKey, publicKey: curve.getPublicKey(privateKey, false) };
      }
    },
    sharedSecret(privateKey: Uint8Array, peerPublic: Uint8Array): Uint8Array {
      // RFC 8422 §5.4.1: TLS 1.2 points are uncompressed only (we never offer compressed formats).
      if (peerPublic.length !== pointLength) throw illegalPeerKey(`${name} point must be ${pointLength} bytes`);
      if (peerPublic[0] !== 0x04) throw illegalPeerKey("not an uncompressed point");
      let shared: Uint8Array;
      try {
        // fromBytes checks the coordinates are in range and the point is on the curve.
        const peer = curve.Point.fromBytes(peerPublic);
        shared = ephemeral.mulCT(peer, curve.Point.Fn.fromBytes(privateKey)).p.toBytes(true);
      } catch {
        throw illegalPeerKey(`${name} point not on the curve`);
      }
      // Compressed encoding is 0x02/0x03 || X: the premaster secret is X alone (RFC 8422 §5.10).
      return shared.slice(1);
    },
  };
}

export const p256Group: EcdhGroup = nistGroup("secp256r1", 23, p256);
export const p384Group: EcdhGroup = nistGroup("secp384r1", 24, p384);
