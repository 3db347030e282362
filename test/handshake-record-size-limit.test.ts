// RFC 8449 record_size_limit against gnutls-serv, which implements it (OpenSSL 3.0 and Node do not): each side's
// protected records must fit the limit the other side advertised.
import { afterAll, beforeAll, expect, it } from "vitest";
import { standardPki } from "./helpers/pki.js";
import { closeAllServers, startGnutlsServer, type ChildServer } from "./helpers/servers.js";
import { openTls, parseRecords, readUntil, textLines, type WireRecord } from "./helpers/tls.js";

const CCS = 20;
const APPLICATION_DATA = 23;
const MAX_AEAD_OVERHEAD = 24;
// gnutls ignores advertised limits below 512, so both stay above that.
const OUR_LIMIT = 600;
const SERVER_LIMIT = 700;

let gnutls: ChildServer;

beforeAll(async () => {
  const pki = standardPki();
  gnutls = await startGnutlsServer({ certFile: pki.chainFile.p256, keyFile: pki.leaves.p256.keyPath, extraArgs: [`--recordsize=${SERVER_LIMIT}`] });
});
afterAll(() => closeAllServers());

/** The largest protected record (after ChangeCipherSpec), and how many application data records there were. */
function protectedRecords(records: WireRecord[]): { largest: number; appData: number } {
  let encrypted = false;
  let largest = 0;
  let appData = 0;
  for (const r of records) {
    if (encrypted) largest = Math.max(largest, r.length);
    if (r.type === APPLICATION_DATA) appData++;
    if (r.type === CCS) encrypted = true;
  }
  return { largest, appData };
}

it("limits the records in both directions to what each side advertised", async () => {
  const { socket, client } = await openTls(gnutls.port, { recordSizeLimit: OUR_LIMIT });
  expect(client.maxFragmentLength).toBeNull();
  // One long line: the echo server writes it back in one go, so only the limit can split it.
  const payload = textLines(5000, 5000);
  socket.write(payload);
  const echoed = await readUntil(socket, (b) => b.length >= payload.length);
  expect(echoed.equals(payload)).toBe(true);
  socket.destroy();

  const sent = protectedRecords(parseRecords(client.tap.sent));
  expect(sent.largest).toBeLessThanOrEqual(SERVER_LIMIT + MAX_AEAD_OVERHEAD);
  expect(sent.appData).toBeGreaterThanOrEqual(Math.ceil(payload.length / SERVER_LIMIT));

  const received = protectedRecords(parseRecords(client.tap.received));
  expect(received.largest).toBeLessThanOrEqual(OUR_LIMIT + MAX_AEAD_OVERHEAD);
  expect(received.appData).toBeGreaterThanOrEqual(Math.ceil(payload.length / OUR_LIMIT));
});

it("without the option, records are full size", async () => {
  const { socket, client } = await openTls(gnutls.port);
  const payload = textLines(5000, 5000);
  socket.write(payload);
  const echoed = await readUntil(socket, (b) => b.length >= payload.length);
  expect(echoed.equals(payload)).toBe(true);
  socket.destroy();
  // One record carries the whole line each way: no limit was negotiated on our side.
  expect(protectedRecords(parseRecords(client.tap.sent)).largest).toBeGreaterThan(payload.length);
});
