// Helpers shared by the Ruby catalogers: gem names, versions and purls, file locations.
import type { Location, Package } from "../../../model/package.js";
import { purl } from "../../purl.js";
import { locationOf, unknownAt, textOf } from "../../cataloger.js";
export { locationOf, unknownAt, textOf };

/** Most gems one file may declare. */
export const MAX_GEMS_PER_FILE = 100_000;

// rubygems names: letters, digits, ".", "_", "-" (Gem::Specification#validate_name), bounded.
const NAME = /^[A-Za-z0-9._-]{1,214}$/;
// Gem::Version: segments of digits and letters separated by "." (and "-" for prereleases).
const VERSION = /^[0-9][0-9A-Za-z.+-]{0,127}$/;
const PLATFORM = /^[A-Za-z0-9._-]{1,64}$/;

export function validGemName(v: unknown): v is string {
  return typeof v === "string" && NAME.test(v);
}
export function validGemVersion(v: unknown): v is string {
  return typeof v === "string" && VERSION.test(v);
}
export function validPlatform(v: unknown): v is string {
  return typeof v === "string" && PLATFORM.test(v);
}

/** pkg:gem/<name>@<version>, with ?platform= for a platform-specific build (not "ruby"). */
export function gemPurl(name: string, version: string, platform?: string): string {
  return purl("gem", undefined, name, version, { platform: platform && platform !== "ruby" ? platform : undefined });
}

export interface GemFields {
  readonly name: string;
  readonly version: string;
  readonly platform?: string;
  readonly foundBy: string;
  readonly location: Location;
  readonly evidence: "installed" | "lockfile";
  readonly licenses?: readonly string[];
  readonly direct?: boolean;
  readonly dependsOn?: readonly string[];
  readonly metadata?: Readonly<Record<string, string>>;
}

export function gemPackage(f: GemFields): Package {
  const self = gemPurl(f.name, f.version, f.platform);
  const dependsOn = [...new Set(f.dependsOn ?? [])].filter((p) => p !== self);
  const metadata = { ...(f.platform && f.platform !== "ruby" ? { platform: f.platform } : {}), ...(f.metadata ?? {}) };
  return {
    type: "gem",
    name: f.name,
    version: f.version,
    purl: self,
    licenses: f.licenses ?? [],
    locations: [f.location],
    foundBy: f.foundBy,
    evidence: f.evidence,
    ...(f.direct !== undefined ? { direct: f.direct } : {}),
    ...(dependsOn.length ? { dependsOn } : {}),
    ...(Object.keys(metadata).length ? { metadata } : {}),
  };
}
