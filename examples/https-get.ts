// Fetches a page through node:http, with microtls doing the TLS:
//   npx tsx examples/https-get.ts https://example.com/ [--ca roots.pem] [--alpn]
// Without --ca it trusts Node's bundled Mozilla roots (tls.rootCertificates).
import { readFileSync } from "node:fs";
import * as http from "node:http";
import type * as net from "node:net";
import { rootCertificates } from "node:tls";
import { createConnection } from "../src/node/index.js";
import { errorReport, sessionReport } from "./session-report.js";

function usage(): never {
  console.error("usage: tsx examples/https-get.ts <https-url> [--ca file.pem]");
  process.exit(2);
}

const args = process.argv.slice(2);
const urlArg = args.find((a) => !a.startsWith("--"));
if (!urlArg) usage();
const url = new URL(urlArg);
if (url.protocol !== "https:") usage();
const caIndex = args.indexOf("--ca");
const ca = caIndex >= 0 ? readFileSync(args[caIndex + 1] ?? usage(), "utf8") : [...rootCertificates];
const host = url.hostname.replace(/^\[|\]$/g, "");
const port = Number(url.port || 443);

const req = http.request(
  {
    host,
    port,
    path: url.pathname + url.search,
    headers: { host: url.host, "user-agent": "microtls-example" },
    // node:http writes the request at once; the TlsSocket holds it until the handshake is done.
    createConnection: () => {
      const socket = createConnection({ host, port, serverName: host, ca, alpn: ["http/1.1"] });
      socket.once("secureConnect", () => console.error([`TLS to ${host}:${port}`, ...sessionReport(socket, host, true)].join("\n")));
      return socket as unknown as net.Socket;
    },
  },
  (res) => {
    console.error(`HTTP ${res.statusCode} ${res.statusMessage}`);
    res.pipe(process.stdout);
  },
);
req.on("error", (e) => {
  console.error([`request to ${url.href} failed`, ...errorReport(e)].join("\n"));
  process.exitCode = 1;
});
req.end();
