// One severity per (advisory, affected package): CVSS base scores computed from every vector the
// advisory gives, plus the advisory's own rating where it has one.
//
// Choice of label: the advisory's own rating wins (GHSA/Bitnami `database_specific.severity`, an
// affected entry's `ecosystem_specific.severity`/`urgency`, an OSV "Ubuntu" severity), since the
// publisher rates its own ecosystem; otherwise the rating of the preferred CVSS score. Preferred
// score: CVSS v3.1, then v3.0, then v4.0, then v2.0 — v3.x first because that is what scanners and
// NVD have reported for years, so a score does not jump when an advisory adds a v4 vector. Every
// computed score is kept in `cvss` for reports that want another choice.

import { scoreCvss, type CvssScore } from "./cvss.js";
import type { OsvAffected, OsvRecord, OsvSeverity } from "./osv.js";

export type SeverityLabel = "critical" | "high" | "medium" | "low" | "none" | "unknown";

export interface Severity {
  readonly label: SeverityLabel;
  /** Where the label came from. */
  readonly labelSource: "advisory" | "cvss" | "none";
  /** The advisory's own rating as written ("MODERATE", "Critical", "unimportant"), when present. */
  readonly advisoryLabel?: string;
  /** Base score of the preferred CVSS vector. */
  readonly score?: number;
  readonly vector?: string;
  readonly cvss: readonly CvssScore[];
}

const ORDER: Readonly<Record<CvssScore["version"], number>> = { "3.1": 0, "3.0": 1, "4.0": 2, "2.0": 3 };

/** Maps a publisher's rating word to a label; undefined for words with no meaning here. */
export function labelFromAdvisory(word: string): SeverityLabel | undefined {
  switch (word.trim().toLowerCase()) {
    case "critical":
      return "critical";
    case "high":
    case "important":
      return "high";
    case "medium":
    case "moderate":
      return "medium";
    case "low":
    case "negligible":
    case "unimportant":
      return "low";
    case "none":
      return "none";
    default:
      return undefined;
  }
}

function ownLabel(...sources: Array<Readonly<Record<string, unknown>> | undefined>): string | undefined {
  for (const src of sources) {
    if (src === undefined) continue;
    for (const key of ["severity", "urgency"]) {
      const v = src[key];
      if (typeof v === "string" && labelFromAdvisory(v) !== undefined) return v;
    }
  }
  return undefined;
}

/** Severity of one affected entry of a record: its own vectors if any, else the record's. */
export function severityFor(record: OsvRecord, affected: OsvAffected | undefined): Severity {
  const entries: readonly OsvSeverity[] =
    affected?.severity && affected.severity.length > 0 ? affected.severity : (record.severity ?? []);
  const cvss: CvssScore[] = [];
  let ubuntu: string | undefined;
  for (const s of entries) {
    if (s.type === "Ubuntu") ubuntu ??= s.score;
    if (!s.type.startsWith("CVSS_")) continue;
    const r = scoreCvss(s.score);
    if (r.ok && !cvss.some((c) => c.vector === r.score.vector)) cvss.push(r.score);
  }
  cvss.sort((a, b) => ORDER[a.version] - ORDER[b.version] || b.baseScore - a.baseScore);
  const preferred = cvss[0];
  const advisoryLabel = ownLabel(affected?.ecosystem_specific, affected?.database_specific, record.database_specific) ?? ubuntu;
  const fromAdvisory = advisoryLabel === undefined ? undefined : labelFromAdvisory(advisoryLabel);
  const base = {
    ...(advisoryLabel !== undefined ? { advisoryLabel } : {}),
    ...(preferred ? { score: preferred.baseScore, vector: preferred.vector } : {}),
    cvss,
  };
  if (fromAdvisory !== undefined) return { label: fromAdvisory, labelSource: "advisory", ...base };
  if (preferred) return { label: preferred.severity, labelSource: "cvss", ...base };
  return { label: "unknown", labelSource: "none", ...base };
}
