// Writes a self-contained replay script for an engine shell (JerryScript's `jerry`, `qjs`, `xst`, node:vm): load
// dist/microtls.device.js first, then this. It replays vectors/transcript-<name>.json through global `microtls`
// (the recorded random bytes and clock, the server's bytes fed back) and prints one JSON line: whether every byte
// we sent matches the recording, whether the decrypted response does, and the handshake's wall time.
// With extraBytes > 0 it also writes that much application data after the request (the server recorded none of
// it, so only the bytes before it are compared): handshake plus a 16 KiB send, for peak-heap measurements.
//   node bench/device-replay-script.mjs openssl-ecdhe-ecdsa-p256-chacha20 [extraBytes] > replay.js
//   jerry --mem-stats dist/microtls.device.js replay.js        (prints "Peak allocated")
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const DEVICE_TRANSCRIPTS = ["openssl-ecdhe-ecdsa-p256-chacha20", "openssl-ecdhe-rsa-x25519-aes128gcm"];

export function deviceReplayScript(name, extraBytes = 0) {
  const file = join(dirname(fileURLToPath(import.meta.url)), "..", "vectors", `transcript-${name}.json`);
  const j = JSON.parse(readFileSync(file, "utf8"));
  const T = { serverName: j.serverName, ca: j.ca, now: j.now, options: j.options, random: j.random, request: j.request, response: j.response, server: j.server, client: j.client };
  return `(function () {
  function fromHex(h) { var b = new Uint8Array(h.length / 2); for (var i = 0; i < b.length; i++) b[i] = parseInt(h.substr(2 * i, 2), 16); return b; }
  function toHex(b) { var s = ""; for (var i = 0; i < b.length; i++) s += (b[i] < 16 ? "0" : "") + b[i].toString(16); return s; }
  var T = ${JSON.stringify(T)}, extra = ${Number(extraBytes) | 0};
  var rnd = fromHex(T.random), ra = 0, server = fromHex(T.server), sa = 0, sent = "", resp = "", recording = true;
  var t0 = Date.now();
  var c = new microtls.TlsClient({ serverName: T.serverName, ca: T.ca, now: function () { return T.now; }, sessionTickets: false,
    cipherSuites: T.options.cipherSuites, groups: T.options.groups,
    random: function (buf) { if (ra + buf.length > rnd.length) throw new Error("out of recorded random bytes"); buf.set(rnd.subarray(ra, ra + buf.length)); ra += buf.length; } });
  c.setBio(function (d) { if (recording) sent += toHex(d); return d.length; }, function (buf) {
    if (sa >= server.length) return microtls.WANT_READ;
    var n = Math.min(buf.length, server.length - sa); buf.set(server.subarray(sa, sa + n)); sa += n; return n; });
  var r = c.handshake(), t1 = Date.now();
  if (r !== 0) throw new Error("handshake returned " + r);
  c.write(fromHex(T.request));
  if (extra) { recording = false; var big = new Uint8Array(extra); for (var k = 0; k < extra; k++) big[k] = k & 255; for (var w = 0; w < extra; ) w += c.write(big.subarray(w)); }
  var buf = new Uint8Array(1000);
  for (;;) { var n = c.read(buf); if (n <= 0) break; resp += toHex(buf.subarray(0, n)); }
  c.close();
  print(JSON.stringify({ handshakeMs: t1 - t0, cipherSuite: c.cipherSuite, group: c.group, verifyFlags: c.verifyFlags, state: c.state,
    sentMatches: extra ? T.client.indexOf(sent) === 0 : sent === T.client, responseMatches: resp === T.response }));
})();
`;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  process.stdout.write(deviceReplayScript(process.argv[2], Number(process.argv[3] ?? 0)));
}
