// Mutated certificates never crash the parser or the verifier: TlsError or flags, nothing else.
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Pki, type Issued } from "./helpers/pki.js";
import { TlsError } from "../src/errors.js";
import { parseCertificate, verifyChain } from "../src/x509/index.js";

let pki: Pki;
let root: Issued;
let leaf: Issued;
let rsaLeaf: Issued;

beforeAll(() => {
  pki = new Pki();
  root = pki.issue({ name: "root", cn: "Prop Root", ca: true });
  leaf = pki.issue({ name: "leaf", cn: "prop.test", issuer: root, dns: ["prop.test", "*.w.prop.test"], ips: ["10.0.0.1"], nameConstraints: undefined });
  rsaLeaf = pki.issue({ name: "rsa-leaf", cn: "rsa.prop.test", key: "rsa2048", issuer: root, dns: ["rsa.prop.test"] });
}, 60_000);
afterAll(() => pki.cleanup());

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant("flip" as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ kind: fc.constant("set" as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant("cut" as const), at: fc.nat() }),
  fc.record({ kind: fc.constant("insert" as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 4 }) }),
);

type Mutation =
  | { kind: "flip"; at: number; bit: number }
  | { kind: "set"; at: number; value: number }
  | { kind: "cut"; at: number }
  | { kind: "insert"; at: number; bytes: Uint8Array };

function mutate(der: Uint8Array, ms: Mutation[]): Uint8Array {
  let out = der.slice();
  for (const m of ms) {
    const at = out.length === 0 ? 0 : m.at % out.length;
    if (m.kind === "flip") out[at] ^= 1 << m.bit;
    else if (m.kind === "set") out[at] = m.value;
    else if (m.kind === "cut") out = out.slice(0, at);
    else {
      const next = new Uint8Array(out.length + m.bytes.length);
      next.set(out.subarray(0, at));
      next.set(m.bytes, at);
      next.set(out.subarray(at), at + m.bytes.length);
      out = next;
    }
  }
  return out;
}

describe("x509 under mutation", () => {
  it("parseCertificate throws only TlsError DECODE_ERROR", () => {
    fc.assert(
      fc.property(fc.constantFrom(0, 1), fc.array(mutation, { minLength: 1, maxLength: 4 }), (which, ms) => {
        const der = mutate((which ? rsaLeaf : leaf).der, ms);
        try {
          parseCertificate(der);
        } catch (e) {
          expect(e).toBeInstanceOf(TlsError);
          expect((e as TlsError).code).toBe("DECODE_ERROR");
        }
      }),
      { numRuns: 600 },
    );
  });

  it("verifyChain never throws and never accepts a changed leaf", () => {
    const now = Date.now();
    fc.assert(
      fc.property(fc.array(mutation, { minLength: 1, maxLength: 3 }), fc.boolean(), (ms, mutateRoot) => {
        const chain = [mutateRoot ? leaf.der : mutate(leaf.der, ms)];
        const trusted = [mutateRoot ? mutate(root.der, ms) : root.der];
        const r = verifyChain({ chain, trusted, hostname: "prop.test", now });
        expect(Array.isArray(r.flags)).toBe(true);
        const changed = mutateRoot ? trusted[0].length !== root.der.length || trusted[0].some((b, i) => b !== root.der[i]) : chain[0].length !== leaf.der.length || chain[0].some((b, i) => b !== leaf.der[i]);
        // A mutation can land in the unsigned outer envelope only in ways DER forbids, or be a no-op.
        if (r.ok && changed && !mutateRoot) expect.fail(`a mutated leaf verified: ${JSON.stringify(ms)}`);
      }),
      { numRuns: 150 },
    );
  });

  it("the unmutated chain verifies (the property above is not vacuous)", () => {
    expect(verifyChain({ chain: [leaf.der], trusted: [root.der], hostname: "prop.test", now: Date.now() }).ok).toBe(true);
  });
});
