// Berth's own JSON report (schema "https://berth.dev/schemas/report/v1", described by
// schemas/report-v1.schema.json). Everything the scan decided, suppressed findings included (flagged):
// machine readers filter; people use the table. Keys are written in a fixed order so the same
// document always gives the same bytes. Image configs (env, labels) are left out: they can hold
// secrets and are not part of a vulnerability report.
import type { CvssInfo, Finding, FindingLayer, FindingPackage, Undecided } from "../model/finding.js";
import type { ImageMetadata, LayerInfo } from "../model/image.js";
import type { Distro, Location } from "../model/package.js";
import type { RenderOptions, ReportDocument, ReportTarget } from "./document.js";
import { countTargets, type Counts } from "./common.js";

export const REPORT_SCHEMA = "https://berth.dev/schemas/report/v1";

/** Copies the listed keys in that order, dropping undefined values. */
function pick<T extends object, K extends keyof T>(o: T, keys: readonly K[]): Partial<Pick<T, K>> {
  const out: Partial<Pick<T, K>> = {};
  for (const k of keys) if (o[k] !== undefined) out[k] = o[k];
  return out;
}

// Every field of each model type, in output order. The `satisfies` checks below fail to compile when
// a model type gains a field, so the report (and its schema) cannot silently fall behind.
const FINDING_KEYS = [
  "id",
  "aliases",
  "advisories",
  "package",
  "installedVersion",
  "fixedVersions",
  "status",
  "severity",
  "severitySource",
  "cvss",
  "kev",
  "epss",
  "epssPercentile",
  "title",
  "description",
  "url",
  "layer",
  "remediation",
  "matchedBy",
  "published",
  "modified",
  "suppressed",
] as const satisfies readonly (keyof Finding)[];
const PACKAGE_KEYS = ["name", "version", "type", "purl", "sourceName", "locations"] as const satisfies readonly (keyof FindingPackage)[];
const LOCATION_KEYS = ["path", "layerDigest"] as const satisfies readonly (keyof Location)[];
const LAYER_KEYS = ["diffId", "digest", "createdBy", "index", "fromBase"] as const satisfies readonly (keyof FindingLayer)[];
const CVSS_KEYS = ["version", "score", "vector"] as const satisfies readonly (keyof CvssInfo)[];
const UNDECIDED_KEYS = ["advisory", "package", "reasons"] as const satisfies readonly (keyof Undecided)[];
const DISTRO_KEYS = ["id", "versionId", "versionCodename", "prettyName", "idLike"] as const satisfies readonly (keyof Distro)[];
const IMAGE_LAYER_KEYS = ["digest", "diffId", "mediaType", "size", "createdBy"] as const satisfies readonly (keyof LayerInfo)[];

type Exhaustive<All, Listed> = [Exclude<All, Listed>] extends [never] ? true : { missing: Exclude<All, Listed> };
const _exhaustive: [
  Exhaustive<keyof Finding, (typeof FINDING_KEYS)[number]>,
  Exhaustive<keyof FindingPackage, (typeof PACKAGE_KEYS)[number]>,
  Exhaustive<keyof Location, (typeof LOCATION_KEYS)[number]>,
  Exhaustive<keyof FindingLayer, (typeof LAYER_KEYS)[number]>,
  Exhaustive<keyof CvssInfo, (typeof CVSS_KEYS)[number]>,
  Exhaustive<keyof Undecided, (typeof UNDECIDED_KEYS)[number]>,
  Exhaustive<keyof Distro, (typeof DISTRO_KEYS)[number]>,
  Exhaustive<keyof LayerInfo, (typeof IMAGE_LAYER_KEYS)[number]>,
] = [true, true, true, true, true, true, true, true];

function packageJson(p: FindingPackage) {
  return { ...pick(p, PACKAGE_KEYS), locations: p.locations.map((l) => pick(l, LOCATION_KEYS)) };
}

export function findingJson(f: Finding) {
  const out: Record<string, unknown> = pick(f, FINDING_KEYS);
  out.package = packageJson(f.package);
  if (f.cvss) out.cvss = pick(f.cvss, CVSS_KEYS);
  if (f.layer) out.layer = pick(f.layer, LAYER_KEYS);
  out.matchedBy = { ecosystem: f.matchedBy.ecosystem, scheme: f.matchedBy.scheme, by: f.matchedBy.by };
  if (f.suppressed) out.suppressed = { by: f.suppressed.by, reason: f.suppressed.reason, source: f.suppressed.source };
  return out;
}

function undecidedJson(u: Undecided) {
  return { ...pick(u, UNDECIDED_KEYS), package: packageJson(u.package) };
}

function imageJson(im: ImageMetadata) {
  return {
    reference: im.reference,
    ...(im.repository !== undefined ? { repository: im.repository } : {}),
    tags: im.tags,
    ...(im.manifestDigest !== undefined ? { manifestDigest: im.manifestDigest } : {}),
    ...(im.configDigest !== undefined ? { configDigest: im.configDigest } : {}),
    ...(im.mediaType !== undefined ? { mediaType: im.mediaType } : {}),
    ...(im.platform ? { platform: { os: im.platform.os, architecture: im.platform.architecture, ...(im.platform.variant ? { variant: im.platform.variant } : {}) } } : {}),
    layers: im.layers.map((l) => pick(l, IMAGE_LAYER_KEYS)),
  };
}

function summaryJson(c: Counts) {
  return { total: c.total, ...c.bySeverity, fixable: c.fixable, kev: c.kev, suppressed: c.suppressed, undecided: c.undecided };
}

function targetJson(t: ReportTarget) {
  return {
    name: t.name,
    kind: t.kind,
    ...(t.image ? { image: imageJson(t.image) } : {}),
    ...(t.distro ? { distro: pick(t.distro, DISTRO_KEYS) } : {}),
    ...(t.artifactPath !== undefined ? { artifactPath: t.artifactPath } : {}),
    packageCount: t.packages.length,
    summary: summaryJson(countTargets([t])),
    findings: t.findings.map(findingJson),
    undecided: t.undecided.map(undecidedJson),
  };
}

export function buildReportJson(doc: ReportDocument) {
  return {
    schema: REPORT_SCHEMA,
    tool: { name: doc.tool.name, version: doc.tool.version, informationUri: doc.tool.informationUri },
    timestamp: doc.timestamp.toISOString(),
    ...(doc.category !== undefined ? { category: doc.category } : {}),
    ...(doc.db
      ? {
          db: {
            builtAt: doc.db.builtAt,
            updatedAt: doc.db.updatedAt,
            sources: doc.db.sources.map((s) => ({ name: s.name, ...(s.snapshot !== undefined ? { snapshot: s.snapshot } : {}) })),
          },
        }
      : {}),
    summary: summaryJson(countTargets(doc.targets)),
    targets: doc.targets.map(targetJson),
  };
}

/** JSON lists every finding whatever the options say (suppressed ones carry `suppressed`). */
export function render(doc: ReportDocument, _opts: RenderOptions): string {
  void _exhaustive;
  return JSON.stringify(buildReportJson(doc), null, 2) + "\n";
}
