// The servers the interop suites spawn must be installed: one failing test per missing binary, whose
// message is the command that installs it (`npm test` runs scripts/test-peers.mjs first, which installs
// them itself when it runs as root on Debian).
import { describe, expect, it } from "vitest";
import { installCommand } from "../scripts/test-peers.mjs";
import { requirePeer, type PeerBin } from "./helpers/peers.js";

describe("test peers", () => {
  for (const bin of ["openssl", "gnutls-serv", "mosquitto"] as PeerBin[]) {
    it(`${bin} is installed`, () => {
      expect(requirePeer(bin)).toMatch(new RegExp(`/${bin}$`));
    });
  }

  it("names the install command in the failure", () => {
    expect(() => requirePeer("no-such-peer" as PeerBin)).toThrow(`no-such-peer not found: run \`${installCommand()}\``);
  });
});
