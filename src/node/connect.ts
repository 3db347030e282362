// connect(): a TCP connection plus a TlsClient, with Node's clock and randomness injected.
import { randomFillSync } from "node:crypto";
import * as net from "node:net";
import type { Duplex } from "node:stream";
import { rootCertificates } from "node:tls";
import { TlsClient } from "../client.js";
import { TlsError } from "../errors.js";
import type { TlsClientOptions } from "../handshake/config.js";
import { TrustStore } from "../x509/trust-store.js";
import { TlsSocket, type TlsSocketOptions } from "./tls-socket.js";

export interface ConnectOptions extends Omit<TlsClientOptions, "ca">, TlsSocketOptions {
  host: string;
  port: number;
  /** An already open transport to use instead of a new TCP connection (host/port then only name the peer). */
  socket?: Duplex;
  /** As TlsClient's `ca`, or "system": Node's root store (tls.rootCertificates), parsed once per process. */
  ca?: TlsClientOptions["ca"] | "system";
  /** Aborting it ends the connection at once (handshake or not) with a TlsError `ABORTED`. */
  signal?: AbortSignal;
}

let systemStore: TrustStore | null = null;

/** Node's bundled roots, explicit: the core never reaches for a platform store on its own. */
function systemRoots(): TrustStore {
  systemStore ??= new TrustStore(rootCertificates.slice());
  return systemStore;
}

function abortError(signal: AbortSignal): TlsError {
  const reason = signal.reason instanceof Error ? signal.reason.message : String(signal.reason ?? "aborted");
  const err = new TlsError("ABORTED", `the connection was aborted (signal): ${reason}`);
  (err as TlsError & { cause?: unknown }).cause = signal.reason;
  return err;
}

function nodeRandom(buf: Uint8Array): void {
  randomFillSync(buf);
}

/** Splits adapter options from client options; serverName defaults to host, like Node's tls.connect. */
function clientOptions(options: ConnectOptions): TlsClientOptions {
  const { host, port: _port, socket: _socket, handshakeTimeout: _timeout, signal: _signal, ca, ...rest } = options;
  return {
    ...rest,
    ...(ca === undefined ? {} : { ca: ca === "system" ? systemRoots() : ca }),
    serverName: rest.serverName ?? host,
    random: rest.random ?? nodeRandom,
    now: rest.now === undefined ? () => Date.now() : rest.now,
  };
}

/**
 * Returns the socket at once, like tls.connect: writes wait for the handshake, 'secureConnect' fires when it
 * completes, 'error' carries a TlsError. Use it where a stream is needed synchronously (http createConnection, MQTT.js).
 */
export function createConnection(options: ConnectOptions): TlsSocket {
  const { signal } = options;
  if (signal?.aborted) throw abortError(signal); // before any byte, like a bad option
  const client = new TlsClient(clientOptions(options)); // throws TlsError CONFIG before any byte is sent
  const transport = options.socket ?? net.connect({ host: options.host, port: options.port, allowHalfOpen: true });
  const socket = new TlsSocket(client, transport, { handshakeTimeout: options.handshakeTimeout, verify: options.verify });
  if (signal) {
    const onAbort = () => socket.destroy(abortError(signal));
    signal.addEventListener("abort", onAbort, { once: true });
    socket.once("close", () => signal.removeEventListener("abort", onAbort));
  }
  return socket;
}

/** Opens a TCP connection, completes the TLS handshake and resolves with the socket (rejects with a TlsError). */
export function connect(options: ConnectOptions): Promise<TlsSocket> {
  return new Promise((resolve, reject) => {
    let socket: TlsSocket;
    try {
      socket = createConnection(options);
    } catch (e) {
      reject(e);
      return;
    }
    const onError = (e: Error) => reject(e);
    // destroy() without an error before the handshake ends emits only 'close'.
    const onClose = () => reject(new TlsError("CLOSED", "the TLS socket was closed before the handshake completed"));
    socket.once("error", onError);
    socket.once("close", onClose);
    socket.once("secureConnect", () => {
      socket.off("error", onError);
      socket.off("close", onClose);
      resolve(socket);
    });
  });
}
