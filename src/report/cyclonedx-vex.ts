// CycloneDX 1.6 with vulnerabilities (a BOM with embedded VEX): the components are exactly the SBOM's
// (built by sbom/cyclonedx.ts's buildCycloneDx, one BOM per target), and each vulnerability says
// which components it affects, at which versions, how it is rated and what to do about it.
// Suppressed findings carry an `analysis` (VEX → not_affected with the mapped justification; an ignore
// rule → false_positive). Undecided comparisons are listed as in_triage with status "unknown".
// Deterministic: bom-refs derive from purls and ids, the serial number from the content.
import * as CDX from "@cyclonedx/cyclonedx-library";
import type { Finding, SeverityLabel, Undecided } from "../model/finding.js";
import { advisoryUrl } from "../match/advisory.js";
import { buildCycloneDx } from "../sbom/cyclonedx.js";
import { uuidFromHash, type SbomDocument } from "../sbom/document.js";
import { severityOf, type CvssVersion } from "../vulndb/cvss.js";
import type { RenderOptions, ReportDocument, ReportTarget } from "./document.js";
import { justificationOf, reportContentHash, unique, type VexJustification } from "./common.js";

const { Models, Enums } = CDX;
type Component = CDX.Models.Component;

/** Who publishes an id, by its prefix (the `source` of a vulnerability or reference). */
export function sourceName(id: string): string {
  const prefixes: [string, string][] = [
    ["CVE-", "NVD"],
    ["GHSA-", "GitHub Advisory Database"],
    ["PYSEC-", "PyPA Advisory Database"],
    ["DEBIAN-", "Debian Security Tracker"],
    ["DSA-", "Debian Security Tracker"],
    ["DLA-", "Debian Security Tracker"],
    ["NSWG-", "Node.js Security WG"],
    ["RUSTSEC-", "RustSec Advisory Database"],
    ["BIT-", "Bitnami Vulnerability Database"],
    ["GO-", "Go Vulnerability Database"],
    ["ALPINE-", "Alpine Security Tracker"],
  ];
  return prefixes.find(([p]) => id.startsWith(p))?.[1] ?? "OSV";
}

/** The page of an advisory id at its publisher (the Debian tracker for Debian ids). */
export function advisoryPage(id: string): string | undefined {
  const debian = /^DEBIAN-(CVE-\d+-\d+)$/.exec(id);
  if (debian) return `https://security-tracker.debian.org/tracker/${debian[1]}`;
  if (/^(DSA|DLA)-\d+(-\d+)?$/.test(id)) return `https://security-tracker.debian.org/tracker/${id}`;
  const nswg = /^NSWG-ECO-(\d+)$/.exec(id);
  if (nswg) return `https://github.com/nodejs/security-wg/blob/main/vuln/npm/${nswg[1]}.json`;
  return advisoryUrl(id, undefined);
}

const CDX_JUSTIFICATION: Readonly<Record<VexJustification, CDX.Enums.Vulnerability.AnalysisJustification>> = {
  component_not_present: Enums.Vulnerability.AnalysisJustification.CodeNotPresent,
  vulnerable_code_not_present: Enums.Vulnerability.AnalysisJustification.CodeNotPresent,
  vulnerable_code_not_in_execute_path: Enums.Vulnerability.AnalysisJustification.CodeNotReachable,
  vulnerable_code_cannot_be_controlled_by_adversary: Enums.Vulnerability.AnalysisJustification.RequiresEnvironment,
  inline_mitigations_already_exist: Enums.Vulnerability.AnalysisJustification.ProtectedByMitigatingControl,
};

function source(id: string): CDX.Models.Vulnerability.Source {
  const url = advisoryPage(id);
  return new Models.Vulnerability.Source({ name: sourceName(id), ...(url ? { url } : {}) });
}

function cdxSeverity(s: SeverityLabel): CDX.Enums.Vulnerability.Severity {
  return s as CDX.Enums.Vulnerability.Severity;
}

function cvssMethod(version: string): { method: CDX.Enums.Vulnerability.RatingMethod; version?: CvssVersion } {
  const M = Enums.Vulnerability.RatingMethod;
  if (version === "3.1") return { method: M.CVSSv31, version: "3.1" };
  if (version === "3.0" || version === "3") return { method: M.CVSSv3, version: "3.0" };
  if (version === "4.0" || version === "4") return { method: M.CVSSv4, version: "4.0" };
  if (version === "2.0" || version === "2") return { method: M.CVSSv2, version: "2.0" };
  return { method: M.Other };
}

function date(s: string | undefined): Date | undefined {
  if (!s) return undefined;
  const d = new Date(s);
  return Number.isNaN(d.getTime()) ? undefined : d;
}

function sbomDocument(t: ReportTarget, doc: ReportDocument): SbomDocument {
  return {
    subject: t.image && t.kind !== "directory" ? { kind: "image", image: t.image } : { kind: "directory", path: t.name },
    ...(t.distro ? { distro: t.distro } : {}),
    packages: t.packages,
    unknowns: [],
    timestamp: doc.timestamp,
    tool: { name: doc.tool.name, version: doc.tool.version },
  };
}

function allComponents(root: Component | undefined, list: Iterable<Component>): Component[] {
  const out: Component[] = [];
  const walk = (c: Component) => {
    out.push(c);
    for (const k of c.components) walk(k);
  };
  if (root) walk(root);
  for (const c of list) walk(c);
  return out;
}

interface TargetComponents {
  readonly byPurl: Map<string, Component>;
  /** Where a component for a package missing from the inventory is added. */
  readonly add: (c: Component) => void;
}

/** The BOM with every target's components; one target's BOM is the SBOM itself. */
function componentsBom(doc: ReportDocument): { bom: CDX.Models.Bom; targets: TargetComponents[] } {
  const built = doc.targets.map((t) => buildCycloneDx(sbomDocument(t, doc)));
  const index = (b: CDX.Models.Bom, add: (c: Component) => void): TargetComponents => {
    const byPurl = new Map<string, Component>();
    for (const c of allComponents(undefined, b.components)) if (c.purl !== undefined && !byPurl.has(String(c.purl))) byPurl.set(String(c.purl), c);
    return { byPurl, add };
  };
  if (built.length === 1) {
    const b = built[0]!;
    return { bom: b, targets: [index(b, (c) => b.components.add(c))] };
  }
  // Several targets: each target's root component holds its own components, and bom-refs that two
  // targets share (the same purl in two images) get a suffix naming the target.
  const bom = new Models.Bom();
  bom.metadata.timestamp = doc.timestamp;
  bom.metadata.tools.components.add(new Models.Component(Enums.ComponentType.Application, doc.tool.name, { version: doc.tool.version }));
  const used = new Set<string>();
  const targets = built.map((b, i) => {
    const root = b.metadata.component!;
    for (const c of [...b.components]) root.components.add(c);
    for (const c of allComponents(root, [])) {
      const v = c.bomRef.value ?? "";
      if (used.has(v)) c.bomRef.value = `${v}#target-${i + 1}`;
      used.add(c.bomRef.value ?? "");
    }
    bom.components.add(root);
    return index(b, (c) => {
      if (used.has(c.bomRef.value ?? "")) c.bomRef.value = `${c.bomRef.value ?? ""}#target-${i + 1}`;
      used.add(c.bomRef.value ?? "");
      root.components.add(c);
    });
  });
  // buildCycloneDx put the packages in b.components; they now live under their root only.
  for (const b of built) b.components.clear();
  return { bom, targets };
}

function componentFor(tc: TargetComponents, p: Finding["package"]): Component {
  const found = tc.byPurl.get(p.purl);
  if (found) return found;
  const c = new Models.Component(Enums.ComponentType.Library, p.name, { bomRef: p.purl, version: p.version, purl: p.purl });
  tc.add(c);
  tc.byPurl.set(p.purl, c);
  return c;
}

type Group = { readonly key: string; readonly id: string; readonly state: string; readonly entries: { finding: Finding; component: Component }[] };

function stateOf(f: Finding): string {
  if (f.suppressed) return `${f.suppressed.by}\u0000${f.suppressed.reason}\u0000${f.suppressed.source}`;
  if (f.status === "not_affected") return "not_affected";
  if (f.status === "will_not_fix") return "will_not_fix";
  return "";
}

function ratings(entries: readonly { finding: Finding }[]): CDX.Models.Vulnerability.Rating[] {
  const out: CDX.Models.Vulnerability.Rating[] = [];
  const seen = new Set<string>();
  const push = (key: string, r: CDX.Models.Vulnerability.Rating) => {
    if (seen.has(key)) return;
    seen.add(key);
    out.push(r);
  };
  for (const { finding: f } of entries) {
    const source = new Models.Vulnerability.Source({ name: sourceName(f.advisories[0] ?? f.id) });
    if (f.cvss) {
      const m = cvssMethod(f.cvss.version);
      const sev = m.version ? severityOf(f.cvss.score, m.version) : f.severity;
      push(`cvss\u0000${f.cvss.vector}\u0000${f.cvss.score}`, new Models.Vulnerability.Rating({ source, score: f.cvss.score, severity: cdxSeverity(sev), method: m.method, vector: f.cvss.vector }));
    }
    if (f.severitySource === "distro" || f.severitySource === "advisory" || !f.cvss)
      push(`own\u0000${source.name ?? ""}\u0000${f.severity}`, new Models.Vulnerability.Rating({ source, severity: cdxSeverity(f.severity), method: Enums.Vulnerability.RatingMethod.Other }));
  }
  return out;
}

function analysisOf(state: string, f: Finding): CDX.Models.Vulnerability.Analysis | undefined {
  const A = Enums.Vulnerability;
  const s = f.suppressed;
  if (s?.by === "vex") {
    const j = justificationOf(s.reason);
    return new Models.Vulnerability.Analysis({ state: A.AnalysisState.NotAffected, ...(j ? { justification: CDX_JUSTIFICATION[j] } : {}), detail: `${s.reason} (VEX: ${s.source})` });
  }
  if (s?.by === "ignore") return new Models.Vulnerability.Analysis({ state: A.AnalysisState.FalsePositive, detail: `${s.reason} (ignore rule: ${s.source})` });
  if (state === "not_affected") return new Models.Vulnerability.Analysis({ state: A.AnalysisState.NotAffected, detail: f.remediation });
  if (state === "will_not_fix") {
    const a = new Models.Vulnerability.Analysis({ detail: f.remediation });
    a.response.add(A.AnalysisResponse.WillNotFix);
    return a;
  }
  return undefined;
}

function vulnerability(g: Group, bomRef: string): CDX.Models.Vulnerability.Vulnerability {
  const f = g.entries[0]!.finding;
  const unaffected = g.state !== "" && g.state !== "will_not_fix";
  const v = new Models.Vulnerability.Vulnerability({
    bomRef,
    id: g.id,
    source: source(f.advisories[0] ?? f.id),
    ...(f.description || f.title ? { description: f.description ?? f.title } : {}),
    recommendation: unique(g.entries.map((e) => e.finding.remediation)).join("; "),
    ...(date(f.published) ? { published: date(f.published) } : {}),
    ...(date(f.modified) ? { updated: date(f.modified) } : {}),
  });
  const refIds = unique(g.entries.flatMap((e) => [...e.finding.aliases, ...e.finding.advisories])).filter((x) => x !== g.id);
  for (const r of refIds) v.references.add(new Models.Vulnerability.Reference(r, source(r)));
  ratings(g.entries).forEach((r) => v.ratings.add(r));
  for (const u of unique(g.entries.map((e) => e.finding.url).filter((x): x is string => !!x))) v.advisories.add(new Models.Vulnerability.Advisory(u));
  const analysis = analysisOf(g.state, f);
  if (analysis) v.analysis = analysis;
  // One affect per component: the installed version (affected, or unaffected when suppressed) and
  // every version that fixes it (unaffected).
  const byComponent = new Map<Component, Finding[]>();
  for (const e of g.entries) byComponent.set(e.component, [...(byComponent.get(e.component) ?? []), e.finding]);
  for (const [component, findings] of byComponent) {
    const affect = new Models.Vulnerability.Affect(component.bomRef);
    const S = Enums.Vulnerability.AffectStatus;
    for (const x of findings) {
      affect.versions.add(new Models.Vulnerability.AffectedSingleVersion(x.installedVersion, { status: unaffected ? S.Unaffected : S.Affected }));
      for (const fixed of x.fixedVersions) affect.versions.add(new Models.Vulnerability.AffectedSingleVersion(fixed, { status: S.Unaffected }));
    }
    v.affects.add(affect);
  }
  if (g.entries.some((e) => e.finding.kev)) v.properties.add(new Models.Property("berth:kev", "true"));
  const epss = Math.max(...g.entries.map((e) => e.finding.epss ?? -1));
  if (epss >= 0) v.properties.add(new Models.Property("berth:epss", String(epss)));
  return v;
}

function undecidedVulnerability(advisory: string, entries: readonly { u: Undecided; component: Component }[]): CDX.Models.Vulnerability.Vulnerability {
  const v = new Models.Vulnerability.Vulnerability({
    bomRef: `undecided:${advisory}`,
    id: advisory,
    source: source(advisory),
    analysis: new Models.Vulnerability.Analysis({
      state: Enums.Vulnerability.AnalysisState.InTriage,
      detail: `Berth could not decide whether this applies: ${unique(entries.flatMap((e) => e.u.reasons)).join("; ")}`,
    }),
  });
  for (const e of entries) {
    const affect = new Models.Vulnerability.Affect(e.component.bomRef);
    affect.versions.add(new Models.Vulnerability.AffectedSingleVersion(e.u.package.version, { status: Enums.Vulnerability.AffectStatus.Unknown }));
    v.affects.add(affect);
  }
  return v;
}

export function buildCycloneDxVex(doc: ReportDocument): CDX.Models.Bom {
  const { bom, targets } = componentsBom(doc);
  bom.serialNumber = `urn:uuid:${uuidFromHash(reportContentHash(doc))}`;
  if (doc.db) {
    bom.metadata.properties.add(new Models.Property("berth:db:builtAt", doc.db.builtAt));
    bom.metadata.properties.add(new Models.Property("berth:db:updatedAt", doc.db.updatedAt));
    for (const s of doc.db.sources) bom.metadata.properties.add(new Models.Property("berth:db:source", s.snapshot ? `${s.name} ${s.snapshot}` : s.name));
  }

  const groups = new Map<string, Group>();
  const undecided = new Map<string, { u: Undecided; component: Component }[]>();
  doc.targets.forEach((t, i) => {
    const tc = targets[i]!;
    for (const f of t.findings) {
      const state = stateOf(f);
      const key = `${f.id}\u0001${state}`;
      const g = groups.get(key) ?? { key, id: f.id, state, entries: [] };
      g.entries.push({ finding: f, component: componentFor(tc, f.package) });
      groups.set(key, g);
    }
    for (const u of t.undecided) undecided.set(u.advisory, [...(undecided.get(u.advisory) ?? []), { u, component: componentFor(tc, u.package) }]);
  });
  // Unique, readable bom-refs: "vuln:CVE-…" for the plain group, a suffix for the others.
  const refs = new Set<string>();
  const sorted = [...groups.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : a.state === "" ? -1 : b.state === "" ? 1 : a.state < b.state ? -1 : 1));
  for (const g of sorted) {
    const kind = g.state === "" ? "" : g.entries[0]!.finding.suppressed ? `:${g.entries[0]!.finding.suppressed.by}` : `:${g.state}`;
    let ref = `vuln:${g.id}${kind}`;
    for (let n = 2; refs.has(ref); n++) ref = `vuln:${g.id}${kind}:${n}`;
    refs.add(ref);
    bom.vulnerabilities.add(vulnerability(g, ref));
  }
  for (const [advisory, entries] of [...undecided].sort((a, b) => (a[0] < b[0] ? -1 : 1))) bom.vulnerabilities.add(undecidedVulnerability(advisory, entries));
  return bom;
}

/** Every finding is listed (suppressed ones with their analysis), whatever the options say. */
export function render(doc: ReportDocument, _opts: RenderOptions): string {
  const serializer = new CDX.Serialize.JsonSerializer(new CDX.Serialize.JSON.Normalize.Factory(CDX.Spec.Spec1dot6));
  return serializer.serialize(buildCycloneDxVex(doc), { sortLists: true, space: 2 }) + "\n";
}
