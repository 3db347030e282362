// microtls/node: the TlsClient over Node sockets, as a Duplex stream.
export { connect, createConnection, type ConnectOptions } from "./connect.js";
export { TlsSocket, type TlsSocketOptions } from "./tls-socket.js";
export { TlsError } from "../errors.js";
// The native CryptoProvider (node:crypto), for the `crypto` option: new TlsClient({ ..., crypto: nodeCryptoProvider }).
export { nodeCryptoProvider } from "./native-provider.js";
