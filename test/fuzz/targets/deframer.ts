// The deframer over any chunking: the first byte picks the chunk size, the rest is the byte stream.
import { Deframer } from "../../../src/record/deframer.js";
import { MAX_EXPANSION, MAX_PLAINTEXT } from "../../../src/record/layer.js";
import type { FuzzTarget } from "../harness.js";

export const target: FuzzTarget = {
  name: "deframer",
  maxLength: 3 * (MAX_PLAINTEXT + MAX_EXPANSION),
  run(data) {
    const chunk = 1 + (data[0] ?? 0) * 64;
    const d = new Deframer();
    for (let at = 1; at < data.length; at += chunk) {
      d.push(data.subarray(at, at + chunk));
      while (d.next(MAX_PLAINTEXT + MAX_EXPANSION) !== null);
    }
  },
};
