// MQTT.js through the microtls/node Duplex to a real Mosquitto broker on loopback (TLS 1.2 only), the seeds'
// own use case: first without a client certificate, then with the broker requiring one.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mqttRoundTrip, type MqttTlsOptions } from "../examples/mqtt-mutual-tls.js";
import { Alert } from "../src/errors.js";
import { decodeSession, encodeSession } from "../src/handshake/session.js";
import { clientPkiFor, keyDir, type ClientPki } from "./helpers/client-keys.js";
import { expectTlsErrorAsync } from "./helpers/expect-tls-error.js";
import { startMosquitto, type MosquittoBroker } from "./helpers/mosquitto.js";
import { TEST_HOST, type KeyKind } from "./helpers/pki.js";
import { LOOPBACK } from "./helpers/servers.js";

let pki: ClientPki;
let open: MosquittoBroker;
let mutual: MosquittoBroker;

/** Waits (bounded) for the broker to log a line: its log comes asynchronously over a pipe. */
async function logged(broker: MosquittoBroker, re: RegExp): Promise<void> {
  for (let i = 0; i < 40 && !re.test(broker.output()); i++) await new Promise((r) => setTimeout(r, 50));
  expect(broker.output()).toMatch(re);
}

function base(broker: MosquittoBroker): MqttTlsOptions {
  return { host: LOOPBACK, port: broker.port, serverName: TEST_HOST, ca: pki.server.rootPem };
}

beforeAll(async () => {
  pki = clientPkiFor();
  const dir = keyDir();
  const server = pki.server;
  // The broker trusts the client CA's root and the client CA itself (devices often send only their leaf).
  const cafile = server.pki.bundle("mosquitto-client-cas", [server.root, pki.clientCa]);
  const tls = { dir, cafile, certfile: server.chainFile.p256, keyfile: server.leaves.p256.keyPath };
  open = await startMosquitto({ ...tls, requireCertificate: false });
  mutual = await startMosquitto({ ...tls, requireCertificate: true });
});

afterAll(async () => {
  await Promise.all([open?.close(), mutual?.close()]);
});

describe("MQTT over microtls to Mosquitto", () => {
  it("publishes and receives a message through the broker (server-authenticated TLS)", async () => {
    const r = await mqttRoundTrip(base(open));
    expect(r.received).toMatch(/^hello from microtls /);
    expect(r.cipherSuite).toMatch(/^TLS_ECDHE_ECDSA_WITH_/);
    expect(r.resumed).toBe(false);
  });

  it("refuses a broker whose certificate is not for the name asked", async () => {
    await expectTlsErrorAsync(mqttRoundTrip({ ...base(open), serverName: "not-the-broker.test" }), "BAD_CERTIFICATE");
  });

  it("a broker that requires a client certificate rejects a client without one, and its alert surfaces", async () => {
    // OpenSSL (inside mosquitto) answers a TLS 1.2 empty Certificate with handshake_failure (40).
    await expectTlsErrorAsync(mqttRoundTrip(base(mutual)), "ALERT_RECEIVED", Alert.handshake_failure);
    await logged(mutual, /peer did not return a certificate/);
  });

  for (const kind of ["p256", "p384", "rsa2048"] as KeyKind[]) {
    it(`mutual TLS with a ${kind} client certificate, then a resumed reconnect`, async () => {
      const client = pki.clients[kind];
      const options: MqttTlsOptions = { ...base(mutual), cert: client.certPem + pki.clientCa.certPem, key: client.keyPem };
      const first = await mqttRoundTrip(options);
      expect(first.received).toMatch(/^hello from microtls /);
      expect(first.resumed).toBe(false);
      // use_identity_as_username: the broker saw our certificate's CN.
      await logged(mutual, new RegExp(`u'device-${kind}'`));
      expect(first.session).not.toBeNull();
      // Across "deep sleep": only the encoded bytes survive.
      const saved = encodeSession(first.session!);
      const second = await mqttRoundTrip({ ...options, session: saved });
      expect(second.received).toMatch(/^hello from microtls /);
      expect(second.resumed).toBe(true);
      expect(second.cipherSuite).toBe(first.cipherSuite);
      expect(decodeSession(saved).cipherSuite).toBeGreaterThan(0);
    });
  }
});
