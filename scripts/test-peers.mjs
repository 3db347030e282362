#!/usr/bin/env node
// The real TLS peers the tests start (openssl s_server, gnutls-serv, mosquitto): find them, and install
// the missing ones when this machine can (root on Debian/Ubuntu), or print the one command that does it.
// `npm test` runs this first; test/helpers/peers.ts uses the same table to fail loudly when one is missing.
import { execFileSync } from "node:child_process";
import { accessSync, constants } from "node:fs";
import { delimiter, join } from "node:path";
import { fileURLToPath } from "node:url";

/** Each binary the tests run, and the Debian package that ships it. */
export const PEERS = [
  { bin: "gnutls-serv", apt: "gnutls-bin", brew: "gnutls" },
  { bin: "mosquitto", apt: "mosquitto", brew: "mosquitto" },
  { bin: "openssl", apt: "openssl", brew: "openssl" },
];

export const INSTALL_SCRIPT = "npm run test:peers";

/** The one command that installs every peer on this kind of machine. */
export function installCommand() {
  if (process.platform === "darwin") return `brew install ${PEERS.map((p) => p.brew).join(" ")}`;
  const sudo = process.getuid?.() === 0 ? "" : "sudo ";
  return `${sudo}apt-get install -y ${PEERS.map((p) => p.apt).join(" ")}`;
}

// Debian puts mosquitto in /usr/sbin, which a user's PATH often lacks.
const EXTRA_DIRS = ["/usr/sbin", "/sbin", "/usr/local/sbin", "/usr/local/bin", "/opt/homebrew/bin", "/opt/homebrew/sbin"];

/** Absolute path of `bin`, or null. */
export function findPeer(bin) {
  const dirs = [...(process.env.PATH ?? "").split(delimiter).filter(Boolean), ...EXTRA_DIRS];
  for (const dir of dirs) {
    const file = join(dir, bin);
    try {
      accessSync(file, constants.X_OK);
      return file;
    } catch {
      // not here
    }
  }
  return null;
}

export function missingPeers() {
  return PEERS.filter((p) => findPeer(p.bin) === null);
}

function canApt() {
  return process.platform === "linux" && process.getuid?.() === 0 && findPeer("apt-get") !== null;
}

function main() {
  const missing = missingPeers();
  if (missing.length === 0) return;
  const names = missing.map((p) => p.bin).join(", ");
  if (canApt() && process.env.MICROTLS_NO_INSTALL !== "1") {
    const pkgs = missing.map((p) => p.apt);
    console.log(`test peers missing (${names}): apt-get install -y ${pkgs.join(" ")}`);
    const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
    try {
      execFileSync("apt-get", ["update", "-qq"], { stdio: "inherit", env });
      execFileSync("apt-get", ["install", "-y", "-qq", ...pkgs], { stdio: "inherit", env });
    } catch (e) {
      console.error(`installing ${pkgs.join(" ")} failed (${e.message}); the tests that need ${names} will fail`);
    }
    const still = missingPeers();
    if (still.length === 0) return;
    console.error(`still missing after apt-get: ${still.map((p) => p.bin).join(", ")}`);
  }
  // The interop tests then fail, each naming the missing server; everything else still runs.
  console.error(`microtls tests need ${names}, not found on this machine: run \`${installCommand()}\``);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) main();
