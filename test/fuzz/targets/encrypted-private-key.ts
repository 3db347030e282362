// decryptPrivateKey (PBES2: PBKDF2 + AES-CBC), DER or PEM, with a fixed passphrase.
import { TlsError } from "../../../src/errors.js";
import { DerReader, Tag, derChildren } from "../../../src/x509/der.js";
import { decodeBase64 } from "../../../src/x509/pem.js";
import { decryptPrivateKey } from "../../../src/x509/encrypted-private-key.js";
import type { FuzzTarget } from "../harness.js";

/**
 * PBKDF2's cost is the iteration count the key itself declares (about 1 µs each, capped at 10^7 by the parser):
 * work the key's owner chose, not work per input byte. Inputs declaring more than this are not run.
 */
const MAX_FUZZ_ITERATIONS = 4096;

function declaredIterations(data: Uint8Array): number {
  try {
    let der = data;
    if (data[0] !== 0x30) {
      let text = "";
      for (let i = 0; i < data.length; i++) text += String.fromCharCode(data[i]);
      const m = /-----BEGIN ENCRYPTED PRIVATE KEY-----([\s\S]*?)-----END ENCRYPTED PRIVATE KEY-----/.exec(text);
      if (!m) return 0;
      der = decodeBase64(m[1]);
    }
    // EncryptedPrivateKeyInfo { AlgorithmIdentifier { PBES2, { { PBKDF2, { salt, iterations ... } }, ... } }, ... }
    const info = derChildren(new DerReader(der).expect(Tag.SEQUENCE));
    const alg = derChildren(info.expect(Tag.SEQUENCE));
    alg.expect(Tag.OID);
    const kdf = derChildren(derChildren(alg.expect(Tag.SEQUENCE)).expect(Tag.SEQUENCE));
    kdf.expect(Tag.OID);
    const p = derChildren(kdf.expect(Tag.SEQUENCE));
    p.expect(Tag.OCTET_STRING);
    const v = p.expect(Tag.INTEGER).value;
    let n = 0;
    for (let i = 0; i < v.length; i++) n = n * 256 + v[i];
    return n;
  } catch (e) {
    if (e instanceof TlsError) return 0;
    throw e;
  }
}

export const target: FuzzTarget = {
  name: "encrypted-private-key",
  maxLength: 1 << 13,
  run(data) {
    if (declaredIterations(data) > MAX_FUZZ_ITERATIONS) return;
    decryptPrivateKey(data, "fuzz");
  },
};
