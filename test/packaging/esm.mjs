// Imports every entry of the installed package from ESM and prints what it found (checked by packaging.test.ts).
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import vm from "node:vm";
import * as main from "microtls";
import * as core from "microtls/core";
import * as x509 from "microtls/x509";
import * as node from "microtls/node";
import * as tcp from "microtls/tcp-client";
import * as async from "microtls/async";

const require = createRequire(import.meta.url);
// The engine bundle is a classic script defining one global, as an embedded engine loads it.
const engineFile = require.resolve("microtls/engine");
const sandbox = { TextEncoder, TextDecoder, crypto: globalThis.crypto };
vm.runInNewContext(readFileSync(engineFile, "utf8"), sandbox);
// The device profile bundle has the same shape and API.
const deviceSandbox = { crypto: globalThis.crypto };
vm.runInNewContext(readFileSync(require.resolve("microtls/device"), "utf8"), deviceSandbox);
console.log(JSON.stringify({
  main: typeof main.TlsClient,
  core: typeof core.TlsClient,
  x509: typeof x509.verifyChain,
  node: typeof node.connect,
  tcpClient: typeof tcp.TLSTCPClient,
  async: typeof async.AsyncTlsClient,
  engine: typeof sandbox.microtls?.TlsClient,
  device: typeof deviceSandbox.microtls?.TlsClient,
  sameError: main.TlsError === core.TlsError && core.TlsError === node.TlsError && async.TlsError === core.TlsError,
}));
