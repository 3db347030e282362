// decodeSession: a stored session is application-supplied bytes (a cache, a file) and must fail closed.
import { decodeSession } from "../../../src/handshake/session.js";
import type { FuzzTarget } from "../harness.js";

export const target: FuzzTarget = { name: "decode-session", maxLength: 1 << 14, run: (data) => void decodeSession(data) };
