import { describe, expect, it } from "vitest";
import { x25519Group } from "../src/crypto/x25519.js";
import { p256Group, p384Group } from "../src/crypto/nist-ecdh.js";
import type { EcdhGroup } from "../src/crypto/ecdh.js";
import { resolveRandom } from "../src/crypto/random.js";
import { TlsError } from "../src/errors.js";
import { equalBytes, toHex } from "../src/bytes.js";
import { hex, hexToBigInt, loadWycheproof, newTally, record } from "./helpers/wycheproof.js";

/** Runs sharedSecret and classifies: accepted (with the right value), or rejected with ILLEGAL_PARAMETER. */
function tryShared(group: EcdhGroup, privateKey: Uint8Array, peer: Uint8Array): Uint8Array | null {
  try {
    return group.sharedSecret(privateKey, peer);
  } catch (e) {
    // Every rejection must be the documented TlsError, never a raw error from the curve library; crypto names no
    // alert (the handshake sends illegal_parameter: hostile tests).
    if (!(e instanceof TlsError) || e.code !== "ILLEGAL_PARAMETER" || e.alert !== undefined) throw e;
    return null;
  }
}

function scalarBytes(s: unknown, length: number): Uint8Array {
  const k = hexToBigInt(s);
  return hex(k.toString(16).padStart(length * 2, "0"));
}

describe("X25519 (Wycheproof x25519_test.json)", () => {
  it("matches every valid vector; acceptable ones follow our policy", () => {
    const tally = newTally();
    for (const g of loadWycheproof("x25519_test.json").testGroups) {
      for (const t of g.tests) {
        const out = tryShared(x25519Group, hex(t.private), hex(t.public));
        const accepted = out !== null && equalBytes(out, hex(t.shared));
        if (out !== null && !accepted) tally.failures.push(`tcId ${t.tcId}: wrong shared secret`);
        // Policy: a zero shared secret (low-order peer point) is refused; twist points, non-canonical
        // and edge-case u values are legal RFC 7748 inputs and must give the right answer.
        record(tally, t, accepted, (flags) => (flags.includes("ZeroSharedSecret") ? "reject" : "accept"));
      }
    }
    expect(tally.failures).toEqual([]);
    expect(tally.valid).toBe(264);
    expect(tally.acceptableRejected).toBe(31);
    expect(tally.acceptableAccepted).toBe(223);
  });

  it("derives the RFC 7748 §6.1 public keys and shared secret", () => {
    const fixed = (k: string) => (buf: Uint8Array) => buf.set(hex(k));
    const alice = x25519Group.generate(fixed("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a"));
    const bob = x25519Group.generate(fixed("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb"));
    expect(toHex(alice.publicKey)).toBe("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a");
    expect(toHex(bob.publicKey)).toBe("de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f");
    expect(toHex(x25519Group.sharedSecret(alice.privateKey, bob.publicKey))).toBe(
      "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742",
    );
  });

  it("rejects wrong lengths and the all-zero point with illegal_parameter", () => {
    const { privateKey } = x25519Group.generate(resolveRandom());
    for (const bad of [new Uint8Array(31), new Uint8Array(33), new Uint8Array(0), new Uint8Array(32)]) {
      expect(() => x25519Group.sharedSecret(privateKey, bad)).toThrow(TlsError);
      expect(tryShared(x25519Group, privateKey, bad)).toBeNull();
    }
  });
});

describe.each([
  ["ecdh_secp256r1_ecpoint_test.json", p256Group, 32, 330, 24],
  ["ecdh_secp384r1_ecpoint_test.json", p384Group, 48, 771, 18],
] as const)("NIST ECDH (Wycheproof %s)", (file, group, scalarLength, validCount, invalidCount) => {
  it("matches every valid vector, refuses invalid ones and compressed points", () => {
    const tally = newTally();
    for (const g of loadWycheproof(file).testGroups) {
      for (const t of g.tests) {
        const out = tryShared(group, scalarBytes(t.private, scalarLength), hex(t.public));
        const accepted = out !== null && equalBytes(out, hex(t.shared));
        if (out !== null && !accepted) tally.failures.push(`tcId ${t.tcId}: wrong shared secret`);
        // Policy: TLS 1.2 uses uncompressed points only (RFC 8422 §5.1.2), so compressed ones are refused.
        record(tally, t, accepted, (flags) => (flags.includes("CompressedPoint") ? "reject" : "accept"));
      }
    }
    expect(tally.failures).toEqual([]);
    expect(tally.valid).toBe(validCount);
    expect(tally.invalid).toBe(invalidCount);
    expect(tally.acceptableRejected).toBe(1);
  }, 180_000); // 790 P-384 scalar multiplications: slow on a loaded machine
});

describe.each([
  ["x25519", x25519Group, 29, 32],
  ["secp256r1", p256Group, 23, 65],
  ["secp384r1", p384Group, 24, 97],
] as const)("%s group", (name, group, id, publicLength) => {
  const random = resolveRandom();

  it("has its TLS name and NamedGroup id", () => {
    expect(group.name).toBe(name);
    expect(group.id).toBe(id);
  });

  it("agrees on a shared secret both ways, with TLS-encoded public keys", () => {
    const a = group.generate(random);
    const b = group.generate(random);
    expect(a.publicKey.length).toBe(publicLength);
    if (publicLength !== 32) expect(a.publicKey[0]).toBe(4);
    const s1 = group.sharedSecret(a.privateKey, b.publicKey);
    expect(toHex(s1)).toBe(toHex(group.sharedSecret(b.privateKey, a.publicKey)));
    expect(s1.length).toBe(publicLength === 32 ? 32 : (publicLength - 1) / 2);
  });

  it("uses the injected random source", () => {
    let calls = 0;
    const counting = (buf: Uint8Array) => {
      calls++;
      random(buf);
    };
    group.generate(counting);
    expect(calls).toBeGreaterThan(0);
  });

  it("turns truncated, extended, compressed or garbage keys into illegal_parameter", () => {
    const me = group.generate(random);
    const peer = group.generate(random).publicKey;
    const cases = [peer.subarray(0, peer.length - 1), Uint8Array.of(...peer, 0)];
    if (publicLength !== 32) {
      cases.push(new Uint8Array(peer.length).fill(0xff));
      cases.push(Uint8Array.of(peer[1] & 1 ? 3 : 2, ...peer.subarray(1, 1 + (publicLength - 1) / 2))); // compressed form
      const offCurve = peer.slice();
      offCurve[offCurve.length - 1] ^= 1;
      cases.push(offCurve, new Uint8Array(peer.length));
    }
    for (const bad of cases) expect(tryShared(group, me.privateKey, bad)).toBeNull();
  });
});
