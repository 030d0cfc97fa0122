// Helpers shared by the Composer catalogers: package objects as Composer writes them in both
// vendor/composer/installed.json and composer.lock (getcomposer.org/doc/04-schema.md), purls,
// bounded JSON, and the root composer.json that says which packages are direct.
import type { Location, Package, Unknown } from "../../../model/package.js";
import { BerthError } from "../../../util/errors.js";
import { type CatalogEnv, type CatalogFile } from "../../cataloger.js";
import { purl } from "../../purl.js";
import { locationOf, unknownAt, readJson, MAX_PACKAGES_PER_FILE } from "../../cataloger.js";
export { locationOf, unknownAt, readJson, MAX_PACKAGES_PER_FILE };

// "vendor/name" per the composer.json schema, compared case-insensitively.
const NAME = /^[a-z0-9](?:[_.-]?[a-z0-9]+){0,100}\/[a-z0-9](?:(?:[_.]|-{1,2})?[a-z0-9]+){0,100}$/i;
const VERSION = /^[\x21-\x7e]{1,128}$/;

export type Json = Record<string, unknown>;

export function isObject(v: unknown): v is Json {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

export function validPackageName(v: unknown): v is string {
  return typeof v === "string" && v.length <= 214 && NAME.test(v);
}

export function validVersion(v: unknown): v is string {
  return typeof v === "string" && VERSION.test(v);
}

export function composerPurl(name: string, version: string): string {
  const [vendor, pkg] = name.split("/") as [string, string];
  return purl("composer", vendor, pkg, version);
}

export function licensesOf(v: unknown): string[] {
  const list = typeof v === "string" ? [v] : Array.isArray(v) ? v : [];
  return list.filter((l): l is string => typeof l === "string" && l.length > 0 && l.length <= 200).slice(0, 64);
}

function keysOf(v: unknown): string[] {
  return isObject(v) ? Object.keys(v).map((k) => k.toLowerCase()) : [];
}

/**
 * Composer package objects → Packages, with dependsOn resolved among the same list: a `require`
 * names either a listed package or a virtual package another one `provide`s or `replace`s
 * (psr/log-implementation → monolog/monolog). Platform requirements (php, ext-*, lib-*) resolve
 * to nothing and are dropped.
 */
export function composerPackages(
  entries: readonly { readonly obj: Json; readonly dev?: boolean }[],
  ctx: { foundBy: string; evidence: "installed" | "lockfile"; location: Location; direct?: ReadonlySet<string>; file: CatalogFile },
): { packages: Package[]; unknowns: Unknown[] } {
  if (entries.length > MAX_PACKAGES_PER_FILE) throw new BerthError("limit", `${ctx.location.path}: more than ${MAX_PACKAGES_PER_FILE} packages`);
  const valid = entries.filter((e) => validPackageName(e.obj["name"]) && validVersion(e.obj["version"]));
  const byName = new Map<string, string>();
  for (const { obj } of valid) byName.set((obj["name"] as string).toLowerCase(), composerPurl((obj["name"] as string).toLowerCase(), obj["version"] as string));
  const provided = new Map<string, string[]>();
  for (const { obj } of valid) {
    const self = byName.get((obj["name"] as string).toLowerCase())!;
    for (const k of [...keysOf(obj["provide"]), ...keysOf(obj["replace"])]) if (!byName.has(k)) provided.set(k, [...(provided.get(k) ?? []), self]);
  }
  const packages = valid.map(({ obj, dev }) => {
    const name = (obj["name"] as string).toLowerCase();
    const self = byName.get(name)!;
    const dependsOn = [...new Set(keysOf(obj["require"]).flatMap((r) => (byName.has(r) ? [byName.get(r)!] : provided.get(r) ?? [])))].filter((p) => p !== self);
    const pkg: Package = {
      type: "composer",
      name,
      version: obj["version"] as string,
      purl: self,
      licenses: licensesOf(obj["license"]),
      locations: [ctx.location],
      foundBy: ctx.foundBy,
      evidence: ctx.evidence,
      ...(ctx.direct ? { direct: ctx.direct.has(name) } : {}),
      ...(dev ? { dev: true } : {}),
      ...(dependsOn.length ? { dependsOn } : {}),
    };
    return pkg;
  });
  const unknowns = valid.length < entries.length ? [unknownAt(ctx.file, ctx.foundBy, `${entries.length - valid.length} package entries without a valid name and version skipped`)] : [];
  return { packages, unknowns };
}

/** The names a root composer.json requires (require and require-dev), lower-cased. */
export function rootRequires(file: CatalogFile | undefined, env: CatalogEnv): Set<string> | undefined {
  if (!file) return undefined;
  try {
    const doc = readJson(file, env, "composer.json");
    if (!isObject(doc)) return undefined;
    return new Set([...keysOf(doc["require"]), ...keysOf(doc["require-dev"])]);
  } catch {
    return undefined;
  }
}

/** A composer.json that is a project's own (not one of the packages copied into vendor/). */
export function isRootComposerJson(path: string): boolean {
  return (path === "composer.json" || path.endsWith("/composer.json")) && !path.startsWith("vendor/") && !path.includes("/vendor/");
}
