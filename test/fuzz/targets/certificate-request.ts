// parseCertificateRequest.
import { parseCertificateRequest } from "../../../src/handshake/messages.js";
import type { FuzzTarget } from "../harness.js";

export const target: FuzzTarget = { name: "certificate-request", maxLength: 1 << 16, run: (data) => void parseCertificateRequest(data) };
