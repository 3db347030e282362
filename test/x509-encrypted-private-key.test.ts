import { createPrivateKey } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { TlsError } from "../src/errors.js";
import { decryptPrivateKey } from "../src/x509/encrypted-private-key.js";
import { parsePrivateKey, type PrivateKey } from "../src/x509/private-key.js";
import { clientPkiFor, keyDir, openssl, type ClientPki } from "./helpers/client-keys.js";
import { expectTlsError } from "./helpers/expect-tls-error.js";
import type { KeyKind } from "./helpers/pki.js";

let pki: ClientPki;
beforeAll(() => {
  pki = clientPkiFor();
});

/** Encrypts a client key with `openssl pkcs8 -topk8` and the given options; returns the file path. */
function encrypt(kind: KeyKind, name: string, args: string[], pass = "correct horse"): string {
  const dir = keyDir();
  const out = join(dir, `enc-${kind}-${name}`);
  openssl(["pkcs8", "-topk8", "-in", pki.clients[kind].keyPath, "-passout", `pass:${pass}`, "-out", out, ...args], dir);
  return out;
}

function sameKey(a: PrivateKey, b: PrivateKey): void {
  if (a.type === "rsa" && b.type === "rsa") expect(a.d === b.d && a.n === b.n).toBe(true);
  else if (a.type === "ec" && b.type === "ec") expect(Buffer.from(a.d).equals(Buffer.from(b.d))).toBe(true);
  else expect.unreachable("key types differ");
}

function configError(fn: () => unknown, re: RegExp): void {
  expectTlsError(fn, "CONFIG", undefined, re);
}

describe("decryptPrivateKey (PBES2: PBKDF2 + AES-CBC)", () => {
  const variants: Array<[string, string[]]> = [
    ["aes-256-cbc, hmacWithSHA256 (the OpenSSL default)", ["-v2", "aes-256-cbc"]],
    ["aes-128-cbc, hmacWithSHA1", ["-v2", "aes-128-cbc", "-v2prf", "hmacWithSHA1"]],
    ["aes-192-cbc, hmacWithSHA512", ["-v2", "aes-192-cbc", "-v2prf", "hmacWithSHA512"]],
    ["aes-256-cbc, hmacWithSHA384, 1 iteration", ["-v2", "aes-256-cbc", "-v2prf", "hmacWithSHA384", "-iter", "1"]],
  ];
  for (const kind of ["p256", "p384", "rsa2048"] as KeyKind[]) {
    for (const [name, args] of variants) {
      it(`${kind}: ${name}`, () => {
        const path = encrypt(kind, name.replace(/\W+/g, "-"), args);
        const text = readFileSync(path, "utf8");
        expect(text).toContain("BEGIN ENCRYPTED PRIVATE KEY");
        sameKey(decryptPrivateKey(text, "correct horse"), parsePrivateKey(pki.clients[kind].keyPem));
      });
    }
  }

  it("takes DER, bytes and a non-ASCII passphrase (UTF-8, as OpenSSL reads it)", () => {
    const path = encrypt("p256", "der", ["-v2", "aes-256-cbc", "-outform", "DER"], "pässwörd ✓");
    const der = new Uint8Array(readFileSync(path));
    expect(der[0]).toBe(0x30);
    sameKey(decryptPrivateKey(der, "pässwörd ✓"), parsePrivateKey(pki.clients.p256.keyPem));
    sameKey(decryptPrivateKey(der, new Uint8Array(Buffer.from("pässwörd ✓", "utf8"))), parsePrivateKey(pki.clients.p256.keyPem));
  });

  it("keys from openssl genpkey -aes256 work too", () => {
    const text = openssl(["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-384", "-aes256", "-pass", "pass:s3cret"], keyDir());
    const key = decryptPrivateKey(text, "s3cret");
    expect(key.type === "ec" && key.curve).toBe("P-384");
    const jwk = createPrivateKey({ key: text, passphrase: "s3cret" }).export({ format: "jwk" });
    expect(key.type === "ec" && Buffer.from(key.d).toString("base64url")).toBe(jwk.d);
  });

  it("says 'wrong passphrase' for every wrong passphrase (also when the CBC padding happens to check out)", () => {
    const text = readFileSync(encrypt("rsa2048", "wrong", ["-v2", "aes-256-cbc", "-iter", "1"]), "utf8");
    for (let i = 0; i < 300; i++) configError(() => decryptPrivateKey(text, `guess ${i}`), /^wrong passphrase/);
  });

  it("points legacy Proc-Type keys and PBES1 keys to the openssl command that converts them", () => {
    const dir = keyDir();
    const legacy = openssl(["ec", "-in", pki.clients.p256.keyPath, "-aes256", "-passout", "pass:x"], dir);
    configError(() => decryptPrivateKey(legacy, "x"), /legacy encryption.*openssl pkcs8 -topk8 -v2 aes-256-cbc/);
    const pbes1 = readFileSync(encrypt("p256", "pbes1", ["-v1", "PBE-SHA1-3DES"], "x"), "utf8");
    configError(() => decryptPrivateKey(pbes1, "x"), /not PBES2/);
    configError(() => decryptPrivateKey(pki.clients.p256.keyPem, "x"), /no -----BEGIN ENCRYPTED PRIVATE KEY/);
  });

  it("hostile bytes give TlsError CONFIG only (fast-check)", () => {
    const der = new Uint8Array(readFileSync(encrypt("p256", "fuzz", ["-v2", "aes-128-cbc", "-iter", "1", "-outform", "DER"], "x")));
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 3 }), fc.nat(), (edits, cut) => {
        const bytes = der.slice();
        for (const [at, v] of edits) bytes[at % bytes.length] = v;
        try {
          decryptPrivateKey(cut % 4 === 0 ? bytes.subarray(0, cut % bytes.length) : bytes, "x");
        } catch (e) {
          if (!(e instanceof TlsError) || e.code !== "CONFIG") throw e;
        }
      }),
      { numRuns: 300 },
    );
  });
});
