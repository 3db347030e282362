// Node's tls server, run as its own process so its CPU never lands in the client's measurement.
// Config comes in BENCH_SERVER_CONFIG (JSON); one line `{"ports":{...}}` goes out on stdout when listening.
// Exits when its stdin closes, i.e. when the bench process goes away.
import { readFileSync } from "node:fs";
import { createServer as createTcpServer, type AddressInfo } from "node:net";
import { createServer, type SecureVersion } from "node:tls";

export interface NodeEndpointConfig {
  key: string;
  certFile: string; // leaf + intermediate
  keyFile: string;
  cipher: string;
  groups: string; // ecdhCurve syntax, e.g. "X25519:P-256"
  version: SecureVersion;
  /**
   * "handshake": accept and idle until the client hangs up; "echo": send back every byte received;
   * "tcp-echo": the same without TLS (what moving the bytes costs with no record layer at all).
   */
  mode: "handshake" | "echo" | "tcp-echo";
}

const configs = JSON.parse(process.env.BENCH_SERVER_CONFIG ?? "[]") as NodeEndpointConfig[];

async function listen(cfg: NodeEndpointConfig): Promise<number> {
  if (cfg.mode === "tcp-echo") {
    const tcp = createTcpServer({ noDelay: true }, (socket) => {
      socket.on("error", () => socket.destroy());
      socket.pipe(socket);
    });
    await new Promise<void>((resolve) => tcp.listen(0, "127.0.0.1", resolve));
    return (tcp.address() as AddressInfo).port;
  }
  const server = createServer({
    cert: readFileSync(cfg.certFile),
    key: readFileSync(cfg.keyFile),
    ciphers: cfg.cipher,
    ecdhCurve: cfg.groups,
    minVersion: cfg.version,
    maxVersion: cfg.version,
    noDelay: true,
  });
  server.on("secureConnection", (socket) => {
    socket.on("error", () => socket.destroy());
    if (cfg.mode === "echo") socket.pipe(socket);
    else socket.on("data", () => {});
  });
  server.on("tlsClientError", () => {});
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return (server.address() as AddressInfo).port;
}

const ports: Record<string, number> = {};
for (const cfg of configs) ports[cfg.key] = await listen(cfg);
process.stdout.write(`${JSON.stringify({ ports })}\n`);
process.stdin.on("end", () => process.exit(0));
process.stdin.on("close", () => process.exit(0));
process.stdin.resume();
