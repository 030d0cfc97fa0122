// Helpers shared by the .NET catalogers: NuGet ids, versions and purls, bounded JSON.
import type { Location, Package, Unknown } from "../../../model/package.js";
import { BerthError } from "../../../util/errors.js";
import { limitExceeded } from "../../../util/limits.js";
import { absolutePath, type CatalogEnv, type CatalogFile } from "../../cataloger.js";
import { purl } from "../../purl.js";

export const MAX_PACKAGES_PER_FILE = 100_000;

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

export function locationOf(file: CatalogFile): Location {
  return { path: absolutePath(file.path), ...(file.layerDigest ? { layerDigest: file.layerDigest } : {}) };
}

export function unknownAt(file: CatalogFile, cataloger: string, message: string): Unknown {
  return { ...locationOf(file), cataloger, message };
}

export function readJson(file: CatalogFile, env: CatalogEnv, what: string): unknown {
  if (file.data.length > env.limits.maxFileBytes) throw limitExceeded("maxFileBytes", env.limits.maxFileBytes, absolutePath(file.path));
  // .NET tools write a UTF-8 byte order mark at times.
  const text = file.data.toString("utf8").replace(/^\uFEFF/, "");
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw new BerthError("corrupt", `${absolutePath(file.path)}: not a valid ${what} (JSON: ${e instanceof Error ? e.message.split("\n")[0] : "unreadable"})`, { cause: e });
  }
}

export function checkCount(n: number, file: CatalogFile): void {
  if (n > MAX_PACKAGES_PER_FILE) throw new BerthError("limit", `${absolutePath(file.path)}: more than ${MAX_PACKAGES_PER_FILE} packages`);
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
