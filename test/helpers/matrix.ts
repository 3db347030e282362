// The interop matrix (server × suite × key × group → pass/fail), written to test/.tmp/ for the closing note.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export interface MatrixRow {
  server: string;
  suite: string;
  key: string;
  group: string;
  pass: boolean;
  detail: string;
}

export class InteropMatrix {
  readonly rows: MatrixRow[] = [];

  record(row: MatrixRow): void {
    this.rows.push(row);
  }

  toMarkdown(title: string): string {
    const lines = [`# ${title}`, "", `${this.rows.filter((r) => r.pass).length} pass, ${this.rows.filter((r) => !r.pass).length} fail`, ""];
    lines.push(...this.summary(), "");
    lines.push("| server | suite | key | group | result |", "|---|---|---|---|---|");
    for (const r of this.rows) lines.push(`| ${r.server} | ${r.suite} | ${r.key} | ${r.group} | ${r.pass ? "pass" : `FAIL: ${r.detail.replace(/\|/g, "/").replace(/\n/g, " ")}`} |`);
    return lines.join("\n") + "\n";
  }

  /** One row per server × key, one column per suite: the groups that passed (or what failed). */
  summary(): string[] {
    const suites = [...new Set(this.rows.map((r) => r.suite))];
    const short = (suite: string) => suite.replace(/^TLS_/, "").replace("_WITH_", " ").replace(/_/g, "-");
    const lines = [`| server / key | ${suites.map(short).join(" | ")} |`, `|---|${suites.map(() => "---").join("|")}|`];
    const keys = [...new Set(this.rows.map((r) => `${r.server} / ${r.key}`))];
    for (const k of keys) {
      const cells = suites.map((suite) => {
        const rows = this.rows.filter((r) => `${r.server} / ${r.key}` === k && r.suite === suite);
        if (rows.length === 0) return "n/a";
        return rows.map((r) => `${r.group === "-" ? "RSA kx" : r.group} ${r.pass ? "pass" : "FAIL"}`).join(", ");
      });
      lines.push(`| ${k} | ${cells.join(" | ")} |`);
    }
    return lines;
  }

  /** Writes <name>.md and <name>.json under test/.tmp/ (git-ignored) and returns the markdown path. */
  write(name: string, title: string): string {
    const dir = join(__dirname, "..", ".tmp");
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, `${name}.json`), JSON.stringify(this.rows, null, 2));
    const md = join(dir, `${name}.md`);
    writeFileSync(md, this.toMarkdown(title));
    return md;
  }
}
