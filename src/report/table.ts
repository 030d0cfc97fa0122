// The report for people: per target a header (name, distribution, counts by severity), a table of
// findings, the comparisons Berth could not decide, and one summary line at the end. ANSI colour only
// when asked for (the caller knows whether stdout is a terminal).
import type { Finding, SeverityLabel } from "../model/finding.js";
import type { RenderOptions, ReportDocument, ReportTarget } from "./document.js";
import { countTargets, distroLabel, listedFindings, oneLine, truncate, type Counts } from "./common.js";

const TITLE_WIDTH = 60;
const RESET = "\u001b[0m";
const SEVERITY_STYLE: Readonly<Record<SeverityLabel, string>> = {
  critical: "\u001b[1;31m",
  high: "\u001b[31m",
  medium: "\u001b[33m",
  low: "\u001b[34m",
  none: "\u001b[2m",
  unknown: "\u001b[2m",
};
const KEV_STYLE = "\u001b[1;31m";

interface Cell {
  readonly text: string;
  /** ANSI style applied when colour is on. */
  readonly style?: string;
}

function width(s: string): number {
  return [...s].length;
}

function renderRows(header: readonly string[], rows: readonly (readonly Cell[])[], color: boolean): string[] {
  const widths = header.map((h, i) => Math.max(width(h), ...rows.map((r) => width(r[i]?.text ?? ""))));
  const line = (cells: readonly Cell[]) =>
    cells
      .map((c, i) => {
        const pad = i === cells.length - 1 ? "" : " ".repeat(widths[i]! - width(c.text));
        const text = color && c.style && c.text !== "" ? `${c.style}${c.text}${RESET}` : c.text;
        return text + pad;
      })
      .join("  ")
      .trimEnd();
  return [line(header.map((text) => ({ text }))), ...rows.map(line)];
}

function severityCounts(c: Counts): string {
  const parts: string[] = [];
  for (const s of ["critical", "high", "medium", "low", "none", "unknown"] as const) {
    if (s === "none" || s === "unknown") {
      if (c.bySeverity[s] > 0) parts.push(`${s}: ${c.bySeverity[s]}`);
    } else parts.push(`${s}: ${c.bySeverity[s]}`);
  }
  return parts.join(", ");
}

function findingRow(f: Finding): Cell[] {
  const status = f.suppressed ? `suppressed (${f.suppressed.by})` : f.status;
  return [
    { text: f.package.name },
    { text: f.kev ? `${f.id} [KEV]` : f.id, ...(f.kev ? { style: KEV_STYLE } : {}) },
    { text: f.severity.toUpperCase(), style: SEVERITY_STYLE[f.severity] },
    { text: status },
    { text: f.installedVersion },
    { text: f.fixedVersions.join(", ") },
    { text: truncate(oneLine(f.title ?? ""), TITLE_WIDTH) },
  ];
}

function renderTarget(t: ReportTarget, opts: RenderOptions, color: boolean): string[] {
  const counts = countTargets([t]);
  const distro = distroLabel(t);
  const out = [`${t.name}${distro ? ` (${distro})` : ""} — ${severityCounts(counts)}`, ""];
  const listed = listedFindings(t, opts);
  // Suppressed findings (when shown) come after the ones that count, each group in document order.
  const ordered = [...listed.filter((f) => !f.suppressed), ...listed.filter((f) => f.suppressed)];
  if (ordered.length === 0) out.push("No vulnerabilities found.");
  else
    out.push(
      ...renderRows(["PACKAGE", "VULNERABILITY ID", "SEVERITY", "STATUS", "INSTALLED", "FIXED VERSION", "TITLE"], ordered.map(findingRow), color),
    );
  const hidden = t.findings.length - listed.length;
  if (hidden > 0) out.push("", `${hidden} suppressed finding${hidden === 1 ? "" : "s"} not shown.`);
  if (t.undecided.length > 0) {
    out.push("", `Undecided (${t.undecided.length}): Berth could not compare these versions; check them by hand.`);
    const rows = [...t.undecided].map((u) => [{ text: u.package.name }, { text: u.package.version }, { text: u.advisory }, { text: oneLine(u.reasons.join("; ")) }]);
    out.push(...renderRows(["PACKAGE", "INSTALLED", "ADVISORY", "REASON"], rows, color));
  }
  return out;
}

export function summaryLine(doc: ReportDocument): string {
  const c = countTargets(doc.targets);
  const parts = [`Total: ${c.total} (${severityCounts(c)})`, `${c.fixable} fixable`, `${c.kev} in KEV`];
  if (c.suppressed > 0) parts.push(`${c.suppressed} suppressed`);
  if (c.undecided > 0) parts.push(`${c.undecided} undecided`);
  return parts.join(" · ");
}

export function render(doc: ReportDocument, opts: RenderOptions): string {
  const color = opts.color === true;
  const out: string[] = [];
  for (const t of doc.targets) out.push(...renderTarget(t, opts, color), "");
  if (doc.targets.length === 0) out.push("Nothing was scanned.", "");
  out.push(summaryLine(doc), "");
  return out.join("\n");
}
