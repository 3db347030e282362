// A/B of two versions of src/node/tls-socket.ts on the bulk transfer, interleaved slice by slice in one
// process so both see the same machine load (the box is shared; separate runs differ by ±20 %):
//   AB_A=src/node/old-copy.ts AB_B=src/node/tls-socket.ts node --expose-gc --import tsx bench/adapter-ab.ts
// Each file must export TlsSocket with the constructor (client, transport). Prints bulk ÷ raw for both.
import * as net from "node:net";
import { randomFillSync } from "node:crypto";
import { mkdirSync } from "node:fs";
import { resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { Duplex } from "node:stream";
import { TlsClient } from "../src/client.js";
import { bulkScenario, interleavedBulk } from "./bulk.js";
import { closeSocket, type Connection } from "./clients/types.js";
import { BENCH_HOST, makeBenchPki } from "./pki.js";
import { BULK_SUITES } from "./scenarios.js";
import { startServers } from "./servers.js";

type SocketClass = new (client: TlsClient, transport: Duplex) => Duplex;
const tmpDir = `${fileURLToPath(new URL(".", import.meta.url))}.tmp-focus`;

async function load(path: string): Promise<SocketClass> {
  return ((await import(pathToFileURL(resolve(path)).href)) as { TlsSocket: SocketClass }).TlsSocket;
}

async function main(): Promise<void> {
  mkdirSync(tmpDir, { recursive: true });
  const variants = { A: await load(process.env.AB_A!), B: await load(process.env.AB_B!) };
  const pki = makeBenchPki(tmpDir);
  const servers = await startServers(pki, [], BULK_SUITES);
  const rounds = Number(process.env.AB_ROUNDS ?? 2);
  try {
    for (const b of BULK_SUITES) {
      const endpoint = servers.bulk(b);
      const open = (Socket: SocketClass) =>
        new Promise<Connection>((done, fail) => {
          const client = new TlsClient({
            serverName: BENCH_HOST,
            ca: pki.ecdsa.rootPem,
            cipherSuites: [bulkScenario(b).suite],
            random: (buf: Uint8Array) => void randomFillSync(buf),
            now: () => Date.now(),
          } as ConstructorParameters<typeof TlsClient>[0]);
          const transport = net.connect({ host: endpoint.host, port: endpoint.port, allowHalfOpen: true });
          transport.setNoDelay(true);
          const socket = new Socket(client, transport);
          socket.once("error", fail);
          socket.once("secureConnect", () => done({ stream: socket, close: () => closeSocket(socket) }));
        });
      const conns = [
        { name: "A", conn: await open(variants.A) },
        { name: "B", conn: await open(variants.B) },
      ];
      let raw = 0;
      const cpu = { A: 0, B: 0 };
      for (let r = 0; r < rounds; r++) {
        // Alternate who goes first in the slices.
        const m = await interleavedBulk(b.aead, r % 2 ? [conns[1], conns[0]] : conns);
        raw += m.rawCpuMs;
        cpu.A += m.byName.get("A")!.cpuMs;
        cpu.B += m.byName.get("B")!.cpuMs;
      }
      for (const c of conns) await c.conn.close();
      process.stdout.write(`${b.label}: raw ${raw.toFixed(0)} ms; A ${cpu.A.toFixed(0)} ms (bulk/raw ${(raw / cpu.A).toFixed(2)}); B ${cpu.B.toFixed(0)} ms (bulk/raw ${(raw / cpu.B).toFixed(2)}); B/A ${(cpu.B / cpu.A).toFixed(3)}\n`);
    }
  } finally {
    servers.close();
  }
}

main().then(
  () => process.exit(0),
  (e) => {
    process.stderr.write(`adapter-ab failed: ${(e as Error).stack ?? e}\n`);
    process.exit(1);
  },
);
