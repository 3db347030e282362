// In-process engines (QuickJS compiled to WASM via quickjs-emscripten; the node:vm baseline): the host installs
// __microtlsHost(op, ArrayBuffer) as a native function. It cannot block on the socket, so "W" answers "yield" and Node calls step() again
// when the socket is readable: the WANT_READ event-loop model.
(function (global) {
  "use strict";
  var hostFn = global.__microtlsHost;
  global.microtlsHostCall = function (op, payload) {
    return new Uint8Array(hostFn(op, payload.slice().buffer));
  };
})(globalThis);
