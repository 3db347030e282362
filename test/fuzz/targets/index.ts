// Every fuzz target, in the order `npm run fuzz` and the CI replay run them.
import type { FuzzTarget } from "../harness.js";
import { target as deframer } from "./deframer.js";
import { target as recordLayer } from "./record-layer.js";
import { target as clientHello } from "./client-hello.js";
import { target as serverHello } from "./server-hello.js";
import { target as certificateMessage } from "./certificate-message.js";
import { target as serverKeyExchange } from "./server-key-exchange.js";
import { target as certificateRequest } from "./certificate-request.js";
import { target as finished } from "./finished.js";
import { target as newSessionTicket } from "./new-session-ticket.js";
import { target as certificate } from "./certificate.js";
import { target as verifyChain } from "./verify-chain.js";
import { target as pem } from "./pem.js";
import { target as decodeSession } from "./decode-session.js";
import { target as privateKey } from "./private-key.js";
import { target as encryptedPrivateKey } from "./encrypted-private-key.js";

export const targets: FuzzTarget[] = [
  deframer,
  recordLayer,
  clientHello,
  serverHello,
  certificateMessage,
  serverKeyExchange,
  certificateRequest,
  finished,
  newSessionTicket,
  certificate,
  verifyChain,
  pem,
  decodeSession,
  privateKey,
  encryptedPrivateKey,
];
