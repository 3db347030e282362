// parseNewSessionTicket.
import { parseNewSessionTicket } from "../../../src/handshake/messages.js";
import type { FuzzTarget } from "../harness.js";

export const target: FuzzTarget = { name: "new-session-ticket", maxLength: 1 << 16, run: (data) => void parseNewSessionTicket(data) };
