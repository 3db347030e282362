/** An AEAD as the TLS 1.2 record layer uses it: 12-byte nonce, 16-byte tag appended. */
export interface Aead {
  readonly keyLength: number;
  /** Returns ciphertext || 16-byte tag. */
  seal(nonce: Uint8Array, plaintext: Uint8Array, aad: Uint8Array): Uint8Array;
  /** Returns the plaintext, or null on a bad tag or malformed input; never throws. */
  open(nonce: Uint8Array, sealed: Uint8Array, aad: Uint8Array): Uint8Array | null;
}

export type AeadFactory = (key: Uint8Array) => Aead;

export const AEAD_TAG_LENGTH = 16;
export const AEAD_NONCE_LENGTH = 12;
