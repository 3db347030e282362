// Type-checked from the installed tarball under node16 as an ES module.
import { TlsClient, TlsError, type TlsClientOptions } from "microtls";
import { TlsClient as CoreClient, x25519Group } from "microtls/core";
import { verifyChain, TrustStore, type VerifyResult } from "microtls/x509";
import { connect, TlsSocket, type ConnectOptions } from "microtls/node";
import { AsyncTlsClient, TlsConnection, type AsyncSocket } from "microtls/async";

const opts: TlsClientOptions = { serverName: "example.com", ca: new Uint8Array(0) };
export const clients: unknown[] = [TlsClient, CoreClient, x25519Group, opts];
export const verify: (o: Parameters<typeof verifyChain>[0]) => VerifyResult = verifyChain;
export const store: typeof TrustStore = TrustStore;
export const connectOptions: ConnectOptions = { host: "example.com", port: 443, ca: "" };
export const open: (o: ConnectOptions) => Promise<TlsSocket> = connect;
export const code: TlsError["code"] | undefined = undefined;
export const asyncClient = (socket: AsyncSocket): AsyncTlsClient => new AsyncTlsClient(new TlsConnection(opts), socket, { signal: new AbortController().signal });
