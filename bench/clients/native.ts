// The native reference: Node's own tls.connect (OpenSSL), CA given, verification on.
import { connect, createSecureContext, type SecureContext } from "node:tls";
import { BENCH_HOST } from "../pki.js";
import { opensslGroups } from "../scenarios.js";
import { closeSocket, type ConnectTarget, type Connection, type Driver } from "./types.js";

export function nativeDriver(): Driver {
  // One SecureContext per configuration, made once, as an application keeps one: the CA PEM is not re-parsed
  // on every connection (our client gets a TrustStore made once, reclaim a root parsed once).
  const contexts = new Map<string, SecureContext>();
  return {
    name: "node:tls",
    unavailable: null,
    unsupported: () => null,
    connect({ endpoint, scenario, pki }: ConnectTarget): Promise<Connection> {
      return new Promise((resolve, reject) => {
        const options = {
          ca: pki[scenario.chain].rootPem,
          ciphers: scenario.opensslCipher,
          ecdhCurve: opensslGroups(scenario),
          minVersion: scenario.version,
          maxVersion: scenario.version,
        };
        const key = JSON.stringify(options);
        let secureContext = contexts.get(key);
        if (!secureContext) contexts.set(key, (secureContext = createSecureContext(options)));
        const socket = connect({
          host: endpoint.host,
          port: endpoint.port,
          servername: BENCH_HOST,
          secureContext,
          rejectUnauthorized: true,
        });
        socket.setNoDelay(true);
        socket.once("secureConnect", () => {
          // The bench must measure the group it claims to: check what was negotiated.
          const got = socket.getEphemeralKeyInfo();
          const want = scenario.group === null ? null : scenario.group === "x25519" ? "X25519" : "prime256v1";
          if (want !== null && (!got || !("name" in got) || got.name !== want)) {
            socket.destroy();
            reject(new Error(`negotiated ${JSON.stringify(got)}, expected ${want}`));
            return;
          }
          resolve({ close: () => closeSocket(socket), stream: socket });
        });
        socket.once("error", reject);
      });
    },
  };
}
