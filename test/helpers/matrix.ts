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
    lines.push("| server | suite | key | group | result |", "|---|---|---|---|---|");
    for (const r of this.rows) lines.push(`| ${r.server} | ${r.suite} | ${r.key} | ${r.group} | ${r.pass ? "pass" : `FAIL: ${r.detail.replace(/\|/g, "/").replace(/\n/g, " ")}`} |`);
    return lines.join("\n") + "\n";
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
