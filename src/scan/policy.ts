// Policy flags as Trivy and Grype users know them: --severity and --ignore-unfixed choose what is
// reported; --fail-on SEVERITY (Grype) or --exit-code N alone (Trivy: any reported finding) decide
// whether the build fails, with exit code N (default 1). Suppressed findings (VEX, ignore file)
// never fail a build.
import type { Finding, SeverityLabel } from "../model/finding.js";
import { severityOrder } from "../model/finding.js";
import { BerthError } from "../util/errors.js";

export interface Policy {
  /** Severities to report; undefined = all. */
  readonly severities?: readonly SeverityLabel[];
  readonly ignoreUnfixed: boolean;
  readonly failOn?: SeverityLabel;
  readonly exitCode?: number;
}

export function parseSeverityList(s: string): SeverityLabel[] {
  return s.split(",").map((x) => parseSeverity(x.trim()));
}

export function parseSeverity(s: string): SeverityLabel {
  const v = s.toLowerCase();
  if (v === "negligible") return "low";
  if ((severityOrder as readonly string[]).includes(v)) return v as SeverityLabel;
  throw new BerthError("usage", `unknown severity "${s}" (use ${severityOrder.join(", ")})`);
}

/** What is reported: severity and fix filters applied; suppressed findings kept (flagged) for the formats that show them. */
export function reported(findings: readonly Finding[], p: Policy): Finding[] {
  return findings.filter((f) => (!p.severities || p.severities.includes(f.severity)) && (!p.ignoreUnfixed || f.fixedVersions.length > 0));
}

export interface GateResult {
  readonly failed: boolean;
  readonly exitCode: number;
  readonly reason?: string;
}

export function gate(findings: readonly Finding[], p: Policy): GateResult {
  const live = reported(findings, p).filter((f) => !f.suppressed);
  const code = p.exitCode ?? 1;
  if (p.failOn) {
    const limit = severityOrder.indexOf(p.failOn);
    const bad = live.filter((f) => severityOrder.indexOf(f.severity) <= limit && f.severity !== "unknown" && f.severity !== "none");
    return bad.length ? { failed: true, exitCode: code, reason: `${bad.length} finding(s) at or above ${p.failOn}` } : { failed: false, exitCode: 0 };
  }
  if (p.exitCode !== undefined && p.exitCode !== 0 && live.length) return { failed: true, exitCode: code, reason: `${live.length} finding(s) reported` };
  return { failed: false, exitCode: 0 };
}
