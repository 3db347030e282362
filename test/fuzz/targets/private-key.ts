// parsePrivateKey: DER bytes, or PEM (the same bytes as text when they look like PEM).
import { parsePrivateKey } from "../../../src/x509/private-key.js";
import type { FuzzTarget } from "../harness.js";

export const target: FuzzTarget = { name: "private-key", maxLength: 1 << 14, run: (data) => void parsePrivateKey(data) };
