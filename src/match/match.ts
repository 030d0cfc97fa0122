// The match stage: package × advisory → findings (ARCHITECTURE.md). One OSV-range matcher serves
// every ecosystem, parameterised by (ecosystem, version scheme); distributions differ only in which
// advisories they ask (match/ecosystem.ts). Rules (README "Matching"):
//  - OS packages: their distribution release's advisories, by source package and source version;
//    upstream (language) advisories never judge them.
//  - Language packages whose files an OS package owns (dpkg info/*.list, rpm, apk file lists) are
//    judged by the OS package's advisories only, which know about backported fixes.
//  - One finding per vulnerability per package: advisories that alias each other (CVE ↔ GHSA ↔
//    PYSEC), and a DSA's upstream CVEs, are merged; every id is listed.
//  - A version comparison Berth cannot decide is reported as "undecided", never as not vulnerable.
import type { Finding, FindingLayer, FindingPackage, SeverityLabel, Undecided } from "../model/finding.js";
import { severityOrder } from "../model/finding.js";
import type { ImageMetadata } from "../model/image.js";
import type { Distro, Package } from "../model/package.js";
import { evaluateAffected, schemeForEcosystem, tryCompareVersions, type SchemeId } from "../version/index.js";
import { isIncomparable } from "../version/index.js";
import type { AdvisoryAffected, VulnDb } from "../vulndb/store.js";
import { normalizePackageName } from "../vulndb/ecosystems.js";
import { advisoryQuery, type AdvisoryQuery } from "./ecosystem.js";
import { advisoryUrl, describe } from "./advisory.js";

export interface MatchInput {
  readonly packages: readonly Package[];
  readonly distro?: Distro;
  readonly image?: ImageMetadata;
}

export interface MatchResult {
  readonly findings: Finding[];
  readonly undecided: Undecided[];
}

interface Hit {
  readonly row: AdvisoryAffected;
  readonly fixed: readonly string[];
  readonly scheme: SchemeId;
  readonly ecosystem: string;
}

/** Paths (relative) owned by OS packages: language packages there are the OS package's business. */
function osOwnedFiles(packages: readonly Package[]): Set<string> {
  const owned = new Set<string>();
  for (const p of packages) if (p.type === "deb" || p.type === "rpm" || p.type === "apk") for (const f of p.files ?? []) owned.add(f);
  return owned;
}

function ownedByOs(p: Package, owned: Set<string>): boolean {
  if (p.type === "deb" || p.type === "rpm" || p.type === "apk" || owned.size === 0) return false;
  return p.locations.length > 0 && p.locations.every((l) => owned.has(l.path.replace(/^\/+/, "")));
}

function findingPackage(p: Package, by: string): FindingPackage {
  return {
    name: p.name,
    version: p.version,
    type: p.type,
    purl: p.purl,
    ...(by === "source-package" && p.sourceName ? { sourceName: p.sourceName } : {}),
    locations: p.locations,
  };
}

/** The vulnerability ids one matched advisory stands for: its CVE aliases, or a DSA's upstream CVEs, or itself. */
function vulnerabilityIds(db: VulnDb, advisoryId: string): { primary: string[]; all: string[] } {
  const aliases = db.aliasesOf(advisoryId);
  const cves = aliases.filter((a) => a.startsWith("CVE-"));
  if (cves.length > 0) return { primary: [cves.sort()[0]!], all: [advisoryId, ...aliases] };
  if (advisoryId.startsWith("CVE-")) return { primary: [advisoryId], all: [advisoryId, ...aliases] };
  const upstream = db.relations(advisoryId).upstream.filter((u) => u.startsWith("CVE-"));
  // A DSA/DLA fixes several CVEs: one finding per CVE, each naming the DSA.
  if (upstream.length > 0) return { primary: [...new Set(upstream)].sort(), all: [advisoryId, ...aliases] };
  return { primary: [advisoryId], all: [advisoryId, ...aliases] };
}

function sortVersions(scheme: SchemeId, versions: Iterable<string>): string[] {
  return [...new Set(versions)].sort((a, b) => {
    const c = tryCompareVersions(scheme, a, b);
    return isIncomparable(c) ? (a < b ? -1 : a > b ? 1 : 0) : c;
  });
}

function rankOf(s: SeverityLabel): number {
  return severityOrder.indexOf(s);
}

function layerOf(p: Package, image: ImageMetadata | undefined): FindingLayer | undefined {
  const diffId = p.locations.find((l) => l.layerDigest)?.layerDigest;
  if (!diffId) return undefined;
  const index = image?.layers.findIndex((l) => l.diffId === diffId) ?? -1;
  const info = index >= 0 ? image!.layers[index]! : undefined;
  return { diffId, ...(info ? { digest: info.digest, index, ...(info.createdBy ? { createdBy: info.createdBy } : {}) } : {}) };
}

/**
 * The part of a finding that depends only on the advisory key and the version compared (not on the
 * package's locations, purl or image): computed once per distinct (ecosystem, name, version) in a
 * re-match run and composed with each image's package (composeFinding). Property order is the
 * finding's, so stored JSON does not change with the path that built it.
 */
export interface VersionFinding {
  readonly id: string;
  readonly aliases: readonly string[];
  readonly advisories: readonly string[];
  readonly fixedVersions: readonly string[];
  readonly status: "fixed" | "affected";
  readonly severity: SeverityLabel;
  readonly severitySource: Finding["severitySource"];
  readonly cvss?: Finding["cvss"];
  readonly kev: boolean;
  readonly epss?: number;
  readonly title?: string;
  readonly description?: string;
  readonly url?: string;
  readonly matchedBy: Finding["matchedBy"];
  readonly published?: string;
  readonly modified?: string;
}

/** Every answer the DB gives for one advisory key and version: the findings' version-level parts and the undecided comparisons. */
export interface Verdict {
  readonly findings: readonly VersionFinding[];
  readonly undecided: readonly { readonly advisory: string; readonly reasons: readonly string[] }[];
}

function versionFinding(db: VulnDb, id: string, hits: Hit[], by: "source-package" | "package" | "stdlib"): VersionFinding {
  const scheme = hits[0]!.scheme;
  const advisories = [...new Set(hits.map((h) => h.row.advisoryId))].sort();
  const aliasSet = new Set<string>();
  for (const a of advisories) for (const x of vulnerabilityIds(db, a).all) aliasSet.add(x);
  aliasSet.delete(id);
  const fixedVersions = sortVersions(scheme, hits.flatMap((h) => h.fixed));
  // Severity: the distribution's/publisher's own rating wins, then the highest CVSS-derived one.
  const rated = [...hits].sort((a, b) => {
    const own = (h: Hit) => (h.row.severity.labelSource === "advisory" ? 0 : 1);
    return own(a) - own(b) || rankOf(a.row.severity.label) - rankOf(b.row.severity.label) || (b.row.severity.score ?? -1) - (a.row.severity.score ?? -1);
  })[0]!;
  const sev = rated.row.severity;
  const withCvss = hits.map((h) => h.row.severity).filter((s) => s.score !== undefined && s.vector).sort((a, b) => b.score! - a.score!)[0];
  const kev = hits.some((h) => h.row.kev);
  const epssValues = hits.map((h) => h.row.epss).filter((e): e is number => e !== undefined);
  const record = db.advisory(rated.row.advisoryId)?.record;
  const text = describe(record);
  const url = advisoryUrl(id, record);
  return {
    id,
    aliases: [...aliasSet].sort(),
    advisories,
    fixedVersions,
    status: fixedVersions.length > 0 ? "fixed" : "affected",
    severity: sev.label,
    severitySource: sev.labelSource === "advisory" ? (by === "source-package" ? "distro" : "advisory") : sev.labelSource,
    ...(withCvss ? { cvss: { version: withCvss.cvss.find((c) => c.vector === withCvss.vector)?.version ?? "3.1", score: withCvss.score!, vector: withCvss.vector! } } : {}),
    kev,
    ...(epssValues.length ? { epss: Math.max(...epssValues) } : {}),
    ...(text.title ? { title: text.title } : {}),
    ...(text.description ? { description: text.description } : {}),
    ...(url ? { url } : {}),
    matchedBy: { ecosystem: hits[0]!.ecosystem, scheme, by },
    ...(record?.published ? { published: record.published } : {}),
    ...(record?.modified ? { modified: record.modified } : {}),
  };
}

/** A finding: the version-level part with this package, its layer in the image and the remediation naming it. */
export function composeFinding(v: VersionFinding, p: Package, image: ImageMetadata | undefined): Finding {
  const by = v.matchedBy.by;
  const layer = layerOf(p, image);
  const name = by === "source-package" && p.sourceName ? p.sourceName : p.name;
  return {
    id: v.id,
    aliases: v.aliases,
    advisories: v.advisories,
    package: findingPackage(p, by),
    installedVersion: p.version,
    fixedVersions: v.fixedVersions,
    status: v.status,
    severity: v.severity,
    severitySource: v.severitySource,
    ...(v.cvss ? { cvss: v.cvss } : {}),
    kev: v.kev,
    ...(v.epss !== undefined ? { epss: v.epss } : {}),
    ...(v.title ? { title: v.title } : {}),
    ...(v.description ? { description: v.description } : {}),
    ...(v.url ? { url: v.url } : {}),
    ...(layer ? { layer } : {}),
    remediation: v.status === "fixed" ? `upgrade ${name} to ${v.fixedVersions[0]}` : `no fix available yet for ${name}; track ${v.id}`,
    matchedBy: v.matchedBy,
    ...(v.published ? { published: v.published } : {}),
    ...(v.modified ? { modified: v.modified } : {}),
  };
}

/** The advisory key a package is matched under: ecosystem as asked ("Debian:12"; a family prefix for Ubuntu) and normalised name. */
export interface MatchKey {
  readonly ecosystem: string;
  readonly name: string;
}

/**
 * Which advisories could judge each package (by purl): the key `matchPackages` looks it up under, or
 * undefined when it is not matched (no advisory feed, no version, or a language package an OS
 * package owns). The server stores it so a DB update finds the images an advisory names.
 */
export function matchKeys(input: Pick<MatchInput, "packages" | "distro">): Map<string, MatchKey | undefined> {
  const owned = osOwnedFiles(input.packages);
  const keys = new Map<string, MatchKey | undefined>();
  for (const p of input.packages) {
    const q = ownedByOs(p, owned) ? undefined : advisoryQuery(p, input.distro);
    keys.set(p.purl, q ? { ecosystem: q.ecosystem, name: normalizePackageName(q.ecosystem, q.name) } : undefined);
  }
  return keys;
}

/** The verdict cache key of an advisory query: everything the DB's answer and its version-level findings depend on. */
export function verdictKey(q: AdvisoryQuery): string {
  return JSON.stringify([q.ecosystem, q.family, normalizePackageName(q.ecosystem, q.name), q.version, q.by]);
}

/** Asks the DB about one advisory query (no package specifics). */
export function verdictOf(q: AdvisoryQuery, db: VulnDb): Verdict {
  const rows = q.family ? db.lookupFamily(q.ecosystem, q.name) : db.lookup(q.ecosystem, q.name);
  const byVuln = new Map<string, Hit[]>();
  const undecided: { advisory: string; reasons: readonly string[] }[] = [];
  for (const row of rows) {
    const scheme = schemeForEcosystem(row.ecosystem);
    if (!scheme) {
      undecided.push({ advisory: row.advisoryId, reasons: [`no version scheme for ecosystem ${row.ecosystem}`] });
      continue;
    }
    const r = evaluateAffected(row.affected, q.version, scheme);
    if (r.status === "not-affected") continue;
    if (r.status === "incomparable") {
      undecided.push({ advisory: row.advisoryId, reasons: r.reasons });
      continue;
    }
    // Never report a fix that is not newer than what is installed (a malformed range could say so).
    const fixed = r.fixed.filter((f) => {
      const c = tryCompareVersions(scheme, f, q.version);
      return isIncomparable(c) || c > 0;
    });
    for (const id of vulnerabilityIds(db, row.advisoryId).primary) {
      const list = byVuln.get(id) ?? [];
      list.push({ row, fixed, scheme, ecosystem: row.ecosystem });
      byVuln.set(id, list);
    }
  }
  return { findings: [...byVuln].map(([id, hits]) => versionFinding(db, id, hits, q.by)), undecided };
}

/** Verdicts by verdictKey, shared by many inventories matched against one DB (a re-match run). */
export type VerdictCache = Map<string, Verdict>;

/** The packages matchPackages asks about, each with its advisory query (not: owned by an OS package, no feed). */
export function matchQueries(input: Pick<MatchInput, "packages" | "distro">): { p: Package; q: AdvisoryQuery }[] {
  const owned = osOwnedFiles(input.packages);
  const out: { p: Package; q: AdvisoryQuery }[] = [];
  for (const p of input.packages) {
    if (ownedByOs(p, owned)) continue;
    const q = advisoryQuery(p, input.distro);
    if (q) out.push({ p, q });
  }
  return out;
}

export function matchPackages(input: MatchInput, db: VulnDb, cache?: VerdictCache): MatchResult {
  const findings: Finding[] = [];
  const undecided: Undecided[] = [];
  for (const { p, q } of matchQueries(input)) {
    let v: Verdict | undefined;
    if (cache) {
      const k = verdictKey(q);
      v = cache.get(k);
      if (!v) cache.set(k, (v = verdictOf(q, db)));
    } else v = verdictOf(q, db);
    for (const u of v.undecided) undecided.push({ advisory: u.advisory, package: findingPackage(p, q.by), reasons: u.reasons });
    for (const f of v.findings) findings.push(composeFinding(f, p, input.image));
  }
  return { findings: sortFindings(findings), undecided };
}

export function sortFindings(findings: Finding[]): Finding[] {
  return findings.sort((a, b) => rankOf(a.severity) - rankOf(b.severity) || (a.package.name < b.package.name ? -1 : a.package.name > b.package.name ? 1 : 0) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0) || (a.package.purl < b.package.purl ? -1 : 1));
}


