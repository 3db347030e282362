import { p256, p384 } from "@noble/curves/nist.js";

/**
 * noble builds a window-6 table for a curve's base point on its first use: about 2.5 MB of heap in QuickJS for
 * P-256 alone, and most of a cold handshake in JerryScript. Window 1 means no table (a wNAF per multiplication).
 * Called only by the device bundles, on their own copy of noble: never on an application's (src/device.ts).
 */
export function useSmallNobleTables(): void {
  p256.Point.BASE.precompute(1);
  p384.Point.BASE.precompute(1);
}
