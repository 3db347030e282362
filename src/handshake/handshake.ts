import { tlsError } from "../errors.js";
import type { HandshakeMessage } from "../record/handshake-reassembler.js";
import type { RecordLayer } from "../record/layer.js";
import type { ClientConfig } from "./config.js";
import { HandshakeContext } from "./context.js";
import { HandshakeType } from "./messages.js";
import { startHandshake, type HandshakeResult, type HandshakeState } from "./states.js";

export type { HandshakeResult } from "./states.js";

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

  /** Handles one handshake message: the result once the handshake is complete (the final state carries it), else null. */
  onMessage(msg: HandshakeMessage): HandshakeResult | null {
    this.state = this.state.handle(this.hs, msg);
    if (msg.type === HandshakeType.server_hello) this.record.versionChosen = true;
    return this.state.result ?? null;
  }

  /** The server's ChangeCipherSpec: legal in one state only. */
  onChangeCipherSpec(): void {
    if (!this.state.changeCipherSpec) {
      throw tlsError("unexpected_message", `unexpected ChangeCipherSpec while expecting ${this.state.expecting}`);
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
}
