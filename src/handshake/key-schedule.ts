import { concatBytes } from "../bytes.js";
import type { CipherSuite } from "./suites.js";

export const MASTER_SECRET_LENGTH = 48;
export const VERIFY_DATA_LENGTH = 12;

/**
 * RFC 5246 §8.1, or RFC 7627 §4 when extended_master_secret was agreed: the session hash binds the
 * master secret to the whole handshake, which defeats the triple-handshake attack.
 */
export function masterSecret(
  suite: CipherSuite,
  preMasterSecret: Uint8Array,
  clientRandom: Uint8Array,
  serverRandom: Uint8Array,
  sessionHash: Uint8Array | null,
): Uint8Array {
  if (sessionHash) return suite.prf(preMasterSecret, "extended master secret", sessionHash, MASTER_SECRET_LENGTH);
  return suite.prf(preMasterSecret, "master secret", concatBytes(clientRandom, serverRandom), MASTER_SECRET_LENGTH);
}

export interface TrafficKeys {
  clientKey: Uint8Array;
  serverKey: Uint8Array;
  clientIv: Uint8Array;
  serverIv: Uint8Array;
}

/** RFC 5246 §6.3 key block; AEAD suites have no MAC keys. Note the seed order: server random first. */
export function trafficKeys(suite: CipherSuite, master: Uint8Array, clientRandom: Uint8Array, serverRandom: Uint8Array): TrafficKeys {
  const k = suite.keyLength;
  const iv = suite.ivLength;
  const block = suite.prf(master, "key expansion", concatBytes(serverRandom, clientRandom), 2 * k + 2 * iv);
  return {
    clientKey: block.slice(0, k),
    serverKey: block.slice(k, 2 * k),
    clientIv: block.slice(2 * k, 2 * k + iv),
    serverIv: block.slice(2 * k + iv, 2 * k + 2 * iv),
  };
}

/** RFC 5246 §7.4.9: verify_data = PRF(master_secret, finished_label, Hash(handshake_messages))[0..11]. */
export function finishedVerifyData(suite: CipherSuite, master: Uint8Array, sender: "client" | "server", transcriptHash: Uint8Array): Uint8Array {
  return suite.prf(master, `${sender} finished`, transcriptHash, VERIFY_DATA_LENGTH);
}
