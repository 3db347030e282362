// One shape for every client the bench drives, so each measurement loop is written once.
import type { Duplex } from "node:stream";
import type { BenchPki } from "../pki.js";
import type { Scenario } from "../scenarios.js";
import type { Endpoint } from "../servers.js";

export interface Connection {
  /** Hangs up and resolves once the socket is closed. */
  close(): Promise<void>;
  /** Application-data stream, for the bulk transfer (clients that offer one). */
  stream?: Duplex;
}

/** What a connection needs beyond the scenario: the suite may be overridden (bulk, memory). */
export interface ConnectTarget {
  endpoint: Endpoint;
  scenario: Scenario;
  pki: BenchPki;
}

export interface Driver {
  name: string;
  /** null when usable; otherwise why not (e.g. "not yet available: src/node has no connect()"). */
  unavailable: string | null;
  /** null when this client can do the scenario; otherwise why not. */
  unsupported(s: Scenario): string | null;
  connect(t: ConnectTarget): Promise<Connection>;
}

export function closeSocket(socket: { destroy(): void; destroyed: boolean; once(ev: "close", fn: () => void): unknown }): Promise<void> {
  return new Promise((resolve) => {
    if (socket.destroyed) return resolve();
    socket.once("close", () => resolve());
    socket.destroy();
  });
}
