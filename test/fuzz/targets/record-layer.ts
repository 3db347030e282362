// The record layer and the handshake reassembler behind it, plaintext or with an AES-GCM read cipher (byte 0 picks).
import { gcmRecordCipher } from "../../../src/record/cipher.js";
import { ContentType } from "../../../src/record/content-type.js";
import { HandshakeReassembler } from "../../../src/record/handshake-reassembler.js";
import { MAX_PLAINTEXT, RecordLayer } from "../../../src/record/layer.js";
import { aesGcm } from "../../../src/crypto/aes-gcm.js";
import type { FuzzTarget } from "../harness.js";

const KEY = new Uint8Array(16).fill(7);
const IV = new Uint8Array(4).fill(9);

export const target: FuzzTarget = {
  name: "record-layer",
  maxLength: 2 * MAX_PLAINTEXT,
  run(data) {
    const mode = data[0] ?? 0;
    const layer = new RecordLayer({ emptyApplicationData: (mode & 1) === 1 });
    if (mode & 2) layer.setReadCipher(gcmRecordCipher(aesGcm(KEY), IV));
    if (mode & 4) layer.setMaxFragment(512, 512 << ((mode >> 3) & 3));
    const hs = new HandshakeReassembler();
    const chunk = 1 + ((mode >> 5) * 97);
    for (let at = 1; at < data.length; at += chunk) {
      layer.feed(data.subarray(at, at + chunk));
      for (let r = layer.read(); r !== null; r = layer.read()) {
        if (r.type !== ContentType.handshake) continue;
        hs.push(r.data);
        while (hs.next() !== null);
      }
    }
  },
};
