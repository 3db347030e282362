// microtls without the Node adapter: the push engine (TlsConnection) driven over a net.Socket by the smallest pump
// (socket bytes are fed as they arrive, output is written straight through). What a device's own event loop would do;
// next to the adapter row it shows what the Node Duplex layer costs, and its idle memory is the core's.
import { Socket } from "node:net";
import type { Scenario } from "../scenarios.js";
import { BENCH_HOST } from "../pki.js";
import { closeSocket, type ConnectTarget, type Connection, type Driver } from "./types.js";

interface CoreConnection {
  feed(bytes: Uint8Array): string;
  output(): Uint8Array;
  consumed(n: number): void;
  readonly handshakeComplete: boolean;
  readonly error: Error | null;
  group: string | null;
}
type CoreCtor = new (options: Record<string, unknown>) => CoreConnection;

export async function microtlsCoreDriver(): Promise<Driver> {
  let TlsConnection: CoreCtor | undefined;
  let TrustStore: (new (pem: string) => unknown) | undefined;
  let unavailable: string | null = null;
  // BENCH_WITHOUT_MICROTLS=1 rehearses the run from before the client existed: every microtls row says so.
  if (process.env.BENCH_WITHOUT_MICROTLS === "1") {
    unavailable = "not yet available (BENCH_WITHOUT_MICROTLS=1)";
  } else {
    try {
      const core = (await import("../../src/index.js")) as Record<string, unknown>;
      const x509 = (await import("../../src/x509/index.js")) as Record<string, unknown>;
      TlsConnection = core.TlsConnection as CoreCtor | undefined;
      TrustStore = x509.TrustStore as typeof TrustStore;
      if (!TlsConnection || !TrustStore) unavailable = "not yet available: src/index.ts exports no TlsConnection";
    } catch (e) {
      unavailable = `not yet available: src/index.ts does not load (${(e as Error).message.split("\n")[0]})`;
    }
  }
  const stores = new Map<string, unknown>();
  const random = (b: Uint8Array): void => {
    globalThis.crypto.getRandomValues(b as Uint8Array<ArrayBuffer>);
  };
  return {
    name: "microtls core (no adapter)",
    unavailable,
    unsupported: (s: Scenario) => (s.version === "TLSv1.2" && !s.suite.includes("CBC") ? null : "TLS 1.2 AEAD suites only"),
    connect(t: ConnectTarget): Promise<Connection> {
      if (!TlsConnection || !TrustStore) return Promise.reject(new Error(unavailable ?? "unavailable"));
      const rootPem = t.pki[t.scenario.chain].rootPem;
      let ca = stores.get(rootPem);
      if (!ca) stores.set(rootPem, (ca = new TrustStore(rootPem)));
      const conn = new TlsConnection({
        serverName: BENCH_HOST,
        ca,
        cipherSuites: [t.scenario.suite],
        ...(t.scenario.offered.length > 0 ? { groups: t.scenario.offered } : {}),
        random,
      });
      const socket = new Socket();
      socket.setNoDelay(true);
      return new Promise((resolve, reject) => {
        const step = (): void => {
          const out = conn.output();
          if (out.length > 0) {
            socket.write(out);
            conn.consumed(out.length);
          }
          if (conn.error) {
            socket.destroy();
            reject(conn.error);
            return;
          }
          if (!conn.handshakeComplete) return;
          socket.removeAllListeners("data");
          socket.on("data", () => {}); // idle: nothing is read after the handshake here
          if (t.scenario.group !== null && conn.group !== t.scenario.group) {
            socket.destroy();
            reject(new Error(`negotiated group ${conn.group}, expected ${t.scenario.group}`));
            return;
          }
          resolve({ close: () => closeSocket(socket) });
        };
        socket.on("data", (d: Buffer) => {
          conn.feed(d);
          step();
        });
        socket.once("error", reject);
        socket.connect({ host: t.endpoint.host, port: t.endpoint.port }, step);
      });
    },
  };
}
