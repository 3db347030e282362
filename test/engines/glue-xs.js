// Moddable XS (xsnap-worker): issueCommand(ArrayBuffer) sends a netstring to the parent on fd 4 and blocks until
// the parent's netstring reply arrives on fd 3: the synchronous host call microtls's driver needs.
(function (global) {
  "use strict";
  global.microtlsHostCall = function (op, payload) {
    var message = new Uint8Array(1 + payload.length);
    message[0] = op.charCodeAt(0);
    message.set(payload, 1);
    return new Uint8Array(issueCommand(message.buffer));
  };
})(globalThis);
