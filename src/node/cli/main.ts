#!/usr/bin/env node
// `microtls connect host:port`: connects with microtls/node the way a device would, and prints what a device
// maker needs: the negotiated parameters, the chain as sent, the verification and the certificate to embed.
import { appendFileSync, readFileSync } from "node:fs";
import { rootCertificates } from "node:tls";
import { parseArgs } from "node:util";
import { connect, TlsError, type ConnectOptions, type TlsSocket } from "../index.js";
import { describeCertificate, deviceCertificate, verify, type CertificateInfo, type DeviceCertificate, type Verification } from "./inspect.js";

const USAGE = `usage: microtls connect host:port [options]

  --ca file                  trust anchors (PEM); default: Node's root store
  --servername name          SNI and the name checked (default: host)
  --alpn p1,p2               ALPN protocols to offer
  --suites s1,s2             cipher suites (IANA names) in preference order
  --groups g1,g2             key exchange groups (x25519, secp256r1, secp384r1)
  --max-fragment-length n    512, 1024, 2048 or 4096
  --cert file --key file     a client certificate chain and its key (PEM)
  --trace                    one line per record and handshake message (stderr)
  --keylog file              append NSS key log lines (secrets!) for Wireshark
  --insecure                 complete the handshake even when verification fails, and show the chain
  --json                     one JSON document instead of text
  --timeout ms               handshake timeout (default 15000)`;

interface Report {
  host: string;
  port: number;
  serverName: string;
  connected: boolean;
  error?: { code: string; message: string };
  negotiated?: Record<string, unknown>;
  chain?: CertificateInfo[];
  verification?: Verification;
  unusedCertificates?: string[];
  device?: DeviceCertificate | null;
}

class UsageError extends Error {}

function parse(argv: string[]) {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      ca: { type: "string" },
      servername: { type: "string" },
      alpn: { type: "string" },
      suites: { type: "string" },
      groups: { type: "string" },
      "max-fragment-length": { type: "string" },
      cert: { type: "string" },
      key: { type: "string" },
      trace: { type: "boolean" },
      keylog: { type: "string" },
      insecure: { type: "boolean" },
      json: { type: "boolean" },
      timeout: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) return null;
  if (positionals[0] !== "connect" || positionals.length !== 2) throw new UsageError("expected: connect host:port");
  const m = /^(?:\[([^\]]+)\]|([^:]+)):(\d+)$/.exec(positionals[1]);
  if (!m) throw new UsageError(`not host:port: ${positionals[1]}`);
  return { values, host: m[1] ?? m[2], port: Number(m[3]) };
}

const list = (s: string | undefined) => (s === undefined ? undefined : s.split(",").map((x) => x.trim()).filter(Boolean));

function anchorsFrom(pemText: string | null): Uint8Array[] {
  const text = pemText ?? rootCertificates.join("\n");
  const out: Uint8Array[] = [];
  for (const m of text.matchAll(/-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/g)) out.push(new Uint8Array(Buffer.from(m[1].replace(/\s+/g, ""), "base64")));
  return out;
}

export async function run(argv: string[], out: (s: string) => void, err: (s: string) => void): Promise<number> {
  let args: ReturnType<typeof parse>;
  try {
    args = parse(argv);
  } catch (e) {
    err(`${(e as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (!args) {
    out(USAGE);
    return 0;
  }
  const { values: v, host, port } = args;
  const serverName = v.servername ?? host;
  const caText = v.ca !== undefined ? readFileSync(v.ca, "utf8") : null;
  const anchors = anchorsFrom(caText);
  const options: ConnectOptions = {
    host,
    port,
    serverName,
    ca: anchors,
    verify: !v.insecure,
    handshakeTimeout: v.timeout ? Number(v.timeout) : 15_000,
    alpn: list(v.alpn),
    cipherSuites: list(v.suites),
    groups: list(v.groups) as ConnectOptions["groups"],
    maxFragmentLength: v["max-fragment-length"] ? Number(v["max-fragment-length"]) : undefined,
    cert: v.cert !== undefined ? readFileSync(v.cert, "utf8") : undefined,
    key: v.key !== undefined ? readFileSync(v.key, "utf8") : undefined,
    trace: v.trace ? (line) => err(`trace: ${line}`) : undefined,
    keyLog: v.keylog !== undefined ? (line) => appendFileSync(v.keylog!, `${line}\n`) : undefined,
  };
  for (const k of Object.keys(options) as Array<keyof ConnectOptions>) if (options[k] === undefined) delete options[k];

  const report: Report = { host, port, serverName, connected: false };
  let socket: TlsSocket | null = null;
  let code = 0;
  try {
    socket = await connect(options);
    report.connected = true;
  } catch (e) {
    const te = e instanceof TlsError ? e : null;
    report.error = { code: te?.code ?? "ERROR", message: (e as Error).message };
    code = 1;
  }
  if (socket) {
    const now = Date.now();
    const chain = socket.peerCertificates.map((c) => c.der);
    report.negotiated = {
      protocol: socket.getProtocol(),
      cipherSuite: socket.cipherSuite,
      openssl: socket.getCipher()?.name,
      group: socket.group,
      alpn: socket.alpnProtocol || null,
      extendedMasterSecret: socket.extendedMasterSecret,
      maxFragmentLength: socket.maxFragmentLength,
      resumed: socket.resumed,
      handshakeMs: socket.handshakeMs,
    };
    report.chain = chain.map(describeCertificate);
    const { result, anchor } = verify(chain, anchors, serverName, now);
    report.verification = result;
    const onPath = new Set(result.path);
    report.unusedCertificates = socket.peerCertificates.map((c) => c.subject).filter((s) => !onPath.has(s));
    report.device = deviceCertificate(chain, anchors, anchor, serverName, now);
    if (!result.ok && !v.insecure) {
      // The client accepted what verifyChain refused: never happens, but never report success for it.
      report.error = { code: "BAD_CERTIFICATE", message: result.reasons.join("; ") };
      code = 1;
    }
    socket.destroy();
  }
  out(v.json ? JSON.stringify(report, null, 2) : text(report, !!v.insecure));
  if (report.error) err(`microtls: ${report.error.code}: ${report.error.message}`);
  return code;
}

function text(r: Report, insecure: boolean): string {
  const lines: string[] = [`microtls connect ${r.host}:${r.port} (server name ${r.serverName})`];
  if (!r.connected) {
    lines.push("", `FAILED: ${r.error?.code}`, `  ${r.error?.message}`);
    if (r.error?.code === "BAD_CERTIFICATE") lines.push("", "  run again with --insecure to see the chain the server sends and the root it names");
    return lines.join("\n");
  }
  lines.push("", "negotiated");
  for (const [k, val] of Object.entries(r.negotiated ?? {})) lines.push(`  ${k.padEnd(22)} ${val ?? "none"}`);
  lines.push("", `chain as sent (${r.chain?.length ?? 0})`);
  r.chain?.forEach((c, i) => {
    lines.push(
      `  [${i}] ${c.subject}`,
      `      issuer      ${c.issuer}${c.selfSigned ? " (self-signed)" : ""}`,
      `      validity    ${c.notBefore} .. ${c.notAfter}`,
      `      SANs        ${c.sans.length ? c.sans.join(", ") : "none"}`,
      `      key         ${c.key}`,
      `      SHA-256     ${c.sha256}`,
      `      SPKI pin    ${c.spkiPin}`,
    );
  });
  const ver = r.verification!;
  lines.push("", `verification: ${ver.ok ? "OK" : `FAILED${insecure ? " (ignored: --insecure)" : ""}`}`);
  if (ver.ok) lines.push(`  path: ${ver.path.join(" -> ")}`);
  for (const reason of ver.reasons) lines.push(`  ${reason}`);
  if (r.unusedCertificates?.length) lines.push(`  sent but not on the path: ${r.unusedCertificates.join("; ")}`);
  const d = r.device;
  lines.push("", "certificate for the device");
  if (!d) lines.push("  none: the server sent no certificate");
  else {
    lines.push(`  ${d.kind}: ${d.subject}`);
    if (d.notAfter !== "unknown") lines.push(`  valid until ${d.notAfter} (${d.validForDays} days from now)`);
    if (d.kind === "trust anchor") lines.push(`  alternative path: ${d.alternative ?? "none (no other given anchor verifies this chain)"}`);
    if (d.note) lines.push(`  note: ${d.note}`);
    if (d.pem) lines.push("", d.pem.trimEnd());
  }
  return lines.join("\n");
}

// Run when executed (bin), not when imported by the tests.
const invokedAs = process.argv[1] ?? "";
if (/(?:^|[\\/])(?:microtls|cli(?:\.[cm]?js)?|main\.ts)$/.test(invokedAs)) {
  run(process.argv.slice(2), (s) => process.stdout.write(`${s}\n`), (s) => process.stderr.write(`${s}\n`)).then(
    (code) => (process.exitCode = code),
    (e) => {
      process.stderr.write(`microtls: ${(e as Error).stack ?? e}\n`);
      process.exitCode = 1;
    },
  );
}
