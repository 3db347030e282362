import type { EcdhGroup } from "../crypto/ecdh.js";
import { Alert, TlsError } from "../errors.js";
import type { HandshakeMessage } from "../record/handshake-reassembler.js";
import type { RecordLayer } from "../record/layer.js";
import type { ClientConfig } from "./config.js";
import { HandshakeContext } from "./context.js";
import { HandshakeType } from "./messages.js";
import type { TlsSession } from "./session.js";
import { Established, startHandshake, type HandshakeState } from "./states.js";
import type { CipherSuite } from "./suites.js";

/** What a completed handshake agreed: the connection keeps this, and drops the handshake. */
export interface HandshakeResult {
  readonly suite: CipherSuite;
  readonly alpnProtocol: string | null;
  readonly extendedMasterSecret: boolean;
  readonly maxFragmentLength: number | null;
  readonly group: EcdhGroup | null;
  /** The server's chain as DER, leaf first (empty when a session was resumed). */
  readonly chain: Uint8Array[];
  readonly verifyFlags: string[];
  readonly session: TlsSession | null;
  readonly resumed: boolean;
}

/**
 * One client handshake, as the connection sees it: whole handshake messages and ChangeCipherSpecs go in, wire bytes
 * leave through `output`, and a HandshakeResult comes back once the server's Finished checks out. The states behind
 * it (states.ts) are its business alone.
 */
export class Handshake {
  private readonly hs: HandshakeContext;
  private state: HandshakeState;

  /** Sends the ClientHello. */
  constructor(config: ClientConfig, private readonly record: RecordLayer, output: (wire: Uint8Array) => void) {
    this.hs = new HandshakeContext(config, record, output);
    this.state = startHandshake(this.hs);
  }

  /** What the handshake waits for, for errors and traces. */
  get expecting(): string {
    return this.state.expecting;
  }

  /** Handles one handshake message: the result once the handshake is complete, else null. */
  onMessage(msg: HandshakeMessage): HandshakeResult | null {
    this.state = this.state.handle(this.hs, msg);
    if (msg.type === HandshakeType.server_hello) this.record.versionChosen = true;
    return this.state === Established ? this.result() : null;
  }

  /** The server's ChangeCipherSpec: legal in one state only. */
  onChangeCipherSpec(): void {
    if (!this.state.changeCipherSpec) {
      throw new TlsError("UNEXPECTED_MESSAGE", `unexpected ChangeCipherSpec while expecting ${this.state.expecting}`, Alert.unexpected_message);
    }
    this.state = this.state.changeCipherSpec(this.hs);
  }

  /** Why we answered a CertificateRequest with an empty Certificate (null: we did not), to explain a handshake_failure. */
  get sentEmptyCertificate(): string | null {
    return this.hs.sentEmptyCertificate;
  }

  /** The server's chain as received so far: a refused chain stays readable. */
  get chain(): Uint8Array[] {
    return this.hs.chain;
  }

  /**
   * Wipes the secrets. After a fatal alert (sent or received) the offered session must not be resumed again
   * (RFC 5246 §7.2.2).
   */
  dispose(fatal: boolean): void {
    if (fatal && this.hs.offeredSession) this.hs.offeredSession.resumable = false;
    if (this.hs.masterSecret) this.hs.masterSecret.fill(0);
  }

  private result(): HandshakeResult {
    const hs = this.hs;
    return {
      suite: hs.suite!,
      alpnProtocol: hs.agreed!.alpnProtocol,
      extendedMasterSecret: hs.agreed!.extendedMasterSecret,
      maxFragmentLength: hs.agreed!.maxFragmentLength,
      group: hs.group,
      chain: hs.chain,
      verifyFlags: hs.verifyFlags,
      session: hs.session,
      resumed: hs.resumed,
    };
  }
}
