// The hostile-server suite's second real server: openssl s_server (-www) with the RSA-2048 leaf, through the man in
// the middle, for ECDHE_RSA and for the RSA key exchange (whose flight has no ServerKeyExchange). Smaller than the
// Node families (test/hostile-mitm.test.ts): a byte sweep of both server flights, re-fragmentations that must
// succeed, truncation at each record boundary, and the violations whose alert depends on the suite.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TlsClientOptions } from "../src/handshake/config.js";
import { asRecords, count, drive, flipAt, HS, label, printTally, record, reframe, rejection, rewriteFirstFlight, startMitm, type Mitm, type MitmScript } from "./helpers/mitm.js";
import { standardPki } from "./helpers/pki.js";
import { closeAllServers, startOpensslServer, type ChildServer } from "./helpers/servers.js";

const GET = Buffer.from("GET / HTTP/1.0\r\n\r\n");
const SUITES = {
  ECDHE_RSA: { cipherSuites: ["TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"] },
  RSA: { cipherSuites: ["TLS_RSA_WITH_AES_256_GCM_SHA384"] },
} as Record<string, Partial<TlsClientOptions>>;

let server: ChildServer;
let mitm: Mitm;
const handshakeEnd: Record<string, number> = {};
const recordCount: Record<string, number> = {};

beforeAll(async () => {
  const pki = standardPki();
  server = await startOpensslServer({ certFile: pki.leaves.rsa2048.certPath, keyFile: pki.leaves.rsa2048.keyPath, chainFile: pki.intermediateFile, mode: "www" });
  mitm = await startMitm(server.port);
  for (const [name, client] of Object.entries(SUITES)) {
    const base = await drive(mitm.port, { client, send: GET });
    expect(base.ok, String(base.error)).toBe(true);
    expect(base.appData.toString()).toContain(name === "RSA" ? "AES256-GCM-SHA384" : "ECDHE-RSA-AES128-GCM-SHA256");
    const recs = mitm.last.serverRecords;
    const ccs = recs.findIndex((r) => r.type === 20);
    handshakeEnd[name] = recs[ccs + 1].offset + recs[ccs + 1].raw.length;
    recordCount[name] = ccs + 2;
  }
}, 30_000);

afterAll(async () => {
  await mitm?.close();
  await closeAllServers();
  printTally("hostile-mitm-openssl");
});

async function runCase(script: MitmScript, client: Partial<TlsClientOptions>, send?: Buffer) {
  mitm.script = script;
  return drive(mitm.port, { client, send, timeoutMs: 5_000 });
}

for (const [name, client] of Object.entries(SUITES)) {
  describe(`openssl s_server, ${name}`, () => {
    it("every k-th byte of both server flights, xor 0x01 and 0x80: each handshake fails cleanly", async () => {
      const stride = Math.ceil(handshakeEnd[name] / 90);
      const failures: string[] = [];
      for (let at = 0; at < handshakeEnd[name]; at += stride) {
        for (const mask of [0x01, 0x80]) {
          const o = await runCase(flipAt(at, mask), client);
          const why = rejection(o, mitm);
          count(`byte sweep ${name} (stride ${stride}, ${handshakeEnd[name]} bytes)`, why === null, label(o));
          if (why) failures.push(`byte ${at} ^0x${mask.toString(16)}: ${why}`);
        }
      }
      expect(failures).toEqual([]);
    }, 60_000);

    it("the server stream cut at each handshake record boundary: TRUNCATED", async () => {
      const failures: string[] = [];
      for (let index = 0; index < recordCount[name]; index++) {
        const o = await runCase(
          {
            server(rec, ctx) {
              if (rec.index < index) return ctx.toClient(rec.raw);
              if (rec.index === index) ctx.endClient();
            },
          },
          client,
        );
        const why = rejection(o, mitm, "TRUNCATED");
        count(`truncation ${name}`, why === null, label(o));
        if (why) failures.push(`cut before record ${index}: ${why}`);
      }
      expect(failures).toEqual([]);
    }, 30_000);

    const refragments: Array<[string, MitmScript]> = [
      ["1-byte handshake records", reframe(() => 1, false)],
      ["the first flight coalesced into one record", reframe(() => 1 << 14, true)],
    ];
    for (const [what, script] of refragments)
      it(`${what} must succeed`, async () => {
        const o = await runCase(script, client, GET);
        count(`re-fragmentation ${name}`, o.ok, label(o));
        expect(o.error).toBeUndefined();
        expect(o.cleanEof).toBe(true);
        expect(o.appData.toString()).toContain("HTTP/1.0 200");
      });

    it("a ServerKeyExchange where the suite has none, or none where it needs one: UNEXPECTED_MESSAGE", async () => {
      // RSA: insert an (empty-ish) ServerKeyExchange; ECDHE: drop it.
      const script = rewriteFirstFlight((msgs) =>
        asRecords(name === "RSA" ? [...msgs.slice(0, 2), Buffer.from([HS.server_key_exchange, 0, 0, 1, 3]), ...msgs.slice(2)] : msgs.filter((m) => m[0] !== HS.server_key_exchange)),
      );
      const o = await runCase(script, client);
      const why = rejection(o, mitm, "UNEXPECTED_MESSAGE", 10);
      count(`violations ${name}`, why === null, label(o));
      expect(why).toBeNull();
    });

    it("a Certificate record at SSL 3.0 after the ServerHello: PROTOCOL_VERSION", async () => {
      const o = await runCase(rewriteFirstFlight((msgs) => msgs.map((m) => record(22, m, m[0] === HS.certificate ? 0x0300 : 0x0303))), client);
      const why = rejection(o, mitm, "PROTOCOL_VERSION", 70);
      count(`violations ${name}`, why === null, label(o));
      expect(why).toBeNull();
    });
  });
}
