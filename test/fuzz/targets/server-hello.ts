// parseServerHello, then checkServerExtensions against a full offer (every extension we can send, so each is parsed).
import { checkServerExtensions, clientExtensions, type ExtensionOffer } from "../../../src/handshake/extensions.js";
import { parseServerHello } from "../../../src/handshake/messages.js";
import type { FuzzTarget } from "../harness.js";

const offer: ExtensionOffer = {
  sniHost: "fuzz.microtls.test",
  groups: [29, 23, 24],
  schemes: [0x0403, 0x0503, 0x0804, 0x0401],
  alpn: ["h2", "http/1.1"],
  maxFragmentLength: 1024,
  recordSizeLimit: 4096,
  sessionTicket: new Uint8Array(0),
};
const offered = clientExtensions(offer);

export const target: FuzzTarget = {
  name: "server-hello",
  maxLength: 1 << 16,
  run(data) {
    const hello = parseServerHello(data);
    checkServerExtensions(hello.extensions, offered, offer);
  },
};
