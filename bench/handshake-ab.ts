// A/B of the warm handshake CPU of two source trees' `microtls` TlsClient (the sans-I/O core over a net.Socket, as
// bench/clients/microtls-core.ts drives it), interleaved round by round in one process so both see the same load:
//   AB_A=/path/to/old/checkout AB_B=. node --expose-gc --import tsx bench/handshake-ab.ts
// Prints the median CPU ms per handshake per scenario and B ÷ A. (Checks "no regression for Node users".)
import { Socket } from "node:net";
import { mkdirSync } from "node:fs";
import { resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { closeSocket, type Connection } from "./clients/types.js";
import { measureInterleaved, type Contender } from "./measure.js";
import { BENCH_HOST, makeBenchPki } from "./pki.js";
import { HANDSHAKE_SCENARIOS, type Scenario } from "./scenarios.js";
import { startServers, type Endpoint } from "./servers.js";

interface Client {
  setBio(send: (d: Uint8Array) => number, recv: (b: Uint8Array) => number): void;
  handshake(): number;
}
type Tree = { TlsClient: new (o: Record<string, unknown>) => Client; TrustStore: new (pem: string) => unknown; WANT_READ: number };

async function load(dir: string): Promise<Tree> {
  const core = await import(pathToFileURL(resolve(dir, "src/index.ts")).href);
  const x509 = await import(pathToFileURL(resolve(dir, "src/x509/index.ts")).href);
  return { TlsClient: core.TlsClient, TrustStore: x509.TrustStore, WANT_READ: core.WANT_READ };
}

function connect(tree: Tree, ca: unknown, s: Scenario, ep: Endpoint): Promise<Connection> {
  const client = new tree.TlsClient({ serverName: BENCH_HOST, ca, cipherSuites: [s.suite], ...(s.offered.length > 0 ? { groups: s.offered } : {}), random: (b: Uint8Array) => void globalThis.crypto.getRandomValues(b as Uint8Array<ArrayBuffer>) });
  const socket = new Socket();
  socket.setNoDelay(true);
  const inbound: Buffer[] = [];
  client.setBio(
    (d) => (socket.write(d), d.length),
    (buf) => {
      const head = inbound[0];
      if (!head) return tree.WANT_READ;
      const n = Math.min(buf.length, head.length);
      buf.set(head.subarray(0, n));
      if (n === head.length) inbound.shift();
      else inbound[0] = head.subarray(n);
      return n;
    },
  );
  return new Promise((res, rej) => {
    const step = () => {
      let r: number;
      try {
        r = client.handshake();
      } catch (e) {
        socket.destroy();
        return rej(e);
      }
      if (r !== 0) return;
      socket.removeAllListeners("data");
      socket.on("data", () => {});
      res({ close: () => closeSocket(socket) });
    };
    socket.on("data", (d: Buffer) => (inbound.push(d), step()));
    socket.once("error", rej);
    socket.connect({ host: ep.host, port: ep.port }, step);
  });
}

async function main(): Promise<void> {
  const tmp = `${fileURLToPath(new URL(".", import.meta.url))}.tmp-focus`;
  mkdirSync(tmp, { recursive: true });
  const pki = makeBenchPki(tmp);
  const scenarios = HANDSHAKE_SCENARIOS.filter((s) => s.version === "TLSv1.2" && !s.suite.includes("CBC"));
  const servers = await startServers(pki, scenarios, []);
  const trees = { A: await load(process.env.AB_A ?? "."), B: await load(process.env.AB_B ?? ".") };
  const N = Number(process.env.BENCH_N ?? 40);
  try {
    for (const s of scenarios) {
      const ep = servers.handshake("openssl", s);
      const contenders: Contender[] = (["A", "B"] as const).map((k) => {
        const ca = new trees[k].TrustStore(pki[s.chain].rootPem);
        return { name: k, run: () => connect(trees[k], ca, s, ep) };
      });
      const r = await measureInterleaved(contenders, 10, N);
      const a = r.get("A")!.cpuMs.median;
      const b = r.get("B")!.cpuMs.median;
      console.log(`${s.label}: A ${a.toFixed(2)} ms, B ${b.toFixed(2)} ms, B/A ${(b / a).toFixed(3)}`);
    }
  } finally {
    servers.close();
  }
}

void main();
