// The application side of the Photon-class host: a TCPClient over the host calls (the firmware's socket binding;
// the Node parent owns the real socket), and an echo session through microtls.TLSTCPClient as a Photon sketch would
// write it. Plain ES2020 script, loaded after microtls.native.js. Host calls (test/engines/driver.js lists them):
// C connect, S send, R receive without waiting, W wait until readable, X close, T clock, M mark, D result.
(function (global) {
  "use strict";
  var call = global.microtlsHostCall;

  function u32(n) {
    return Uint8Array.of(n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff);
  }
  function ascii(s) {
    var b = new Uint8Array(s.length);
    for (var i = 0; i < s.length; i++) b[i] = s.charCodeAt(i) & 0xff;
    return b;
  }
  function now() {
    var t = call("T", new Uint8Array(0)), s = "";
    for (var i = 0; i < t.length; i++) s += String.fromCharCode(t[i]);
    return Number(s);
  }
  function mark(name) {
    call("M", ascii(name));
  }
  function done(result) {
    call("D", ascii(JSON.stringify(result)));
  }

  /** A Photon TCPClient over the host calls: bytes the host handed over wait in `rx` until read. */
  function TCPClient() {
    this.rx = null;
    this.at = 0;
    this.open = false;
  }
  TCPClient.prototype.connect = function (host, port) {
    // The parent connects to the test server's port whatever the name: the name is for the certificate check.
    call("C", ascii(host + ":" + port));
    this.open = true;
    this.rx = null;
    return true;
  };
  TCPClient.prototype.available = function () {
    if (this.rx && this.at < this.rx.length) return this.rx.length - this.at;
    if (!this.open) return 0;
    var r = call("R", u32(2048));
    if (r[0] === 1) this.open = false;
    this.rx = r.length > 1 ? r.subarray(1) : null;
    this.at = 0;
    return this.rx ? this.rx.length : 0;
  };
  TCPClient.prototype.read = function (buf) {
    if (this.available() === 0) return -1;
    var n = Math.min(buf.length, this.rx.length - this.at);
    buf.set(this.rx.subarray(this.at, this.at + n));
    this.at += n;
    return n;
  };
  TCPClient.prototype.write = function (data) {
    call("S", data);
    return data.length;
  };
  TCPClient.prototype.connected = function () {
    return this.open || this.available() > 0;
  };
  TCPClient.prototype.stop = function () {
    if (this.open) call("X", new Uint8Array(0));
    this.open = false;
  };
  /** The firmware's "wait for the socket" (a device would delay(1) and poll). */
  TCPClient.prototype.wait = function () {
    call("W", new Uint8Array(0));
  };

  /**
   * cfg: { host, port, caPem, lines, lineLength, maxFragmentLength?, cipherSuites? }. Sends `lines` lines of
   * `lineLength` bytes (newline included) to openssl s_server -rev and checks each comes back reversed.
   */
  function runEcho(cfg) {
    mark("start");
    var socket = new TCPClient();
    var options = { ca: cfg.caPem, now: now, idle: function () { socket.wait(); } };
    if (cfg.maxFragmentLength) options.maxFragmentLength = cfg.maxFragmentLength;
    if (cfg.cipherSuites) options.cipherSuites = cfg.cipherSuites;
    if (cfg.trace) options.trace = global.print;
    // Each trace line as a mark: the host logs the heap at every step of the handshake.
    if (cfg.traceMarks) options.trace = function (line) { mark("trace " + line.slice(0, 60)); };
    var client = new global.microtls.TLSTCPClient(socket, options);
    if (!client.connect(cfg.host, cfg.port)) {
      var e = client.error;
      done({ ok: false, error: { code: e && e.code, message: e && e.message, verifyFlags: (e && e.verifyFlags) || null } });
      return;
    }
    mark("handshake");
    var tls = client.tls;
    var result = {
      ok: true,
      cipherSuite: tls.cipherSuite,
      group: tls.group,
      maxFragmentLength: tls.maxFragmentLength,
      verifyFlags: tls.verifyFlags,
      peerSubject: tls.peerCertificates.length ? String(tls.peerCertificates[0].subject) : null,
    };
    tls = null;
    // One line at a time, as s_server -rev answers line by line: the line, then its reversal back.
    var line = new Uint8Array(cfg.lineLength), buf = new Uint8Array(256), sent = 0, got = 0, wrong = 0;
    for (var n = 0; n < cfg.lines; n++) {
      for (var i = 0; i < line.length - 1; i++) line[i] = 0x41 + ((i * 7 + n) % 26);
      line[line.length - 1] = 0x0a;
      if (client.write(line) !== line.length) break;
      sent += line.length;
      var at = 0;
      while (at < line.length && client.connected()) {
        var r = client.read(buf);
        if (r < 0) {
          if (client.error) break;
          socket.wait();
          continue;
        }
        for (var k = 0; k < r; k++, at++) {
          var expected = at === line.length - 1 ? 0x0a : line[line.length - 2 - at];
          if (buf[k] !== expected) wrong++;
        }
      }
      got += at;
      if (at < line.length) break;
    }
    mark("echo");
    result.sent = sent;
    result.received = got;
    result.wrong = wrong;
    result.errorAfterHandshake = client.error ? client.error.code : null;
    client.stop();
    result.connectedAfterStop = client.connected();
    mark("closed");
    done(result);
  }

  global.microtlsTcpApp = { TCPClient: TCPClient, runEcho: runEcho };
})(typeof globalThis !== "undefined" ? globalThis : this);
