// The microtls demo.
//   npm run demo                          no network: makes a CA with openssl, starts Node's tls server on
//                                         loopback, connects with microtls and shows what was agreed
//   npm run demo -- host:port [--ca file] connects to another server (Node's Mozilla roots without --ca)
import { readFileSync } from "node:fs";
import * as http from "node:http";
import type * as net from "node:net";
import { rootCertificates } from "node:tls";
import { connect, type TlsSocket } from "../src/node/index.js";
import { closeAllServers, startNodeTlsServer } from "../test/helpers/servers.js";
import { Pki } from "../test/helpers/pki.js";
import { errorReport, sessionReport } from "./session-report.js";

interface Target {
  host: string;
  port: number;
  serverName: string;
  ca: string | string[];
}

/** One GET / over the already-secured socket, through node:http. Resolves with the status line and body. */
function get(socket: TlsSocket, hostHeader: string): Promise<{ status: string; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { path: "/", headers: { host: hostHeader, connection: "close" }, createConnection: () => socket as unknown as net.Socket },
      (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (c: string) => (body += c));
        res.on("end", () => resolve({ status: `HTTP/${res.httpVersion} ${res.statusCode} ${res.statusMessage}`, body }));
      },
    );
    req.setTimeout(5000, () => req.destroy(new Error("no HTTP response within 5 s (is it an HTTPS server?)")));
    req.on("error", reject);
    req.end();
  });
}

async function run(target: Target): Promise<void> {
  console.log(`\nConnecting to ${target.host}:${target.port} as "${target.serverName}" with microtls`);
  let socket: TlsSocket;
  try {
    socket = await connect({ host: target.host, port: target.port, serverName: target.serverName, ca: target.ca, alpn: ["http/1.1"], handshakeTimeout: 10_000 });
  } catch (e) {
    console.log(["  handshake FAILED", ...errorReport(e)].join("\n"));
    process.exitCode = 1;
    return;
  }
  console.log(sessionReport(socket, target.serverName, true).join("\n"));
  console.log(`\n  request       GET / HTTP/1.1 (Host: ${target.serverName})`);
  try {
    const { status, body } = await get(socket, target.serverName);
    console.log(`  response      ${status}`);
    const shown = body.length > 300 ? `${body.slice(0, 300)}… (${body.length} bytes)` : body;
    for (const line of shown.split("\n")) console.log(`                ${line}`);
  } catch (e) {
    console.log(`  response      none: ${(e as Error).message}`);
  }
}

async function localDemo(): Promise<void> {
  console.log("microtls demo (no network needed)");
  const pki = new Pki();
  try {
    const root = pki.issue({ name: "demo-root", cn: "microtls demo root CA", key: "p384", ca: true });
    const intermediate = pki.issue({ name: "demo-intermediate", cn: "microtls demo intermediate CA", key: "p256", ca: 0, issuer: root });
    const leaf = pki.issue({ name: "demo-server", cn: "localhost", key: "p256", issuer: intermediate, dns: ["localhost"], ips: ["127.0.0.1"] });
    console.log(`  1. generated a CA and a server certificate with openssl (root → intermediate → "localhost") in ${pki.dir}`);
    const server = await startNodeTlsServer({
      key: leaf.keyPem,
      cert: leaf.certPem + intermediate.certPem,
      mode: "https",
      ALPNProtocols: ["http/1.1"],
    });
    console.log(`  2. Node's tls server (https) listens on 127.0.0.1:${server.port}, TLS 1.2 only`);
    console.log(`  3. microtls trusts only the demo root and checks the name "localhost"`);
    await run({ host: "127.0.0.1", port: server.port, serverName: "localhost", ca: root.certPem });
  } finally {
    await closeAllServers();
    pki.cleanup();
  }
}

function parseTarget(args: string[]): Target {
  const hostPort = args[0];
  const m = /^(\[[^\]]+\]|[^:]+):(\d+)$/.exec(hostPort);
  if (!m) {
    console.error("usage: npm run demo -- [host:port [--ca file.pem] [--servername name]]");
    process.exit(2);
  }
  const host = m[1].replace(/^\[|\]$/g, "");
  const option = (name: string) => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const caFile = option("--ca");
  return {
    host,
    port: Number(m[2]),
    serverName: option("--servername") ?? host,
    ca: caFile ? readFileSync(caFile, "utf8") : [...rootCertificates],
  };
}

const args = process.argv.slice(2);
if (args.length === 0) await localDemo();
else await run(parseTarget(args));
