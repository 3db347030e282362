// Writes the committed seed corpus (test/fuzz/corpus/<target>/seed-*): valid examples from the recorded
// transcripts (vectors/transcript-*.json), keys made with openssl, and an encoded session. Run once:
// `npx tsx test/fuzz/make-seeds.ts` (needs openssl on PATH); the fuzzer adds found-* files next to them.
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { encodeSession, type TlsSession } from "../../src/handshake/session.js";
import { parseCertificateList } from "../../src/handshake/messages.js";
import { parsePem } from "../../src/x509/pem.js";
import { CORPUS_ROOT } from "./engine.js";

const VECTORS = new URL("../../vectors/", import.meta.url).pathname;

function put(target: string, name: string, data: Uint8Array | string): void {
  const dir = join(CORPUS_ROOT, target);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `seed-${name}`), typeof data === "string" ? data : Buffer.from(data));
}

function hex(s: string): Uint8Array {
  return Uint8Array.from(Buffer.from(s, "hex"));
}

function records(stream: Uint8Array): { type: number; fragment: Uint8Array }[] {
  const out: { type: number; fragment: Uint8Array }[] = [];
  for (let at = 0; at + 5 <= stream.length; ) {
    const length = (stream[at + 3] << 8) | stream[at + 4];
    out.push({ type: stream[at], fragment: stream.subarray(at + 5, at + 5 + length) });
    at += 5 + length;
  }
  return out;
}

const byType: Record<number, string[]> = {
  1: ["client-hello"],
  2: ["server-hello"],
  11: ["certificate-message", "verify-chain"],
  12: ["server-key-exchange"],
  13: ["certificate-request"],
};

for (const f of readdirSync(VECTORS).filter((f) => /^transcript-.*\.json$/.test(f))) {
  const t = JSON.parse(readFileSync(VECTORS + f, "utf8")) as { ca: string; server: string; client: string };
  const tag = f.replace(/^transcript-|\.json$/g, "");
  const server = hex(t.server);
  const rs = records(server);
  // The server's plaintext flight (up to its ChangeCipherSpec) for the stream targets: byte 0 is the chunking.
  let flightEnd = 0;
  for (const r of rs) {
    if (r.type === 20) break;
    flightEnd += 5 + r.fragment.length;
  }
  put("deframer", tag, Uint8Array.of(0, ...server.subarray(0, flightEnd)));
  put("record-layer", tag, Uint8Array.of(0, ...server.subarray(0, flightEnd)));
  put("record-layer", `${tag}-protected`, Uint8Array.of(3, ...server.subarray(flightEnd + 6)));
  for (const stream of [server.subarray(0, flightEnd), hex(t.client).subarray(0, records(hex(t.client))[0].fragment.length + 5)]) {
    const hs = records(stream).filter((r) => r.type === 22);
    const joined = Buffer.concat(hs.map((r) => r.fragment));
    for (let at = 0; at + 4 <= joined.length; ) {
      const type = joined[at];
      const length = (joined[at + 1] << 16) | (joined[at + 2] << 8) | joined[at + 3];
      const body = new Uint8Array(joined.subarray(at + 4, at + 4 + length));
      for (const target of byType[type] ?? []) put(target, tag, body);
      if (type === 11) parseCertificateList(body).forEach((der, i) => put("certificate", `${tag}-${i}`, der));
      at += 4 + length;
    }
  }
  put("pem", tag, t.ca);
  put("certificate", `${tag}-ca`, parsePem(t.ca)[0]);
}

put("finished", "verify-data", Uint8Array.of(0, ...new Uint8Array(12).fill(0x5a)));
put("finished", "server-hello-done", Uint8Array.of(1));
put("new-session-ticket", "ticket", Uint8Array.of(0, 0, 0x1c, 0x20, 0, 16, ...new Uint8Array(16).fill(3)));

const session: TlsSession = {
  version: 0x0303,
  cipherSuite: 0xcca9,
  masterSecret: new Uint8Array(48).fill(7),
  extendedMasterSecret: true,
  serverName: "broker.example.com",
  sessionId: new Uint8Array(32).fill(1),
  ticket: Uint8Array.from({ length: 64 }, (_, i) => i),
  ticketLifetime: 7200,
  ticketReceivedAt: 1795266878000,
  alpn: "mqtt",
  peerCertificateHash: new Uint8Array(32).fill(9),
  verified: true,
  createdAt: 1795266878000,
  resumable: true,
};
put("decode-session", "full", encodeSession(session));
put("decode-session", "bare", encodeSession({ ...session, ticket: null, alpn: null, serverName: null, peerCertificateHash: null, ticketReceivedAt: null, createdAt: null }));

const tmp = mkdtempSync(join(tmpdir(), "microtls-seeds-"));
try {
  const ssl = (...args: string[]): Buffer => execFileSync("openssl", args, { cwd: tmp });
  ssl("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", "ec.pem");
  ssl("genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", "rsa.pem");
  put("private-key", "p256-pkcs8.pem", readFileSync(join(tmp, "ec.pem"), "utf8"));
  put("private-key", "p256-pkcs8.der", ssl("pkey", "-in", "ec.pem", "-outform", "DER"));
  put("private-key", "p256-sec1.der", ssl("ec", "-in", "ec.pem", "-outform", "DER"));
  put("private-key", "rsa2048-pkcs1.der", ssl("rsa", "-in", "rsa.pem", "-outform", "DER", "-traditional"));
  put("private-key", "rsa2048-pkcs8.der", ssl("pkey", "-in", "rsa.pem", "-outform", "DER"));
  // Low iteration counts keep each decryption cheap for the fuzzer (PBKDF2 cost is the key's own choice).
  for (const [name, args] of [
    ["aes128-sha256", ["-v2", "aes-128-cbc", "-v2prf", "hmacWithSHA256", "-iter", "16"]],
    ["aes256-sha1", ["-v2", "aes-256-cbc", "-v2prf", "hmacWithSHA1", "-iter", "8"]],
  ] as const) {
    const der = ssl("pkcs8", "-topk8", "-in", "ec.pem", "-passout", "pass:fuzz", "-outform", "DER", ...args);
    put("encrypted-private-key", `p256-${name}.der`, der);
  }
  put("encrypted-private-key", "p256-aes192.pem", ssl("pkcs8", "-topk8", "-in", "ec.pem", "-passout", "pass:fuzz", "-v2", "aes-192-cbc", "-iter", "4").toString());
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
