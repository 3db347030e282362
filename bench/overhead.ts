// The non-crypto cost of a handshake (issue #12): client CPU per handshake minus the primitives it cannot avoid.
//   npm run bench:overhead            (BENCH_N=40 by default)
// Method: the client runs in this process, `openssl s_server` in its own. Client CPU is process.cpuUsage summed
// only around the client's own calls (the TlsConnection constructor and every feed/output step, which includes its
// socket.write), so neither the server nor the event loop's socket reads are charged. Warm: the x509 signature
// cache has seen the chain, so the two chain signature checks are skipped, as on every connection after the first.
// The primitives are the same calls through the same src/crypto wrappers, timed in the same run: key share +
// ECDH (or the RSA premaster encryption) and the ServerKeyExchange signature check. overhead = handshake − those.
// Then a breakdown of the rest, each piece timed on its own in-process on the bench's real inputs.
import { Socket } from "node:net";
import { mkdirSync, readFileSync, writeFileSync, existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { createPublicKey, sign as nodeSign, constants as cryptoConstants } from "node:crypto";
import { TlsConnection } from "../src/index.js";
import { TrustStore, parseCertificate, verifyChain } from "../src/x509/index.js";
import { p256Group } from "../src/crypto/nist-ecdh.js";
import { x25519Group } from "../src/crypto/x25519.js";
import { verifySignature } from "../src/crypto/signature.js";
import { rsaPkcs1Encrypt } from "../src/crypto/rsa.js";
import { prf } from "../src/crypto/prf.js";
import { createHash } from "../src/crypto/hash.js";
import { cpuPerOp, stats } from "./measure.js";
import { BENCH_HOST, makeBenchPki, type BenchPki } from "./pki.js";
import type { Scenario } from "./scenarios.js";
import { OVERHEAD_SCENARIOS } from "./overhead-scenarios.js";
import { startServers, type Endpoint } from "./servers.js";

const random = (b: Uint8Array): void => void globalThis.crypto.getRandomValues(b as Uint8Array<ArrayBuffer>);
const rand = (n: number): Uint8Array => {
  const b = new Uint8Array(n);
  random(b);
  return b;
};


/** One handshake; resolves to the client CPU ms spent inside our calls. */
function handshakeCpu(ca: unknown, s: Scenario, ep: Endpoint): Promise<number> {
  let cpu = 0;
  const timed = <T>(f: () => T): T => {
    const c0 = process.cpuUsage();
    try {
      return f();
    } finally {
      const d = process.cpuUsage(c0);
      cpu += (d.user + d.system) / 1000;
    }
  };
  const conn = timed(() => new TlsConnection({ serverName: BENCH_HOST, ca, cipherSuites: [s.suite], ...(s.offered.length > 0 ? { groups: s.offered } : {}), random }));
  const socket = new Socket();
  socket.setNoDelay(true);
  return new Promise((res, rej) => {
    const step = (chunk?: Buffer): void => {
      timed(() => {
        if (chunk) conn.feed(chunk);
        const out = conn.output();
        if (out.length > 0) socket.write(out);
        conn.consumed(out.length);
      });
      if (conn.error) {
        socket.destroy();
        return rej(conn.error);
      }
      if (!conn.handshakeComplete) return;
      if (s.group !== null && conn.group !== s.group) return rej(new Error(`negotiated ${conn.group}, want ${s.group}`));
      socket.removeAllListeners("data");
      socket.once("close", () => res(cpu));
      socket.destroy();
    };
    socket.on("data", (d: Buffer) => step(d));
    socket.once("error", rej);
    socket.connect({ host: ep.host, port: ep.port }, () => step());
  });
}

/** The primitives the handshake performs, through the same wrappers, on equivalent inputs. */
function primitives(s: Scenario, pki: BenchPki): Record<string, () => void> {
  const chain = pki[s.chain];
  const leaf = parseCertificate(new Uint8Array(chain.leaf.der));
  const parts: Record<string, () => void> = {};
  if (s.group === null) {
    const pm = rand(48);
    if (leaf.publicKey.type !== "rsa") throw new Error("RSA kx needs an RSA leaf");
    const key = leaf.publicKey;
    parts["RSA premaster encryption"] = () => void rsaPkcs1Encrypt(key, pm, random);
    return parts;
  }
  const group = s.group === "x25519" ? x25519Group : p256Group;
  const peer = group.generate(random).publicKey;
  parts[`${s.group} key pair + ECDH`] = () => {
    const kp = group.generate(random);
    group.sharedSecret(kp.privateKey, peer);
  };
  const signed = rand(64 + 4 + peer.length);
  if (leaf.publicKey.type === "rsa") {
    const sig = new Uint8Array(nodeSign("sha256", signed, { key: chain.leaf.keyPem, padding: cryptoConstants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }));
    if (!verifySignature(leaf.publicKey, { kind: "rsa-pss", hash: "sha256" }, signed, sig)) throw new Error("SKE set-up");
    parts["SKE RSA-PSS verify"] = () => void verifySignature(leaf.publicKey, { kind: "rsa-pss", hash: "sha256" }, signed, sig);
  } else {
    const sig = new Uint8Array(nodeSign("sha256", signed, { key: chain.leaf.keyPem, dsaEncoding: "der" }));
    if (!verifySignature(leaf.publicKey, { kind: "ecdsa", hash: "sha256" }, signed, sig)) throw new Error("SKE set-up");
    parts["SKE ECDSA verify"] = () => void verifySignature(leaf.publicKey, { kind: "ecdsa", hash: "sha256" }, signed, sig);
  }
  return parts;
}

/** Non-crypto pieces of the rest, each timed alone on the bench's inputs. */
function breakdown(s: Scenario, pki: BenchPki, store: TrustStore): Record<string, number> {
  const chain = pki[s.chain];
  const leafDer = new Uint8Array(chain.leaf.der);
  const intDer = new Uint8Array(chain.intermediate.der);
  const out: Record<string, number> = {};
  const t = (name: string, op: () => void): void => void (out[name] = cpuPerOp(op, 7, 30));
  t("x509: parse leaf + intermediate", () => (parseCertificate(leafDer), parseCertificate(intDer)));
  verifyChain({ chain: [leafDer, intDer], trusted: store, hostname: BENCH_HOST, now: Date.now() });
  t("x509: verifyChain, signatures cached (parse + path + profile + hostname)", () => void verifyChain({ chain: [leafDer, intDer], trusted: store, hostname: BENCH_HOST, now: Date.now() }));
  const msgs = [rand(200), rand(100), rand(4 + 3 + 6 + leafDer.length + intDer.length), rand(s.group ? 340 : 4), rand(4), rand(s.group ? 70 : 262), rand(16)];
  t("transcript hashing (SHA-256 of the messages)", () => {
    const h = createHash("sha256");
    for (const m of msgs) h.update(m);
    h.digest();
  });
  const secret = rand(48);
  const seed = rand(64);
  t("PRF: master, key block, 2 verify_data", () => {
    prf("sha256", secret, "extended master secret", seed.subarray(0, 32), 48);
    prf("sha256", secret, "key expansion", seed, 40);
    prf("sha256", secret, "client finished", seed.subarray(0, 32), 12);
    prf("sha256", secret, "server finished", seed.subarray(0, 32), 12);
  });
  t("TlsConnection constructor (config resolution)", () => void new TlsConnection({ serverName: BENCH_HOST, ca: store, cipherSuites: [s.suite], ...(s.offered.length > 0 ? { groups: s.offered } : {}), random }));
  t("ca as PEM text per connect (parse, no store cache)", () => void new TrustStore(chain.rootPem));
  return out;
}

async function main(): Promise<void> {
  const tmp = `${fileURLToPath(new URL(".", import.meta.url))}.tmp/overhead`;
  mkdirSync(tmp, { recursive: true });
  const pki = makeBenchPki(tmp);
  const servers = await startServers(pki, OVERHEAD_SCENARIOS, []);
  const N = Number(process.env.BENCH_N ?? 40);
  const gc = (globalThis as { gc?: (o?: { type: "minor" | "major" }) => void }).gc;
  const results: Record<string, unknown> = {};
  try {
    const only = process.env.OVERHEAD_ONLY;
    const list = OVERHEAD_SCENARIOS.filter((s) => !only || s.id === only);
    // Warm the JIT on every scenario first, so the first row is not charged the compilation.
    for (const s of list) for (let i = 0; i < 15; i++) await handshakeCpu(new TrustStore(pki[s.chain].rootPem), s, servers.handshake("openssl", s));
    for (const s of list) {
      const ep = servers.handshake("openssl", s);
      const store = new TrustStore(pki[s.chain].rootPem);
      const prims = primitives(s, pki);
      const hs: number[] = [];
      const pr: Record<string, number[]> = Object.fromEntries(Object.keys(prims).map((k) => [k, []]));
      // Interleaved: each round one handshake and each primitive once, so both see the same machine load.
      for (let i = 0; i < 10 + N; i++) {
        gc?.({ type: "minor" });
        const ms = await handshakeCpu(store, s, ep);
        for (const [k, op] of Object.entries(prims)) {
          gc?.({ type: "minor" });
          const c0 = process.cpuUsage();
          op();
          const d = process.cpuUsage(c0);
          if (i >= 10) pr[k].push((d.user + d.system) / 1000);
        }
        if (i >= 10) hs.push(ms);
      }
      const handshakeMs = stats(hs).median;
      const primMs = Object.fromEntries(Object.entries(pr).map(([k, v]) => [k, stats(v).median]));
      const primTotal = Object.values(primMs).reduce((a, b) => a + b, 0);
      const rest = breakdown(s, pki, store);
      results[s.id] = { label: s.label, handshakeMs, primitivesMs: primTotal, overheadMs: handshakeMs - primTotal, primitives: primMs, breakdown: rest };
      console.log(`\n${s.label}: handshake ${handshakeMs.toFixed(3)} ms, primitives ${primTotal.toFixed(3)} ms, overhead ${(handshakeMs - primTotal).toFixed(3)} ms`);
      for (const [k, v] of Object.entries(primMs)) console.log(`  primitive  ${k}: ${v.toFixed(3)}`);
      for (const [k, v] of Object.entries(rest)) console.log(`  breakdown  ${k}: ${v.toFixed(3)}`);
    }
  } finally {
    servers.close();
  }
  if (process.env.OVERHEAD_SAVE) {
    const file = fileURLToPath(new URL("./results.json", import.meta.url));
    const all = existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>) : {};
    const prev = (all.overhead as Record<string, unknown> | undefined) ?? {};
    all.overhead = { ...prev, [process.env.OVERHEAD_SAVE]: { at: new Date().toISOString(), n: N, server: "openssl s_server", results } };
    writeFileSync(file, `${JSON.stringify(all, null, 2)}\n`);
  }
}

void main();
