// The measurements' TLS peer in its own process, so the in-process engines' CPU time excludes the server's work.
// Prints one JSON line { rootPem, ports: { <suite>: port } } and serves until its stdin closes.
import { standardPki } from "../helpers/pki.js";
import { closeAllServers } from "../helpers/servers.js";
import { ENGINE_SUITES, startEchoServer } from "./harness.js";

async function main(): Promise<void> {
  const pki = standardPki();
  const ports: Record<string, number> = {};
  for (const s of ENGINE_SUITES) ports[s.suite] = (await startEchoServer(pki, s.leaf, s.openssl)).server.port;
  process.stdout.write(JSON.stringify({ rootPem: pki.rootPem, ports }) + "\n");
  process.stdin.resume();
  process.stdin.on("end", () => void closeAllServers().then(() => process.exit(0)));
}

void main();
