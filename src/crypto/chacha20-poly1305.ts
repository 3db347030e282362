import { chacha20poly1305 } from "@noble/ciphers/chacha.js";
import { AEAD_NONCE_LENGTH, AEAD_TAG_LENGTH, type Aead, type AeadFactory } from "./aead.js";

/** ChaCha20-Poly1305 (RFC 8439): 32-byte key, 12-byte nonce, 16-byte tag. */
export const chacha20Poly1305: AeadFactory = (key: Uint8Array): Aead => {
  if (key.length !== 32) throw new RangeError("ChaCha20-Poly1305 key must be 32 bytes");
  const k = key.slice();
  return {
    keyLength: 32,
    seal(nonce, plaintext, aad) {
      if (nonce.length !== AEAD_NONCE_LENGTH) throw new RangeError("ChaCha20-Poly1305 nonce must be 12 bytes");
      return chacha20poly1305(k, nonce, aad).encrypt(plaintext);
    },
    open(nonce, sealed, aad) {
      if (nonce.length !== AEAD_NONCE_LENGTH || sealed.length < AEAD_TAG_LENGTH) return null;
      try {
        return chacha20poly1305(k, nonce, aad).decrypt(sealed);
      } catch {
        return null;
      }
    },
  };
};
