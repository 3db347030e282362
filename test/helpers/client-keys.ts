// Client keys and certificates for the mutual-TLS tests, made with the openssl CLI in every format a device
// maker meets: PKCS#8, PKCS#1, SEC1 (with and without the curve parameters block), DER, encrypted.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { requirePeer } from "./peers.js";
import { sharedPki, standardPki, type Issued, type KeyKind } from "./pki.js";

export function openssl(args: string[], cwd: string): string {
  try {
    return execFileSync(requirePeer("openssl"), args, { cwd, stdio: ["ignore", "pipe", "pipe"], encoding: "utf8" });
  } catch (e) {
    const err = e as { stderr?: string; message: string };
    throw new Error(`openssl ${args.join(" ")} failed: ${err.stderr ?? err.message}`);
  }
}

let dir: string | undefined;
/** A scratch directory for this test process, removed at exit. */
export function keyDir(): string {
  if (!dir) {
    const d = mkdtempSync(join(tmpdir(), "microtls-keys-"));
    dir = d;
    process.once("exit", () => rmSync(d, { recursive: true, force: true }));
  }
  return dir;
}

export type KeyFormat = "pkcs8-pem" | "pkcs8-der" | "traditional-pem" | "traditional-der";

/** Re-encodes an existing key file in the wanted format (traditional = PKCS#1 for RSA, SEC1 for EC). */
export function keyIn(keyPath: string, kind: KeyKind, format: KeyFormat): string | Uint8Array {
  const cwd = keyDir();
  const der = format.endsWith("der");
  const out = join(cwd, `conv-${Math.abs(hash32(keyPath + format))}.${der ? "der" : "pem"}`);
  if (format.startsWith("pkcs8")) {
    openssl(["pkcs8", "-topk8", "-nocrypt", "-in", keyPath, "-outform", der ? "DER" : "PEM", "-out", out], cwd);
  } else {
    openssl([kind === "rsa2048" ? "rsa" : "ec", "-in", keyPath, "-outform", der ? "DER" : "PEM", "-out", out, ...(kind === "rsa2048" ? ["-traditional"] : [])], cwd);
  }
  return der ? new Uint8Array(readFileSync(out)) : readFileSync(out, "utf8");
}

function hash32(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(h, 31) + s.charCodeAt(i)) | 0;
  return h;
}

export interface ClientPki {
  /** The CA that signs client certificates; servers trust it for client auth. */
  clientCa: Issued;
  /** One client certificate per key kind, EKU clientAuth, under clientCa. */
  clients: Record<KeyKind, Issued>;
  /** The server side: the standard PKI (root → intermediate → leaves). */
  server: ReturnType<typeof standardPki>;
}

let clientPki: ClientPki | undefined;

/** Client certificates for mutual TLS, from the shared test PKI (memoised per process). */
export function clientPkiFor(): ClientPki {
  if (clientPki) return clientPki;
  const server = standardPki();
  const pki = sharedPki();
  const clientCa = pki.issue({ name: "client-ca", cn: "microtls Test Client CA", key: "p256", ca: 0, issuer: server.root });
  const clients = {} as Record<KeyKind, Issued>;
  for (const kind of ["p256", "p384", "rsa2048"] as KeyKind[]) {
    clients[kind] = pki.issue({ name: `client-${kind}`, cn: `device-${kind}`, key: kind, issuer: clientCa, eku: ["clientAuth"] });
  }
  clientPki = { clientCa, clients, server };
  return clientPki;
}
