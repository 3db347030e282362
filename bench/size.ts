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
  error?: string;
}

export const PROFILES: Array<{ profile: string; entry: string; what: string }> = [
  { profile: "full", entry: "profile-full.ts", what: "the full client: every suite, group and signature scheme, the verifier" },
  { profile: "minimal", entry: "profile-minimal.ts", what: "x25519, ECDSA P-256 verification, ChaCha20-Poly1305, the verifier (via TlsClient)" },
  {
    profile: "minimal-floor",
    entry: "profile-minimal-floor.ts",
    what: "the modules the minimal profile needs, imported directly: what tree-shaking could reach",
  },
];

function groupOf(path: string): string {
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path);
  if (m) return m[1];
  if (path.startsWith("src/")) return "microtls (src/)";
  return `other (${path})`;
}

function split(meta: Metafile): { groups: Map<string, number>; ours: Array<{ path: string; minified: number }> } {
  const groups = new Map<string, number>();
  const ours: Array<{ path: string; minified: number }> = [];
  for (const out of Object.values(meta.outputs)) {
    for (const [path, info] of Object.entries(out.inputs)) {
      const g = groupOf(path);
      groups.set(g, (groups.get(g) ?? 0) + info.bytesInOutput);
      if (path.startsWith("src/") && info.bytesInOutput > 0) ours.push({ path, minified: info.bytesInOutput });
    }
  }
  ours.sort((a, b) => b.minified - a.minified);
  return { groups, ours };
}

export async function measureSize(profile: string, entry: string): Promise<SizeResult> {
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
    const { groups, ours } = split(result.metafile);
    const list: SizeGroup[] = [...groups.entries()]
      .filter(([, bytes]) => bytes > 0)
      .map(([name, bytes]) => ({ name, minified: bytes, gzipApprox: Math.round((gzipped * bytes) / minified) }))
      .sort((a, b) => b.minified - a.minified);
    return { profile, entry: `bench/${entry}`, minified, gzipped, groups: list, ourModules: ours };
  } catch (e) {
    return { profile, entry: `bench/${entry}`, minified: 0, gzipped: 0, groups: [], ourModules: [], error: (e as Error).message.split("\n")[0] };
  }
}
