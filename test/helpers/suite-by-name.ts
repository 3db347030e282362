import type { CipherSuite } from "../../src/handshake/suites.js";
import { ALL_SUITES } from "../../src/handshake/name-tables.js";

/** A suite by its IANA name (tests and benches pick suites by name; the client itself resolves names in config). */
export function suiteByName(name: string): CipherSuite | undefined {
  for (const s of ALL_SUITES) if (s.name === name) return s;
  return undefined;
}
