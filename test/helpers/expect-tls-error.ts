import { expect } from "vitest";
import { TlsError } from "../../src/errors.js";

/** Asserts that `fn` throws a TlsError with this code and alert (never a raw exception). */
export function expectTlsError(fn: () => unknown, code: string, alert: number): void {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(TlsError);
  expect((caught as TlsError).code).toBe(code);
  expect((caught as TlsError).alert).toBe(alert);
}
