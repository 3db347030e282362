// Requires every entry of the installed package from CommonJS (require(esm) of noble, Node >= 20.19).
const main = require("microtls");
const core = require("microtls/core");
const x509 = require("microtls/x509");
const node = require("microtls/node");
const tcp = require("microtls/tcp-client");
const async = require("microtls/async");
const engine = require("node:fs").readFileSync(require.resolve("microtls/engine"), "utf8");
const device = require("node:fs").readFileSync(require.resolve("microtls/device"), "utf8");
console.log(JSON.stringify({
  main: typeof main.TlsClient,
  core: typeof core.TlsClient,
  x509: typeof x509.verifyChain,
  node: typeof node.connect,
  tcpClient: typeof tcp.TLSTCPClient,
  async: typeof async.AsyncTlsClient,
  engine: engine.startsWith("var microtls=") ? "function" : "missing",
  device: /^("use strip";\s*)?var microtls=/.test(device) ? "function" : "missing",
  sameError: main.TlsError === core.TlsError && core.TlsError === node.TlsError && async.TlsError === core.TlsError,
}));
