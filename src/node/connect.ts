// connect(): a TCP connection plus a TlsClient, with Node's clock and randomness injected.
import { randomFillSync } from "node:crypto";
import * as net from "node:net";
import type { Duplex } from "node:stream";
import { TlsClient } from "../client.js";
import { TlsError } from "../errors.js";
import type { TlsClientOptions } from "../handshake/config.js";
import { TlsSocket, type TlsSocketOptions } from "./tls-socket.js";

export interface ConnectOptions extends TlsClientOptions, TlsSocketOptions {
  host: string;
  port: number;
  /** An already open transport to use instead of a new TCP connection (host/port then only name the peer). */
  socket?: Duplex;
}

function nodeRandom(buf: Uint8Array): void {
  randomFillSync(buf);
}

/** Splits adapter options from client options; serverName defaults to host, like Node's tls.connect. */
function clientOptions(options: ConnectOptions): TlsClientOptions {
  const { host, port: _port, socket: _socket, handshakeTimeout: _timeout, ...rest } = options;
  return {
    ...rest,
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
  const client = new TlsClient(clientOptions(options)); // throws TlsError CONFIG before any byte is sent
  const transport = options.socket ?? net.connect({ host: options.host, port: options.port, allowHalfOpen: true });
  return new TlsSocket(client, transport, { handshakeTimeout: options.handshakeTimeout, verify: options.verify });
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
