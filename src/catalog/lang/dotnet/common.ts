// Helpers shared by the .NET catalogers: NuGet ids, versions and purls, bounded JSON.
import type { Location, Package } from "../../../model/package.js";
import { purl } from "../../purl.js";
import { locationOf, unknownAt, readJson, checkCount, MAX_PACKAGES_PER_FILE } from "../../cataloger.js";
export { locationOf, unknownAt, readJson, checkCount, MAX_PACKAGES_PER_FILE };

// NuGet package ids: letters, digits, ".", "_", "-" (NuGet.Packaging PackageIdValidator), ≤ 100.
const ID = /^[A-Za-z0-9_](?:[A-Za-z0-9_.-]{0,99})$/;
// NuGet (SemVer 2 with up to four numeric parts) versions as written in these files.
const VERSION = /^[0-9][0-9A-Za-z.+-]{0,127}$/;

export type Json = Record<string, unknown>;

export function isObject(v: unknown): v is Json {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

export function validId(v: unknown): v is string {
  return typeof v === "string" && ID.test(v);
}

export function validVersion(v: unknown): v is string {
  return typeof v === "string" && VERSION.test(v);
}

export function nugetPurl(name: string, version: string): string {
  return purl("nuget", undefined, name, version);
}

export function nugetPackage(f: { name: string; version: string; foundBy: string; location: Location; evidence: "installed" | "lockfile"; direct?: boolean; dependsOn?: readonly string[] }): Package {
  const self = nugetPurl(f.name, f.version);
  const dependsOn = [...new Set(f.dependsOn ?? [])].filter((p) => p !== self);
  return {
    type: "nuget",
    name: f.name,
    version: f.version,
    purl: self,
    licenses: [],
    locations: [f.location],
    foundBy: f.foundBy,
    evidence: f.evidence,
    ...(f.direct !== undefined ? { direct: f.direct } : {}),
    ...(dependsOn.length ? { dependsOn } : {}),
  };
}
