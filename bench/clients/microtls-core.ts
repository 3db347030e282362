// microtls without the Node adapter: the sans-I/O TlsClient driven over a net.Socket by the smallest pump
// (socket bytes queue up for recv(), send() writes straight through). What a device's own event loop would do;
// next to the adapter row it shows what the Node Duplex layer costs, and its idle memory is the core's.
import { Socket } from "node:net";
import type { Scenario } from "../scenarios.js";
import { BENCH_HOST } from "../pki.js";
import { closeSocket, type ConnectTarget, type Connection, type Driver } from "./types.js";

interface CoreClient {
  setBio(send: (data: Uint8Array) => number, recv: (buf: Uint8Array) => number): void;
  handshake(): number;
  group: string | null;
}
type CoreCtor = new (options: Record<string, unknown>) => CoreClient;

export async function microtlsCoreDriver(): Promise<Driver> {
  let TlsClient: CoreCtor | undefined;
  let TrustStore: (new (pem: string) => unknown) | undefined;
  let WANT_READ = -2;
  let unavailable: string | null = null;
  // BENCH_WITHOUT_MICROTLS=1 rehearses the run from before the client existed: every microtls row says so.
  if (process.env.BENCH_WITHOUT_MICROTLS === "1") {
    unavailable = "not yet available (BENCH_WITHOUT_MICROTLS=1)";
  } else {
    try {
      const core = (await import("../../src/index.js")) as Record<string, unknown>;
      const x509 = (await import("../../src/x509/index.js")) as Record<string, unknown>;
      TlsClient = core.TlsClient as CoreCtor | undefined;
      TrustStore = x509.TrustStore as typeof TrustStore;
      if (typeof core.WANT_READ === "number") WANT_READ = core.WANT_READ;
      if (!TlsClient || !TrustStore) unavailable = "not yet available: src/index.ts exports no TlsClient";
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
      if (!TlsClient || !TrustStore) return Promise.reject(new Error(unavailable ?? "unavailable"));
      const rootPem = t.pki[t.scenario.chain].rootPem;
      let ca = stores.get(rootPem);
      if (!ca) stores.set(rootPem, (ca = new TrustStore(rootPem)));
      const client = new TlsClient({
        serverName: BENCH_HOST,
        ca,
        cipherSuites: [t.scenario.suite],
        ...(t.scenario.offered.length > 0 ? { groups: t.scenario.offered } : {}),
        random,
      });
      const socket = new Socket();
      socket.setNoDelay(true);
      const inbound: Buffer[] = [];
      client.setBio(
        (data) => {
          socket.write(data);
          return data.length;
        },
        (buf) => {
          const head = inbound[0];
          if (!head) return WANT_READ;
          const n = Math.min(buf.length, head.length);
          buf.set(head.subarray(0, n));
          if (n === head.length) inbound.shift();
          else inbound[0] = head.subarray(n);
          return n;
        },
      );
      return new Promise((resolve, reject) => {
        const step = (): void => {
          let r: number;
          try {
            r = client.handshake();
          } catch (e) {
            socket.destroy();
            reject(e);
            return;
          }
          if (r !== 0) return;
          socket.removeAllListeners("data");
          socket.on("data", () => {}); // idle: nothing is read after the handshake here
          if (t.scenario.group !== null && client.group !== t.scenario.group) {
            socket.destroy();
            reject(new Error(`negotiated group ${client.group}, expected ${t.scenario.group}`));
            return;
          }
          resolve({ close: () => closeSocket(socket) });
        };
        socket.on("data", (d: Buffer) => {
          inbound.push(d);
          step();
        });
        socket.once("error", reject);
        socket.connect({ host: t.endpoint.host, port: t.endpoint.port }, step);
      });
    },
  };
}
