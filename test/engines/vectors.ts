// The crypto vectors' quick subset for the engines: a deterministic, evenly spread sample of the Wycheproof files in
// vectors/wycheproof (valid and invalid cases only: "acceptable" ones depend on policy and are covered in Node),
// plus the TLS PRF known answers and FIPS 180 "abc" digests. Each case carries what a correct implementation must do.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT } from "./host.js";

export interface CaseInput {
  kind: "aead" | "ecdh" | "ecdsa" | "rsa-pkcs1" | "rsa-pss" | "hmac" | "prf" | "hash";
  [field: string]: unknown;
}

export interface EngineCase extends CaseInput {
  id: string;
  expect: boolean;
}

interface WTest {
  tcId: number;
  result: "valid" | "invalid" | "acceptable";
  flags: string[];
  [f: string]: unknown;
}
interface WGroup {
  tests: WTest[];
  [f: string]: unknown;
}

function load(name: string): WGroup[] {
  return (JSON.parse(readFileSync(join(REPO_ROOT, "vectors", "wycheproof", name), "utf8")) as { testGroups: WGroup[] }).testGroups;
}

/** Up to `perResult` valid and `perResult` invalid tests, evenly spread over the file. */
function sample(groups: WGroup[], perResult: number, keep: (g: WGroup, t: WTest) => boolean): Array<[WGroup, WTest]> {
  const all: Array<[WGroup, WTest]> = [];
  for (const g of groups) for (const t of g.tests) if (t.result !== "acceptable" && keep(g, t)) all.push([g, t]);
  const pick = (result: string) => {
    const of = all.filter(([, t]) => t.result === result);
    const step = Math.max(1, of.length / perResult);
    const out: Array<[WGroup, WTest]> = [];
    for (let i = 0; i < of.length && out.length < perResult; i += step) out.push(of[Math.floor(i)]);
    return out;
  };
  return [...pick("valid"), ...pick("invalid")];
}

function scalarHex(h: string, bytes: number): string {
  return BigInt("0x" + (h || "0"))
    .toString(16)
    .padStart(bytes * 2, "0");
}

/** The quick subset. `scale` multiplies the per-file sample size (1 = CI). */
export function engineCases(scale = 1): EngineCase[] {
  const n = (k: number) => Math.max(1, Math.round(k * scale));
  const cases: EngineCase[] = [];
  const add = (id: string, t: WTest, c: CaseInput) => cases.push({ id: `${id}#${t.tcId}`, expect: t.result === "valid", ...c });

  for (const [file, alg, keySizes] of [
    ["aes_gcm_test.json", "aes-gcm", [128, 256]],
    ["chacha20_poly1305_test.json", "chacha20-poly1305", [256]],
  ] as const) {
    const tls = (g: WGroup) => g.ivSize === 96 && g.tagSize === 128 && (keySizes as readonly number[]).includes(g.keySize as number);
    for (const [, t] of sample(load(file), n(12), tls)) {
      add(alg, t, { kind: "aead", alg, key: t.key, iv: t.iv, aad: t.aad, msg: t.msg, sealed: String(t.ct) + String(t.tag) });
    }
  }

  for (const [, t] of sample(load("x25519_test.json"), n(6), () => true)) {
    add("x25519", t, { kind: "ecdh", group: "x25519", priv: t.private, pub: t.public, shared: t.shared });
  }
  for (const [file, group, bytes, k] of [
    ["ecdh_secp256r1_ecpoint_test.json", "secp256r1", 32, 4],
    ["ecdh_secp384r1_ecpoint_test.json", "secp384r1", 48, 2],
  ] as const) {
    for (const [, t] of sample(load(file), n(k), () => true)) {
      add(group, t, { kind: "ecdh", group, priv: scalarHex(String(t.private), bytes), pub: t.public, shared: t.shared });
    }
  }

  for (const [file, curve, hash, k] of [
    ["ecdsa_secp256r1_sha256_test.json", "P-256", "sha256", 6],
    ["ecdsa_secp384r1_sha384_test.json", "P-384", "sha384", 3],
  ] as const) {
    for (const [g, t] of sample(load(file), n(k), () => true)) {
      add(`ecdsa-${curve}`, t, { kind: "ecdsa", curve, hash, key: (g.publicKey as { uncompressed: string }).uncompressed, msg: t.msg, sig: t.sig });
    }
  }

  const rsaKey = (g: WGroup) => {
    const k = g.publicKey as { modulus: string; publicExponent: string };
    return { n: k.modulus, e: k.publicExponent, hash: String(g.sha).replace("SHA-", "sha") };
  };
  for (const [g, t] of sample(load("rsa_signature_2048_sha256_test.json"), n(3), () => true)) {
    add("rsa-pkcs1-2048", t, { kind: "rsa-pkcs1", ...rsaKey(g), msg: t.msg, sig: t.sig });
  }
  for (const [g, t] of sample(load("rsa_pss_2048_sha256_mgf1_32_test.json"), n(3), () => true)) {
    add("rsa-pss-2048", t, { kind: "rsa-pss", ...rsaKey(g), saltLength: Number(g.sLen), msg: t.msg, sig: t.sig });
  }

  for (const [file, hash] of [
    ["hmac_sha256_test.json", "sha256"],
    ["hmac_sha384_test.json", "sha384"],
  ] as const) {
    for (const [, t] of sample(load(file), n(4), () => true)) add(`hmac-${hash}`, t, { kind: "hmac", hash, key: t.key, msg: t.msg, tag: t.tag });
  }

  const prf = JSON.parse(readFileSync(join(REPO_ROOT, "vectors", "prf.json"), "utf8")) as {
    cases: Array<{ hash: string; label: string; secret: string; seed: string; length: number; output: string }>;
  };
  prf.cases.slice(0, n(4)).forEach((c, i) => cases.push({ id: `prf#${i}`, expect: true, kind: "prf", ...c }));

  // FIPS 180-4 examples: SHA-2 of "abc".
  const abc = "616263";
  cases.push(
    { id: "sha256-abc", expect: true, kind: "hash", hash: "sha256", msg: abc, digest: "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" },
    {
      id: "sha384-abc",
      expect: true,
      kind: "hash",
      hash: "sha384",
      msg: abc,
      digest: "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7",
    },
    {
      id: "sha512-abc",
      expect: true,
      kind: "hash",
      hash: "sha512",
      msg: abc,
      digest: "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f",
    },
  );
  return cases;
}
