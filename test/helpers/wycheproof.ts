// Loads the Wycheproof files copied into vectors/wycheproof (C2SP/wycheproof testvectors_v1, Apache-2.0).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { AeadFactory } from "../../src/crypto/aead.js";
import { equalBytes } from "../../src/bytes.js";

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
  return JSON.parse(readFileSync(join(__dirname, "..", "..", "vectors", "wycheproof", name), "utf8")) as WycheproofFile;
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

/** Runs every TLS-shaped vector of a Wycheproof AEAD file: 96-bit IV, 128-bit tag, the given key sizes. */
export function runAeadFile(file: string, factory: AeadFactory, keySizes: number[]): Tally {
  const tally = newTally();
  for (const g of loadWycheproof(file).testGroups) {
    const tlsShaped = g.ivSize === 96 && g.tagSize === 128 && keySizes.includes(g.keySize as number);
    if (!tlsShaped) {
      // Not TLS-shaped: AES-192 keys are refused outright, other nonce sizes are refused by open().
      for (const t of g.tests) {
        let refused: boolean;
        try {
          refused = factory(hex(t.key)).open(hex(t.iv), new Uint8Array([...hex(t.ct), ...hex(t.tag)]), hex(t.aad)) === null;
        } catch {
          refused = true;
        }
        if (!refused) tally.failures.push(`tcId ${t.tcId}: non-TLS-shaped vector was not refused`);
      }
      tally.skipped += g.tests.length;
      continue;
    }
    for (const t of g.tests) {
      const aead = factory(hex(t.key));
      const iv = hex(t.iv);
      const aad = hex(t.aad);
      const msg = hex(t.msg);
      const sealed = new Uint8Array([...hex(t.ct), ...hex(t.tag)]);
      const opened = aead.open(iv, sealed, aad);
      // Valid: decrypts to msg AND our seal produces the same bytes. Invalid: the tag is refused.
      const accepted = opened !== null && equalBytes(opened, msg) && equalBytes(aead.seal(iv, msg, aad), sealed);
      record(tally, t, accepted);
    }
  }
  return tally;
}
