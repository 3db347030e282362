import { cbc } from "@noble/ciphers/aes.js";
import { sha1 } from "@noble/hashes/legacy.js";
import { pbkdf2 } from "@noble/hashes/pbkdf2.js";
import { sha256, sha384, sha512 } from "@noble/hashes/sha2.js";
import { utf8Bytes } from "../bytes.js";
import { TlsError, tlsError } from "../errors.js";
import { DerReader, Tag, derChildren, derOid, derSmallInteger, type DerElement } from "./der.js";
import { decodeBase64 } from "./pem.js";
import { parsePrivateKey, type PrivateKey } from "./private-key.js";

// Password-protected PKCS#8 ("ENCRYPTED PRIVATE KEY", RFC 8018 PBES2: PBKDF2 + AES-CBC), what `openssl pkcs8 -topk8`
// and `openssl genpkey -aes256` write. A separate module on purpose: only applications that call it carry AES-CBC,
// PBKDF2 and SHA-1 (still the PBKDF2 default of older tools). OpenSSL's legacy "Proc-Type: 4,ENCRYPTED" format
// (an MD5-based key derivation) is not supported.

const OID_PBES2 = "1.2.840.113549.1.5.13";
const OID_PBKDF2 = "1.2.840.113549.1.5.12";
const PRFS: Record<string, Parameters<typeof pbkdf2>[0]> = {
  "1.2.840.113549.2.7": sha1,
  "1.2.840.113549.2.9": sha256,
  "1.2.840.113549.2.10": sha384,
  "1.2.840.113549.2.11": sha512,
};
const AES_CBC_KEY_LENGTH: Record<string, number> = {
  "2.16.840.1.101.3.4.1.2": 16,
  "2.16.840.1.101.3.4.1.22": 24,
  "2.16.840.1.101.3.4.1.42": 32,
};
/** Far above any tool's default (OpenSSL: 2048), low enough that a corrupt count cannot hang a device for hours. */
const MAX_ITERATIONS = 10_000_000;

const WHAT = "encrypted private key";

function config(message: string): TlsError {
  return tlsError("config", message);
}

function encryptedDer(input: string | Uint8Array): Uint8Array {
  if (input instanceof Uint8Array && input.length > 0 && input[0] === 0x30) return input;
  let text: string;
  if (typeof input === "string") text = input;
  else if (input instanceof Uint8Array) {
    text = "";
    for (let i = 0; i < input.length; i++) text += String.fromCharCode(input[i]);
  } else throw config("the encrypted private key must be PEM text or DER bytes");
  const m = /-----BEGIN ENCRYPTED PRIVATE KEY-----([\s\S]*?)-----END ENCRYPTED PRIVATE KEY-----/.exec(text);
  if (!m) {
    if (/Proc-Type:\s*4,\s*ENCRYPTED/i.test(text)) {
      throw config("this key uses OpenSSL's legacy encryption (Proc-Type: 4,ENCRYPTED), which is not supported: convert it with `openssl pkcs8 -topk8 -v2 aes-256-cbc -in key.pem -out key-pkcs8.pem`, or decrypt it with `openssl pkey -in key.pem -out key-plain.pem`");
    }
    throw config("no -----BEGIN ENCRYPTED PRIVATE KEY----- block found");
  }
  return decodeBase64(m[1]);
}

function algorithm(el: DerElement): { oid: string; params: DerElement | null } {
  const r = derChildren(el, WHAT);
  const oid = derOid(r.expect(Tag.OID), WHAT);
  const params = r.done ? null : r.read();
  r.end();
  return { oid, params };
}

/** The positive INTEGER as a JS number (iteration counts, key lengths). */
function smallCount(el: DerElement): number {
  if (el.tag !== Tag.INTEGER || el.value.length > 6 || el.value.length === 0 || el.value[0] & 0x80) throw config(`malformed ${WHAT}`);
  let n = 0;
  for (let i = 0; i < el.value.length; i++) n = n * 256 + el.value[i];
  return n;
}

/**
 * Decrypts a PBES2-encrypted PKCS#8 key with its passphrase and parses it (see parsePrivateKey). The result can be
 * passed as TlsClient's `key`. A wrong passphrase is a TlsError CONFIG saying so; nothing else escapes as a raw error.
 */
export function decryptPrivateKey(input: string | Uint8Array, passphrase: string | Uint8Array): PrivateKey {
  if (typeof passphrase !== "string" && !(passphrase instanceof Uint8Array)) throw config("the passphrase must be a string or bytes");
  let plain: Uint8Array;
  try {
    plain = decrypt(encryptedDer(input), typeof passphrase === "string" ? utf8Bytes(passphrase) : passphrase);
  } catch (e) {
    if (e instanceof TlsError && e.code === "CONFIG") throw e;
    throw config(`malformed ${WHAT}: ${e instanceof Error ? e.message : String(e)}`);
  }
  let key: PrivateKey;
  try {
    key = parsePrivateKey(plain);
  } catch {
    // CBC padding happens to check out for about 1 wrong passphrase in 256: the plaintext then does not parse.
    throw config("wrong passphrase for the encrypted private key");
  } finally {
    plain.fill(0);
  }
  return key;
}

function decrypt(der: Uint8Array, password: Uint8Array): Uint8Array {
  const outer = new DerReader(der, WHAT);
  const info = derChildren(outer.expect(Tag.SEQUENCE), WHAT);
  outer.end();
  const scheme = algorithm(info.expect(Tag.SEQUENCE));
  const encrypted = info.expect(Tag.OCTET_STRING).value;
  info.end();
  if (scheme.oid !== OID_PBES2 || !scheme.params || scheme.params.tag !== Tag.SEQUENCE) {
    throw config(`the private key is encrypted with ${scheme.oid}, not PBES2 (PBKDF2 + AES-CBC): re-encrypt it with \`openssl pkcs8 -topk8 -v2 aes-256-cbc\`, or decrypt it with \`openssl pkey -in key.pem -out key-plain.pem\``);
  }
  const pbes2 = derChildren(scheme.params, WHAT);
  const kdf = algorithm(pbes2.expect(Tag.SEQUENCE));
  const cipher = algorithm(pbes2.expect(Tag.SEQUENCE));
  pbes2.end();
  if (kdf.oid !== OID_PBKDF2 || !kdf.params || kdf.params.tag !== Tag.SEQUENCE) throw config(`unsupported key derivation ${kdf.oid} (PBKDF2 only)`);
  const keyLength = AES_CBC_KEY_LENGTH[cipher.oid];
  if (!keyLength) throw config(`unsupported key encryption ${cipher.oid} (AES-128/192/256-CBC only)`);
  if (!cipher.params || cipher.params.tag !== Tag.OCTET_STRING || cipher.params.value.length !== 16) throw config(`malformed ${WHAT} (AES-CBC IV)`);
  const iv = cipher.params.value;

  const p = derChildren(kdf.params, WHAT);
  const saltEl = p.expect(Tag.OCTET_STRING);
  const iterations = smallCount(p.expect(Tag.INTEGER));
  let declaredLength: number | null = null;
  if (p.peekTag() === Tag.INTEGER) declaredLength = derSmallInteger(p.read(), WHAT);
  let prf: Parameters<typeof pbkdf2>[0] = sha1; // RFC 8018 A.2: hmacWithSHA1 when absent
  if (!p.done) {
    const prfAlg = algorithm(p.expect(Tag.SEQUENCE));
    const found = PRFS[prfAlg.oid];
    if (!found) throw config(`unsupported PBKDF2 PRF ${prfAlg.oid}`);
    prf = found;
  }
  p.end();
  if (iterations < 1 || iterations > MAX_ITERATIONS) throw config(`PBKDF2 iteration count ${iterations} is out of range`);
  if (declaredLength !== null && declaredLength !== keyLength) throw config(`malformed ${WHAT} (key length)`);
  if (encrypted.length === 0 || encrypted.length % 16 !== 0) throw config(`malformed ${WHAT} (ciphertext length)`);

  const key = pbkdf2(prf, password, saltEl.value, { c: iterations, dkLen: keyLength });
  try {
    return cbc(key, iv).decrypt(encrypted);
  } catch {
    throw config("wrong passphrase for the encrypted private key");
  } finally {
    key.fill(0);
  }
}
