import { gcm } from "@noble/ciphers/aes.js";
import { AEAD_NONCE_LENGTH, AEAD_TAG_LENGTH, type Aead, type AeadFactory } from "./aead.js";

/** AES-128-GCM or AES-256-GCM (key length picks which), 12-byte nonce, 16-byte tag. */
export const aesGcm: AeadFactory = (key: Uint8Array): Aead => {
  if (key.length !== 16 && key.length !== 32) throw new RangeError("AES-GCM key must be 16 or 32 bytes");
  const k = key.slice();
  return {
    keyLength: k.length,
    seal(nonce, plaintext, aad) {
      if (nonce.length !== AEAD_NONCE_LENGTH) throw new RangeError("AES-GCM nonce must be 12 bytes");
      return gcm(k, nonce, aad).encrypt(plaintext);
    },
    open(nonce, sealed, aad) {
      if (nonce.length !== AEAD_NONCE_LENGTH || sealed.length < AEAD_TAG_LENGTH) return null;
      try {
        return gcm(k, nonce, aad).decrypt(sealed);
      } catch {
        return null;
      }
    },
  };
};
