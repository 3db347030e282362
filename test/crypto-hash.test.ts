import { createHash as nodeCreateHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { createHash, hash, hashLength, hmac, type HashName } from "../src/crypto/hash.js";
import { equalBytes, toHex } from "../src/bytes.js";
import { hex, loadWycheproof, newTally, record } from "./helpers/wycheproof.js";

const abc = Uint8Array.of(0x61, 0x62, 0x63);

describe("hashes", () => {
  it.each(["sha256", "sha384", "sha512"] as const)("%s matches node:crypto, one-shot and incremental", (name) => {
    const data = new Uint8Array(1000).map((_, i) => (i * 31) & 0xff);
    const expected = nodeCreateHash(name).update(data).digest("hex");
    expect(toHex(hash(name, data))).toBe(expected);
    expect(toHex(createHash(name).update(data.subarray(0, 333)).update(data.subarray(333)).digest())).toBe(expected);
    expect(hashLength(name)).toBe({ sha256: 32, sha384: 48, sha512: 64 }[name]);
  });

  it("knows the FIPS 180 answer for SHA-256('abc')", () => {
    expect(toHex(hash("sha256", abc))).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  });

  it("clone() lets a transcript peek without disturbing the running hash", () => {
    const running = createHash("sha384").update(abc);
    const peek = running.clone().digest();
    expect(toHex(peek)).toBe(toHex(hash("sha384", abc)));
    running.update(abc);
    expect(toHex(running.digest())).toBe(toHex(hash("sha384", Uint8Array.of(...abc, ...abc))));
  });
});

describe.each([
  ["hmac_sha256_test.json", "sha256", 174],
  ["hmac_sha384_test.json", "sha384", 174],
] as const)("HMAC (Wycheproof %s)", (file, name: HashName, total) => {
  it("computes every valid tag and differs from every invalid one", () => {
    const tally = newTally();
    for (const g of loadWycheproof(file).testGroups) {
      const tagBytes = (g.tagSize as number) / 8; // some groups check truncated tags: compare that prefix
      for (const t of g.tests) {
        const ours = hmac(name, hex(t.key), hex(t.msg)).subarray(0, tagBytes);
        record(tally, t, equalBytes(ours, hex(t.tag)));
      }
    }
    expect(tally.failures).toEqual([]);
    expect(tally.valid + tally.invalid).toBe(total);
    expect(tally.valid).toBe(66);
    expect(tally.invalid).toBe(108);
  });
});
