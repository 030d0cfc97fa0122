// What a scan and a re-match store, in one place (scan-job.ts and rematch.ts both call these): the
// library's findings as stored findings and vulnerabilities, and the inventory's packages with the
// key the matcher asks advisories under (so a DB update finds the images it concerns).
import type { Finding } from "../model/finding.js";
import type { Distro, Package } from "../model/package.js";
import type { ImageMetadata } from "../model/image.js";
import { matchKeys, matchQueries, verdictKey } from "../match/match.js";
import type { StoredFinding, StoredPackage, StoredVulnerability } from "../store/images.js";
import type { VulnDb } from "../vulndb/index.js";
import { applyBaseImageRemediation, withoutBaseImageRemediation } from "../scan/remediation.js";

/**
 * A finding as stored: the whole library finding without its advisory description (the text stays in
 * the vulnerability DB; stored per image × finding it would be copied into every image that has it)
 * and without the base-image note, which depends on the image's other findings and is applied when
 * they are read (withStoredBaseRemediation): so a re-match writes only the findings of the packages
 * whose verdict changed, whatever the image's layers.
 */
export function toStoredFinding(finding: Finding): StoredFinding {
  const f = withoutBaseImageRemediation(finding);
  const { description: _description, ...data } = f;
  return {
    vulnerabilityId: f.id,
    packagePurl: f.package.purl,
    packageName: f.package.name,
    installedVersion: f.installedVersion,
    fixStatus: f.status,
    fixedVersions: f.fixedVersions,
    severity: f.severity,
    data,
  };
}

export function toStoredVulnerability(f: Finding): StoredVulnerability {
  return {
    id: f.id,
    severity: f.severity,
    aliases: f.aliases,
    kev: f.kev,
    ...(f.title ? { title: f.title } : {}),
    ...(f.url ? { url: f.url } : {}),
    ...(f.modified ? { modified: f.modified } : {}),
  };
}

/**
 * Packages as stored, each with its match key ("" when the matcher does not ask about it) and, when
 * matched, what a re-match composes its findings from without the inventory (server/rematch.ts): the
 * verdict key and the package fields matching reads (its file list only decided ownership, now in the key).
 */
export function toStoredPackages(packages: readonly Package[], distro: Distro | undefined): StoredPackage[] {
  const input = { packages, ...(distro ? { distro } : {}) };
  const keys = matchKeys(input);
  const verdicts = new Map(matchQueries(input).map(({ p, q }) => [p.purl, verdictKey(q)]));
  return packages.map((p) => {
    const k = keys.get(p.purl);
    const v = k ? verdicts.get(p.purl) : undefined;
    return { purl: p.purl, name: p.name, version: p.version, type: p.type, matchEcosystem: k?.ecosystem ?? "", matchName: k?.name ?? "", ...(v !== undefined ? { verdictKey: v, packageJson: JSON.stringify(matchedPackage(p)) } : {}) };
  });
}

/**
 * What matching and a finding read of a package (match/ecosystem.ts advisoryQuery, match.ts
 * findingPackage and layerOf): the rest (licenses, files, metadata) stays in the stored inventory.
 */
function matchedPackage(p: Package): Package {
  return {
    type: p.type,
    name: p.name,
    version: p.version,
    purl: p.purl,
    ...(p.sourceName !== undefined ? { sourceName: p.sourceName } : {}),
    ...(p.sourceVersion !== undefined ? { sourceVersion: p.sourceVersion } : {}),
    licenses: [],
    locations: p.locations,
    foundBy: p.foundBy,
  };
}

/** The image's part of its findings (distro; layers and base-image labels), stored as images.match_image_json. */
export function toMatchImageJson(distro: Distro | undefined, image: ImageMetadata | undefined): string {
  const compact = image ? compactImage(image) : undefined;
  return JSON.stringify({ ...(distro ? { distro } : {}), ...(compact ? { image: compact } : {}) });
}

/** The image metadata a finding reads (layers; the base-image labels of scan/remediation.ts), without the rest of the config. */
function compactImage(image: ImageMetadata): ImageMetadata {
  const labels = image.config?.labels ?? {};
  const base = Object.fromEntries(["org.opencontainers.image.base.name", "org.opencontainers.image.base.digest"].filter((k) => labels[k] !== undefined).map((k) => [k, labels[k]!]));
  return { reference: image.reference, tags: [], layers: image.layers, config: { env: [], entrypoint: [], cmd: [], labels: base, history: [] } };
}

/**
 * An image's open stored findings with the base-image note applied as a scan applies it (over all of
 * them: scan/remediation.ts), from the image context the scan recorded (images.match_image_json).
 */
export function withStoredBaseRemediation<R extends { readonly data_json: string; readonly state: string }>(rows: readonly R[], matchImageJson: string | null): R[] {
  let image: ImageMetadata | undefined;
  let open: { row: R; finding: Finding }[];
  try {
    image = matchImageJson ? (JSON.parse(matchImageJson) as { image?: ImageMetadata }).image : undefined;
    if (!image || !Array.isArray(image.layers) || image.layers.length < 2) return [...rows];
    open = rows.filter((r) => r.state === "open").map((row) => ({ row, finding: JSON.parse(row.data_json) as Finding }));
  } catch {
    return [...rows]; // a corrupt row is shown as stored
  }
  const noted = applyBaseImageRemediation(open.map((o) => o.finding), image);
  const byRow = new Map(open.map((o, i) => [o.row, noted[i]!]));
  return rows.map((r) => {
    const f = byRow.get(r);
    return f?.layer?.fromBase ? { ...r, data_json: JSON.stringify(f) } : r;
  });
}

/** The version a match used: the database's content build time. */
export function vulnDbVersion(db: VulnDb): string {
  return db.metadata().builtAt;
}
