// microtls through its Node adapter (microtls/node createConnection → TlsSocket), the way a Node user runs it.
// While src/node cannot make a connection yet, the driver reports itself unavailable and every row says so.
import type { Duplex } from "node:stream";
import { BENCH_HOST } from "../pki.js";
import type { Scenario } from "../scenarios.js";
import { closeSocket, type ConnectTarget, type Connection, type Driver } from "./types.js";

interface OurSocket extends Duplex {
  transport: Duplex & { setNoDelay?: (on: boolean) => unknown };
  client: { group: string | null; cipherSuite: string | null; resumed?: boolean };
}
type CreateConnection = (opts: Record<string, unknown>) => OurSocket;

const OUR_SUITES = new Set<string>([
  "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
  "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
  "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
  "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
  "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
  "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
  "TLS_RSA_WITH_AES_128_GCM_SHA256",
  "TLS_RSA_WITH_AES_256_GCM_SHA384",
]);

/**
 * The options our client gets for a scenario: exactly one suite, the scenario's groups, and the root as trust
 * anchor — parsed once into a TrustStore when `anchors` is given (as an application keeps one), else as PEM.
 */
export function microtlsOptions(t: ConnectTarget, anchors?: (pem: string) => unknown): Record<string, unknown> {
  const rootPem = t.pki[t.scenario.chain].rootPem;
  return {
    host: t.endpoint.host,
    port: t.endpoint.port,
    serverName: BENCH_HOST,
    ca: anchors ? anchors(rootPem) : rootPem,
    cipherSuites: [t.scenario.suite],
    ...(t.scenario.offered.length > 0 ? { groups: t.scenario.offered } : {}),
  };
}

export async function microtlsDriver(): Promise<Driver> {
  let createConnection: CreateConnection | undefined;
  let unavailable: string | null = null;
  const stores = new Map<string, unknown>();
  let anchors: ((pem: string) => unknown) | undefined;
  // BENCH_WITHOUT_MICROTLS=1 rehearses the run from before the client existed: every microtls row says so.
  if (process.env.BENCH_WITHOUT_MICROTLS === "1") {
    unavailable = "not yet available (BENCH_WITHOUT_MICROTLS=1)";
  } else {
    try {
      const mod = (await import("../../src/node/index.js")) as Record<string, unknown>;
      if (typeof mod.createConnection === "function") createConnection = mod.createConnection as CreateConnection;
      else unavailable = "not yet available: src/node exports no createConnection()";
      const x509 = (await import("../../src/x509/index.js")) as Record<string, unknown>;
      const TrustStore = x509.TrustStore as (new (pem: string) => unknown) | undefined;
      if (TrustStore) {
        anchors = (pem) => {
          let store = stores.get(pem);
          if (!store) stores.set(pem, (store = new TrustStore(pem)));
          return store;
        };
      }
    } catch (e) {
      unavailable = `not yet available: src/node does not load (${(e as Error).message.split("\n")[0]})`;
    }
  }
  return {
    name: "microtls",
    unavailable,
    unsupported: (s: Scenario) => (s.version === "TLSv1.2" && OUR_SUITES.has(s.suite) ? null : "TLS 1.2 AEAD suites only"),
    connect(t: ConnectTarget): Promise<Connection> {
      if (!createConnection) return Promise.reject(new Error(unavailable ?? "unavailable"));
      const socket = createConnection(microtlsOptions(t, anchors));
      // Same transport setting as every other client here (Nagle off), so wall times compare.
      socket.transport.setNoDelay?.(true);
      return new Promise((resolve, reject) => {
        socket.once("error", reject);
        socket.once("secureConnect", () => {
          socket.off("error", reject);
          socket.on("error", () => {});
          // Measure what the row claims: the scenario's group, and a full (not resumed) handshake.
          const want = t.scenario.group;
          const wrong =
            want !== null && socket.client.group !== want
              ? `negotiated group ${socket.client.group}, expected ${want}`
              : socket.client.resumed === true
                ? "the session was resumed; the bench measures full handshakes"
                : null;
          if (wrong) {
            socket.destroy();
            reject(new Error(wrong));
            return;
          }
          resolve({ close: () => closeSocket(socket), stream: socket });
        });
      });
    },
  };
}
