import { describe, expect, it } from "vitest";
import { generateKeyPairSync } from "node:crypto";
import { verifyChain, VerifyFlag } from "../src/x509/index.js";
import { signatureCost } from "../src/x509/algorithms.js";
import { parseCertificate } from "../src/x509/certificate.js";
import { bigOdd, certificate, forgeRoot, rsaLeafKey, rsaSpki, signedBy, tbs } from "./helpers/cert-forge.js";
import { TlsClient } from "../src/index.js";

// Issue #14, CPU exhaustion through RSA public keys: the attack shapes, built in the test (no real key stands
// behind the huge moduli), against verifyChain. Each asserts the failure and how much signature work it cost,
// counted (never timed).

const HOST = "hostile.microtls.test";
const root = forgeRoot();

function p256Spki(): Uint8Array {
  const { publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  return new Uint8Array(publicKey.export({ type: "spki", format: "der" }));
}

/** An intermediate under the root, validly signed by it, whose key is the given SPKI. */
function intermediate(spki: Uint8Array, serial: number, ski: Uint8Array): Uint8Array {
  const t = tbs({ issuer: root.subject, subject: "Hostile Intermediate", spki, ca: true, ski, aki: root.ski, serial });
  return certificate(t, signedBy(root.key, t));
}

/** A leaf claiming the intermediate as issuer, with a signature of `sigBytes` junk bytes. */
function leaf(sigBytes: number, spki = p256Spki()): Uint8Array {
  const t = tbs({ issuer: "Hostile Intermediate", subject: "leaf", spki, ca: false, ski: Uint8Array.of(9), aki: Uint8Array.of(7), dns: HOST, serial: 99 });
  return certificate(t, new Uint8Array(sigBytes).fill(0x5a));
}

function verifyCounting(chain: Uint8Array[], extra: Record<string, number> = {}) {
  const costs: number[] = [];
  const r = verifyChain({ chain, trusted: [root.der], hostname: HOST, now: Date.now(), onSignatureCheck: (c) => costs.push(c), ...extra });
  return { r, checks: costs.length, work: costs.reduce((a, b) => a + b, 0) };
}

describe("RSA key bounds (refused on their lengths, before any arithmetic)", () => {
  it("a root-signed intermediate with a 16,384-bit modulus and a 16,383-bit exponent costs no signature check", () => {
    const inter = intermediate(rsaSpki(bigOdd(16384), bigOdd(16383)), 2, Uint8Array.of(7));
    const { r, checks } = verifyCounting([leaf(2048), inter]);
    expect(r.ok).toBe(false);
    expect(r.flags).toContain(VerifyFlag.KEY_BOUNDS);
    expect(checks).toBe(0);
  });

  it("30 candidate issuers with 4,096-bit moduli and 4,095-bit exponents cost no signature check", () => {
    const inters = Array.from({ length: 30 }, (_, i) => intermediate(rsaSpki(bigOdd(4096), bigOdd(4095)), 10 + i, Uint8Array.of(7)));
    const chain = [leaf(512), ...inters];
    expect(chain.reduce((n, c) => n + c.length + 3, 0)).toBeLessThan(65536); // fits one Certificate message
    const { r, checks } = verifyCounting(chain);
    expect(r.ok).toBe(false);
    expect(r.flags).toContain(VerifyFlag.KEY_BOUNDS);
    expect(checks).toBe(0);
  });

  it("the bounds: modulus over 8,192 bits, exponent over 32 bits, even or below 3; the message names the bound", () => {
    const cases: Array<[Uint8Array, Uint8Array, boolean]> = [
      [bigOdd(8192), Uint8Array.of(1, 0, 1), true],
      [bigOdd(8200), Uint8Array.of(1, 0, 1), false],
      [bigOdd(2048), Uint8Array.of(0xff, 0xff, 0xff, 0xff), true],
      [bigOdd(2048), Uint8Array.of(1, 0, 0, 0, 1), false],
      [bigOdd(2048), Uint8Array.of(4), false],
      [bigOdd(2048), Uint8Array.of(1), false],
    ];
    for (const [n, e, inBounds] of cases) {
      const r = verifyChain({ chain: [leaf(256, rsaSpki(n, e))], trusted: [root.der], hostname: HOST, now: Date.now() });
      expect(r.flags.includes(VerifyFlag.KEY_BOUNDS), `${n.length * 8}-bit n, e ${Buffer.from(e).toString("hex")}`).toBe(!inBounds);
    }
    const key = parseCertificate(leaf(256, rsaSpki(bigOdd(2048), bigOdd(40)))).publicKey;
    expect(signatureCost(key)).toBeGreaterThan(1);
  });

  it("the bounds can be lowered: maxRsaModulusBits 4096 refuses an 8,192-bit issuer", () => {
    const inter = intermediate(rsaSpki(bigOdd(8192), Uint8Array.of(1, 0, 1)), 3, Uint8Array.of(7));
    expect(verifyCounting([leaf(1024), inter]).checks).toBe(1); // in bounds by default: checked (and fails)
    const lowered = verifyCounting([leaf(1024), inter], { maxRsaModulusBits: 4096 });
    expect(lowered.r.flags).toContain(VerifyFlag.KEY_BOUNDS);
    expect(lowered.checks).toBe(0);
  });
});

describe("the verifier's work budget", () => {
  it("30 in-bound candidates at the largest cost (8,192 bits, e = 2^32-1) stop at the budget with WORK_BUDGET", () => {
    const e = Uint8Array.of(0xff, 0xff, 0xff, 0xff);
    const inters = Array.from({ length: 30 }, (_, i) => intermediate(rsaSpki(bigOdd(8192), e), 100 + i, Uint8Array.of(7)));
    const chain = [leaf(1024), ...inters];
    expect(chain.reduce((n, c) => n + c.length + 3, 0)).toBeLessThan(65536);
    const { r, checks, work } = verifyCounting(chain);
    expect(r.ok).toBe(false);
    expect(r.flags).toContain(VerifyFlag.WORK_BUDGET);
    expect(work).toBeLessThanOrEqual(150);
    expect(checks).toBe(2); // each costs ~58 units of the default 150
    const low = verifyCounting(chain, { verifyBudget: 50 });
    expect(low.checks).toBe(0);
    expect(low.r.flags).toContain(VerifyFlag.WORK_BUDGET);
  });

  it("an ordinary chain costs a couple of units and verifies under a small budget", () => {
    const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const spki = new Uint8Array(publicKey.export({ type: "spki", format: "der" }));
    const inter = intermediate(spki, 4, Uint8Array.of(7));
    const lt = tbs({ issuer: "Hostile Intermediate", subject: "leaf", spki: p256Spki(), ca: false, ski: Uint8Array.of(9), aki: Uint8Array.of(7), dns: HOST, serial: 98 });
    const good = certificate(lt, signedBy(privateKey, lt));
    const { r, checks, work } = verifyCounting([good, inter], { verifyBudget: 3 });
    expect(r.flags).toEqual([]);
    expect(r.ok).toBe(true);
    expect(checks).toBe(2);
    expect(work).toBeCloseTo(2, 5);
  });
});

describe("client keys", () => {
  it("a client certificate whose RSA exponent is over 32 bits is a CONFIG error, before any handshake", () => {
    const { pem } = rsaLeafKey();
    const t = tbs({ issuer: root.subject, subject: "client", spki: rsaSpki(bigOdd(2048), bigOdd(40)), ca: false, ski: Uint8Array.of(3), aki: root.ski });
    const cert = certificate(t, signedBy(root.key, t));
    expect(() => new TlsClient({ serverName: HOST, ca: root.der, cert, key: pem })).toThrow(/out of bounds: RSA public exponent of 40 bits exceeds the bound of 32 bits/);
  });
});
