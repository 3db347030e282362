// @reclaimprotocol/tls, the closest TypeScript peer, with its pure-JS (noble v1) crypto, driven over a net.Socket:
// its write() callback gets records to send, handleReceivedBytes() takes whatever the socket delivers.
// It offers only the server's group (else it would generate three key shares) and logs nothing.
import { Socket } from "node:net";
import { loadX509FromPem, makeTLSClient, setCryptoImplementation } from "@reclaimprotocol/tls";
import { pureJsCrypto } from "@reclaimprotocol/tls/purejs-crypto";
import { BENCH_HOST } from "../pki.js";
import type { Scenario } from "../scenarios.js";
import { closeSocket, type ConnectTarget, type Connection, type Driver } from "./types.js";

type ReclaimSuite = NonNullable<Parameters<typeof makeTLSClient>[0]["cipherSuites"]>[number];
type ReclaimCurve = NonNullable<Parameters<typeof makeTLSClient>[0]["namedCurves"]>[number];

const silent = { debug() {}, info() {}, warn() {}, error() {}, trace() {} };
const SUPPORTED = new Set<string>([
  "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
  "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
  "TLS_RSA_WITH_AES_128_GCM_SHA256",
  "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
  "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
]);

export function reclaimDriver(): Driver {
  setCryptoImplementation(pureJsCrypto);
  const roots = new Map<string, ReturnType<typeof loadX509FromPem>>();
  const rootFor = (pem: string) => {
    let r = roots.get(pem);
    if (!r) roots.set(pem, (r = loadX509FromPem(pem)));
    return r;
  };
  return {
    name: "@reclaimprotocol/tls",
    unavailable: null,
    unsupported: (s: Scenario) => (s.version !== "TLSv1.2" || !SUPPORTED.has(s.suite) ? "suite not offered" : null),
    connect({ endpoint, scenario, pki }: ConnectTarget): Promise<Connection> {
      return new Promise((resolve, reject) => {
        const socket = new Socket();
        socket.setNoDelay(true);
        // It makes a key share for every offered group up front (TLS 1.3 style), so every extra group costs it a
        // key generation. An empty list is a decode_error at the server, so RSA key exchange offers x25519.
        const curves: ReclaimCurve[] =
          scenario.offered.length === 0 ? ["X25519"] : scenario.offered.map((g) => (g === "x25519" ? "X25519" : "SECP256R1"));
        const tls = makeTLSClient({
          host: BENCH_HOST,
          verifyServerCertificate: true,
          rootCAs: [rootFor(pki[scenario.chain].rootPem)],
          cipherSuites: [scenario.suite as ReclaimSuite],
          namedCurves: curves,
          supportedProtocolVersions: ["TLS1_2"],
          logger: silent,
          write({ header, content }) {
            socket.write(header);
            socket.write(content);
          },
          onHandshake() {
            resolve({
              close: async () => {
                await closeSocket(socket);
              },
            });
          },
          onTlsEnd(error) {
            if (error) reject(error);
          },
        });
        socket.on("data", (d: Buffer) => {
          tls.handleReceivedBytes(d).catch(reject);
        });
        socket.once("error", reject);
        socket.once("connect", () => {
          tls.startHandshake().catch(reject);
        });
        socket.connect({ host: endpoint.host, port: endpoint.port });
      });
    },
  };
}
