// A real Mosquitto broker on loopback for the MQTT-over-TLS tests: TLS 1.2 only, and (by default) a client
// certificate required and verified against the test CA, as AWS IoT and most production brokers do.
import { spawn, type ChildProcess } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { requirePeer } from "./peers.js";
import { freePort, LOOPBACK, waitForPort } from "./servers.js";

export interface MosquittoOptions {
  /** Directory for the generated config. */
  dir: string;
  /** PEM file with the CAs that sign client certificates. */
  cafile: string;
  /** PEM file with the broker's certificate chain (leaf first). */
  certfile: string;
  keyfile: string;
  /** Default true: require_certificate true. */
  requireCertificate?: boolean;
  /** Default true: the certificate's CN becomes the MQTT username (what AWS IoT-style policies key on). */
  useIdentityAsUsername?: boolean;
  /** Port; default a free one. */
  port?: number;
}

export interface MosquittoBroker {
  readonly port: number;
  readonly configPath: string;
  /** Everything the broker logged so far. */
  output(): string;
  close(): Promise<void>;
}

/** The mosquitto.conf text for one TLS listener on loopback. */
export function mosquittoConfig(o: MosquittoOptions & { port: number }): string {
  return [
    // Run as root in CI containers: keep root, or the broker drops to a user that cannot read the temp keys.
    "user root",
    "persistence false",
    "log_dest stderr",
    "log_type error",
    "log_type warning",
    "log_type notice",
    "log_type information",
    "connection_messages true",
    "per_listener_settings false",
    "allow_anonymous true",
    `listener ${o.port} ${LOOPBACK}`,
    "protocol mqtt",
    `cafile ${o.cafile}`,
    `certfile ${o.certfile}`,
    `keyfile ${o.keyfile}`,
    `require_certificate ${o.requireCertificate === false ? "false" : "true"}`,
    `use_identity_as_username ${o.useIdentityAsUsername === false || o.requireCertificate === false ? "false" : "true"}`,
    "tls_version tlsv1.2",
    "",
  ].join("\n");
}

const running = new Set<ChildProcess>();
let exitHook = false;

/** Starts mosquitto with a generated config and resolves once it accepts TCP connections. */
export async function startMosquitto(options: MosquittoOptions): Promise<MosquittoBroker> {
  const bin = requirePeer("mosquitto");
  const port = options.port ?? (await freePort());
  const configPath = join(options.dir, `mosquitto-${port}.conf`);
  writeFileSync(configPath, mosquittoConfig({ ...options, port }));
  const child = spawn(bin, ["-c", configPath], { stdio: ["ignore", "pipe", "pipe"] });
  running.add(child);
  if (!exitHook) {
    exitHook = true;
    process.once("exit", () => {
      for (const c of running) c.kill("SIGKILL");
    });
  }
  let log = "";
  const onData = (d: Buffer) => {
    log += d.toString("utf8");
    if (log.length > 1 << 20) log = log.slice(-(1 << 19));
  };
  child.stdout!.on("data", onData);
  child.stderr!.on("data", onData);
  let exited = false;
  child.once("error", (e) => {
    log += `spawn failed: ${e.message}\n`;
    exited = true;
    running.delete(child);
  });
  child.once("exit", () => {
    exited = true;
    running.delete(child);
  });
  try {
    await waitForPort(port, () => !exited);
  } catch (e) {
    child.kill("SIGKILL");
    throw new Error(`mosquitto did not start: ${(e as Error).message}\n${log}`);
  }
  let closed: Promise<void> | undefined;
  return {
    port,
    configPath,
    output: () => log,
    close() {
      closed ??= new Promise<void>((resolve) => {
        if (exited) return resolve();
        const timer = setTimeout(() => child.kill("SIGKILL"), 2000);
        child.once("exit", () => {
          clearTimeout(timer);
          resolve();
        });
        child.kill("SIGTERM");
      });
      return closed;
    },
  };
}
