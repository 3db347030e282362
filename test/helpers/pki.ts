// Test PKI built with the openssl CLI: real certificates, as a device maker would make them.
// Everything is generated once per test process into a temp dir and memoised by name, so a
// suite that asks for the same CA twice pays for it once.
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { requirePeer } from "./peers.js";

export type KeyKind = "p256" | "p384" | "rsa2048";
export const KEY_KINDS: KeyKind[] = ["p256", "p384", "rsa2048"];

export interface Issued {
  name: string;
  keyKind: KeyKind;
  certPath: string;
  keyPath: string;
  certPem: string;
  keyPem: string;
  der: Uint8Array;
}

export interface IssueOptions {
  /** Unique label; also the memo key. Issuing the same name twice returns the first result. */
  name: string;
  cn?: string; // default: name
  key?: KeyKind; // default p256
  /** Omitted: self-signed. */
  issuer?: Issued;
  /** true: CA with keyCertSign; a number: CA with that pathlen; false/omitted: end entity (CA:FALSE). */
  ca?: boolean | number;
  dns?: string[];
  ips?: string[];
  /** Defaults: an hour ago .. 30 days from now. */
  notBefore?: Date;
  notAfter?: Date;
  /** Extended key usages; default ["serverAuth"] for end entities, none for CAs; [] omits the extension. */
  eku?: string[];
  /** openssl syntax, e.g. "permitted;DNS:.good.test" (marked critical). */
  nameConstraints?: string;
  /** Override keyUsage (openssl syntax); default fits the role and key. */
  keyUsage?: string;
}

function run(args: string[], cwd: string): string {
  try {
    return execFileSync(requirePeer("openssl"), args, { cwd, stdio: ["ignore", "pipe", "pipe"], encoding: "utf8" });
  } catch (e) {
    const err = e as { stderr?: string; message: string };
    throw new Error(`openssl ${args.join(" ")} failed: ${err.stderr ?? err.message}`);
  }
}

/** openssl ca wants UTCTime-ish YYMMDDHHMMSSZ (or GeneralizedTime from 2050). */
function asn1Time(d: Date): string {
  const iso = d.toISOString(); // 2026-11-21T13:06:08.123Z
  const digits = iso.slice(0, 19).replace(/[-:T]/g, ""); // 20261121130608
  return d.getUTCFullYear() >= 2050 ? `${digits}Z` : `${digits.slice(2)}Z`;
}

export function pemToDer(pem: string): Uint8Array {
  const m = /-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/.exec(pem);
  if (!m) throw new Error("no certificate in PEM");
  return new Uint8Array(Buffer.from(m[1].replace(/\s+/g, ""), "base64"));
}

export class Pki {
  readonly dir: string;
  private readonly issued = new Map<string, Issued>();
  private readonly caDir: string;

  constructor(dir?: string) {
    this.dir = dir ?? mkdtempSync(join(tmpdir(), "microtls-pki-"));
    this.caDir = join(this.dir, "ca-db");
    mkdirSync(join(this.caDir, "newcerts"), { recursive: true });
    writeFileSync(join(this.caDir, "index.txt"), "");
    writeFileSync(join(this.caDir, "index.txt.attr"), "unique_subject = no\n");
    writeFileSync(
      join(this.caDir, "ca.cnf"),
      [
        "[ ca ]",
        "default_ca = CA_default",
        "[ CA_default ]",
        `database = ${join(this.caDir, "index.txt")}`,
        `new_certs_dir = ${join(this.caDir, "newcerts")}`,
        `serial = ${join(this.caDir, "serial")}`,
        "policy = policy_any",
        "unique_subject = no",
        "copy_extensions = none",
        "default_md = sha256",
        "default_days = 30",
        "[ policy_any ]",
        "commonName = supplied",
        "organizationName = optional",
        "",
      ].join("\n"),
    );
  }

  private generateKey(kind: KeyKind, path: string): void {
    const args =
      kind === "rsa2048"
        ? ["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"]
        : ["genpkey", "-algorithm", "EC", "-pkeyopt", `ec_paramgen_curve:${kind === "p256" ? "P-256" : "P-384"}`];
    run([...args, "-out", path], this.dir);
  }

  get(name: string): Issued | undefined {
    return this.issued.get(name);
  }

  issue(opts: IssueOptions): Issued {
    const existing = this.issued.get(opts.name);
    if (existing) return existing;
    const kind = opts.key ?? "p256";
    const base = join(this.dir, opts.name.replace(/[^A-Za-z0-9_.-]/g, "_"));
    const keyPath = `${base}.key`;
    const csrPath = `${base}.csr`;
    const certPath = `${base}.pem`;
    const extPath = `${base}.ext`;
    this.generateKey(kind, keyPath);
    run(["req", "-new", "-key", keyPath, "-subj", `/CN=${opts.cn ?? opts.name}/O=microtls tests`, "-out", csrPath], this.dir);

    const isCa = opts.ca !== undefined && opts.ca !== false;
    const ext: string[] = ["[ext]"];
    ext.push(
      isCa
        ? `basicConstraints = critical, CA:TRUE${typeof opts.ca === "number" ? `, pathlen:${opts.ca}` : ""}`
        : "basicConstraints = critical, CA:FALSE",
    );
    ext.push(
      `keyUsage = critical, ${
        opts.keyUsage ?? (isCa ? "keyCertSign, cRLSign" : kind === "rsa2048" ? "digitalSignature, keyEncipherment" : "digitalSignature")
      }`,
    );
    const eku = opts.eku ?? (isCa ? [] : ["serverAuth"]);
    if (eku.length > 0) ext.push(`extendedKeyUsage = ${eku.join(", ")}`);
    const sans = [...(opts.dns ?? []).map((d) => `DNS:${d}`), ...(opts.ips ?? []).map((ip) => `IP:${ip}`)];
    if (sans.length > 0) ext.push(`subjectAltName = ${sans.join(", ")}`);
    ext.push("subjectKeyIdentifier = hash");
    if (opts.issuer) ext.push("authorityKeyIdentifier = keyid:always");
    if (opts.nameConstraints) ext.push(`nameConstraints = critical, ${opts.nameConstraints}`);
    writeFileSync(extPath, ext.join("\n") + "\n");

    const notBefore = opts.notBefore ?? new Date(Date.now() - 3600_000);
    const notAfter = opts.notAfter ?? new Date(Date.now() + 30 * 86400_000);
    const signerKind = opts.issuer?.keyKind ?? kind;
    const args = [
      "ca", "-batch", "-notext", "-rand_serial", "-preserveDN",
      "-config", join(this.caDir, "ca.cnf"),
      "-in", csrPath, "-out", certPath,
      "-startdate", asn1Time(notBefore), "-enddate", asn1Time(notAfter),
      "-extfile", extPath, "-extensions", "ext",
      "-md", signerKind === "p384" ? "sha384" : "sha256",
    ];
    if (opts.issuer) args.push("-cert", opts.issuer.certPath, "-keyfile", opts.issuer.keyPath);
    else args.push("-selfsign", "-keyfile", keyPath);
    run(args, this.dir);

    const certPem = readFileSync(certPath, "utf8");
    const issued: Issued = {
      name: opts.name,
      keyKind: kind,
      certPath,
      keyPath,
      certPem,
      keyPem: readFileSync(keyPath, "utf8"),
      der: pemToDer(certPem),
    };
    this.issued.set(opts.name, issued);
    return issued;
  }

  /** Writes certificates (PEM, in the given order) to one file, e.g. a chain for a server or a CA bundle. */
  bundle(name: string, certs: Issued[]): string {
    const path = join(this.dir, `${name}.bundle.pem`);
    writeFileSync(path, certs.map((c) => c.certPem).join(""));
    return path;
  }

  cleanup(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** The hostname every standard leaf carries (resolved by nobody: the tests connect to 127.0.0.1 and send it as SNI). */
export const TEST_HOST = "interop.microtls.test";

export interface StandardPki {
  pki: Pki;
  root: Issued;
  intermediate: Issued;
  /** One leaf per key kind, all under `intermediate`, SANs: TEST_HOST, localhost, 127.0.0.1. */
  leaves: Record<KeyKind, Issued>;
  /** PEM file: leaf followed by the intermediate (what a server sends). */
  chainFile: Record<KeyKind, string>;
  /** PEM file with only the intermediate (openssl -cert_chain). */
  intermediateFile: string;
  rootPem: string;
}

let standard: StandardPki | undefined;
let shared: Pki | undefined;

// Test workers are often killed rather than exited, so 'exit' hooks do not always run: each process keeps its
// PKI in a directory named after its pid, and the next process removes the directories of dead ones.
const SHARED_ROOT = join(tmpdir(), "microtls-test-pki");

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as { code?: string }).code === "EPERM";
  }
}

function sweepDeadProcessDirs(): void {
  for (const name of readdirSync(SHARED_ROOT)) {
    const pid = Number(/^(\d+)-/.exec(name)?.[1]);
    if (pid && pid !== process.pid && !processAlive(pid)) rmSync(join(SHARED_ROOT, name), { recursive: true, force: true });
  }
}

/** One Pki per test process, removed at exit (or by a later process if this one is killed). */
export function sharedPki(): Pki {
  if (!shared) {
    mkdirSync(SHARED_ROOT, { recursive: true });
    sweepDeadProcessDirs();
    const p = new Pki(mkdtempSync(join(SHARED_ROOT, `${process.pid}-`)));
    shared = p;
    process.once("exit", () => p.cleanup());
  }
  return shared;
}

/** Root (P-384) → intermediate (P-256) → leaves (P-256, P-384, RSA-2048). Memoised per process. */
export function standardPki(): StandardPki {
  if (standard) return standard;
  const pki = sharedPki();
  const root = pki.issue({ name: "root", cn: "microtls Test Root", key: "p384", ca: true });
  const intermediate = pki.issue({ name: "intermediate", cn: "microtls Test Intermediate", key: "p256", ca: 0, issuer: root });
  const leaves = {} as Record<KeyKind, Issued>;
  const chainFile = {} as Record<KeyKind, string>;
  for (const kind of KEY_KINDS) {
    leaves[kind] = pki.issue({
      name: `leaf-${kind}`,
      cn: TEST_HOST,
      key: kind,
      issuer: intermediate,
      dns: [TEST_HOST, "localhost"],
      ips: ["127.0.0.1"],
    });
    chainFile[kind] = pki.bundle(`chain-${kind}`, [leaves[kind], intermediate]);
  }
  standard = {
    pki,
    root,
    intermediate,
    leaves,
    chainFile,
    intermediateFile: pki.bundle("intermediate-only", [intermediate]),
    rootPem: root.certPem,
  };
  return standard;
}
