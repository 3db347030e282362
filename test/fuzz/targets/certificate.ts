// parseCertificate: the DER reader, names, extensions, keys.
import { parseCertificate } from "../../../src/x509/certificate.js";
import type { FuzzTarget } from "../harness.js";

export const target: FuzzTarget = { name: "certificate", maxLength: 1 << 14, run: (data) => void parseCertificate(data) };
