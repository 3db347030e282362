// The bench's two certificate chains (root → intermediate → leaf), generated with the openssl CLI into
// bench/.tmp/ by the test suite's Pki helper. Servers send leaf + intermediate; clients trust only the root.
import { mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { Pki, type Issued } from "../test/helpers/pki.js";

export type ChainKind = "ecdsa" | "rsa";

export interface BenchChain {
  kind: ChainKind;
  root: Issued;
  intermediate: Issued;
  leaf: Issued;
  /** PEM file: leaf then intermediate (what the server sends). */
  chainFile: string;
  /** PEM file: the intermediate alone (openssl s_server -cert_chain). */
  intermediateFile: string;
  rootPem: string;
}

export type BenchPki = Record<ChainKind, BenchChain> & { dir: string };

/** The name every leaf carries; clients connect to 127.0.0.1 and send it as SNI / check it. */
export const BENCH_HOST = "localhost";

export function makeBenchPki(tmpDir: string): BenchPki {
  const dir = join(tmpDir, "pki");
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const pki = new Pki(dir);
  const chain = (kind: ChainKind): BenchChain => {
    // Same key type all the way up, so both chain signature checks are of the suite's kind.
    const key = kind === "ecdsa" ? "p256" : "rsa2048";
    const root = pki.issue({ name: `${kind}-root`, cn: `bench ${kind} root`, key, ca: true });
    const intermediate = pki.issue({ name: `${kind}-int`, cn: `bench ${kind} intermediate`, key, ca: 0, issuer: root });
    const leaf = pki.issue({ name: `${kind}-leaf`, cn: BENCH_HOST, key, issuer: intermediate, dns: [BENCH_HOST], ips: ["127.0.0.1"] });
    return {
      kind,
      root,
      intermediate,
      leaf,
      chainFile: pki.bundle(`${kind}-chain`, [leaf, intermediate]),
      intermediateFile: pki.bundle(`${kind}-int-only`, [intermediate]),
      rootPem: root.certPem,
    };
  };
  return { dir, ecdsa: chain("ecdsa"), rsa: chain("rsa") };
}
