// node-forge: TLS 1.0/1.1 with RSA key exchange and AES-CBC-SHA only, so it is measured on the legacy scenario.
// Its chain check runs in verify(); forge does not match the hostname itself, so that is added here.
import { Socket } from "node:net";
import forge from "node-forge";
import { BENCH_HOST } from "../pki.js";
import type { Scenario } from "../scenarios.js";
import { closeSocket, type ConnectTarget, type Connection, type Driver } from "./types.js";

function leafNames(cert: forge.pki.Certificate): string[] {
  const san = cert.getExtension("subjectAltName") as { altNames?: Array<{ type: number; value: string }> } | null;
  return (san?.altNames ?? []).filter((n) => n.type === 2).map((n) => n.value);
}

export function forgeDriver(): Driver {
  const stores = new Map<string, forge.pki.CAStore>();
  return {
    name: "node-forge",
    unavailable: null,
    unsupported: (s: Scenario) => (s.suite === "TLS_RSA_WITH_AES_128_CBC_SHA" ? null : "TLS 1.0/1.1 RSA-CBC only"),
    connect({ endpoint, scenario, pki }: ConnectTarget): Promise<Connection> {
      const rootPem = pki[scenario.chain].rootPem;
      let caStore = stores.get(rootPem);
      if (!caStore) stores.set(rootPem, (caStore = forge.pki.createCaStore([rootPem])));
      return new Promise((resolve, reject) => {
        const socket = new Socket();
        socket.setNoDelay(true);
        const conn = forge.tls.createConnection({
          server: false,
          caStore,
          sessionCache: {},
          cipherSuites: [forge.tls.CipherSuites.TLS_RSA_WITH_AES_128_CBC_SHA],
          virtualHost: BENCH_HOST,
          verify(_c, verified, depth, certs) {
            if (verified === true && depth === 0 && !leafNames(certs[0]).includes(BENCH_HOST)) {
              return { alert: forge.tls.Alert.Description.bad_certificate, message: "hostname mismatch" };
            }
            return verified;
          },
          connected() {
            resolve({ close: () => closeSocket(socket) });
          },
          tlsDataReady(c) {
            socket.write(Buffer.from(c.tlsData.getBytes(), "binary"));
          },
          dataReady(c) {
            c.data.getBytes();
          },
          closed() {},
          error(_c, err) {
            reject(new Error(`forge: ${err.message}`));
          },
        });
        socket.on("data", (d: Buffer) => conn.process(d.toString("binary")));
        socket.once("error", reject);
        socket.once("connect", () => conn.handshake());
        socket.connect({ host: endpoint.host, port: endpoint.port });
      });
    },
  };
}
