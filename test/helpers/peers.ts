// The external servers the interop tests spawn. A missing one is a test failure that names the fix,
// never an uncaught `spawn ENOENT` and never a silent skip.
import { findPeer, INSTALL_SCRIPT, installCommand } from "../../scripts/test-peers.mjs";

export type PeerBin = "openssl" | "gnutls-serv" | "mosquitto";

/** The absolute path of a peer binary; throws "<bin> not found: run `…`" when it is not installed. */
export function requirePeer(bin: PeerBin): string {
  const path = findPeer(bin);
  if (path) return path;
  // The whole set, so one command fixes every suite at once.
  throw new Error(`${bin} not found: run \`${installCommand()}\` (or \`${INSTALL_SCRIPT}\` as root)`);
}
