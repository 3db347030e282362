// Readable lines describing a finished handshake: shared by the demo and https-get.
import type { TlsSocket } from "../src/node/index.js";
import type { PublicKey } from "../src/crypto/signature.js";
import { verifyInfo, type Certificate } from "../src/x509/index.js";

function keyName(key: PublicKey): string {
  switch (key.type) {
    case "ec":
      return `ECDSA ${key.curve}`;
    case "rsa":
      return `RSA ${key.bits}`;
    case "ed25519":
      return "Ed25519";
    default:
      return `unsupported (${key.algorithm})`;
  }
}

function day(ms: number): string {
  return new Date(ms).toISOString().replace(/\.000Z$/, "Z");
}

export function sessionReport(socket: TlsSocket, serverName: string, verified: boolean): string[] {
  const lines = [
    `  protocol      TLS 1.2`,
    `  cipher suite  ${socket.cipherSuite}`,
    `  group         ${socket.group ?? "none (RSA key exchange)"}`,
    `  EMS           ${socket.extendedMasterSecret ? "yes (RFC 7627 extended master secret)" : "no"}`,
    `  ALPN          ${socket.alpnProtocol || "none"}`,
    `  handshake     ${socket.handshakeMs} ms (TCP connect included)`,
  ];
  const flags = socket.verifyFlags;
  if (!verified) lines.push(`  verification  OFF (verify: false): the chain below was not checked`);
  else if (flags.length === 0) lines.push(`  verification  OK: the chain leads to a trusted root and the certificate is for "${serverName}"`);
  else lines.push(`  verification  accepted with notes:`, ...verifyInfo(flags).map((l) => `                ${l}`));
  lines.push(`  chain sent by the server:`);
  (socket.peerCertificates as Certificate[]).forEach((c, i) => {
    lines.push(
      `    [${i}] subject  ${c.subject}`,
      `        issuer   ${c.issuer}`,
      `        key      ${keyName(c.publicKey)}`,
      `        valid    ${day(c.notBefore)} .. ${day(c.notAfter)}`,
    );
    if (i === 0 && (c.dnsNames.length > 0 || c.ipAddresses.length > 0)) {
      const ips = c.ipAddresses.map((ip) => (ip.length === 4 ? ip.join(".") : "IPv6 address"));
      lines.push(`        names    ${[...c.dnsNames, ...ips].join(", ")}`);
    }
  });
  return lines;
}

/** A TlsError as the device maker should see it: code, alert, flags explained. */
export function errorReport(e: unknown): string[] {
  const err = e as Error & { code?: string; alert?: number; verifyFlags?: string[] };
  const lines = [`  error         ${err.code ?? err.name}: ${err.message}`];
  if (err.alert !== undefined) lines.push(`  alert         ${err.alert}`);
  if (err.verifyFlags && err.verifyFlags.length > 0) lines.push(...verifyInfo(err.verifyFlags).map((l) => `  flag          ${l}`));
  return lines;
}
