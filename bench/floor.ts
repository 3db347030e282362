// The floor: what the primitives a handshake cannot avoid cost, measured in this process on the same inputs —
// key share + shared secret (or the RSA premaster encryption), the ServerKeyExchange signature check, the two
// chain signature checks, the PRF calls, transcript hashing and both Finished records. Everything is noble
// called directly, except RSA, for which noble has nothing: there the floor is our own src/crypto/rsa.ts.
// Whatever a real handshake costs above this sum is protocol overhead: parsing, ASN.1, copies, allocation, I/O.
import { createPublicKey, sign as nodeSign, constants as cryptoConstants, randomBytes as nodeRandomBytes } from "node:crypto";
import { gcm } from "@noble/ciphers/aes.js";
import { x25519 } from "@noble/curves/ed25519.js";
import { p256 } from "@noble/curves/nist.js";
import { hmac } from "@noble/hashes/hmac.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { rsaPkcs1Encrypt, rsaPkcs1Verify, rsaPssVerify, type RsaPublicKey } from "../src/crypto/rsa.js";
import { splitCertificate } from "./der.js";
import { cpuPerOp } from "./measure.js";
import type { BenchChain, BenchPki } from "./pki.js";
import type { Scenario } from "./scenarios.js";

export interface FloorResult {
  /** Sum of the parts, CPU ms per handshake (each part timed on its own). */
  totalMs: number;
  parts: Record<string, number>;
  notes: string[];
}

export interface FloorPart {
  name: string;
  /** A chain signature check: src/x509 caches these across connections, so warm handshakes skip them. */
  chain: boolean;
  op: () => void;
}

export interface Floor {
  parts: FloorPart[];
  notes: string[];
  /** Every part once: what one full-verification handshake cannot avoid. */
  once(): void;
  /** Every part except the chain signature checks: the floor of a handshake whose chain checks hit the cache. */
  onceWarm(): void;
}

const random = (b: Uint8Array): void => {
  globalThis.crypto.getRandomValues(b as Uint8Array<ArrayBuffer>);
};
const rand = (n: number): Uint8Array => {
  const b = new Uint8Array(n);
  random(b);
  return b;
};
const b64url = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, "base64url"));
const toBig = (b: Uint8Array): bigint => BigInt(`0x${Buffer.from(b).toString("hex")}`);
const concat = (...parts: Uint8Array[]): Uint8Array => new Uint8Array(Buffer.concat(parts));
const ascii = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, "latin1"));

type Key = { type: "ec"; point: Uint8Array } | { type: "rsa"; key: RsaPublicKey };

function publicKeyOf(certPem: string): Key {
  const jwk = createPublicKey(certPem).export({ format: "jwk" });
  if (jwk.kty === "EC") return { type: "ec", point: concat(Uint8Array.of(4), b64url(jwk.x!), b64url(jwk.y!)) };
  const n = toBig(b64url(jwk.n!));
  return { type: "rsa", key: { n, e: toBig(b64url(jwk.e!)), bits: n.toString(2).length } };
}

/** One signature check, with the message hashing included (as the handshake must hash it too). */
function verifier(key: Key, kind: "ecdsa" | "pkcs1" | "pss"): (msg: Uint8Array, sig: Uint8Array) => boolean {
  if (key.type === "ec") return (msg, sig) => p256.verify(sig, msg, key.point, { prehash: true, lowS: false, format: "der" });
  if (kind === "pss") return (msg, sig) => rsaPssVerify(key.key, "sha256", msg, sig);
  return (msg, sig) => rsaPkcs1Verify(key.key, "sha256", msg, sig);
}

/** TLS 1.2 PRF with SHA-256 (RFC 5246 §5), straight on noble's HMAC. */
function prf(secret: Uint8Array, label: string, seed: Uint8Array, length: number): Uint8Array {
  const labelSeed = concat(ascii(label), seed);
  const out = new Uint8Array(length);
  let a = labelSeed;
  for (let filled = 0; filled < length; ) {
    a = hmac(sha256, secret, a);
    const block = hmac(sha256, secret, concat(a, labelSeed));
    const take = Math.min(block.length, length - filled);
    out.set(block.subarray(0, take), filled);
    filled += take;
  }
  return out;
}

function check(ok: boolean, what: string): void {
  if (!ok) throw new Error(`floor set-up: ${what} did not verify`);
}

export function prepareFloor(s: Scenario, pki: BenchPki): Floor {
  const chain: BenchChain = pki[s.chain];
  const notes: string[] = [];
  const list: FloorPart[] = [];
  const part = (name: string, op: () => void, isChain = false): void => void list.push({ name, op, chain: isChain });
  const clientRandom = rand(32);
  const serverRandom = rand(32);

  // --- key exchange, and what the server would have sent for it
  let serverKeyParams: Uint8Array = new Uint8Array(0);
  let clientKeyExchangeLength = 0;
  if (s.group === "x25519") {
    const serverPub = x25519.getPublicKey(rand(32));
    serverKeyParams = concat(Uint8Array.of(3, 0, 29, 32), serverPub);
    clientKeyExchangeLength = 1 + 32;
    part("key share + shared secret (x25519)", () => {
      const sk = rand(32);
      x25519.getPublicKey(sk);
      x25519.getSharedSecret(sk, serverPub);
    });
  } else if (s.group === "secp256r1") {
    const serverPub = p256.getPublicKey(p256.utils.randomSecretKey(), false);
    serverKeyParams = concat(Uint8Array.of(3, 0, 23, 65), serverPub);
    clientKeyExchangeLength = 1 + 65;
    part("key share + shared secret (P-256)", () => {
      const sk = p256.utils.randomSecretKey();
      p256.getPublicKey(sk, false);
      p256.getSharedSecret(sk, serverPub).subarray(1);
    });
  } else {
    const leafKey = publicKeyOf(chain.leaf.certPem);
    if (leafKey.type !== "rsa") throw new Error("RSA key exchange needs an RSA leaf");
    const premaster = concat(Uint8Array.of(3, 3), rand(46));
    clientKeyExchangeLength = 2 + 256;
    part("RSA premaster encryption (src/crypto/rsa.ts)", () => {
      rsaPkcs1Encrypt(leafKey.key, premaster, random);
    });
    notes.push("RSA: noble has no RSA, so the RSA parts of the floor are our own BigInt src/crypto/rsa.ts");
  }

  // --- ServerKeyExchange signature (ECDHE only)
  let skeLength = 0;
  if (s.group !== null) {
    const signed = concat(clientRandom, serverRandom, serverKeyParams);
    const leafKey = publicKeyOf(chain.leaf.certPem);
    let sig: Uint8Array;
    let verify: (m: Uint8Array, g: Uint8Array) => boolean;
    if (leafKey.type === "ec") {
      sig = new Uint8Array(nodeSign("sha256", signed, { key: chain.leaf.keyPem, dsaEncoding: "der" }));
      verify = verifier(leafKey, "ecdsa");
    } else {
      // OpenSSL servers pick rsa_pss_rsae_sha256 in TLS 1.2 when the client offers it; PKCS#1 costs the same modexp.
      sig = new Uint8Array(
        nodeSign("sha256", signed, { key: chain.leaf.keyPem, padding: cryptoConstants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }),
      );
      verify = verifier(leafKey, "pss");
      notes.push("RSA: the ServerKeyExchange check is timed as RSA-PSS-SHA256 (rsa_pss_rsae_sha256)");
    }
    check(verify(signed, sig), "ServerKeyExchange signature");
    skeLength = serverKeyParams.length + 4 + sig.length;
    part(`ServerKeyExchange signature check (${leafKey.type === "ec" ? "ECDSA P-256" : "RSA-2048 PSS"})`, () => void verify(signed, sig));
  }

  // --- the two chain signature checks: leaf by intermediate, intermediate by root
  const leafParts = splitCertificate(chain.leaf.der);
  const intParts = splitCertificate(chain.intermediate.der);
  const intKey = publicKeyOf(chain.intermediate.certPem);
  const rootKey = publicKeyOf(chain.root.certPem);
  const verifyLeaf = verifier(intKey, "pkcs1");
  const verifyInt = verifier(rootKey, "pkcs1");
  check(verifyLeaf(leafParts.tbs, leafParts.signature), "leaf certificate");
  check(verifyInt(intParts.tbs, intParts.signature), "intermediate certificate");
  part(
    `2 chain signature checks (${intKey.type === "ec" ? "ECDSA P-256" : "RSA-2048 PKCS#1"})`,
    () => {
      verifyLeaf(leafParts.tbs, leafParts.signature);
      verifyInt(intParts.tbs, intParts.signature);
    },
    true,
  );

  // --- transcript hashing, PRF (extended master secret, key block, both verify_data) and both Finished records
  const certificateMessage = 4 + 3 + (3 + chain.leaf.der.length) + (3 + chain.intermediate.der.length);
  const messages = [
    rand(4 + 180), // ClientHello, about this size with SNI, groups, signature_algorithms, EMS, renegotiation_info
    rand(4 + 70 + 20), // ServerHello
    rand(certificateMessage),
    ...(skeLength > 0 ? [rand(4 + skeLength)] : []),
    rand(4), // ServerHelloDone
    rand(4 + clientKeyExchangeLength),
  ];
  const premaster = rand(s.group === null ? 48 : 32);
  const clientFinished = rand(16);
  const serverFinished = rand(16);
  const setupKeys = prf(rand(48), "key expansion", rand(64), 40);
  const serverNonce = rand(12);
  const serverAad = rand(13);
  const serverOpenable = gcm(setupKeys.subarray(16, 32), serverNonce, serverAad).encrypt(serverFinished);
  part("PRF, transcript hash, both Finished", () => {
    const transcript = sha256.create();
    for (const m of messages) transcript.update(m);
    const sessionHash = transcript.clone().digest();
    const master = prf(premaster, "extended master secret", sessionHash, 48);
    const keyBlock = prf(master, "key expansion", concat(serverRandom, clientRandom), 40);
    prf(master, "client finished", transcript.clone().digest(), 12);
    gcm(keyBlock.subarray(0, 16), rand(12), rand(13)).encrypt(clientFinished);
    transcript.update(clientFinished);
    prf(master, "server finished", transcript.clone().digest(), 12);
    gcm(setupKeys.subarray(16, 32), serverNonce, serverAad).decrypt(serverOpenable);
  });

  const warm = list.filter((p) => !p.chain);
  return {
    parts: list,
    notes,
    once: () => list.forEach((p) => p.op()),
    onceWarm: () => warm.forEach((p) => p.op()),
  };
}

/** Each part timed on its own (median of batches), for the breakdown table. */
export function floorBreakdown(floor: Floor, batches = 5, perBatch = 20): FloorResult {
  const parts: Record<string, number> = {};
  for (const p of floor.parts) parts[p.name] = cpuPerOp(p.op, batches, perBatch);
  const totalMs = Object.values(parts).reduce((a, b) => a + b, 0);
  return { totalMs, parts, notes: floor.notes };
}

/** How much a PKCS#1 v1.5 and a PSS check cost on this RSA key, to show the SKE assumption does not matter. */
export function rsaSchemeSpread(pki: BenchPki): { pkcs1Ms: number; pssMs: number } {
  const key = publicKeyOf(pki.rsa.leaf.certPem);
  if (key.type !== "rsa") throw new Error("not RSA");
  const msg = new Uint8Array(nodeRandomBytes(100));
  const pkcs1 = new Uint8Array(nodeSign("sha256", msg, pki.rsa.leaf.keyPem));
  const pss = new Uint8Array(nodeSign("sha256", msg, { key: pki.rsa.leaf.keyPem, padding: cryptoConstants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }));
  check(rsaPkcs1Verify(key.key, "sha256", msg, pkcs1) && rsaPssVerify(key.key, "sha256", msg, pss), "RSA spread");
  return {
    pkcs1Ms: cpuPerOp(() => void rsaPkcs1Verify(key.key, "sha256", msg, pkcs1), 5, 20),
    pssMs: cpuPerOp(() => void rsaPssVerify(key.key, "sha256", msg, pss), 5, 20),
  };
}
