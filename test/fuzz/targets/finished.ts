// parseFinished (12-byte verify_data) and parseEmpty (ServerHelloDone, HelloRequest): the fixed-size messages.
import { parseEmpty, parseFinished } from "../../../src/handshake/messages.js";
import type { FuzzTarget } from "../harness.js";

export const target: FuzzTarget = {
  name: "finished",
  maxLength: 1 << 10,
  run(data) {
    if ((data[0] ?? 0) & 1) parseEmpty(data.subarray(1), "ServerHelloDone");
    else parseFinished(data.subarray(1), 12);
  },
};
