import { afterEach, describe, expect, it } from "vitest";
import { randomBytes, resolveRandom } from "../src/crypto/random.js";
import { TlsError } from "../src/errors.js";
import { expectTlsError } from "./helpers/expect-tls-error.js";

const original = Object.getOwnPropertyDescriptor(globalThis, "crypto");

function setGlobalCrypto(value: unknown): void {
  Object.defineProperty(globalThis, "crypto", { value, configurable: true, writable: true });
}

afterEach(() => {
  if (original) Object.defineProperty(globalThis, "crypto", original);
});

describe("random source", () => {
  it("uses an injected source as given", () => {
    const fill = (buf: Uint8Array) => buf.fill(7);
    expect(resolveRandom(fill)).toBe(fill);
    expect(randomBytes(fill, 4)).toEqual(Uint8Array.of(7, 7, 7, 7));
  });

  it("defaults to globalThis.crypto.getRandomValues", () => {
    const calls: number[] = [];
    setGlobalCrypto({
      getRandomValues: (buf: Uint8Array) => {
        calls.push(buf.length);
        return buf.fill(1);
      },
    });
    expect(randomBytes(resolveRandom(), 10)).toEqual(new Uint8Array(10).fill(1));
    expect(calls).toEqual([10]);
  });

  it("asks Web Crypto for at most 65536 bytes at a time and fills every byte", () => {
    const calls: number[] = [];
    setGlobalCrypto({
      getRandomValues: (buf: Uint8Array) => {
        if (buf.length > 65536) throw new Error("QuotaExceededError");
        calls.push(buf.length);
        return buf.fill(9);
      },
    });
    const out = randomBytes(resolveRandom(), 65536 * 2 + 5);
    expect(calls).toEqual([65536, 65536, 5]);
    expect(out.every((b) => b === 9)).toBe(true);
  });

  it("real default output is not constant", () => {
    const random = resolveRandom();
    const a = randomBytes(random, 32);
    const b = randomBytes(random, 32);
    expect(a).not.toEqual(b);
    expect(randomBytes(random, 70000).some((x) => x !== 0)).toBe(true);
  });

  it("throws NO_RANDOM, saying what to supply, when there is no source at all", () => {
    setGlobalCrypto(undefined);
    const err = expectTlsError(() => resolveRandom(), "NO_RANDOM", undefined, /random/);
    expect(err.message).toMatch(/getRandomValues/);
    // An injected source still works without Web Crypto.
    expect(randomBytes(resolveRandom((buf) => buf.fill(2)), 2)).toEqual(Uint8Array.of(2, 2));
  });

  it("refuses a non-function injected source", () => {
    expect(() => resolveRandom(42 as unknown as (b: Uint8Array) => void)).toThrow(TlsError);
  });
});
