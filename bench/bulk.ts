// Bulk: 16 MiB each way through an echo server over loopback, against the raw noble AEAD sealing and opening
// the same bytes as 16 KiB records in this process. bulk ÷ raw = raw CPU / transfer CPU (1.0 = no overhead).
import { once } from "node:events";
import { performance } from "node:perf_hooks";
import { gcm } from "@noble/ciphers/aes.js";
import { chacha20poly1305 } from "@noble/ciphers/chacha.js";
import type { Connection } from "./clients/types.js";
import { cpuMsSince } from "./measure.js";
import type { BulkSuite, Scenario } from "./scenarios.js";

export const BULK_BYTES = 16 * 1024 * 1024;
const RECORD = 16 * 1024;
const WRITE_CHUNK = 64 * 1024;

export function bulkScenario(b: BulkSuite): Scenario {
  return {
    id: `bulk-${b.id}`,
    label: b.label,
    chain: "ecdsa",
    suite: b.suite,
    opensslCipher: b.opensslCipher,
    group: "x25519",
    offered: ["x25519", "secp256r1"],
    version: "TLSv1.2",
  };
}

export interface BulkResult {
  cpuMs: number;
  wallMs: number;
  /** Both directions together: 2 × 16 MiB over the wall time. */
  mibPerSec: number;
}

/** Writes `bytes` (backpressure respected) while reading the echo back; times until the last byte returns. */
export async function transfer(conn: Connection, bytes = BULK_BYTES): Promise<BulkResult> {
  const stream = conn.stream;
  if (!stream) throw new Error("client offers no stream");
  const payload = new Uint8Array(WRITE_CHUNK);
  globalThis.crypto.getRandomValues(payload);
  let received = 0;
  let onData: (d: Uint8Array) => void = () => {};
  let onClose: () => void = () => {};
  const echoed = new Promise<void>((resolve, reject) => {
    onData = (d) => {
      received += d.length;
      if (received >= bytes) resolve();
    };
    onClose = () => (received >= bytes ? resolve() : reject(new Error(`closed after ${received} bytes`)));
    stream.on("data", onData);
    stream.once("error", reject);
    stream.once("close", onClose);
  });
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  try {
    for (let sent = 0; sent < bytes; sent += WRITE_CHUNK) {
      if (!stream.write(payload.subarray(0, Math.min(WRITE_CHUNK, bytes - sent)))) await once(stream, "drain");
    }
    await echoed;
  } finally {
    stream.off("data", onData);
    stream.off("close", onClose);
  }
  const wallMs = performance.now() - t0;
  const cpuMs = cpuMsSince(c0);
  return { cpuMs, wallMs, mibPerSec: (2 * bytes) / (1024 * 1024) / (wallMs / 1000) };
}

/**
 * The bulk figures, interleaved: `segments` rounds of (raw AEAD on a slice, then each connection moving the same
 * slice each way), summed — so the raw baseline and the transfers share the machine's load of the moment.
 */
export async function interleavedBulk(
  aead: BulkSuite["aead"],
  conns: Array<{ name: string; conn: Connection }>,
  bytes = BULK_BYTES,
  segments = 4,
): Promise<{ rawCpuMs: number; byName: Map<string, BulkResult> }> {
  const slice = bytes / segments;
  // Warm-up, unmeasured: the record path and the AEAD get compiled before the first timed slice.
  rawAead(aead, 1024 * 1024);
  for (const c of conns) await transfer(c.conn, 1024 * 1024);
  let rawCpuMs = 0;
  const totals = new Map<string, { cpuMs: number; wallMs: number }>(conns.map((c) => [c.name, { cpuMs: 0, wallMs: 0 }]));
  for (let i = 0; i < segments; i++) {
    rawCpuMs += rawAead(aead, slice).cpuMs;
    for (const c of conns) {
      const r = await transfer(c.conn, slice);
      const t = totals.get(c.name)!;
      t.cpuMs += r.cpuMs;
      t.wallMs += r.wallMs;
    }
  }
  const byName = new Map<string, BulkResult>();
  for (const [name, t] of totals) byName.set(name, { ...t, mibPerSec: (2 * bytes) / (1024 * 1024) / (t.wallMs / 1000) });
  return { rawCpuMs, byName };
}

/** The raw AEAD: seal `bytes` as 16 KiB records, then open them all (what one client does each way). */
export function rawAead(aead: BulkSuite["aead"], bytes = BULK_BYTES): { cpuMs: number } {
  const key = new Uint8Array(aead === "aes-128-gcm" ? 16 : 32);
  globalThis.crypto.getRandomValues(key);
  const make = aead === "chacha20-poly1305" ? chacha20poly1305 : gcm;
  const record = new Uint8Array(RECORD);
  globalThis.crypto.getRandomValues(record);
  const nonce = new Uint8Array(12);
  const aad = new Uint8Array(13);
  const view = new DataView(nonce.buffer);
  const count = Math.ceil(bytes / RECORD);
  const sealed: Uint8Array[] = [];
  make(key, nonce, aad).encrypt(record); // warm-up
  const c0 = process.cpuUsage();
  for (let i = 0; i < count; i++) {
    view.setUint32(8, i);
    sealed.push(make(key, nonce, aad).encrypt(record));
  }
  for (let i = 0; i < count; i++) {
    view.setUint32(8, i);
    make(key, nonce, aad).decrypt(sealed[i]);
  }
  return { cpuMs: cpuMsSince(c0) };
}
