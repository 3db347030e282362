// x509-limbo conformance runner: `npm run limbo -- [path/to/limbo.json]`.
// Skips exactly what the upstream harnesses skip, prints one summary line, writes limbo-results.json,
// and exits non-zero on any false accept (an expected FAILURE that verified).
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parsePem, verifyChain, TrustStore } from "../../src/x509/index.js";

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const DEFAULT_LIMBO = join(REPO, "..", "shared", "x509-limbo", "limbo.json");

export interface LimboCase {
  id: string;
  features: string[];
  validation_kind: string;
  trusted_certs: string[];
  untrusted_intermediates: string[];
  peer_certificate: string;
  validation_time: string | null;
  signature_algorithms: string[];
  key_usage: string[];
  extended_key_usage: string[];
  expected_result: "SUCCESS" | "FAILURE";
  expected_peer_name: { kind: string; value: string } | null;
  max_chain_depth: number | null;
}

export interface CaseResult {
  id: string;
  status: "pass" | "fail" | "skip";
  expected: string;
  actual?: "SUCCESS" | "FAILURE";
  flags?: string[];
  reason?: string;
}

export function skipReason(tc: LimboCase): string | null {
  if (tc.validation_kind !== "SERVER") return "not a SERVER case";
  if (tc.signature_algorithms && tc.signature_algorithms.length > 0) return "signature_algorithms constraint";
  if (tc.key_usage && tc.key_usage.length > 0) return "key_usage constraint";
  if (tc.features && tc.features.indexOf("has-crl") >= 0) return "has-crl";
  if (!tc.expected_peer_name) return "no expected peer name";
  if (tc.expected_peer_name.kind !== "DNS" && tc.expected_peer_name.kind !== "IP") return `peer name kind ${tc.expected_peer_name.kind}`;
  return null;
}

function der(pem: string): Uint8Array {
  const blocks = parsePem(pem);
  return blocks.length > 0 ? blocks[0] : new Uint8Array(0);
}

export function runCase(tc: LimboCase): CaseResult {
  const skip = skipReason(tc);
  if (skip) return { id: tc.id, status: "skip", expected: tc.expected_result, reason: skip };
  let flags: string[];
  let ok: boolean;
  try {
    const trusted = new TrustStore();
    for (const pem of tc.trusted_certs) {
      try {
        trusted.add(pem);
      } catch {
        /* an anchor we cannot parse anchors nothing */
      }
    }
    const name = tc.expected_peer_name!;
    const r = verifyChain({
      chain: [der(tc.peer_certificate), ...tc.untrusted_intermediates.map(der)],
      trusted,
      hostname: name.kind === "DNS" ? name.value : undefined,
      ip: name.kind === "IP" ? name.value : undefined,
      now: tc.validation_time ? Date.parse(tc.validation_time) : Date.now(),
      maxDepth: tc.max_chain_depth ?? undefined,
    });
    flags = r.flags;
    ok = r.ok;
  } catch (e) {
    flags = [`THREW ${(e as Error).message}`];
    ok = false;
  }
  const actual = ok ? "SUCCESS" : "FAILURE";
  return { id: tc.id, status: actual === tc.expected_result ? "pass" : "fail", expected: tc.expected_result, actual, flags };
}

function main(): void {
  const path = process.argv[2] ? resolve(process.argv[2]) : DEFAULT_LIMBO;
  const suite = JSON.parse(readFileSync(path, "utf8")) as { testcases: LimboCase[] };
  const results = suite.testcases.map(runCase);
  let passed = 0;
  let failed = 0;
  let falseAccepts = 0;
  let skipped = 0;
  for (const r of results) {
    if (r.status === "skip") skipped++;
    else if (r.status === "pass") passed++;
    else {
      failed++;
      if (r.actual === "SUCCESS") falseAccepts++;
    }
  }
  writeFileSync(join(REPO, "limbo-results.json"), JSON.stringify({ source: path, passed, failed, falseAccepts, skipped, results }, null, 1));
  console.log(`limbo: ${passed} passed, ${failed} failed (${falseAccepts} false accepts), ${skipped} skipped`);
  process.exitCode = falseAccepts > 0 ? 1 : 0;
}

if (resolve(process.argv[1] || "") === fileURLToPath(import.meta.url)) main();
