import type { GroupName } from "./crypto/ecdh.js";
import type { HandshakeResult } from "./handshake/handshake.js";
import { parseChain } from "./handshake/server-certificate.js";
import type { TlsSession } from "./handshake/session.js";
import type { Certificate } from "./x509/index.js";

/** What a connection's handshake agreed, as the application reads it: null/empty/false until it is complete. */
export class AgreedParameters {
  /** The handshake's result, kept after the handshake itself is dropped. */
  protected agreed: HandshakeResult | null = null;
  /** The chain a failed handshake received stays readable (peerCertificates), as on the error. */
  protected failedChain: Uint8Array[] = [];

  get cipherSuite(): string | null {
    return this.agreed ? this.agreed.suite.name : null;
  }
  get alpnProtocol(): string | null {
    return this.agreed ? this.agreed.alpnProtocol : null;
  }
  get extendedMasterSecret(): boolean {
    return this.agreed ? this.agreed.extendedMasterSecret : false;
  }
  get maxFragmentLength(): number | null {
    return this.agreed ? this.agreed.maxFragmentLength : null;
  }
  get group(): GroupName | null {
    return this.agreed && this.agreed.group ? this.agreed.group.name : null;
  }
  /** Verification flags of the server chain: empty when all was checked, TIME_UNKNOWN when there was no clock. */
  get verifyFlags(): string[] {
    return this.agreed ? this.agreed.verifyFlags.slice() : [];
  }
  /**
   * What a later client needs to resume this session (pass it as the `session` option, or save encodeSession(session)).
   * Holds the master secret: store it like a private key. Null before the handshake, when the server offered no
   * resumption, and after a fatal alert.
   */
  get session(): TlsSession | null {
    const session = this.agreed ? this.agreed.session : null;
    return session && session.resumable ? session : null;
  }
  /** Whether the handshake resumed a session (abbreviated: no certificates exchanged, so peerCertificates is empty). */
  get resumed(): boolean {
    return this.agreed ? this.agreed.resumed : false;
  }
  /** The server's chain, leaf first, parsed on each call (only the DER is kept, to keep idle connections small). */
  get peerCertificates(): Certificate[] {
    return parseChain(this.agreed ? this.agreed.chain : this.failedChain);
  }
}

/**
 * Defines each getter above on `target` as a forward to `source(this)`'s: the Mbed TLS-shaped client shows its
 * connection's parameters without restating them (pair it with `interface X extends Readonly<AgreedParameters>`).
 */
export function forwardAgreedParameters<T>(target: { prototype: T }, source: (self: T) => AgreedParameters): void {
  for (const name of Object.getOwnPropertyNames(AgreedParameters.prototype)) {
    if (name === "constructor") continue;
    Object.defineProperty(target.prototype, name, {
      get(this: T) {
        return (source(this) as unknown as Record<string, unknown>)[name];
      },
      configurable: true,
    });
  }
}
