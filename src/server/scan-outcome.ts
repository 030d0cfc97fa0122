// What a scan and a re-match store, in one place (scan-job.ts and rematch.ts both call these): the
// library's findings as stored findings and vulnerabilities, and the inventory's packages with the
// key the matcher asks advisories under (so a DB update finds the images it concerns).
import type { Finding } from "../model/finding.js";
import type { Distro, Package } from "../model/package.js";
import { matchKeys } from "../match/match.js";
import type { StoredFinding, StoredPackage, StoredVulnerability } from "../store/images.js";
import type { VulnDb } from "../vulndb/index.js";

/**
 * A finding as stored: the whole library finding without its advisory description (the text stays in
 * the vulnerability DB; stored per image × finding it would be copied into every image that has it).
 */
export function toStoredFinding(f: Finding): StoredFinding {
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

/** Packages as stored, each with its match key ("" when the matcher does not ask about it). */
export function toStoredPackages(packages: readonly Package[], distro: Distro | undefined): StoredPackage[] {
  const keys = matchKeys({ packages, ...(distro ? { distro } : {}) });
  return packages.map((p) => {
    const k = keys.get(p.purl);
    return { purl: p.purl, name: p.name, version: p.version, type: p.type, matchEcosystem: k?.ecosystem ?? "", matchName: k?.name ?? "" };
  });
}

/** The version a match used: the database's content build time. */
export function vulnDbVersion(db: VulnDb): string {
  return db.metadata().builtAt;
}
