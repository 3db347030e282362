// The Wycheproof subset through the CryptoProvider interface, for both providers: noble (the default) and
// node:crypto (microtls/node). ECDH goes through bindGroup, the wrapper the handshake itself puts around a provider's
// group, so the TLS checks (encodings, all-zero X25519) are exercised with each implementation underneath.
import { describe, expect, it } from "vitest";
import { equalBytes } from "../src/bytes.js";
import type { GroupName } from "../src/crypto/ecdh.js";
import type { HashName } from "../src/crypto/hash.js";
import { nobleProvider } from "../src/crypto/noble-provider.js";
import type { AeadName, CryptoProvider } from "../src/crypto/provider.js";
import type { RsaPublicKey } from "../src/crypto/rsa.js";
import { rsaPkcs1Decrypt } from "./helpers/rsa-decrypt.js";
import { TlsError } from "../src/errors.js";
import { bindGroup } from "../src/handshake/provider-config.js";
import { nodeCryptoProvider } from "../src/node/native-provider.js";
import { hex, hexToBigInt, loadWycheproof, newTally, record, type Tally } from "./helpers/wycheproof.js";

const PROVIDERS: Array<[string, CryptoProvider]> = [
  ["noble", nobleProvider],
  ["node:crypto", nodeCryptoProvider],
];

function aeadVectors(p: CryptoProvider, file: string, names: Record<number, AeadName>): Tally {
  const tally = newTally();
  for (const g of loadWycheproof(file).testGroups) {
    const name = names[g.keySize as number];
    if (g.ivSize !== 96 || g.tagSize !== 128 || !name) {
      tally.skipped += g.tests.length;
      continue;
    }
    for (const t of g.tests) {
      const aead = p.aead![name]!(hex(t.key));
      const iv = hex(t.iv);
      const aad = hex(t.aad);
      const msg = hex(t.msg);
      const sealed = new Uint8Array([...hex(t.ct), ...hex(t.tag)]);
      const opened = aead.open(iv, sealed, aad);
      record(tally, t, opened !== null && equalBytes(opened, msg) && equalBytes(aead.seal(iv, msg, aad), sealed));
    }
  }
  return tally;
}

function scalarBytes(s: unknown, length: number): Uint8Array {
  return hex(hexToBigInt(s).toString(16).padStart(length * 2, "0"));
}

function ecdhVectors(p: CryptoProvider, file: string, name: GroupName, scalarLength: number, policy: (flags: string[]) => "accept" | "reject"): Tally {
  const group = bindGroup(name, p.ecdh![name]!);
  const tally = newTally();
  for (const g of loadWycheproof(file).testGroups) {
    for (const t of g.tests) {
      let out: Uint8Array | null;
      try {
        out = group.sharedSecret(name === "x25519" ? hex(t.private) : scalarBytes(t.private, scalarLength), hex(t.public));
      } catch (e) {
        if (!(e instanceof TlsError) || e.code !== "ILLEGAL_PARAMETER" || e.alert !== undefined) throw e;
        out = null;
      }
      const accepted = out !== null && equalBytes(out, hex(t.shared));
      if (out !== null && !accepted) tally.failures.push(`tcId ${t.tcId}: wrong shared secret`);
      record(tally, t, accepted, policy);
    }
  }
  return tally;
}

function rsaKey(k: unknown, withBytes: boolean): RsaPublicKey {
  const { modulus, publicExponent } = k as { modulus: string; publicExponent: string };
  const n = hexToBigInt(modulus);
  const key: RsaPublicKey = { n, e: hexToBigInt(publicExponent), bits: n.toString(2).length };
  // Half the groups carry the DER bytes as certificates do, half only the integers (a key from parsePrivateKey).
  if (withBytes) {
    key.modulus = hex(n.toString(16).padStart(Math.ceil(n.toString(16).length / 2) * 2, "0"));
    key.exponent = hex(key.e.toString(16).padStart(Math.ceil(key.e.toString(16).length / 2) * 2, "0"));
  }
  return key;
}

const sha = (s: unknown) => String(s).replace("SHA-", "sha") as HashName;

describe.each(PROVIDERS)("Wycheproof through the %s provider", (_label, p) => {
  it("AES-128/256-GCM and ChaCha20-Poly1305", () => {
    const gcm = aeadVectors(p, "aes_gcm_test.json", { 128: "aes-128-gcm", 256: "aes-256-gcm" });
    expect(gcm.failures).toEqual([]);
    expect([gcm.valid, gcm.invalid]).toEqual([79, 54]);
    const chacha = aeadVectors(p, "chacha20_poly1305_test.json", { 256: "chacha20-poly1305" });
    expect(chacha.failures).toEqual([]);
    expect([chacha.valid, chacha.invalid]).toEqual([256, 60]);
  });

  it("HMAC-SHA-256/384 and the incremental hashes", () => {
    for (const [file, name] of [["hmac_sha256_test.json", "sha256"], ["hmac_sha384_test.json", "sha384"]] as const) {
      const tally = newTally();
      for (const g of loadWycheproof(file).testGroups) {
        const tagBytes = (g.tagSize as number) / 8;
        for (const t of g.tests) record(tally, t, equalBytes(p.hmac![name]!(hex(t.key), hex(t.msg)).subarray(0, tagBytes), hex(t.tag)));
      }
      expect(tally.failures).toEqual([]);
      expect(tally.valid + tally.invalid).toBe(174);
    }
    // A clone peeks at the digest and the original goes on, as the transcript needs.
    const h = p.hash!.sha256!().update(Uint8Array.of(1, 2));
    const peek = h.clone().digest();
    h.update(Uint8Array.of(3));
    expect(equalBytes(peek, p.hash!.sha256!().update(Uint8Array.of(1, 2)).digest())).toBe(true);
    expect(equalBytes(h.digest(), nobleProvider.hash!.sha256!().update(Uint8Array.of(1, 2, 3)).digest())).toBe(true);
  });

  it("X25519 (a zero shared secret refused, every other vector computed)", () => {
    const tally = ecdhVectors(p, "x25519_test.json", "x25519", 32, (flags) => (flags.includes("ZeroSharedSecret") ? "reject" : "accept"));
    expect(tally.failures).toEqual([]);
    expect([tally.valid, tally.acceptableRejected, tally.acceptableAccepted]).toEqual([264, 31, 223]);
  });

  it.each([
    ["ecdh_secp256r1_ecpoint_test.json", "secp256r1", 32, 330, 24],
    ["ecdh_secp384r1_ecpoint_test.json", "secp384r1", 48, 771, 18],
  ] as const)("NIST ECDH %s (compressed points refused)", (file, name, length, valid, invalid) => {
    const tally = ecdhVectors(p, file, name, length, (flags) => (flags.includes("CompressedPoint") ? "reject" : "accept"));
    expect(tally.failures).toEqual([]);
    expect([tally.valid, tally.invalid, tally.acceptableRejected]).toEqual([valid, invalid, 1]);
  }, 180_000);

  it.each([
    ["ecdsa_secp256r1_sha256_test.json", "P-256", "sha256", 174, 310],
    ["ecdsa_secp256r1_sha512_test.json", "P-256", "sha512", 243, 311],
    ["ecdsa_secp384r1_sha256_test.json", "P-384", "sha256", 162, 310],
    ["ecdsa_secp384r1_sha384_test.json", "P-384", "sha384", 194, 310],
  ] as const)("ECDSA %s", (file, curve, hashName, valid, invalid) => {
    const tally = newTally();
    for (const g of loadWycheproof(file).testGroups) {
      const key = hex((g.publicKey as { uncompressed: string }).uncompressed);
      for (const t of g.tests) record(tally, t, p.verify!.ecdsa!(curve, key, hashName, hex(t.msg), hex(t.sig)));
    }
    expect(tally.failures).toEqual([]);
    expect([tally.valid, tally.invalid]).toEqual([valid, invalid]);
  }, 180_000);

  it.each([
    ["rsa_signature_2048_sha256_test.json", 9, 249],
    ["rsa_signature_2048_sha384_test.json", 7, 250],
    ["rsa_signature_2048_sha512_test.json", 8, 250],
    ["rsa_signature_3072_sha256_test.json", 8, 250],
    ["rsa_signature_4096_sha256_test.json", 7, 250],
  ] as const)("RSA PKCS#1 v1.5 %s", (file, valid, invalid) => {
    const tally = newTally();
    loadWycheproof(file).testGroups.forEach((g, i) => {
      const key = rsaKey(g.publicKey, i % 2 === 0);
      for (const t of g.tests) record(tally, t, p.verify!.rsaPkcs1!(key, sha(g.sha), hex(t.msg), hex(t.sig)), () => "reject");
    });
    expect(tally.failures).toEqual([]);
    expect([tally.valid, tally.invalid, tally.acceptableRejected]).toEqual([valid, invalid, 1]);
  });

  it.each([
    ["rsa_pss_2048_sha256_mgf1_32_test.json", 63, 45],
    ["rsa_pss_3072_sha256_mgf1_32_test.json", 63, 45],
    ["rsa_pss_4096_sha384_mgf1_48_test.json", 95, 46],
    ["rsa_pss_4096_sha512_mgf1_64_test.json", 132, 47],
  ] as const)("RSA-PSS %s", (file, valid, invalid) => {
    const tally = newTally();
    loadWycheproof(file).testGroups.forEach((g, i) => {
      const key = rsaKey(g.publicKey, i % 2 === 0);
      for (const t of g.tests) record(tally, t, p.verify!.rsaPss!(key, sha(g.sha), hex(t.msg), hex(t.sig), Number(g.sLen)));
    });
    expect(tally.failures).toEqual([]);
    expect([tally.valid, tally.invalid]).toEqual([valid, invalid]);
  });

  it("RSA encryption: Wycheproof's private key decrypts what the provider encrypts, with fresh padding each time", () => {
    // (Node no longer decrypts PKCS#1 v1.5, so our own decryption, itself Wycheproof-checked, is the other side.)
    const g = loadWycheproof("rsa_pkcs1_2048_test.json").testGroups[0];
    const f = g.privateKey as Record<string, string>;
    const pub = rsaKey(f, true);
    const priv = { ...pub, d: hexToBigInt(f.privateExponent), p: hexToBigInt(f.prime1), q: hexToBigInt(f.prime2),
      dp: hexToBigInt(f.exponent1), dq: hexToBigInt(f.exponent2), qinv: hexToBigInt(f.coefficient) };
    const premaster = hex("0303" + "ab".repeat(46));
    const random = (b: Uint8Array) => void crypto.getRandomValues(b as Uint8Array<ArrayBuffer>);
    const c1 = p.rsaEncrypt!(pub, premaster, random);
    const c2 = p.rsaEncrypt!(pub, premaster, random);
    expect(c1.length).toBe(256);
    expect(equalBytes(c1, c2)).toBe(false);
    for (const c of [c1, c2]) expect(equalBytes(rsaPkcs1Decrypt(priv, c, random)!, premaster)).toBe(true);
  });
});
