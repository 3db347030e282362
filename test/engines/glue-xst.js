// Moddable XS (xst patched by xst-hostcall.patch): __microtlsHost(op, ArrayBuffer) is a native function that sends a
// netstring to the parent on fd 4 and blocks until its reply arrives on fd 3, the way a device firmware's host
// function would block on its socket.
(function (global) {
  "use strict";
  var hostFn = global.__microtlsHost;
  global.microtlsHostCall = function (op, payload) {
    return new Uint8Array(hostFn(op, payload.slice().buffer));
  };
})(globalThis);
