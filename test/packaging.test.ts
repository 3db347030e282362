// What a user installs: `npm pack` (which builds), the tarball installed into a fresh folder with npm, every
// entry imported from ESM and required from CJS, a consumer type-checked under node16 (.mts and .cts), bundler
// and node10 resolution, and publint and attw run on the tarball. Needs the npm registry for the dependencies.
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const FIXTURES = join(ROOT, "test", "packaging");
const BIN = join(ROOT, "node_modules", ".bin");
// A full type-check of the consumer with its libraries (skipLibCheck off) takes 10-25 s alone, much more on a busy CI box.
const TSC_TIMEOUT = 240_000;

let work: string;
let tarball: string;
let consumer: string;

function run(cmd: string, args: string[], cwd: string): string {
  try {
    return execFileSync(cmd, args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], timeout: 240_000 });
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string; message: string };
    throw new Error(`${cmd} ${args.join(" ")} failed:\n${err.stdout ?? ""}\n${err.stderr ?? err.message}`);
  }
}

function tsconfig(name: string, compilerOptions: Record<string, unknown>, files: string[]): string {
  const file = join(consumer, name);
  writeFileSync(file, JSON.stringify({ compilerOptions: { strict: true, noEmit: true, skipLibCheck: false, types: ["node"], ...compilerOptions }, files }));
  return file;
}

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), "microtls-pack-"));
  // prepack builds dist/ first, exactly as `npm publish` would.
  const name = run("npm", ["pack", "--silent", "--pack-destination", work], ROOT).trim().split("\n").pop()!;
  tarball = join(work, name);
  consumer = join(work, "consumer");
  run("mkdir", ["-p", consumer], work);
  writeFileSync(join(consumer, "package.json"), JSON.stringify({ name: "consumer", version: "1.0.0", private: true }));
  const typesNode = JSON.parse(readFileSync(join(ROOT, "node_modules", "@types", "node", "package.json"), "utf8")).version;
  run("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline", tarball, `@types/node@${typesNode}`], consumer);
  for (const f of readdirSync(FIXTURES)) copyFileSync(join(FIXTURES, f), join(consumer, f));
}, 300_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe("the packed tarball", () => {
  const expected = { main: "function", core: "function", x509: "function", node: "function", tcpClient: "function", async: "function", engine: "function", device: "function", sameError: true };

  it("ships dist, the README and the LICENSE, and no sources", () => {
    const files = run("tar", ["-tzf", tarball], work).split("\n").filter(Boolean);
    expect(files).toContain("package/LICENSE");
    expect(files).toContain("package/dist/index.d.cts");
    expect(files).toContain("package/dist/microtls.engine.js");
    expect(files).toContain("package/dist/microtls.device.js");
    expect(files.filter((f) => f.startsWith("package/src/") || f.startsWith("package/test/"))).toEqual([]);
  });

  it("imports every entry from ESM", () => {
    expect(JSON.parse(run(process.execPath, ["esm.mjs"], consumer))).toEqual(expected);
  });

  it("requires every entry from CommonJS (require(esm) of noble)", () => {
    expect(JSON.parse(run(process.execPath, ["cjs.cjs"], consumer))).toEqual(expected);
  });

  it("type-checks a consumer under node16, as .mts and .cts (no TS1479: CJS gets .d.cts)", () => {
    const config = tsconfig("tsconfig.node16.json", { module: "node16", moduleResolution: "node16" }, ["consumer.mts", "consumer.cts"]);
    expect(run(join(BIN, "tsc"), ["-p", config], consumer)).toBe("");
  }, TSC_TIMEOUT);

  it("type-checks a consumer under bundler and node10 resolution (typesVersions)", () => {
    const bundler = tsconfig("tsconfig.bundler.json", { module: "esnext", moduleResolution: "bundler" }, ["consumer.ts"]);
    expect(run(join(BIN, "tsc"), ["-p", bundler], consumer)).toBe("");
    const node10 = tsconfig("tsconfig.node10.json", { module: "commonjs", moduleResolution: "node10" }, ["consumer.ts"]);
    expect(run(join(BIN, "tsc"), ["-p", node10], consumer)).toBe("");
  }, TSC_TIMEOUT);

  it("installs the microtls bin (npx microtls)", () => {
    expect(run(join(consumer, "node_modules", ".bin", "microtls"), ["--help"], consumer)).toMatch(/^usage: microtls connect host:port/);
  });

  it("passes publint", () => {
    expect(run(join(BIN, "publint"), ["--strict", tarball], work)).toMatch(/All good/);
  });

  it("passes @arethetypeswrong/cli (the engine bundle is a script for engines, without types)", () => {
    const out = run(join(BIN, "attw"), [tarball, "--exclude-entrypoints", "./engine", "./device", "--format", "ascii"], work);
    expect(out).toMatch(/No problems found/);
  });
});
