// Issue #13 §4: pinnedPublicKeys (base64 SHA-256 of the SPKI, OkHttp's form) checked against the verified path,
// and the verifyPeer hook run after the built-in checks; against a real openssl s_server.
import { createHash, X509Certificate } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Alert, TlsClient, type TlsError } from "../src/index.js";
import type { Certificate } from "../src/x509/index.js";
import { expectTlsErrorAsync } from "./helpers/expect-tls-error.js";
import { standardPki, TEST_HOST, type StandardPki } from "./helpers/pki.js";
import { closeAllServers, startOpensslServer, type ChildServer } from "./helpers/servers.js";
import { failTls, openTls, refusedTls } from "./helpers/tls.js";

let std: StandardPki;
let server: ChildServer;

/** The pin as OkHttp prints it, computed by Node: an independent check of ours. */
const pinOf = (pem: string) => createHash("sha256").update(new X509Certificate(pem).publicKey.export({ type: "spki", format: "der" })).digest("base64");

beforeAll(async () => {
  std = standardPki();
  server = await startOpensslServer({ certFile: std.leaves.p256.certPath, keyFile: std.leaves.p256.keyPath, chainFile: std.intermediateFile });
}, 60_000);

afterAll(closeAllServers);

async function succeeds(options: Parameters<typeof openTls>[1]): Promise<TlsClient> {
  const { socket, client } = await openTls(server.port, options);
  socket.destroy();
  return client;
}

describe("pinnedPublicKeys", () => {
  it("accepts a pin of the leaf (with OkHttp's sha256/ prefix), of the intermediate, or of the anchor", async () => {
    for (const pem of [std.leaves.p256.certPem, std.intermediate.certPem, std.root.certPem]) {
      const client = await succeeds({ pinnedPublicKeys: ["sha256/" + "A".repeat(43) + "=", `sha256/${pinOf(pem)}`] });
      expect(client.state).toBe("established");
    }
    await succeeds({ pinnedPublicKeys: [pinOf(std.intermediate.certPem)] });
  });

  it("refuses a chain none of whose keys is pinned: BAD_CERTIFICATE naming the pins and the path's hashes", async () => {
    const other = std.pki.issue({ name: "pin-other-root", cn: "Pinned Elsewhere", ca: true });
    const pin = pinOf(other.certPem);
    const error = await expectTlsErrorAsync(refusedTls(server.port, { pinnedPublicKeys: [pin] }), "BAD_CERTIFICATE", Alert.bad_certificate);
    expect(error.pins).toEqual([pin]);
    const path = [std.leaves.p256.certPem, std.intermediate.certPem, std.root.certPem].map(pinOf);
    expect(error.chainPins).toEqual(path);
    expect(error.message).toContain(`pins: sha256/${pin}`);
    for (const p of path) expect(error.message).toContain(`sha256/${p}`);
  });

  it("a pin never rescues an untrusted chain: verification comes first", async () => {
    const other = std.pki.issue({ name: "pin-other-root", cn: "Pinned Elsewhere", ca: true });
    const { error } = (await failTls(server.port, { ca: other.certPem, pinnedPublicKeys: [pinOf(std.leaves.p256.certPem)] })) as { error: TlsError };
    expect(error.verifyFlags).toContain("NOT_TRUSTED");
    expect(error.pins).toBeUndefined();
  });

  it("refuses malformed pins, and pins without verification, at construction", () => {
    const base = { serverName: TEST_HOST, ca: std.rootPem };
    expect(() => new TlsClient({ ...base, pinnedPublicKeys: ["not base64!"] })).toThrow(/pinnedPublicKeys: "not base64!" is not base64 of a SHA-256/);
    expect(() => new TlsClient({ ...base, pinnedPublicKeys: ["AAAA"] })).toThrow(/32 bytes/);
    expect(() => new TlsClient({ ...base, pinnedPublicKeys: [] })).toThrow(/non-empty array/);
    expect(() => new TlsClient({ serverName: TEST_HOST, verify: false, pinnedPublicKeys: [pinOf(std.root.certPem)] })).toThrow(/need verify on/);
  });
});

describe("verifyPeer", () => {
  it("runs after the built-in checks with the verified path, parsed, leaf to anchor", async () => {
    const seen: Certificate[][] = [];
    await succeeds({ verifyPeer: (chain) => void seen.push(chain) });
    expect(seen.length).toBe(1);
    expect(seen[0].map((c) => c.subject)).toEqual([std.leaves.p256, std.intermediate, std.root].map((c) => new X509Certificate(c.certPem).subject.split("\n").join(", ")));
  });

  it("whatever it throws fails the handshake: BAD_CERTIFICATE, alert bad_certificate, the cause kept", async () => {
    const refusal = new Error("serial number not on our allow-list");
    const error = await expectTlsErrorAsync(
      refusedTls(server.port, {
        verifyPeer: () => {
          throw refusal;
        },
      }),
      "BAD_CERTIFICATE",
      Alert.bad_certificate,
    );
    expect(error.message).toBe("server certificate rejected by verifyPeer: serial number not on our allow-list");
    expect(error.cause).toBe(refusal);
    expect(error.peerCertificates?.length).toBe(3);
  });

  it("is not called when the built-in checks already refused the chain", async () => {
    let called = false;
    const { error } = await failTls(server.port, { serverName: "wrong.example", verifyPeer: () => void (called = true) });
    expect(error.verifyFlags).toContain("HOSTNAME_MISMATCH");
    expect(called).toBe(false);
  });

  it("node:tls's checkServerIdentity is refused with a pointer to verifyPeer", () => {
    expect(() => new TlsClient({ serverName: TEST_HOST, ca: std.rootPem, checkServerIdentity: () => undefined } as never)).toThrow(/verifyPeer/);
  });
});
