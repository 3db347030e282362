// Size: esbuild-minified and gzipped bytes of each profile entry in bench/, split into our code (src/) and each
// dependency with esbuild's metafile. Split gzip sizes are pro rata of minified bytes (gzip has no per-file size).
import { gzipSync } from "node:zlib";
import { fileURLToPath } from "node:url";
import { build, type Metafile } from "esbuild";

export interface SizeGroup {
  name: string;
  minified: number;
  gzipApprox: number;
}

export interface SizeResult {
  profile: string;
  entry: string;
  minified: number;
  gzipped: number;
  groups: SizeGroup[];
  /** Our modules in the bundle, largest first (path → minified bytes). */
  ourModules: Array<{ path: string; minified: number }>;
  /** Dependency files in the bundle, largest first. */
  depModules: Array<{ path: string; minified: number }>;
  /** For a profile with a declared "does not need" list: each such module still bundled, and the import chain that pulls it in. */
  unwanted?: Array<{ path: string; minified: number; chain: string[] }>;
  error?: string;
}

/** What the minimal profile (x25519, ECDSA P-256 verification, ChaCha20-Poly1305, the verifier) has no use for. */
const MINIMAL_DOES_NOT_NEED = [
  "src/crypto/aes-gcm.ts",
  "src/crypto/rsa.ts",
  "src/crypto/nist-ecdh.ts",
  "node_modules/@noble/ciphers/aes.js",
  "node_modules/@noble/ciphers/_polyval.js",
  "node_modules/@noble/curves/ed25519.js",
  "node_modules/@noble/curves/abstract/edwards.js",
];

export const PROFILES: Array<{ profile: string; entry: string; what: string; doesNotNeed?: string[] }> = [
  { profile: "full", entry: "profile-full.ts", what: "the full client: every suite, group and signature scheme, the verifier" },
  {
    profile: "minimal",
    entry: "profile-minimal.ts",
    what: "x25519, ECDSA P-256 verification, ChaCha20-Poly1305, the verifier (the microtls/core client, given those objects)",
    doesNotNeed: MINIMAL_DOES_NOT_NEED,
  },
  {
    profile: "minimal-floor",
    entry: "profile-minimal-floor.ts",
    what: "the modules the minimal profile needs, imported directly: what tree-shaking could reach",
    doesNotNeed: MINIMAL_DOES_NOT_NEED,
  },
];

function groupOf(path: string): string {
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path);
  if (m) return m[1];
  if (path.startsWith("src/")) return "microtls (src/)";
  return `other (${path})`;
}

/** Shortest import chain from the entry to `target`, by breadth-first search over the metafile's import graph. */
function importChain(meta: Metafile, entry: string, target: string): string[] {
  const prev = new Map<string, string | null>([[entry, null]]);
  const queue = [entry];
  while (queue.length > 0) {
    const at = queue.shift()!;
    if (at === target) break;
    for (const imp of meta.inputs[at]?.imports ?? []) {
      if (!prev.has(imp.path)) {
        prev.set(imp.path, at);
        queue.push(imp.path);
      }
    }
  }
  if (!prev.has(target)) return [];
  const chain: string[] = [];
  for (let p: string | null = target; p !== null; p = prev.get(p) ?? null) chain.unshift(p);
  return chain;
}

type ModuleSize = { path: string; minified: number };

function split(meta: Metafile): { groups: Map<string, number>; ours: ModuleSize[]; deps: ModuleSize[] } {
  const groups = new Map<string, number>();
  const ours: Array<{ path: string; minified: number }> = [];
  const deps: Array<{ path: string; minified: number }> = [];
  for (const out of Object.values(meta.outputs)) {
    for (const [path, info] of Object.entries(out.inputs)) {
      const g = groupOf(path);
      groups.set(g, (groups.get(g) ?? 0) + info.bytesInOutput);
      if (info.bytesInOutput === 0) continue;
      (path.startsWith("src/") ? ours : deps).push({ path, minified: info.bytesInOutput });
    }
  }
  ours.sort((a, b) => b.minified - a.minified);
  deps.sort((a, b) => b.minified - a.minified);
  return { groups, ours, deps };
}

export async function measureSize(profile: string, entry: string, doesNotNeed: string[] = []): Promise<SizeResult> {
  const benchDir = fileURLToPath(new URL(".", import.meta.url));
  try {
    const result = await build({
      entryPoints: [`${benchDir}${entry}`],
      absWorkingDir: fileURLToPath(new URL("..", import.meta.url)),
      bundle: true,
      minify: true,
      treeShaking: true,
      format: "esm",
      platform: "neutral",
      target: "es2020",
      mainFields: ["module", "main"],
      conditions: ["import", "default"],
      write: false,
      metafile: true,
      legalComments: "none",
      logLevel: "silent",
    });
    const code = result.outputFiles[0].contents;
    const minified = code.length;
    const gzipped = gzipSync(code, { level: 9 }).length;
    const { groups, ours, deps } = split(result.metafile);
    const bytesOf = new Map([...ours, ...deps].map((m) => [m.path, m.minified]));
    const entryPath = `bench/${entry}`;
    const unwanted = doesNotNeed
      .filter((p) => bytesOf.has(p))
      .map((p) => ({ path: p, minified: bytesOf.get(p) ?? 0, chain: importChain(result.metafile, entryPath, p) }));
    const list: SizeGroup[] = [...groups.entries()]
      .filter(([, bytes]) => bytes > 0)
      .map(([name, bytes]) => ({ name, minified: bytes, gzipApprox: Math.round((gzipped * bytes) / minified) }))
      .sort((a, b) => b.minified - a.minified);
    return { profile, entry: entryPath, minified, gzipped, groups: list, ourModules: ours, depModules: deps, ...(doesNotNeed.length ? { unwanted } : {}) };
  } catch (e) {
    return {
      profile,
      entry: `bench/${entry}`,
      minified: 0,
      gzipped: 0,
      groups: [],
      ourModules: [],
      depModules: [],
      error: (e as Error).message.split("\n")[0],
    };
  }
}
