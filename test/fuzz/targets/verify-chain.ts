// verifyChain over a fuzzed Certificate message, trusting the transcript CAs, at the transcripts' time.
// Its work is counted, not timed: the signature checks' cost units must stay within the verifier budget.
import { readdirSync, readFileSync } from "node:fs";
import { parseCertificateList } from "../../../src/handshake/messages.js";
import { DEFAULT_VERIFY_BUDGET } from "../../../src/x509/path-builder.js";
import { parsePem, verifyChain } from "../../../src/x509/index.js";
import type { FuzzTarget } from "../harness.js";

const VECTORS = new URL("../../../vectors/", import.meta.url).pathname;
const transcripts = readdirSync(VECTORS)
  .filter((f) => /^transcript-.*\.json$/.test(f))
  .map((f) => JSON.parse(readFileSync(VECTORS + f, "utf8")) as { ca: string; now: number; serverName: string });
const trusted = transcripts.flatMap((t) => parsePem(t.ca));
const now = transcripts[0].now;
const hostname = transcripts[0].serverName;

export const target: FuzzTarget = {
  name: "verify-chain",
  maxLength: 1 << 16,
  run(data) {
    const chain = parseCertificateList(data);
    let spent = 0;
    const result = verifyChain({ chain, trusted, hostname, now, onSignatureCheck: (cost) => void (spent += cost) });
    if (spent > DEFAULT_VERIFY_BUDGET) throw new Error(`verifier spent ${spent} units, over its budget of ${DEFAULT_VERIFY_BUDGET}`);
    if (!Array.isArray(result.flags)) throw new Error("verifyChain returned no flags");
  },
};
