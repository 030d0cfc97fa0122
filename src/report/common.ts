// Small pure helpers every report format shares: which findings a format lists, counts by severity,
// stable identities (for SARIF fingerprints and VEX ids) and the numbers a severity stands for.
import { createHash } from "node:crypto";
import type { Finding, SeverityLabel } from "../model/finding.js";
import { severityOrder } from "../model/finding.js";
import { imagePurl } from "../sbom/document.js";
import type { RenderOptions, ReportDocument, ReportTarget } from "./document.js";

export function sha256Hex(s: string): string {
  return createHash("sha256").update(s).digest("hex");
}

/** Code-unit order, the same on every machine (localeCompare is not). */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function severityRank(s: SeverityLabel): number {
  return severityOrder.indexOf(s);
}

export function isSuppressed(f: Finding): boolean {
  return f.suppressed !== undefined;
}

/** The findings a listing format shows: suppressed ones only when asked for. */
export function listedFindings(t: ReportTarget, opts: RenderOptions): readonly Finding[] {
  return opts.showSuppressed ? t.findings : t.findings.filter((f) => !isSuppressed(f));
}

export interface Counts {
  /** Findings that are not suppressed. */
  readonly total: number;
  readonly bySeverity: Readonly<Record<SeverityLabel, number>>;
  /** Not suppressed and a fixed version exists. */
  readonly fixable: number;
  /** Not suppressed and listed in CISA KEV. */
  readonly kev: number;
  readonly suppressed: number;
  readonly undecided: number;
}

export function countTargets(targets: readonly ReportTarget[]): Counts {
  const bySeverity: Record<SeverityLabel, number> = { critical: 0, high: 0, medium: 0, low: 0, none: 0, unknown: 0 };
  let total = 0;
  let fixable = 0;
  let kev = 0;
  let suppressed = 0;
  let undecided = 0;
  for (const t of targets) {
    undecided += t.undecided.length;
    for (const f of t.findings) {
      if (isSuppressed(f)) {
        suppressed++;
        continue;
      }
      total++;
      bySeverity[f.severity]++;
      if (f.status === "fixed" && f.fixedVersions.length > 0) fixable++;
      if (f.kev) kev++;
    }
  }
  return { total, bySeverity, fixable, kev, suppressed, undecided };
}

/**
 * What a target is across runs: an image's repository without tag or digest ("registry.example.com/
 * shop/api"), else the name the user gave. A new tag of the same image keeps its alerts.
 */
export function targetIdentity(t: ReportTarget): string {
  if (t.image?.repository) return t.image.repository;
  if (t.kind !== "image") return t.name;
  let name = t.name.replace(/^(registry|docker|oci|oci-archive|docker-archive|containers-storage):(\/\/)?/, "");
  const at = name.indexOf("@");
  if (at >= 0) name = name.slice(0, at);
  const slash = name.lastIndexOf("/");
  const colon = name.lastIndexOf(":");
  if (colon > slash) name = name.slice(0, colon);
  return name;
}

/** A package URL without its version: the same package across upgrades (qualifiers kept). */
export function purlWithoutVersion(purl: string): string {
  const hash = purl.indexOf("#");
  const beforeHash = hash >= 0 ? purl.slice(0, hash) : purl;
  const subpath = hash >= 0 ? purl.slice(hash) : "";
  const q = beforeHash.indexOf("?");
  const path = q >= 0 ? beforeHash.slice(0, q) : beforeHash;
  const qualifiers = q >= 0 ? beforeHash.slice(q) : "";
  const slash = path.lastIndexOf("/");
  const at = path.indexOf("@", slash + 1);
  return (at >= 0 ? path.slice(0, at) : path) + qualifiers + subpath;
}

/** The product a VEX statement is about: an image's OCI purl, else an IRI made from the target name. */
export function productId(t: ReportTarget): string {
  const purl = t.image ? imagePurl(t.image) : undefined;
  if (purl) return purl;
  if (/^[a-z][a-z0-9+.-]*:/i.test(t.name)) return t.name.replace(/ /g, "%20");
  return `urn:berth:target:${encodeURIComponent(t.name)}`;
}

/** Numbers GitHub code scanning reads as critical (> 9), high (7–8.9), medium (4–6.9), low (0.1–3.9). */
const SEVERITY_SCORE: Readonly<Record<SeverityLabel, number>> = {
  critical: 9.5,
  high: 8.0,
  medium: 5.5,
  low: 2.0,
  none: 0.0,
  // Unknown is shown as medium: neither hidden below a "high" gate nor made to look urgent.
  unknown: 5.5,
};

/** The score a finding stands for: its CVSS base score when known, else a fixed value per label. */
export function severityScore(f: Finding): number {
  const s = f.cvss?.score;
  if (s !== undefined && Number.isFinite(s) && s >= 0 && s <= 10) return s;
  return SEVERITY_SCORE[f.severity];
}

/** "9.8", "10.0": one decimal, as GitHub's documentation writes security-severity. */
export function formatScore(n: number): string {
  return (Math.round(n * 10) / 10).toFixed(1);
}

/** Where a finding lives in the scanned tree: the package's first recorded file, without the leading slash. */
export function packagePath(f: Finding): string | undefined {
  const p = f.package.locations[0]?.path;
  if (!p) return undefined;
  const rel = p.replace(/^\/+/, "");
  return rel === "" ? undefined : rel;
}

/** OpenVEX justification labels; a VEX suppression's reason may start with one ("label: text"). */
export const vexJustifications = [
  "component_not_present",
  "vulnerable_code_not_present",
  "vulnerable_code_not_in_execute_path",
  "vulnerable_code_cannot_be_controlled_by_adversary",
  "inline_mitigations_already_exist",
] as const;
export type VexJustification = (typeof vexJustifications)[number];

/** The OpenVEX justification a suppression reason names, when it starts with one. */
export function justificationOf(reason: string): VexJustification | undefined {
  const head = reason.trim().split(/[\s:;,(]/, 1)[0] ?? "";
  return (vexJustifications as readonly string[]).includes(head) ? (head as VexJustification) : undefined;
}

/** A stable hash of what the report says (not when it said it): ids for VEX documents. */
export function reportContentHash(doc: ReportDocument): string {
  const h = createHash("sha256");
  for (const t of doc.targets) {
    h.update(`\u0000target\u0000${t.kind}\u0000${t.name}\u0000${t.image?.manifestDigest ?? t.image?.configDigest ?? ""}`);
    for (const f of t.findings) h.update(`\u0000${f.id}\u0000${f.package.purl}\u0000${f.status}\u0000${f.suppressed ? `${f.suppressed.by}:${f.suppressed.reason}` : ""}`);
    for (const u of t.undecided) h.update(`\u0000undecided\u0000${u.advisory}\u0000${u.package.purl}`);
  }
  return h.digest("hex");
}

/** Distinct values in first-seen order. */
export function unique<T>(xs: Iterable<T>): T[] {
  return [...new Set(xs)];
}

/** Cuts a string to at most `max` characters, marking the cut with "…". */
export function truncate(s: string, max: number): string {
  const chars = [...s];
  return chars.length <= max ? s : chars.slice(0, Math.max(0, max - 1)).join("") + "…";
}

/** A one-line form of free text (titles in tables and messages). */
export function oneLine(s: string): string {
  return s.replace(/\s+/g, " ").trim();
}

export function distroLabel(t: ReportTarget): string | undefined {
  const d = t.distro;
  if (!d) return undefined;
  return d.prettyName ?? [d.id, d.versionId].filter(Boolean).join(" ");
}
