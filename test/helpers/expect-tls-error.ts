import { expect } from "vitest";
import { TlsError, type TlsErrorCode } from "../../src/errors.js";

/**
 * The one way tests assert a TlsError. `fn` must throw a TlsError (never a raw exception) with this code; then
 *  - alert: a number must equal the error's alert; null means the error must carry no alert; undefined (or omitted)
 *    means the alert is not checked;
 *  - message: if given, the error's message must match it.
 * Returns the caught TlsError, so a test can assert more of it (verifyFlags, details, ...).
 *
 *   expectTlsError(() => layer.read(), "BAD_RECORD_MAC", Alert.bad_record_mac);
 *   expectTlsError(() => new TlsClient(bad), "CONFIG", undefined, /serverName/);
 *   expectTlsError(() => ecdh(point), "ILLEGAL_PARAMETER", null);
 */
export function expectTlsError(fn: () => unknown, code: TlsErrorCode, alert?: number | null, message?: RegExp): TlsError {
  let threw = false;
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    threw = true;
    caught = e;
  }
  return check(threw, caught, code, alert, message);
}

/**
 * expectTlsError for promises: `pending` (a promise, or a function returning one; a function that throws at once
 * counts too) must reject with a TlsError with this code, alert and message, as expectTlsError checks them.
 * Resolves to the caught TlsError.
 */
export async function expectTlsErrorAsync(
  pending: Promise<unknown> | (() => unknown),
  code: TlsErrorCode,
  alert?: number | null,
  message?: RegExp,
): Promise<TlsError> {
  let threw = false;
  let caught: unknown;
  try {
    await (typeof pending === "function" ? pending() : pending);
  } catch (e) {
    threw = true;
    caught = e;
  }
  return check(threw, caught, code, alert, message);
}

function check(threw: boolean, caught: unknown, code: TlsErrorCode, alert: number | null | undefined, message: RegExp | undefined): TlsError {
  if (!threw) expect.fail(`expected a TlsError with code ${code}, but nothing was thrown`);
  expect(caught).toBeInstanceOf(TlsError);
  const error = caught as TlsError;
  expect(error.code).toBe(code);
  if (alert === null) expect(error.alert).toBeUndefined();
  else if (alert !== undefined) expect(error.alert).toBe(alert);
  if (message !== undefined) expect(error.message).toMatch(message);
  return error;
}
