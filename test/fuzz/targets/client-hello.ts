// parseClientHello (the test peer's and the property tests' parser).
import { parseClientHello } from "../../helpers/server-codecs.js";
import type { FuzzTarget } from "../harness.js";

export const target: FuzzTarget = { name: "client-hello", maxLength: 1 << 16, run: (data) => void parseClientHello(data) };
