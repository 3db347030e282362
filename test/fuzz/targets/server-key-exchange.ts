// parseEcdheServerKeyExchange.
import { parseEcdheServerKeyExchange } from "../../../src/handshake/messages.js";
import type { FuzzTarget } from "../harness.js";

export const target: FuzzTarget = { name: "server-key-exchange", maxLength: 1 << 16, run: (data) => void parseEcdheServerKeyExchange(data) };
