// Engine-side replay of a recorded handshake (vectors/transcript-*.json), as test/helpers/handshake-kit.ts replay() does in
// Node: the recorded random bytes and clock, the server's recorded bytes as the transport, everything the client sends
// collected. Plain ES2020 script loaded after the bundle (global `microtls`); reports through the host's "D" call.
(function (global) {
  "use strict";

  function fromHex(h) {
    var b = new Uint8Array(h.length >> 1);
    for (var i = 0; i < b.length; i++) b[i] = parseInt(h.substr(i * 2, 2), 16);
    return b;
  }
  function toHex(b) {
    var s = "";
    for (var i = 0; i < b.length; i++) s += (b[i] < 16 ? "0" : "") + b[i].toString(16);
    return s;
  }
  function ascii(s) {
    var b = new Uint8Array(s.length);
    for (var i = 0; i < s.length; i++) b[i] = s.charCodeAt(i) & 0xff;
    return b;
  }
  function concat(parts) {
    var n = 0;
    for (var i = 0; i < parts.length; i++) n += parts[i].length;
    var out = new Uint8Array(n);
    for (var j = 0, at = 0; j < parts.length; j++) (out.set(parts[j], at), (at += parts[j].length));
    return out;
  }

  /** t: { serverName, ca, now, options, random, request, server } (hex for bytes). */
  function replay(t) {
    var random = fromHex(t.random), server = fromHex(t.server), request = fromHex(t.request);
    var taken = 0, at = 0, sent = [], response = [];
    var options = { serverName: t.serverName, ca: t.ca, sessionTickets: false };
    for (var k in t.options) options[k] = t.options[k];
    options.now = function () {
      return t.now;
    };
    options.random = function (buf) {
      if (taken + buf.length > random.length) throw new Error("replay ran out of recorded random bytes");
      buf.set(random.subarray(taken, taken + buf.length));
      taken += buf.length;
    };
    var client = new microtls.TlsClient(options);
    client.setBio(
      function (data) {
        sent.push(data.slice());
        return data.length;
      },
      function (buf) {
        if (at >= server.length) return microtls.WANT_READ;
        var n = Math.min(buf.length, server.length - at);
        buf.set(server.subarray(at, at + n));
        at += n;
        return n;
      },
    );
    var outcome = "closed", error = null;
    try {
      if (client.handshake() !== 0) outcome = "stalled";
      for (var written = 0; outcome === "closed" && written < request.length; ) {
        var w = client.write(request.subarray(written));
        if (w < 0) outcome = "stalled";
        else written += w;
      }
      var buf = new Uint8Array(1000);
      while (outcome === "closed") {
        var r = client.read(buf);
        if (r === 0) break;
        if (r < 0) outcome = "stalled";
        else response.push(buf.slice(0, r));
      }
      if (outcome === "closed") client.close();
    } catch (e) {
      outcome = "failed";
      error = { code: e.code || e.name, message: String(e.message), stack: String(e.stack || "") };
    }
    var result = {
      outcome: outcome,
      error: error,
      output: toHex(concat(sent)),
      response: toHex(concat(response)),
      cipherSuite: client.cipherSuite,
      group: client.group,
      extendedMasterSecret: client.extendedMasterSecret,
      verifyFlags: client.verifyFlags,
      randomUsed: taken,
    };
    global.microtlsHostCall("D", ascii(JSON.stringify(result)));
  }

  global.microtlsReplay = { run: replay };
})(typeof globalThis !== "undefined" ? globalThis : this);
