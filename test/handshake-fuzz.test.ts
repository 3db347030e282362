import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { concatBytes } from "../src/bytes.js";
import { TlsError } from "../src/errors.js";
import { buildServerBytes, loadTranscript, replay, serverFlight, TRANSCRIPTS } from "./helpers/handshake-kit.js";

// A recorded server flight, mutated at random: whatever the bytes, the client ends in a TlsError (with the alert
// it sent) or a clean result, never a RangeError/TypeError, and it stays failed afterwards.
describe.each(TRANSCRIPTS)("mutated %s flight", (name) => {
  const t = loadTranscript(name);
  const { messages, tail } = serverFlight(t);
  const plaintextLength = buildServerBytes(messages).length;

  function check(server: Uint8Array): void {
    const r = replay(t, { server, eofAtEnd: true }); // replay rethrows anything that is not a TlsError
    if (r.error) {
      expect(r.error).toBeInstanceOf(TlsError);
      // The client wraps stray exceptions as INTERNAL_ERROR: that would be a parser bug, so it fails the test.
      expect(r.error.code).not.toBe("INTERNAL_ERROR");
      expect(() => r.client.handshake()).toThrow(r.error);
    }
  }

  it("flipped, inserted or deleted bytes", () => {
    const edit = fc.record({
      at: fc.nat(plaintextLength - 1),
      kind: fc.constantFrom("flip", "insert", "delete", "truncate"),
      bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }),
    });
    fc.assert(
      fc.property(edit, ({ at, kind, bytes }) => {
        const s = t.server;
        if (kind === "flip") check(s.map((b, i) => (i >= at && i < at + bytes.length ? b ^ (bytes[i - at] | 1) : b)));
        else if (kind === "insert") check(concatBytes(s.subarray(0, at), bytes, s.subarray(at)));
        else if (kind === "delete") check(concatBytes(s.subarray(0, at), s.subarray(at + bytes.length)));
        else check(s.subarray(0, at));
      }),
      { numRuns: 120 },
    );
  });

  it("a message body replaced by random bytes", () => {
    fc.assert(
      fc.property(fc.nat(messages.length - 1), fc.uint8Array({ maxLength: 300 }), (index, body) => {
        check(buildServerBytes(messages.map((m, i) => (i === index ? { type: m.type, body } : m)), tail));
      }),
      { numRuns: 120 },
    );
  });
});
