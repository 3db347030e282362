// A node:net Socket as microtls/async's AsyncSocket (what Deno.connect or a Workers socket would give), counting
// the calls in flight so a test can check the driver never overlaps two reads or two writes.
import * as net from "node:net";
import type { AsyncSocket } from "../../src/async.js";
import { LOOPBACK } from "./servers.js";

export interface NetAsyncSocket extends AsyncSocket {
  readonly socket: net.Socket;
  /** The most socket.read() / socket.write() calls ever pending at once. */
  readonly maxReads: number;
  readonly maxWrites: number;
  readonly reads: number;
  readonly writes: number;
  /** close() was called. */
  readonly closed: boolean;
  close(): void;
}

export function netAsyncSocket(socket: net.Socket): NetAsyncSocket {
  const chunks: Uint8Array[] = [];
  let ended = false;
  let failure: Error | null = null;
  let waiter: { resolve: (b: Uint8Array | null) => void; reject: (e: Error) => void } | null = null;
  let readsPending = 0;
  let writesPending = 0;
  const stats = { maxReads: 0, maxWrites: 0, reads: 0, writes: 0, closed: false };

  const wake = () => {
    if (!waiter) return;
    const w = waiter;
    if (chunks.length > 0) w.resolve(chunks.shift()!);
    else if (failure) w.reject(failure);
    else if (ended) w.resolve(null);
    else return;
    waiter = null;
  };
  socket.on("data", (d: Buffer) => {
    chunks.push(new Uint8Array(d.buffer, d.byteOffset, d.length));
    wake();
  });
  socket.on("end", () => {
    ended = true;
    wake();
  });
  socket.on("error", (e) => {
    failure = e;
    wake();
  });
  socket.on("close", () => {
    ended = true;
    wake();
  });

  const track = <T>(p: Promise<T>, which: "reads" | "writes"): Promise<T> => {
    const bump = (d: number) => {
      if (which === "reads") stats.maxReads = Math.max(stats.maxReads, (readsPending += d));
      else stats.maxWrites = Math.max(stats.maxWrites, (writesPending += d));
    };
    bump(1);
    stats[which]++;
    return p.finally(() => bump(-1));
  };

  return {
    socket,
    get maxReads() {
      return stats.maxReads;
    },
    get maxWrites() {
      return stats.maxWrites;
    },
    get reads() {
      return stats.reads;
    },
    get writes() {
      return stats.writes;
    },
    get closed() {
      return stats.closed;
    },
    read() {
      return track(
        new Promise<Uint8Array | null>((resolve, reject) => {
          if (waiter) return reject(new Error("two socket.read() calls pending at once"));
          waiter = { resolve, reject };
          wake();
        }),
        "reads",
      );
    },
    write(bytes) {
      return track(
        new Promise<void>((resolve, reject) => {
          if (socket.destroyed || socket.writableEnded) return reject(new Error("write after the socket closed"));
          socket.write(bytes, (err) => (err ? reject(err) : resolve()));
        }),
        "writes",
      );
    },
    close() {
      stats.closed = true;
      // FIN after what is queued, then let go of the socket.
      socket.end(() => socket.destroy());
    },
  };
}

/** Connects to 127.0.0.1:port and wraps the socket. */
export function connectAsyncSocket(port: number): Promise<NetAsyncSocket> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ host: LOOPBACK, port }, () => {
      s.off("error", reject);
      resolve(netAsyncSocket(s));
    });
    s.once("error", reject);
  });
}
