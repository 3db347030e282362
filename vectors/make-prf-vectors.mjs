// Generates vectors/prf.json: TLS 1.2 PRF known answers (RFC 5246 §5) from an independent implementation,
// node:crypto HMAC, so the tests of src/crypto/prf.ts do not check the code against itself.
// Run: node vectors/make-prf-vectors.mjs > vectors/prf.json
import { createHmac, createHash } from "node:crypto";

function pHash(hash, secret, seed, length) {
  const chunks = [];
  let total = 0;
  let a = seed; // A(0)
  while (total < length) {
    a = createHmac(hash, secret).update(a).digest(); // A(i) = HMAC(secret, A(i-1))
    const block = createHmac(hash, secret).update(Buffer.concat([a, seed])).digest();
    chunks.push(block);
    total += block.length;
  }
  return Buffer.concat(chunks).subarray(0, length);
}

function prf(hash, secret, label, seed, length) {
  return pHash(hash, secret, Buffer.concat([Buffer.from(label, "ascii"), seed]), length);
}

// Deterministic inputs (no randomness): byte strings derived from a counter through SHA-256.
function bytes(tag, length) {
  const out = [];
  for (let i = 0; out.length * 32 < length; i++) out.push(createHash("sha256").update(`${tag}/${i}`).digest());
  return Buffer.concat(out).subarray(0, length);
}

const cases = [];
const shapes = [
  // [label, secret length, seed length, output length]
  ["master secret", 48, 64, 48],
  ["extended master secret", 48, 32, 48],
  ["key expansion", 48, 64, 40],
  ["key expansion", 48, 64, 72],
  ["key expansion", 48, 64, 136],
  ["client finished", 48, 32, 12],
  ["server finished", 48, 48, 12],
  ["test label", 0, 0, 1],
  ["test label", 16, 13, 100],
  ["EXPORTER-label", 100, 77, 257],
  ["", 200, 1, 33],
];
for (const hash of ["sha256", "sha384"]) {
  shapes.forEach(([label, secretLength, seedLength, length], i) => {
    const secret = bytes(`${hash}-secret-${i}`, secretLength);
    const seed = bytes(`${hash}-seed-${i}`, seedLength);
    cases.push({
      hash,
      label,
      secret: secret.toString("hex"),
      seed: seed.toString("hex"),
      length,
      output: prf(hash, secret, label, seed, length).toString("hex"),
    });
  });
}

// Sanity check against the widely published TLS 1.2 PRF SHA-256 test vector (IETF TLS list, 2009).
const published = prf(
  "sha256",
  Buffer.from("9bbe436ba940f017b17652849a71db35", "hex"),
  "test label",
  Buffer.from("a0ba9f936cda311827a6f796ffd5198c", "hex"),
  100,
).toString("hex");
if (!published.startsWith("e3f229ba727be17b8d122620557cd453c2aab21d07c3d495329b52d4e61edb5a")) {
  throw new Error("P_SHA256 does not reproduce the published vector");
}

const doc = {
  description: "TLS 1.2 PRF (RFC 5246 section 5) known answers, computed by vectors/make-prf-vectors.mjs with node:crypto HMAC",
  cases,
};
process.stdout.write(JSON.stringify(doc, null, 2) + "\n");
