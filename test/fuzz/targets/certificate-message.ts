// parseCertificateList (the Certificate message body).
import { parseCertificateList } from "../../../src/handshake/messages.js";
import type { FuzzTarget } from "../harness.js";

export const target: FuzzTarget = { name: "certificate-message", maxLength: 1 << 16, run: (data) => void parseCertificateList(data) };
