import { concatBytes } from "../bytes.js";
import { createHash, type HashState } from "../crypto/hash.js";

/**
 * The running handshake hash. The hash function is the suite's PRF hash, unknown until the ServerHello,
 * so messages before it are buffered and replayed into the hash once it is chosen.
 */
export class Transcript {
  private pending: Uint8Array[] | null = [];
  private state: HashState | null = null;

  add(raw: Uint8Array): void {
    if (this.state) this.state.update(raw);
    else if (this.pending) this.pending.push(raw);
  }

  /** Fixes the hash function (once, at ServerHello) and drops the buffered messages. */
  useHash(name: "sha256" | "sha384"): void {
    const state = createHash(name);
    if (this.pending) state.update(concatBytes(...this.pending));
    this.pending = null;
    this.state = state;
  }

  /** Hash of everything added so far; the transcript keeps going. */
  current(): Uint8Array {
    if (!this.state) throw new Error("transcript hash used before the suite was chosen");
    return this.state.clone().digest();
  }
}
