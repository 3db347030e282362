// Loads the Wycheproof files copied into vectors/wycheproof (C2SP/wycheproof testvectors_v1, Apache-2.0).
import { readFileSync } from "node:fs";
import { join } from "node:path";

export type WycheproofResult = "valid" | "invalid" | "acceptable";

export interface WycheproofTest {
  tcId: number;
  comment: string;
  flags: string[];
  result: WycheproofResult;
  [field: string]: unknown;
}

export interface WycheproofGroup {
  tests: WycheproofTest[];
  [field: string]: unknown;
}

export interface WycheproofFile {
  algorithm: string;
  numberOfTests: number;
  testGroups: WycheproofGroup[];
}

export function loadWycheproof(name: string): WycheproofFile {
  return JSON.parse(readFileSync(join(__dirname, "..", "vectors", "wycheproof", name), "utf8")) as WycheproofFile;
}

export function hex(s: unknown): Uint8Array {
  return new Uint8Array(Buffer.from(String(s), "hex"));
}

/** Wycheproof writes integers as signed big-endian hex, sometimes with a leading 00. */
export function hexToBigInt(s: unknown): bigint {
  const str = String(s);
  return str.length === 0 ? BigInt(0) : BigInt("0x" + str);
}

/** A tally the tests assert on and the README records. */
export interface Tally {
  valid: number;
  invalid: number;
  acceptableAccepted: number;
  acceptableRejected: number;
  skipped: number;
  failures: string[];
}

export function newTally(): Tally {
  return { valid: 0, invalid: 0, acceptableAccepted: 0, acceptableRejected: 0, skipped: 0, failures: [] };
}

/**
 * Records one vector: `accepted` is what our code did; `acceptablePolicy` says what we require for an
 * `acceptable` vector with these flags ("accept", "reject", or "either" when both are fine).
 */
export function record(
  tally: Tally,
  t: WycheproofTest,
  accepted: boolean,
  acceptablePolicy: (flags: string[]) => "accept" | "reject" = () => "reject",
): void {
  const label = `tcId ${t.tcId} (${t.result}; ${t.comment}; ${t.flags.join(",")})`;
  if (t.result === "valid") {
    if (accepted) tally.valid++;
    else tally.failures.push(`${label}: valid vector rejected`);
  } else if (t.result === "invalid") {
    if (!accepted) tally.invalid++;
    else tally.failures.push(`${label}: invalid vector accepted`);
  } else {
    const want = acceptablePolicy(t.flags);
    if (accepted && want === "accept") tally.acceptableAccepted++;
    else if (!accepted && want === "reject") tally.acceptableRejected++;
    else tally.failures.push(`${label}: acceptable vector ${accepted ? "accepted" : "rejected"}, policy says ${want}`);
  }
}
