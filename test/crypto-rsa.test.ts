import { constants, createSign, createVerify, generateKeyPairSync, privateDecrypt, type KeyObject } from "node:crypto";
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { rsaPkcs1Decrypt } from "./helpers/rsa-decrypt.js";
import {
  rsaPkcs1Encrypt,
  rsaPkcs1Sign,
  rsaPkcs1Verify,
  rsaPssSign,
  rsaPssVerify,
  type RsaPrivateKey,
  type RsaPublicKey,
} from "../src/crypto/rsa.js";
import type { HashName } from "../src/crypto/hash.js";
import { resolveRandom } from "../src/crypto/random.js";
import { TlsError } from "../src/errors.js";
import { equalBytes } from "../src/bytes.js";
import { hex, hexToBigInt, loadWycheproof, newTally, record } from "./helpers/wycheproof.js";

const random = resolveRandom();

function wycheproofHash(sha: unknown): HashName {
  return String(sha).replace("SHA-", "sha") as HashName;
}

function wycheproofPublicKey(k: unknown): RsaPublicKey {
  const { modulus, publicExponent } = k as { modulus: string; publicExponent: string };
  const n = hexToBigInt(modulus);
  return { n, e: hexToBigInt(publicExponent), bits: n.toString(2).length };
}

describe.each([
  ["rsa_signature_2048_sha256_test.json", 9, 249],
  ["rsa_signature_2048_sha384_test.json", 7, 250],
  ["rsa_signature_2048_sha512_test.json", 8, 250],
  ["rsa_signature_3072_sha256_test.json", 8, 250],
  ["rsa_signature_4096_sha256_test.json", 7, 250],
] as const)("RSA PKCS#1 v1.5 verify (Wycheproof %s)", (file, validCount, invalidCount) => {
  it("accepts every valid signature and rejects every invalid one", () => {
    const tally = newTally();
    for (const g of loadWycheproof(file).testGroups) {
      const key = wycheproofPublicKey(g.publicKey);
      const hashName = wycheproofHash(g.sha);
      // Policy: the DigestInfo must be exactly the DER we would write, so a missing NULL parameter is refused.
      for (const t of g.tests) record(tally, t, rsaPkcs1Verify(key, hashName, hex(t.msg), hex(t.sig)), () => "reject");
    }
    expect(tally.failures).toEqual([]);
    expect(tally.valid).toBe(validCount);
    expect(tally.invalid).toBe(invalidCount);
    expect(tally.acceptableRejected).toBe(1);
  });
});

describe.each([
  ["rsa_pss_2048_sha256_mgf1_32_test.json", 63, 45],
  ["rsa_pss_3072_sha256_mgf1_32_test.json", 63, 45],
  ["rsa_pss_4096_sha384_mgf1_48_test.json", 95, 46],
  ["rsa_pss_4096_sha512_mgf1_64_test.json", 132, 47],
] as const)("RSA-PSS verify (Wycheproof %s)", (file, validCount, invalidCount) => {
  it("accepts every valid signature and rejects every invalid one", () => {
    const tally = newTally();
    for (const g of loadWycheproof(file).testGroups) {
      expect(g.mgf).toBe("MGF1");
      expect(g.mgfSha).toBe(g.sha);
      const key = wycheproofPublicKey(g.publicKey);
      const hashName = wycheproofHash(g.sha);
      const saltLength = Number(g.sLen);
      for (const t of g.tests) {
        const accepted = rsaPssVerify(key, hashName, hex(t.msg), hex(t.sig), saltLength);
        // The default salt length is the hash length, which is what these files use.
        expect(rsaPssVerify(key, hashName, hex(t.msg), hex(t.sig))).toBe(accepted);
        record(tally, t, accepted);
      }
    }
    expect(tally.failures).toEqual([]);
    expect(tally.valid).toBe(validCount);
    expect(tally.invalid).toBe(invalidCount);
  });
});

function wycheproofPrivateKey(k: unknown): RsaPrivateKey {
  const f = k as Record<string, string>;
  const n = hexToBigInt(f.modulus);
  return {
    n,
    e: hexToBigInt(f.publicExponent),
    bits: n.toString(2).length,
    d: hexToBigInt(f.privateExponent),
    p: hexToBigInt(f.prime1),
    q: hexToBigInt(f.prime2),
    dp: hexToBigInt(f.exponent1),
    dq: hexToBigInt(f.exponent2),
    qinv: hexToBigInt(f.coefficient),
  };
}

describe("RSA PKCS#1 v1.5 decryption (Wycheproof rsa_pkcs1_2048_test.json)", () => {
  it("decrypts every valid ciphertext and refuses every invalid one alike (null)", () => {
    const tally = newTally();
    for (const g of loadWycheproof("rsa_pkcs1_2048_test.json").testGroups) {
      const key = wycheproofPrivateKey(g.privateKey);
      for (const t of g.tests) {
        const out = rsaPkcs1Decrypt(key, hex(t.ct), random);
        record(tally, t, out !== null && equalBytes(out, hex(t.msg)));
      }
    }
    expect(tally.failures).toEqual([]);
    expect(tally.valid).toBe(42);
    expect(tally.invalid).toBe(25);
  });

  it("round-trips our encryption under the vector keys", () => {
    const g = loadWycheproof("rsa_pkcs1_2048_test.json").testGroups[0];
    const key = wycheproofPrivateKey(g.privateKey);
    for (const len of [0, 1, 48, 245]) {
      const msg = new Uint8Array(len).map((_, i) => i + 1);
      expect(rsaPkcs1Decrypt(key, rsaPkcs1Encrypt(key, msg, random), random)).toEqual(msg);
    }
    expect(() => rsaPkcs1Encrypt(key, new Uint8Array(246), random)).toThrow(TlsError);
  });
});

// ---------- against node:crypto / the openssl CLI with freshly generated keys ----------

function b64uToBigInt(s?: string): bigint {
  return BigInt("0x" + Buffer.from(s ?? "", "base64url").toString("hex"));
}

function nodeRsaKey(bits: number): { privateKey: KeyObject; publicKey: KeyObject; key: RsaPrivateKey } {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: bits });
  const j = privateKey.export({ format: "jwk" });
  const key: RsaPrivateKey = {
    n: b64uToBigInt(j.n),
    e: b64uToBigInt(j.e),
    bits,
    d: b64uToBigInt(j.d),
    p: b64uToBigInt(j.p),
    q: b64uToBigInt(j.q),
    dp: b64uToBigInt(j.dp),
    dq: b64uToBigInt(j.dq),
    qinv: b64uToBigInt(j.qi),
  };
  return { privateKey, publicKey, key };
}

const pss = { padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST };
const message = new Uint8Array(777).map((_, i) => (i * 13) & 0xff);

describe.each([2048, 3072])("RSA-%i against node:crypto", (bits) => {
  const { privateKey, publicKey, key } = nodeRsaKey(bits);

  it.each(["sha256", "sha384", "sha512"] as const)("PKCS#1 v1.5 with %s: same signature bytes as OpenSSL, both verify", (h) => {
    const theirs = new Uint8Array(createSign(h).update(message).sign(privateKey));
    expect(rsaPkcs1Verify(key, h, message, theirs)).toBe(true);
    const ours = rsaPkcs1Sign(key, h, message, random);
    expect(ours).toEqual(theirs); // PKCS#1 v1.5 is deterministic
    expect(rsaPkcs1Verify(key, h, Uint8Array.of(...message, 1), ours)).toBe(false);
    expect(rsaPkcs1Verify(key, h === "sha256" ? "sha384" : "sha256", message, ours)).toBe(false);
  });

  it.each(["sha256", "sha384", "sha512"] as const)("PSS with %s: we verify OpenSSL's, OpenSSL verifies ours", (h) => {
    const theirs = new Uint8Array(createSign(h).update(message).sign({ key: privateKey, ...pss }));
    expect(rsaPssVerify(key, h, message, theirs)).toBe(true);
    const ours = rsaPssSign(key, h, message, random);
    expect(createVerify(h).update(message).verify({ key: publicKey, ...pss }, ours)).toBe(true);
    expect(rsaPssVerify(key, h, message, ours)).toBe(true);
    expect(rsaPssVerify(key, h, message.subarray(1), ours)).toBe(false);
    expect(rsaPssVerify(key, h, message, ours, 0)).toBe(false); // wrong salt length
  });

  it("encrypts with nonzero random padding: 00 02 PS(>= 8 nonzero) 00 M", () => {
    // A source that mostly yields zeros forces the padding loop to replace them.
    let counter = 0;
    const zeroHeavy = (buf: Uint8Array) => {
      for (let i = 0; i < buf.length; i++) buf[i] = counter++ % 3 === 0 ? 0x5a : 0;
    };
    const data = Uint8Array.of(3, 3, 1, 2, 3);
    const ct = rsaPkcs1Encrypt(key, data, zeroHeavy);
    const em = new Uint8Array(privateDecrypt({ key: privateKey, padding: constants.RSA_NO_PADDING }, ct));
    expect(em.length).toBe(bits / 8);
    expect([em[0], em[1]]).toEqual([0, 2]);
    const ps = em.subarray(2, em.length - data.length - 1);
    expect(ps.length).toBeGreaterThanOrEqual(8);
    expect(ps.every((b) => b !== 0)).toBe(true);
    expect(em[em.length - data.length - 1]).toBe(0);
    expect(em.subarray(em.length - data.length)).toEqual(data);
  });
});

describe("RSA encryption decrypted by the openssl CLI", () => {
  const dir = mkdtempSync(join(tmpdir(), "microtls-rsa-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("openssl pkeyutl recovers a premaster secret we encrypted", () => {
    const { privateKey, key } = nodeRsaKey(2048);
    const keyFile = join(dir, "key.pem");
    writeFileSync(keyFile, privateKey.export({ format: "pem", type: "pkcs8" }));
    const premaster = new Uint8Array(48).map((_, i) => (i === 0 ? 3 : i === 1 ? 3 : i * 5));
    const ct = rsaPkcs1Encrypt(key, premaster, random);
    const out = execFileSync("openssl", ["pkeyutl", "-decrypt", "-inkey", keyFile, "-pkeyopt", "rsa_padding_mode:pkcs1"], {
      input: Buffer.from(ct),
    });
    expect(new Uint8Array(out)).toEqual(premaster);
  });
});

describe("RSA safety rails", () => {
  const { key } = nodeRsaKey(2048);

  it("refuses moduli under 1024 bits: verify false, encrypt and sign throw TlsError", () => {
    const small = nodeRsaKey(1000);
    const sig = new Uint8Array(createSign("sha256").update(message).sign(small.privateKey));
    expect(rsaPkcs1Verify(small.key, "sha256", message, sig)).toBe(false);
    expect(() => rsaPkcs1Encrypt(small.key, Uint8Array.of(1), random)).toThrow(TlsError);
    expect(() => rsaPkcs1Sign(small.key, "sha256", message, random)).toThrow(TlsError);
    // 1024 bits is the floor and still works.
    const ok = nodeRsaKey(1024);
    expect(rsaPkcs1Verify(ok.key, "sha256", message, rsaPkcs1Sign(ok.key, "sha256", message, random))).toBe(true);
  });

  it("a faulty CRT half is caught by the public-key check instead of leaking a bad signature", () => {
    const faulty: RsaPrivateKey = { ...key, dp: key.dp + BigInt(2) };
    expect(() => rsaPkcs1Sign(faulty, "sha256", message, random)).toThrow(TlsError);
    expect(() => rsaPssSign(faulty, "sha256", message, random)).toThrow(/self-check/);
  });

  it("refuses an inconsistent private key", () => {
    expect(() => rsaPkcs1Sign({ ...key, q: key.q + BigInt(2) }, "sha256", message, random)).toThrow(TlsError);
  });

  it("blinds private operations with the injected random source", () => {
    let requested = 0;
    const counting = (buf: Uint8Array) => {
      requested += buf.length;
      random(buf);
    };
    const a = rsaPkcs1Sign(key, "sha256", message, counting);
    expect(requested).toBeGreaterThanOrEqual(256);
    expect(rsaPkcs1Verify(key, "sha256", message, a)).toBe(true);
  });

  it("verify never throws on hostile signatures or keys", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 300 }), (sig) => {
        expect(rsaPkcs1Verify(key, "sha256", message, sig)).toBe(false);
        expect(rsaPssVerify(key, "sha256", message, sig)).toBe(false);
      }),
      { numRuns: 200 },
    );
    const sig = rsaPkcs1Sign(key, "sha256", message, random);
    const weird: RsaPublicKey[] = [
      { n: BigInt(0), e: BigInt(65537), bits: 0 },
      { n: key.n, e: BigInt(1), bits: 2048 },
      { n: key.n, e: BigInt(65536), bits: 2048 },
      { n: -key.n, e: key.e, bits: 2048 },
    ];
    for (const k of weird) {
      expect(rsaPkcs1Verify(k, "sha256", message, sig)).toBe(false);
      expect(rsaPssVerify(k, "sha256", message, sig)).toBe(false);
    }
    expect(rsaPkcs1Verify(key, "md5" as HashName, message, sig)).toBe(false);
    expect(rsaPssVerify(key, "sha256", message, sig, -1)).toBe(false);
    expect(rsaPssVerify(key, "sha256", message, sig, 1.5)).toBe(false);
    // A signature equal to n (not reduced) and one with a leading zero byte are malformed.
    const nBytes = hex(key.n.toString(16));
    expect(rsaPkcs1Verify(key, "sha256", message, nBytes)).toBe(false);
    expect(rsaPkcs1Verify(key, "sha256", message, Uint8Array.of(0, ...sig))).toBe(false);
  });
});
