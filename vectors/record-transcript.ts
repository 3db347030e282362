// Records real TLS 1.2 handshakes against `openssl s_server -tls1_2 -www` and `gnutls-serv --http` into
// vectors/transcript-<name>.json, for test/handshake-replay.test.ts to replay offline.
// Run: npx tsx vectors/record-transcript.ts [name-substring]   (re-recording changes the server's random values)
//
// The client's randomness comes from a seeded stream and every byte it draws is saved, as are the clock value,
// every byte the server sent and every byte we sent. Replaying the server bytes with the same random bytes and
// clock must reproduce our bytes exactly: the handshake core has no other input.
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { sha256 } from "@noble/hashes/sha2.js";
import { toHex, utf8Bytes } from "../src/bytes.js";
import { TlsClient, WANT_READ, WANT_WRITE, type TlsClientOptions } from "../src/index.js";

interface Variant {
  name: string;
  server: "openssl" | "gnutls";
  key: string[]; // openssl -newkey arguments
  options: Partial<TlsClientOptions>;
}

const VARIANTS: Variant[] = [
  {
    name: "openssl-ecdhe-rsa-x25519-aes128gcm",
    server: "openssl",
    key: ["-newkey", "rsa:2048"],
    options: { cipherSuites: ["TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"], groups: ["x25519"] },
  },
  {
    name: "openssl-ecdhe-ecdsa-p256-chacha20",
    server: "openssl",
    key: ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"],
    options: { cipherSuites: ["TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256"], groups: ["secp256r1"] },
  },
  {
    // RSA key exchange (opt-in): the premaster secret and the PKCS#1 padding come from the recorded random bytes.
    name: "openssl-rsa-kx-aes256gcm",
    server: "openssl",
    key: ["-newkey", "rsa:2048"],
    options: { cipherSuites: ["TLS_RSA_WITH_AES_256_GCM_SHA384"] },
  },
  {
    // gnutls-serv sends a CertificateRequest (answered with an empty Certificate) and agrees to record_size_limit.
    name: "gnutls-ecdhe-ecdsa-p384-aes256gcm-certreq",
    server: "gnutls",
    key: ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-384"],
    options: { cipherSuites: ["TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384"], groups: ["secp384r1"], recordSizeLimit: 1024 },
  },
];

const SERVER_NAME = "transcript.microtls.test";
const REQUEST = "GET / HTTP/1.0\r\n\r\n";

function openssl(dir: string, args: string[]): void {
  execFileSync("openssl", args, { cwd: dir, stdio: ["ignore", "ignore", "pipe"] });
}

function makePki(dir: string, key: string[]): void {
  openssl(dir, ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "ca.key",
    "-subj", "/CN=microtls transcript CA", "-days", "3650", "-out", "ca.pem"]);
  openssl(dir, ["req", "-new", ...key, "-nodes", "-keyout", "leaf.key", "-subj", `/CN=${SERVER_NAME}`, "-out", "leaf.csr"]);
  writeFileSync(join(dir, "leaf.ext"),
    `subjectAltName=DNS:${SERVER_NAME}\nbasicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n`);
  openssl(dir, ["x509", "-req", "-in", "leaf.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-days", "3650",
    "-extfile", "leaf.ext", "-out", "leaf.pem"]);
}

/** A seeded byte stream (SHA-256 in counter mode): reproducible, and it records what it hands out. */
function seededRandom(seed: string, drawn: number[]): (buf: Uint8Array) => void {
  let counter = 0;
  let pool = new Uint8Array(0);
  return (buf) => {
    for (let i = 0; i < buf.length; i++) {
      if (pool.length === 0) pool = sha256(utf8Bytes(`${seed}/${counter++}`));
      buf[i] = pool[0];
      pool = pool.subarray(1);
      drawn.push(buf[i]);
    }
  };
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, "127.0.0.1", () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

async function record(variant: Variant): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "microtls-transcript-"));
  makePki(dir, variant.key);
  const port = await freePort();
  const server =
    variant.server === "openssl"
      ? spawn("openssl", ["s_server", "-tls1_2", "-accept", String(port), "-cert", "leaf.pem", "-key", "leaf.key", "-www", "-quiet"], { cwd: dir, stdio: "ignore" })
      : spawn("gnutls-serv", ["--http", "-p", String(port), "--x509certfile", "leaf.pem", "--x509keyfile", "leaf.key", "--priority", "NORMAL:-VERS-ALL:+VERS-TLS1.2"], { cwd: dir, stdio: "ignore" });
  try {
    for (let i = 0; i < 50; i++) {
      const up = await new Promise<boolean>((r) => net.connect(port, "127.0.0.1").on("connect", function (this: net.Socket) { this.destroy(); r(true); }).on("error", () => r(false)));
      if (up) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const ca = readFileSync(join(dir, "ca.pem"), "utf8");
    const now = Math.floor(Date.now() / 1000) * 1000;
    const drawn: number[] = [];
    const options = { serverName: SERVER_NAME, ca, now: () => now, random: seededRandom(variant.name, drawn), ...variant.options };
    const client = new TlsClient(options);
    const serverChunks: Buffer[] = [];
    const clientChunks: Buffer[] = [];
    const inbox: Buffer[] = [];
    let eof = false;
    const response: Buffer[] = [];
    const sock = net.connect(port, "127.0.0.1");
    client.setBio(
      (d) => {
        clientChunks.push(Buffer.from(d));
        sock.write(Buffer.from(d));
        return d.length;
      },
      (buf) => {
        if (inbox.length === 0) return eof ? 0 : WANT_READ;
        const head = inbox[0];
        const n = Math.min(head.length, buf.length);
        buf.set(head.subarray(0, n));
        if (n === head.length) inbox.shift();
        else inbox[0] = head.subarray(n);
        return n;
      },
    );
    await new Promise<void>((resolve, reject) => {
      let sent = false;
      const step = () => {
        try {
          if (client.handshake() !== 0) return;
          if (!sent) {
            sent = true;
            client.write(utf8Bytes(REQUEST));
          }
          const buf = new Uint8Array(4096);
          for (;;) {
            const n = client.read(buf);
            if (n === WANT_READ || n === WANT_WRITE) return;
            if (n === 0) {
              client.close();
              sock.end();
              return resolve();
            }
            response.push(Buffer.from(buf.subarray(0, n)));
          }
        } catch (e) {
          reject(e);
        }
      };
      sock.on("connect", step);
      sock.on("data", (d: Buffer) => {
        serverChunks.push(d);
        inbox.push(d);
        step();
      });
      sock.on("end", () => {
        eof = true;
        step();
      });
      sock.on("error", reject);
    });
    const out = {
      description: `One TLS 1.2 handshake of microtls against ${variant.server === "openssl" ? "openssl s_server -tls1_2 -www" : "gnutls-serv --http"} (${variant.name}), then ${JSON.stringify(REQUEST)}, the response, and close_notify both ways.`,
      recordedWith: execFileSync(variant.server === "openssl" ? "openssl" : "gnutls-serv", ["version"].map((v) => (variant.server === "openssl" ? v : "--version"))).toString().split("\n")[0].trim(),
      serverName: SERVER_NAME,
      ca,
      now,
      options: variant.options,
      cipherSuite: client.cipherSuite,
      group: client.group,
      extendedMasterSecret: client.extendedMasterSecret,
      random: toHex(Uint8Array.from(drawn)),
      request: toHex(utf8Bytes(REQUEST)),
      response: toHex(Buffer.concat(response)),
      server: toHex(Buffer.concat(serverChunks)),
      client: toHex(Buffer.concat(clientChunks)),
    };
    const file = join(dirname(fileURLToPath(import.meta.url)), `transcript-${variant.name}.json`);
    writeFileSync(file, JSON.stringify(out, null, 2) + "\n");
    // eslint-disable-next-line no-console
    console.log(`${file}: ${client.cipherSuite} ${client.group}, ${out.server.length / 2} server bytes, ${out.client.length / 2} client bytes`);
  } finally {
    server.kill();
    rmSync(dir, { recursive: true, force: true });
  }
}

const only = process.argv[2];
for (const v of VARIANTS) if (!only || v.name.includes(only)) await record(v);
