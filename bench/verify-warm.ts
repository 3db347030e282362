// What src/x509 costs a warm handshake: verifyChain on the bench's chains with the signature cache warm,
// so no public-key operation runs; plus its parts. `node --expose-gc --import tsx bench/verify-warm.ts`
import { fileURLToPath } from "node:url";
import { AsnConvert } from "@peculiar/asn1-schema";
import { AuthorityInfoAccessSyntax } from "@peculiar/asn1-x509";
import { DerReader } from "../src/x509/der.js";
import { parseExtensions } from "../src/x509/extensions.js";
import { parseCertificate, parsePem, TrustStore, verifyChain } from "../src/x509/index.js";
import { profileFlags } from "../src/x509/profile.js";
import { cpuPerOp } from "./measure.js";
import { BENCH_HOST, makeBenchPki } from "./pki.js";

const pki = makeBenchPki(`${fileURLToPath(new URL(".", import.meta.url))}.tmp-focus`);
for (const kind of ["ecdsa", "rsa"] as const) {
  const c = pki[kind];
  const chain = [parsePem(c.leaf.certPem)[0], parsePem(c.intermediate.certPem)[0]];
  const trusted = new TrustStore(c.rootPem);
  const opts = { chain, trusted, hostname: BENCH_HOST, now: Date.now() };
  if (!verifyChain(opts).ok) throw new Error(`${kind}: chain does not verify`);
  const leaf = parseCertificate(chain[0]);
  const verify = cpuPerOp(() => void verifyChain(opts), 7, 200);
  const parse = cpuPerOp(() => void parseCertificate(chain[0]), 7, 400);
  const profile = cpuPerOp(() => void profileFlags(leaf, "leaf"), 7, 400);
  process.stdout.write(`${kind}: verifyChain ${(verify * 1000).toFixed(1)} µs, parseCertificate(leaf) ${(parse * 1000).toFixed(1)} µs, profileFlags(leaf) ${(profile * 1000).toFixed(1)} µs\n`);
}

// The authorityInfoAccess check, on a Let's Encrypt-style AIA (OCSP + caIssuers URIs): the bench's test PKI
// issues none, but nearly every public certificate carries one. Old path: the schema library on every parse.
const aia = Uint8Array.from(Buffer.from("3047302106082b060105050730018615687474703a2f2f72332e6f2e6c656e63722e6f7267302206082b060105050730028616687474703a2f2f72332e692e6c656e63722e6f72672f", "hex"));
const extOid = [0x06, 0x08, 0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x01, 0x01];
const ext = [0x30, extOid.length + 2 + aia.length, ...extOid, 0x04, aia.length, ...aia];
const block = new DerReader(Uint8Array.from([0xa3, ext.length + 2, 0x30, ext.length, ...ext])).read();
const viaWalker = cpuPerOp(() => void parseExtensions(block), 7, 400);
const viaSchema = cpuPerOp(() => void AsnConvert.parse(aia, AuthorityInfoAccessSyntax), 7, 400);
process.stdout.write(`authorityInfoAccess: parseExtensions ${(viaWalker * 1000).toFixed(1)} µs; AsnConvert.parse alone ${(viaSchema * 1000).toFixed(1)} µs\n`);
