import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";

// Embedded engines (XS, QuickJS, JerryScript) have none of these; src/ outside the Node-only folders
// (src/node, which holds the `microtls` bin too) must not use them.
const NODE_ONLY = ["node"];
const FORBIDDEN: Array<[RegExp, string]> = [
  [/from\s+["']node:|require\(\s*["']node:|import\(\s*["']node:/, "a node: module"],
  [/\bBuffer\b/, "Buffer"],
  [/\bprocess\./, "process"],
  [/\bTextEncoder\b|\bTextDecoder\b/, "TextEncoder/TextDecoder"],
  [/\bconsole\./, "console"],
  [/Math\.random/, "Math.random"],
  [/\bsetTimeout\b|\bsetInterval\b|\bsetImmediate\b/, "timers"],
  [/\bObject\.hasOwn\b|\bstructuredClone\b/, "post-ES2020 globals"],
];

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? walk(p) : p.endsWith(".ts") ? [p] : [];
  });
}

describe("runtime reach", () => {
  const root = join(__dirname, "..", "src");
  const files = walk(root).filter((f) => !NODE_ONLY.some((d) => relative(root, f).startsWith(d)));

  it("finds the core sources", () => {
    expect(files.length).toBeGreaterThan(2);
  });

  it("src/ outside src/node uses no Node- or host-only APIs", () => {
    const hits: string[] = [];
    for (const f of files) {
      const text = readFileSync(f, "utf8");
      for (const [re, what] of FORBIDDEN) if (re.test(text)) hits.push(`${relative(root, f)}: ${what}`);
    }
    expect(hits).toEqual([]);
  });
});
