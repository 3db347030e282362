import { type TlsError, tlsError } from "../errors.js";
import type { RandomSource } from "./random.js";

export type GroupName = "x25519" | "secp256r1" | "secp384r1";

/** An ECDHE group with TLS encodings: raw 32-byte X25519 keys, uncompressed 0x04||X||Y NIST points. */
export interface EcdhGroup {
  readonly name: GroupName;
  /** TLS NamedGroup code point (RFC 8422 / RFC 7748): x25519 = 29, secp256r1 = 23, secp384r1 = 24. */
  readonly id: number;
  generate(random: RandomSource): { privateKey: Uint8Array; publicKey: Uint8Array };
  /**
   * The TLS premaster secret (X25519 output / NIST x-coordinate). Throws TlsError ILLEGAL_PARAMETER (without an
   * alert: the handshake sends illegal_parameter) on an invalid, off-curve, compressed or wrong-length peer key, and
   * on an all-zero X25519 result.
   */
  sharedSecret(privateKey: Uint8Array, peerPublic: Uint8Array): Uint8Array;
}

export function illegalPeerKey(why: string): TlsError {
  return tlsError("peer_key_invalid", `invalid peer ECDH public key: ${why}`);
}
