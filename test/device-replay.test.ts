import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as vm from "node:vm";
import { beforeAll, describe, expect, it } from "vitest";
import { buildEngineBundles } from "../scripts/build-engine-bundle.mjs";
import { DEVICE_TRANSCRIPTS, deviceReplayScript } from "../bench/device-replay-script.mjs";

// The built device bundle, its own crypto and all, in a fresh V8 context with only what an engine has (no Web
// Crypto, no TextEncoder): the recorded handshakes of vectors/ must come out byte for byte. The same script runs
// in JerryScript for the peak-heap figures (bench/device-replay-script.mjs).
let bundle: string;
beforeAll(async () => {
  const [file] = await buildEngineBundles({ outdir: join(__dirname, "..", ".cache", "device-replay"), names: ["microtls.device"] });
  bundle = readFileSync(file, "utf8");
}, 120_000);

function runReplay(name: string, extra = 0): Record<string, unknown> {
  const lines: string[] = [];
  const ctx = vm.createContext({ print: (s: string) => lines.push(s) });
  vm.runInContext(bundle, ctx);
  vm.runInContext(deviceReplayScript(name, extra), ctx);
  expect(lines).toHaveLength(1);
  return JSON.parse(lines[0]) as Record<string, unknown>;
}

describe.each(DEVICE_TRANSCRIPTS)("microtls.device.js replays %s", (name) => {
  it("byte for byte, verified, then reads the whole response and closes", () => {
    const r = runReplay(name);
    expect(r).toMatchObject({ sentMatches: true, responseMatches: true, verifyFlags: [], state: "closed" });
  });

  it("with 16 KiB more written after the request (the peak-heap scenario)", () => {
    expect(runReplay(name, 16384)).toMatchObject({ sentMatches: true, responseMatches: true, state: "closed" });
  });

  it("notices a corrupted server byte (the check is real)", () => {
    const t = JSON.parse(readFileSync(join(__dirname, "..", "vectors", `transcript-${name}.json`), "utf8"));
    expect(t.server.length).toBeGreaterThan(0);
    const lines: string[] = [];
    const ctx = vm.createContext({ print: (s: string) => lines.push(s) });
    vm.runInContext(bundle, ctx);
    // Flip one bit in the last record (the server's encrypted close_notify or data): decryption must fail.
    const script = deviceReplayScript(name).replace(`"server":"${t.server}"`, `"server":"${t.server.slice(0, -2)}${(parseInt(t.server.slice(-2), 16) ^ 1).toString(16).padStart(2, "0")}"`);
    expect(() => vm.runInContext(script, ctx)).toThrow(/BAD_RECORD_MAC|bad_record_mac|authentic|MAC/i);
  });
});

describe("microtls.device.js options", () => {
  it("refuses the crypto option with CONFIG, naming microtls/core (no provider layering in the device bundle)", () => {
    const ctx = vm.createContext({});
    vm.runInContext(bundle, ctx);
    const err = vm.runInContext(
      `(function () { try { new microtls.TlsClient({ serverName: "a.example", verify: false, random: function (b) { b.fill(1); }, crypto: {} }); } catch (e) { return { name: e.name, code: e.code, message: e.message }; } return null; })()`,
      ctx,
    ) as { name: string; code: string; message: string } | null;
    expect(err).toMatchObject({ name: "TlsError", code: "CONFIG" });
    expect(err!.message).toMatch(/microtls\/core/);
  });
});
