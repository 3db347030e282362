// Turns results.json into the Markdown tables `npm run bench` prints (and bench/PERFORMANCE.md quotes).
import type { HandshakeRow, Results } from "./run.js";
import { renderResumption } from "./resume.js";
import { HANDSHAKE_SCENARIOS, LEGACY_SCENARIO } from "./scenarios.js";
import type { ServerKind } from "./servers.js";

const ms = (v: number | undefined, digits = 2): string => (v === undefined || Number.isNaN(v) ? "–" : v.toFixed(digits));
const ratio = (v: number | undefined): string => (v === undefined || !Number.isFinite(v) ? "–" : `${v.toFixed(2)}×`);
const kib = (b: number | undefined): string => (b === undefined ? "–" : `${(b / 1024).toFixed(1)} KiB`);
const table = (head: string[], rows: string[][]): string =>
  [`| ${head.join(" | ")} |`, `|${head.map(() => "---").join("|")}|`, ...rows.map((r) => `| ${r.join(" | ")} |`)].join("\n");

function find(r: Results, scenario: string, server: ServerKind, client: string): HandshakeRow | undefined {
  return r.handshakes.find((h) => h.scenario === scenario && h.server === server && h.client === client);
}

const cell = (h: HandshakeRow | undefined): string =>
  !h ? "–" : h.result ? `${ms(h.result.cpuMs.median)} (${ms(h.result.wallMs.median)})` : h.skipped?.startsWith("not yet") ? "not yet available" : `skipped: ${h.skipped}`;
const cpu = (h: HandshakeRow | undefined): number | undefined => h?.result?.cpuMs.median;

function refs(r: Results, scenario: string, server: ServerKind) {
  const x = r.references.find((q) => q.scenario === scenario && q.server === server);
  return { floor: x?.floor?.cpuMs.median, warm: x?.floorWarm?.cpuMs.median, tcp: x?.tcpConnect?.cpuMs.median };
}

const RECLAIM_TARGET: Record<string, number> = { "ecdsa-x25519": 1.4, "ecdsa-p256": 1.4, "rsa-x25519": 2, "rsa-kx": 5 };

export interface Target {
  figure: string;
  target: string;
  measured: string;
  met: boolean | null;
  /** When the verdict depends on a caveat (e.g. the chain-signature cache), the verdict without it. */
  metOtherwise?: { met: boolean; when: string };
}

export function targets(r: Results): Target[] {
  const out: Target[] = [];
  for (const server of ["openssl", "node"] as ServerKind[]) {
    for (const id of ["ecdsa-x25519", "ecdsa-p256"]) {
      const ours = cpu(find(r, id, server, "microtls"));
      const f = refs(r, id, server);
      const full = ours === undefined || !f.floor ? undefined : ours / f.floor;
      const warm = ours === undefined || !f.warm ? undefined : ours / f.warm;
      out.push({
        figure: `handshake ÷ floor, ${id} (${server} server)`,
        target: "≤ 1.15",
        measured: `${ratio(warm)} of the floor without chain checks (cached); ${ratio(full)} of the full floor`,
        met: warm === undefined ? null : warm <= 1.15,
      });
    }
  }
  for (const server of ["openssl", "node"] as ServerKind[]) {
    for (const [id, t] of Object.entries(RECLAIM_TARGET)) {
      const ours = cpu(find(r, id, server, "microtls"));
      const theirs = cpu(find(r, id, server, "@reclaimprotocol/tls"));
      const f = refs(r, id, server);
      const chainCost = f.floor !== undefined && f.warm !== undefined ? f.floor - f.warm : 0;
      const v = ours === undefined || theirs === undefined ? undefined : theirs / ours;
      const uncached = ours === undefined || theirs === undefined ? undefined : theirs / (ours + chainCost);
      out.push({
        figure: `CPU vs @reclaimprotocol/tls, ${id} (${server} server)`,
        target: `≥ ${t}× faster`,
        measured: `${ratio(v)} (${ratio(uncached)} if our chain checks were not cached)`,
        met: v === undefined ? null : v >= t,
        ...(uncached !== undefined ? { metOtherwise: { met: uncached >= t, when: "uncached" } } : {}),
      });
    }
  }
  for (const b of r.bulk.filter((x) => x.client === "microtls")) {
    const v = b.cpuMs === undefined ? undefined : b.rawCpuMs / b.cpuMs;
    out.push({ figure: `bulk ÷ raw AEAD, ${b.suite}`, target: "≥ 0.90", measured: v === undefined ? "–" : v.toFixed(2), met: v === undefined ? null : v >= 0.9 });
  }
  const coldOurs = r.cold.results.find((c) => c.client === "microtls");
  const warm = find(r, r.cold.scenario, r.cold.server, "microtls")?.result?.wallMs.median;
  const cw = coldOurs?.totalMs && warm ? coldOurs.totalMs.median / warm : undefined;
  out.push({ figure: `cold ÷ warm (${r.cold.scenario}, ${r.cold.server} server, wall)`, target: "≤ 3", measured: ratio(cw), met: cw === undefined ? null : cw <= 3 });
  const full = r.size.find((s) => s.profile === "full");
  const ourBytes = full?.groups.find((g) => g.name === "microtls (src/)")?.minified;
  out.push({
    figure: "our own minified code (full client)",
    target: "≤ 40 KB",
    measured: ourBytes === undefined ? "–" : `${ourBytes} B`,
    met: ourBytes === undefined ? null : ourBytes <= 40_000,
  });
  return out;
}

export function renderReport(r: Results): string {
  const parts: string[] = [];
  parts.push(
    `## microtls bench — ${r.date.slice(0, 16).replace("T", " ")} UTC\n\n` +
      `${r.machine.cpu}, ${r.machine.cores} cores, ${r.machine.memoryGiB} GiB, ${r.machine.os}; Node ${r.node}; ${r.openssl}; ` +
      `commit ${r.commit}; load average at start ${r.machine.loadavgAtStart.join(" / ")}. ` +
      `Medians of ${r.settings.handshakesPerRow} handshakes after ${r.settings.warmup} warm-up; CPU = client process.cpuUsage (ms), wall in brackets.`,
  );

  const hsRows: string[][] = [];
  for (const s of HANDSHAKE_SCENARIOS) {
    for (const server of ["openssl", "node"] as ServerKind[]) {
      const ours = find(r, s.id, server, "microtls");
      const native = find(r, s.id, server, "node:tls");
      const reclaim = find(r, s.id, server, "@reclaimprotocol/tls");
      const f = refs(r, s.id, server);
      hsRows.push([
        s.label,
        server,
        `${ms(f.floor)} / ${ms(f.warm)}`,
        ms(f.tcp),
        cell(ours),
        `${ratio(cpu(ours) !== undefined && f.floor ? cpu(ours)! / f.floor : undefined)} / ${ratio(cpu(ours) !== undefined && f.warm ? cpu(ours)! / f.warm : undefined)}`,
        cell(native),
        ratio(cpu(ours) !== undefined && cpu(native) ? cpu(ours)! / cpu(native)! : undefined),
        cell(reclaim),
        ratio(cpu(ours) !== undefined && cpu(reclaim) !== undefined ? cpu(reclaim)! / cpu(ours)! : undefined),
      ]);
    }
  }
  parts.push(
    "### Handshake (client CPU ms, wall ms in brackets)\n\n" +
      "Floors and the bare TCP connect are timed interleaved with the handshakes of the same row. src/x509 caches " +
      "successful chain signature checks across connections, so our warm handshakes pay the floor without them.\n\n" +
      table(
        [
          "handshake",
          "server",
          "floor: full / chain checks cached",
          "bare TCP connect",
          "microtls",
          "÷ floor: full / cached",
          "node:tls",
          "microtls ÷ node:tls",
          "@reclaimprotocol/tls",
          "reclaim ÷ microtls",
        ],
        hsRows,
      ),
  );

  const CORE = "microtls core (no adapter)";
  const coreRows = r.handshakes
    .filter((h) => h.client === CORE)
    .map((h) => {
      const adapter = find(r, h.scenario, h.server, "microtls");
      const f = refs(r, h.scenario, h.server);
      return [
        h.label,
        h.server,
        cell(h),
        cell(adapter),
        ratio(cpu(h) !== undefined && f.warm ? cpu(h)! / f.warm : undefined),
        ms(cpu(adapter) !== undefined && cpu(h) !== undefined ? cpu(adapter)! - cpu(h)! : undefined),
      ];
    });
  if (coreRows.length > 0) {
    parts.push(
      "### The core without the Node adapter (TlsClient over a net.Socket with a minimal pump)\n\n" +
        table(["handshake", "server", "core CPU (wall)", "with microtls/node (wall)", "core ÷ floor (chain cached)", "adapter's share, ms"], coreRows),
    );
  }

  const legacy = ["openssl", "node"].map((server) => [
    LEGACY_SCENARIO.label,
    server,
    cell(find(r, LEGACY_SCENARIO.id, server as ServerKind, "node-forge")),
    cell(find(r, LEGACY_SCENARIO.id, server as ServerKind, "node:tls")),
  ]);
  parts.push(
    "### node-forge (TLS 1.1 only; the servers run `-tls1_1 -cipher AES128-SHA@SECLEVEL=0` for it)\n\n" +
      table(["handshake", "server", "node-forge", "node:tls"], legacy),
  );

  const floorRows: string[][] = [];
  for (const s of HANDSHAKE_SCENARIOS) {
    const f = r.floors[s.id];
    if (!f) continue;
    floorRows.push([s.label, Object.entries(f.parts).map(([k, v]) => `${k} ${ms(v, 3)}`).join("; "), ms(f.totalMs, 3)]);
  }
  parts.push(
    "### The floor, part by part (CPU ms, each part timed alone; noble called directly, RSA = our src/crypto/rsa.ts since noble has none)\n\n" +
      table(["handshake", "parts", "sum"], floorRows) +
      `\n\nRSA-2048 verify, PKCS#1 v1.5 ${ms(r.rsaSchemeSpread.pkcs1Ms, 3)} ms vs PSS ${ms(r.rsaSchemeSpread.pssMs, 3)} ms (the ServerKeyExchange is timed as PSS).`,
  );

  const bulkRows = r.bulk.map((b) => [
    b.suite,
    b.client,
    ms(b.rawCpuMs, 0),
    ms(b.tcpCpuMs, 0),
    b.skipped ? (b.skipped.startsWith("not yet") ? "not yet available" : `skipped: ${b.skipped}`) : ms(b.cpuMs, 0),
    b.cpuMs ? (b.rawCpuMs / b.cpuMs).toFixed(2) : "–",
    b.cpuMs && b.tcpCpuMs !== undefined ? ((b.rawCpuMs + b.tcpCpuMs) / b.cpuMs).toFixed(2) : "–",
    b.mibPerSec ? b.mibPerSec.toFixed(1) : "–",
  ]);
  parts.push(
    `### Bulk (${r.settings.bulkBytesEachWay / 2 ** 20} MiB each way through an echo server; raw = noble sealing + opening the same bytes as 16 KiB records)\n\n` +
      table(
        ["AEAD", "client", "raw AEAD CPU ms", "plain TCP transfer CPU ms", "TLS transfer CPU ms", "bulk ÷ raw", "bulk ÷ (raw + TCP)", "MiB/s (both ways, wall)"],
        bulkRows,
      ),
  );

  const warmOf = (client: string) => find(r, r.cold.scenario, r.cold.server, client)?.result?.wallMs.median;
  const coldRows = r.cold.results.map((c) => {
    if (c.unavailable) return [c.client, c.unavailable, "", "", "", "", ""];
    const warm = warmOf(c.client);
    return [
      c.client,
      ms(c.importMs?.median, 1),
      ms(c.handshakeMs?.median, 1),
      ms(c.totalMs?.median, 1),
      ms(c.cpuMs?.median, 1),
      ms(warm),
      ratio(warm && c.totalMs ? c.totalMs.median / warm : undefined),
    ];
  });
  parts.push(
    `### Cold start (${r.cold.scenario}, ${r.cold.server} server; esbuild bundle imported in a fresh \`node\`, median of 5)\n\n` +
      table(["client", "import ms", "first handshake ms", "import → handshake ms", "CPU ms", "warm handshake ms (wall)", "cold ÷ warm"], coldRows),
  );

  const memRows = r.memory.map((m) =>
    m.retainedPerConnection === undefined && !m.unavailable
      ? [m.driver, m.target, `${kib(m.allocatedPerHandshake)} (${m.allocatedSamples} samples)`, "", "", ""]
      : m.unavailable
      ? [m.driver, m.target, m.unavailable.startsWith("not yet") ? "not yet available" : m.unavailable, "", "", ""]
      : [
          m.driver,
          m.target,
          `${kib(m.allocatedPerHandshake)} (${m.allocatedSamples} samples)`,
          kib(m.retainedPerConnection),
          kib(m.retainedBareSocket),
          kib(m.retainedPerConnection !== undefined && m.retainedBareSocket !== undefined ? m.retainedPerConnection - m.retainedBareSocket : undefined),
        ],
  );
  parts.push(
    "### Memory (V8 heap + ArrayBuffer backing stores; node:tls keeps its OpenSSL state outside both, so its figures are not comparable)\n\n" +
      table(["client", "suite", "allocated per handshake", "retained per idle connection", "bare TCP socket", "retained − socket"], memRows),
  );

  const sizeRows = r.size.map((s) =>
    s.error
      ? [s.profile, s.error, "", "", ""]
      : [
          `${s.profile} (\`${s.entry}\`)`,
          `${s.minified} B`,
          `${s.gzipped} B`,
          `${s.groups.find((g) => g.name === "microtls (src/)")?.minified ?? 0} B`,
          s.groups.filter((g) => g.name !== "microtls (src/)").map((g) => `${g.name} ${g.minified}`).join(", "),
        ],
  );
  const unwanted = r.size
    .filter((s) => s.unwanted && s.unwanted.length > 0)
    .map(
      (s) =>
        `Bundled by \`${s.entry}\` although that profile has no use for them (minified bytes; a shortest import path to each, whose modules may themselves have been tree-shaken to nothing):\n\n` +
        s.unwanted!.map((u) => `- \`${u.path}\` ${u.minified} B: ${u.chain.join(" → ")}`).join("\n"),
    )
    .join("\n\n");
  parts.push(
    "### Size (esbuild --minify, ESM, platform neutral; gzip -9 of the whole bundle)\n\n" +
      table(["profile", "minified", "gzipped", "ours (src/) minified", "dependencies, minified bytes"], sizeRows) +
      (unwanted ? `\n\n${unwanted}` : ""),
  );

  if (r.resumption && r.resumption.length > 0) {
    parts.push("### Session resumption (client CPU, resumed vs full handshake)\n\n" + renderResumption(r.resumption).trimEnd());
  }

  parts.push(
    "### Targets (reported, never asserted)\n\n" +
      table(
        ["figure", "target", "measured", "met"],
        targets(r).map((t) => {
          const verdict = (m: boolean) => (m ? "yes" : "**no**");
          const main = t.met === null ? "n/a" : verdict(t.met);
          const other = t.metOtherwise && t.metOtherwise.met !== t.met ? `; ${verdict(t.metOtherwise.met)} ${t.metOtherwise.when}` : "";
          return [t.figure, t.target, t.measured, main + other];
        }),
      ),
  );
  return `${parts.join("\n\n")}\n`;
}
