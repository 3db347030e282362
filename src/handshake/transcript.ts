import { concatBytes } from "../bytes.js";
import type { HashState } from "../crypto/hash.js";

/**
 * The running handshake hash. The hash function is the suite's PRF hash, unknown until the ServerHello,
 * so messages before it are buffered and replayed into the hash once it is chosen.
 */
export class Transcript {
  private pending: Uint8Array[] | null = [];
  private state: HashState | null = null;

  /**
   * keepMessages holds on to the messages themselves: a client CertificateVerify signs them with the scheme's
   * hash, which need not be the PRF hash. Without a client certificate they are dropped once the hash is known.
   */
  constructor(private readonly keepMessages = false) {}

  add(raw: Uint8Array): void {
    if (this.state) this.state.update(raw);
    if (this.pending && (!this.state || this.keepMessages)) this.pending.push(raw);
  }

  /** Fixes the hash function (once, at ServerHello): the suite's createHash, from its provider. */
  useHash(create: () => HashState): void {
    const state = create();
    if (this.pending) state.update(concatBytes(...this.pending));
    if (!this.keepMessages) this.pending = null;
    this.state = state;
  }

  /** Every message so far, when constructed with keepMessages. */
  messages(): Uint8Array {
    if (!this.pending) throw new Error("transcript messages were not kept");
    return concatBytes(...this.pending);
  }

  /** Hash of everything added so far; the transcript keeps going. */
  current(): Uint8Array {
    if (!this.state) throw new Error("transcript hash used before the suite was chosen");
    return this.state.clone().digest();
  }
}
