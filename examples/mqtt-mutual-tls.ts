// MQTT over microtls with a client certificate: the AWS IoT / Azure IoT / Mosquitto pattern.
// MQTT.js runs over the microtls/node Duplex; the device authenticates with its certificate and key, publishes
// and receives a message, then reconnects resuming the TLS session (no certificate exchange, no ECDHE).
//
//   npx tsx examples/mqtt-mutual-tls.ts --host broker.example.com --port 8883 \
//     --ca AmazonRootCA1.pem --cert device.pem.crt --key private.pem.key [--alpn x-amzn-mqtt-ca] [--topic t]
//
// For AWS IoT: port 8883, or port 443 with --alpn x-amzn-mqtt-ca; the CA is the Amazon root CA.
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { MqttClient } from "mqtt";
import type { TlsSession } from "../src/index.js";
import { createConnection, type ConnectOptions, type TlsSocket } from "../src/node/index.js";

export interface MqttTlsOptions {
  host: string;
  port: number;
  /** The name checked in the broker's certificate; default host. */
  serverName?: string;
  /** PEM trust anchors for the broker (for AWS IoT: the Amazon root CA). */
  ca: string;
  /** The device certificate chain (PEM) and its private key (PEM or DER). */
  cert?: string;
  key?: string | Uint8Array;
  /** e.g. ["x-amzn-mqtt-ca"] for AWS IoT on port 443. */
  alpn?: string[];
  topic?: string;
  clientId?: string;
  /** A session from an earlier connection (object or its encodeSession bytes) to resume. */
  session?: TlsSession | Uint8Array | null;
  trace?: (line: string) => void;
}

export interface MqttRoundTrip {
  /** The payload that came back through the broker. */
  received: string;
  cipherSuite: string | null;
  /** Whether the TLS handshake was abbreviated (session resumed). */
  resumed: boolean;
  /** The session to resume next time (store it like a key: it holds the master secret). */
  session: TlsSession | null;
  handshakeMs: number | null;
}

/** Connects, subscribes, publishes one message, waits for it to come back, and disconnects. */
export function mqttRoundTrip(o: MqttTlsOptions): Promise<MqttRoundTrip> {
  const topic = o.topic ?? `microtls/example/${randomBytes(4).toString("hex")}`;
  const payload = `hello from microtls ${new Date().toISOString()}`;
  const tlsOptions: ConnectOptions = {
    host: o.host,
    port: o.port,
    serverName: o.serverName ?? o.host,
    ca: o.ca,
    ...(o.cert !== undefined ? { cert: o.cert } : {}),
    ...(o.key !== undefined ? { key: o.key } : {}),
    ...(o.session ? { session: o.session } : {}),
    ...(o.alpn ? { alpn: o.alpn } : {}),
    ...(o.trace ? { trace: o.trace } : {}),
    handshakeTimeout: 15_000,
  };

  return new Promise((resolve, reject) => {
    let socket: TlsSocket | null = null;
    let settled = false;
    const client = new MqttClient(
      () => {
        // MQTT.js wants the stream synchronously: createConnection returns it at once and handshakes on its own.
        socket = createConnection(tlsOptions);
        return socket;
      },
      {
        protocolVersion: 4,
        clientId: o.clientId ?? `microtls-${randomBytes(4).toString("hex")}`,
        clean: true,
        reconnectPeriod: 0, // a failure must surface, not loop
        connectTimeout: 15_000,
      },
    );
    const fail = (e: Error) => {
      if (settled) return;
      settled = true;
      client.end(true);
      reject(e);
    };
    client.once("error", fail);
    client.once("close", () => fail(new Error("the MQTT connection closed before the round trip completed")));
    client.once("connect", () => {
      client.subscribe(topic, { qos: 1 }, (err) => {
        if (err) return fail(err);
        client.publish(topic, payload, { qos: 1 }, (err2) => {
          if (err2) fail(err2);
        });
      });
    });
    client.on("message", (t, message) => {
      if (t !== topic || settled) return;
      const s = socket!;
      const result: MqttRoundTrip = {
        received: message.toString("utf8"),
        cipherSuite: s.client.cipherSuite,
        resumed: s.client.resumed,
        session: s.client.session,
        handshakeMs: s.handshakeMs,
      };
      settled = true;
      client.end(false, {}, () => resolve(result));
    });
  });
}

function arg(argv: string[], name: string): string | undefined {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : undefined;
}

export async function main(argv: string[]): Promise<void> {
  const host = arg(argv, "host");
  const port = Number(arg(argv, "port") ?? 8883);
  const caFile = arg(argv, "ca");
  if (!host || !caFile) {
    process.stderr.write("usage: tsx examples/mqtt-mutual-tls.ts --host H [--port 8883] --ca ca.pem --cert device.pem --key device.key [--alpn x-amzn-mqtt-ca] [--topic T]\n");
    process.exitCode = 2;
    return;
  }
  const certFile = arg(argv, "cert");
  const keyFile = arg(argv, "key");
  const alpn = arg(argv, "alpn");
  const options: MqttTlsOptions = {
    host,
    port,
    serverName: arg(argv, "servername"),
    ca: readFileSync(caFile, "utf8"),
    cert: certFile ? readFileSync(certFile, "utf8") : undefined,
    key: keyFile ? readFileSync(keyFile, "utf8") : undefined,
    alpn: alpn ? [alpn] : undefined,
    topic: arg(argv, "topic"),
  };
  const first = await mqttRoundTrip(options);
  process.stdout.write(`full handshake:    ${first.cipherSuite}, ${first.handshakeMs} ms, received "${first.received}"\n`);
  if (!first.session) {
    process.stdout.write("no session to resume (the broker gave no session ID or ticket)\n");
    return;
  }
  const second = await mqttRoundTrip({ ...options, session: first.session });
  process.stdout.write(`reconnect:         ${second.resumed ? "resumed" : "full handshake (session declined)"}, ${second.handshakeMs} ms, received "${second.received}"\n`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).catch((e: Error) => {
    process.stderr.write(`${e.name}: ${e.message}\n`);
    process.exitCode = 1;
  });
}
