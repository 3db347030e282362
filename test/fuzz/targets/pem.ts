// parsePem over Latin-1 text (the label after a NUL, if any, else CERTIFICATE), and decodeBase64.
import { decodeBase64, parsePem } from "../../../src/x509/pem.js";
import type { FuzzTarget } from "../harness.js";

function latin1(b: Uint8Array): string {
  let s = "";
  for (let i = 0; i < b.length; i++) s += String.fromCharCode(b[i]);
  return s;
}

export const target: FuzzTarget = {
  name: "pem",
  maxLength: 1 << 16,
  run(data) {
    const text = latin1(data);
    const nul = text.indexOf("\0");
    if (nul >= 0) parsePem(text.slice(nul + 1), text.slice(0, nul));
    else parsePem(text);
    decodeBase64(text);
  },
};
