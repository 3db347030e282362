// Native QuickJS (qjs --std): the same netstring framing as xsnap-worker, over stdout (to the parent) and stdin
// (replies). std.in reads block, so each host call is a synchronous round trip. Nothing else may write to
// stdout, so print/console.log are sent to stderr.
(function (global) {
  "use strict";
  var out = std.out, input = std.in, err = std.err;
  global.print = global.console.log = function () {
    err.puts(Array.prototype.join.call(arguments, " ") + "\n");
  };
  function writeAscii(s) {
    var b = new Uint8Array(s.length);
    for (var i = 0; i < s.length; i++) b[i] = s.charCodeAt(i);
    out.write(b.buffer, 0, b.length);
  }
  global.microtlsHostCall = function (op, payload) {
    // Request: "<len>:?<op><payload>,"
    writeAscii(String(payload.length + 2) + ":?" + op);
    if (payload.length > 0) out.write(payload.buffer, payload.byteOffset, payload.length);
    writeAscii(",");
    out.flush();
    // Reply: "<len>:/<data>,"
    var len = 0, c;
    while ((c = input.getByte()) !== 58) {
      if (c < 48 || c > 57) throw new Error("host reply: bad netstring length (" + c + ")");
      len = len * 10 + (c - 48);
    }
    var buf = new ArrayBuffer(len);
    for (var off = 0; off < len; ) {
      var n = input.read(buf, off, len - off);
      if (n <= 0) throw new Error("host reply: end of input");
      off += n;
    }
    if (input.getByte() !== 44) throw new Error("host reply: missing netstring terminator");
    var reply = new Uint8Array(buf);
    if (reply[0] !== 47) throw new Error("host reply: unexpected prefix");
    return reply.subarray(1);
  };
})(globalThis);
