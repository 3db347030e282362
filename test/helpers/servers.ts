// Real TLS servers on loopback for the interop tests: Node's tls, openssl s_server, gnutls-serv.
// Every start waits until the server accepts, every wait is bounded, and every server is
// registered so closeAllServers() (call it in afterAll) and process exit always clean up.
import { spawn, type ChildProcess } from "node:child_process";
import * as https from "node:https";
import * as net from "node:net";
import * as tls from "node:tls";
import { requirePeer } from "./peers.js";

export const LOOPBACK = "127.0.0.1";
const START_TIMEOUT_MS = 10_000;

export interface RunningServer {
  readonly kind: "node" | "node-process" | "openssl" | "gnutls";
  readonly port: number;
  close(): Promise<void>;
}

const running = new Set<RunningServer>();
const children = new Set<ChildProcess>();
let exitHookInstalled = false;

function track<T extends RunningServer>(server: T): T {
  running.add(server);
  return server;
}

function trackChild(child: ChildProcess): void {
  children.add(child);
  child.once("exit", () => children.delete(child));
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    // A crashed test run must not leave s_server/gnutls-serv holding ports.
    process.once("exit", () => {
      for (const c of children) c.kill("SIGKILL");
    });
  }
}

export async function closeAllServers(): Promise<void> {
  const all = [...running];
  running.clear();
  await Promise.all(all.map((s) => s.close()));
}

/** A port that was free a moment ago (for servers that cannot report the port they bound). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once("error", reject);
    srv.listen(0, LOOPBACK, () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/** Resolves once a TCP connect to the port succeeds; rejects after `timeoutMs` or if `alive()` turns false. */
export async function waitForPort(port: number, alive: () => boolean = () => true, timeoutMs = START_TIMEOUT_MS): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (!alive()) throw new Error(`server on port ${port} exited before accepting`);
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect({ host: LOOPBACK, port }, () => {
        s.destroy();
        resolve(true);
      });
      s.once("error", () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`server on port ${port} did not accept within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

// ---------------------------------------------------------------------------------------------
// Node's tls server, in-process. Our Node adapter is event-driven (it never blocks the loop), so
// the client and the server share one event loop safely. A test that drives the TlsClient with a
// blocking loop must not use this server: use openssl or gnutls, which run in child processes.

export type NodeServerMode =
  /** Echo every byte back; ends the write side when the client ends. */
  | "echo"
  /** HTTP/1.1 via node:https: answers any request with JSON describing the TLS session. */
  | "https"
  /** Hand each secure socket to `onConnection`. */
  | "custom";

export interface NodeServerOptions extends tls.TlsOptions {
  mode?: NodeServerMode;
  onConnection?: (socket: tls.TLSSocket) => void;
}

export interface NodeTlsServer extends RunningServer {
  readonly kind: "node";
  readonly server: tls.Server;
  /** Errors the server saw on its side (tlsClientError), newest last: useful to assert what the client did wrong. */
  readonly clientErrors: Error[];
}

export interface SessionInfo {
  cipher: string;
  version: string | null;
  alpn: string | false | null;
  servername: string | false | null;
  method?: string;
  url?: string;
  body?: string;
}

export function sessionInfo(socket: tls.TLSSocket): SessionInfo {
  return {
    cipher: socket.getCipher()?.standardName ?? "",
    version: socket.getProtocol(),
    alpn: socket.alpnProtocol ?? null,
    servername: (socket as tls.TLSSocket & { servername?: string | false }).servername ?? null,
  };
}

export async function startNodeTlsServer(opts: NodeServerOptions): Promise<NodeTlsServer> {
  const { mode = "echo", onConnection, ...tlsOptions } = opts;
  const options: tls.TlsOptions = { minVersion: "TLSv1.2", maxVersion: "TLSv1.2", ...tlsOptions };
  const sockets = new Set<net.Socket>();
  let server: tls.Server;
  if (mode === "https") {
    server = https.createServer(options, (req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const info: SessionInfo = {
          ...sessionInfo(req.socket as tls.TLSSocket),
          method: req.method,
          url: req.url,
          body: Buffer.concat(chunks).toString("utf8"),
        };
        const body = JSON.stringify(info);
        res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(body) });
        res.end(body);
      });
    });
  } else {
    server = tls.createServer(options, (socket) => {
      if (mode === "echo") {
        socket.on("error", () => socket.destroy());
        socket.pipe(socket);
      } else onConnection?.(socket);
    });
  }
  const clientErrors: Error[] = [];
  server.on("tlsClientError", (err) => clientErrors.push(err));
  server.on("connection", (s: net.Socket) => {
    sockets.add(s);
    s.once("close", () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, LOOPBACK, () => resolve());
  });
  const { port } = server.address() as net.AddressInfo;
  let closed: Promise<void> | undefined;
  const handle: NodeTlsServer = {
    kind: "node",
    port,
    server,
    clientErrors,
    close() {
      closed ??= new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
        running.delete(handle);
      });
      return closed;
    },
  };
  return track(handle);
}

// ---------------------------------------------------------------------------------------------
// Child-process servers.

// Node's tls server in a process of its own, for code that drives a client with a blocking loop.
const NODE_SERVER_SCRIPT = `
const tls = require("node:tls");
const fs = require("node:fs");
const cfg = JSON.parse(process.argv[1]);
const opts = { ...cfg.tls, key: fs.readFileSync(cfg.keyFile), cert: fs.readFileSync(cfg.certFile), minVersion: "TLSv1.2", maxVersion: "TLSv1.2" };
const server = tls.createServer(opts, (s) => {
  s.on("error", () => s.destroy());
  if (cfg.mode === "echo") s.pipe(s);
  else { s.end(JSON.stringify({ cipher: s.getCipher().standardName, alpn: s.alpnProtocol, servername: s.servername })); }
});
server.on("tlsClientError", (e) => console.log("tlsClientError " + e.message));
server.listen(0, "127.0.0.1", () => console.log("LISTENING " + server.address().port));
process.stdin.on("end", () => process.exit(0));
process.stdin.resume();
`;

export interface NodeServerProcessOptions {
  keyFile: string;
  /** Leaf followed by its chain. */
  certFile: string;
  /** echo: pipe back; info: send one JSON line describing the session, then close_notify. */
  mode?: "echo" | "info";
  /** Extra tls.createServer options that survive JSON (ciphers, ecdhCurve, ALPNProtocols, ...). */
  tls?: Record<string, unknown>;
}

export async function startNodeTlsServerProcess(opts: NodeServerProcessOptions): Promise<ChildServer> {
  const config = JSON.stringify({ keyFile: opts.keyFile, certFile: opts.certFile, mode: opts.mode ?? "echo", tls: opts.tls ?? {} });
  const { child, outputRef, listeners } = spawnServer(process.execPath, ["-e", NODE_SERVER_SCRIPT, config]);
  const handle = childServer("node-process", child, 0, outputRef, listeners);
  let onExit: ((code: number | null) => void) | undefined;
  try {
    const line = await Promise.race([
      handle.waitForOutput(/LISTENING (\d+)/, START_TIMEOUT_MS),
      new Promise<never>((_, reject) => {
        onExit = (code) => reject(new Error(`node server process exited (${code}): ${outputRef.text}`));
        child.once("exit", onExit);
      }),
    ]);
    handle.port = Number(/(\d+)$/.exec(line)![1]);
    return track(handle);
  } catch (e) {
    child.kill("SIGKILL");
    throw e;
  } finally {
    if (onExit) child.off("exit", onExit);
  }
}

export interface ChildServer extends RunningServer {
  /** Known once the server reported it (openssl, the Node process) or chosen before the start (gnutls). */
  port: number;
  readonly child: ChildProcess;
  /** Everything the server printed so far (stdout + stderr). */
  output(): string;
  /** Resolves when the output matches `re` (bounded). */
  waitForOutput(re: RegExp, timeoutMs?: number): Promise<string>;
  /** Write to the server's stdin (openssl plain mode sends it to the client). */
  send(text: string): void;
}

function childServer(kind: "node-process" | "openssl" | "gnutls", child: ChildProcess, port: number, outputRef: { text: string }, listeners: Set<() => void>): ChildServer {
  let closed: Promise<void> | undefined;
  const handle: ChildServer = {
    kind,
    port,
    child,
    output: () => outputRef.text,
    waitForOutput(re, timeoutMs = 5000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const m = re.exec(outputRef.text);
          if (m) {
            done();
            resolve(m[0]);
          }
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`${kind} output did not match ${re} within ${timeoutMs} ms; got:\n${outputRef.text.slice(-2000)}`));
        }, timeoutMs);
        const done = () => {
          clearTimeout(timer);
          listeners.delete(check);
        };
        listeners.add(check);
        check();
      });
    },
    send(text) {
      child.stdin?.write(text);
    },
    close() {
      closed ??= new Promise<void>((resolve) => {
        running.delete(handle);
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        const killTimer = setTimeout(() => child.kill("SIGKILL"), 2000);
        child.once("exit", () => {
          clearTimeout(killTimer);
          resolve();
        });
        child.kill("SIGTERM");
      });
      return closed;
    },
  };
  return handle;
}

function spawnServer(command: string, args: string[]): { child: ChildProcess; outputRef: { text: string }; listeners: Set<() => void> } {
  const child = spawn(command, args, { stdio: ["pipe", "pipe", "pipe"] });
  trackChild(child);
  const outputRef = { text: "" };
  const listeners = new Set<() => void>();
  // A spawn failure shows up as the server exiting before it accepts, not as an uncaught error.
  child.once("error", (e) => {
    outputRef.text += `spawn failed: ${e.message}\n`;
    for (const l of [...listeners]) l();
  });
  const onData = (d: Buffer) => {
    outputRef.text += d.toString("utf8");
    // Bound memory: a 1 MiB echo through openssl plain mode would otherwise accumulate.
    if (outputRef.text.length > 1 << 20) outputRef.text = outputRef.text.slice(-(1 << 19));
    for (const l of [...listeners]) l();
  };
  child.stdout!.on("data", onData);
  child.stderr!.on("data", onData);
  child.stdin!.on("error", () => {});
  return { child, outputRef, listeners };
}

export type OpensslMode =
  /** -www: answers "GET / HTTP/1.0" with an HTML status page naming the cipher, then closes. */
  | "www"
  /** -rev: sends back every received line reversed (an echo with a twist, line oriented). */
  | "rev"
  /** no mode flag: prints what the client sends, sends what test code writes to stdin (send()). */
  | "plain";

export interface OpensslServerOptions {
  certFile: string;
  keyFile: string;
  /** Extra certificates to send after the leaf (-cert_chain). */
  chainFile?: string;
  mode?: OpensslMode;
  alpn?: string[];
  servername?: string;
  servernameFatal?: boolean;
  maxSendFrag?: number;
  cipher?: string;
  groups?: string[];
  extraArgs?: string[];
  /** Default "1.2"; "1.3" serves TLS 1.3 only (a server we must refuse with protocol_version). */
  version?: "1.2" | "1.3";
}

export async function startOpensslServer(opts: OpensslServerOptions): Promise<ChildServer> {
  const args = ["s_server", opts.version === "1.3" ? "-tls1_3" : "-tls1_2", "-accept", `${LOOPBACK}:0`, "-cert", opts.certFile, "-key", opts.keyFile];
  if (opts.chainFile) args.push("-cert_chain", opts.chainFile);
  const mode = opts.mode ?? "www";
  if (mode === "www") args.push("-www");
  else if (mode === "rev") args.push("-rev");
  if (opts.alpn) args.push("-alpn", opts.alpn.join(","));
  // s_server only checks SNI when it has a second context; give it the same certificate. Caveat: a
  // matching SNI switches to that context, which sends no -cert_chain: trust the intermediate then.
  if (opts.servername) args.push("-servername", opts.servername, "-cert2", opts.certFile, "-key2", opts.keyFile);
  if (opts.servernameFatal) args.push("-servername_fatal");
  if (opts.maxSendFrag) args.push("-max_send_frag", String(opts.maxSendFrag));
  // Offer everything TLS 1.2 + our suites need, including the opt-in RSA key exchange.
  args.push("-cipher", opts.cipher ?? "ALL:@SECLEVEL=1");
  if (opts.groups) args.push("-groups", opts.groups.join(":"));
  args.push(...(opts.extraArgs ?? []));
  const { child, outputRef, listeners } = spawnServer(requirePeer("openssl"), args);
  const handle = childServer("openssl", child, 0, outputRef, listeners);
  let port: number;
  let onExit: ((code: number | null) => void) | undefined;
  try {
    const line = await Promise.race([
      handle.waitForOutput(/ACCEPT \S+:(\d+)/, START_TIMEOUT_MS),
      new Promise<never>((_, reject) => {
        onExit = (code) => reject(new Error(`openssl s_server exited (${code}): ${outputRef.text}`));
        child.once("exit", onExit);
      }),
    ]);
    port = Number(/:(\d+)$/.exec(line)![1]);
  } catch (e) {
    child.kill("SIGKILL");
    throw e;
  } finally {
    if (onExit) child.off("exit", onExit);
  }
  handle.port = port;
  return track(handle);
}

export interface GnutlsServerOptions {
  /** Leaf followed by its chain (gnutls-serv sends the whole file). */
  certFile: string;
  keyFile: string;
  /** Default: echo. "http" serves a status page. */
  mode?: "echo" | "http";
  alpn?: string[];
  alpnFatal?: boolean;
  priority?: string;
  /** Default false: without -a gnutls-serv sends a CertificateRequest, exercising that path in the client. */
  disableClientCert?: boolean;
  extraArgs?: string[];
}

export async function startGnutlsServer(opts: GnutlsServerOptions): Promise<ChildServer> {
  for (let attempt = 0; ; attempt++) {
    const port = await freePort();
    const args = ["-p", String(port), "--x509certfile", opts.certFile, "--x509keyfile", opts.keyFile];
    // --crlf: echo bytes unchanged (by default the echo server rewrites CRLF to LF).
    args.push(...(opts.mode === "http" ? ["--http"] : ["--echo", "--crlf"]));
    // TLS 1.2 only, and the RSA key exchange enabled so the opt-in suites can be tested.
    args.push("--priority", opts.priority ?? "NORMAL:-VERS-ALL:+VERS-TLS1.2:+RSA");
    for (const p of opts.alpn ?? []) args.push("--alpn", p);
    if (opts.alpnFatal) args.push("--alpn-fatal");
    if (opts.disableClientCert) args.push("-a");
    args.push(...(opts.extraArgs ?? []));
    const { child, outputRef, listeners } = spawnServer(requirePeer("gnutls-serv"), args);
    const handle = childServer("gnutls", child, port, outputRef, listeners);
    try {
      await waitForPort(port, () => child.exitCode === null && child.signalCode === null);
      return track(handle);
    } catch (e) {
      child.kill("SIGKILL");
      // Another process grabbed the port between freePort() and bind: try a fresh one.
      if (attempt < 3 && /bind|address already in use|exited/i.test(String(e) + outputRef.text)) continue;
      throw new Error(`gnutls-serv failed to start: ${String(e)}\n${outputRef.text}`);
    }
  }
}
