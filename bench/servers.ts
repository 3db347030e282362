// Starts the peers in processes of their own: one Node tls server process hosting every Node endpoint,
// and one `openssl s_server` per scenario. Nothing the servers do is charged to the client's CPU clock.
import { spawn, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import type { NodeEndpointConfig } from "./node-server.js";
import type { BenchPki } from "./pki.js";
import { opensslGroups, type BulkSuite, type Scenario } from "./scenarios.js";

export type ServerKind = "node" | "openssl";
export const SERVER_KINDS: ServerKind[] = ["node", "openssl"];

export interface Endpoint {
  server: ServerKind;
  host: string;
  port: number;
}

export interface BenchServers {
  handshake(server: ServerKind, scenario: Scenario): Endpoint;
  bulk(suite: BulkSuite): Endpoint;
  /** A plain TCP echo server (no TLS), for the transport's share of the bulk cost. */
  tcpEcho(): Endpoint;
  close(): void;
}

const HOST = "127.0.0.1";

function firstLineMatching(child: ChildProcess, stream: NodeJS.ReadableStream, re: RegExp, what: string): Promise<RegExpExecArray> {
  return new Promise((resolve, reject) => {
    const rl = createInterface({ input: stream });
    let seen = "";
    const timer = setTimeout(() => reject(new Error(`${what}: not ready after 20 s; output:\n${seen}`)), 20_000);
    rl.on("line", (line) => {
      seen += `${line}\n`;
      const m = re.exec(line);
      if (m) {
        clearTimeout(timer);
        // Keep draining so a chatty server never blocks on a full pipe.
        rl.removeAllListeners("line");
        rl.on("line", () => {});
        resolve(m);
      }
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`${what} exited (${code}) before it was ready:\n${seen}`));
    });
  });
}

function startOpenssl(pki: BenchPki, s: Scenario): { child: ChildProcess; ready: Promise<number> } {
  const chain = pki[s.chain];
  const args = [
    "s_server", "-accept", `${HOST}:0`,
    "-cert", chain.leaf.certPath, "-key", chain.leaf.keyPath, "-cert_chain", chain.intermediateFile,
    "-cipher", s.opensslCipher, s.version === "TLSv1.1" ? "-tls1_1" : "-tls1_2",
    "-no_ticket",
  ];
  args.push("-groups", opensslGroups(s));
  // stdin stays an open pipe: at EOF on stdin s_server would end each session by itself.
  const child = spawn("openssl", args, { stdio: ["pipe", "pipe", "pipe"] });
  child.stderr!.on("data", () => {});
  const ready = firstLineMatching(child, child.stdout!, /^ACCEPT .*:(\d+)$/, `openssl s_server (${s.id})`).then((m) => Number(m[1]));
  return { child, ready };
}

export async function startServers(pki: BenchPki, scenarios: Scenario[], bulk: BulkSuite[]): Promise<BenchServers> {
  const configs: NodeEndpointConfig[] = [];
  for (const s of scenarios) {
    const chain = pki[s.chain];
    configs.push({
      key: s.id,
      certFile: chain.chainFile,
      keyFile: chain.leaf.keyPath,
      cipher: s.opensslCipher,
      groups: opensslGroups(s),
      version: s.version,
      mode: "handshake",
    });
  }
  for (const b of bulk) {
    configs.push({
      key: `bulk-${b.id}`,
      certFile: pki.ecdsa.chainFile,
      keyFile: pki.ecdsa.leaf.keyPath,
      cipher: b.opensslCipher,
      groups: "X25519:P-256",
      version: "TLSv1.2",
      mode: "echo",
    });
  }
  configs.push({
    key: "tcp-echo",
    certFile: pki.ecdsa.chainFile,
    keyFile: pki.ecdsa.leaf.keyPath,
    cipher: "",
    groups: "",
    version: "TLSv1.2",
    mode: "tcp-echo",
  });
  const children: ChildProcess[] = [];
  const nodeChild = spawn(process.execPath, ["--import", "tsx", fileURLToPath(new URL("./node-server.ts", import.meta.url))], {
    stdio: ["pipe", "pipe", "inherit"],
    env: { ...process.env, BENCH_SERVER_CONFIG: JSON.stringify(configs) },
  });
  children.push(nodeChild);
  const nodeReady = firstLineMatching(nodeChild, nodeChild.stdout!, /^(\{"ports".*)$/, "node tls server").then(
    (m) => (JSON.parse(m[1]) as { ports: Record<string, number> }).ports,
  );
  const openssl = new Map<string, Promise<number>>();
  for (const s of scenarios) {
    const { child, ready } = startOpenssl(pki, s);
    children.push(child);
    openssl.set(s.id, ready);
  }
  const close = (): void => {
    for (const c of children) if (c.exitCode === null && c.pid) c.kill();
  };
  process.once("exit", close);
  try {
    const nodePorts = await nodeReady;
    const opensslPorts = new Map<string, number>();
    for (const [id, p] of openssl) opensslPorts.set(id, await p);
    return {
      handshake(server, scenario) {
        const port = server === "node" ? nodePorts[scenario.id] : opensslPorts.get(scenario.id);
        if (port === undefined) throw new Error(`no ${server} endpoint for ${scenario.id}`);
        return { server, host: HOST, port };
      },
      bulk(suite) {
        const port = nodePorts[`bulk-${suite.id}`];
        if (port === undefined) throw new Error(`no bulk endpoint for ${suite.id}`);
        return { server: "node", host: HOST, port };
      },
      tcpEcho() {
        return { server: "node", host: HOST, port: nodePorts["tcp-echo"] };
      },
      close,
    };
  } catch (e) {
    close();
    throw e;
  }
}
