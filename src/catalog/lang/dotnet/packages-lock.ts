// packages.lock.json, NuGet's repeatable-restore lock file (learn.microsoft.com, "Enable
// repeatable package restores using a lock file"): { version, dependencies: { "<tfm>[/<rid>]":
// { "<id>": { type: Direct | Transitive | CentralTransitive | Project, requested?, resolved,
// contentHash, dependencies: { "<id>": "<range or version>" } } } } }. Every framework (and
// runtime-specific) section is read; a package locked in several is one package, direct when any
// section says Direct. "Project" entries are project references, not NuGet packages. Edges resolve
// a dependency id to the version resolved in the same section.
import type { Package, Unknown } from "../../../model/package.js";
import type { Cataloger, CatalogResult } from "../../cataloger.js";
import { checkCount, isObject, locationOf, nugetPackage, nugetPurl, readJson, unknownAt, validId, validVersion } from "./common.js";

export const DOTNET_PACKAGES_LOCK = "dotnet-packages-lock";

export function isPackagesLock(path: string): boolean {
  return path === "packages.lock.json" || path.endsWith("/packages.lock.json");
}

export const packagesLockCataloger: Cataloger = {
  id: DOTNET_PACKAGES_LOCK,
  version: 1,
  claims: isPackagesLock,
  primary: isPackagesLock,
  async parse(file, env): Promise<CatalogResult> {
    const doc = readJson(file, env, "packages.lock.json");
    if (!isObject(doc) || !isObject(doc["dependencies"])) return { packages: [], unknowns: [unknownAt(file, DOTNET_PACKAGES_LOCK, "packages.lock.json without a dependencies object")] };
    const found = new Map<string, { name: string; version: string; direct: boolean; deps: Set<string> }>();
    let invalid = 0;
    let count = 0;
    for (const section of Object.values(doc["dependencies"])) {
      if (!isObject(section)) continue;
      checkCount((count += Object.keys(section).length), file);
      const resolvedIn = new Map<string, string>(); // lower id → purl of the version locked in this section
      for (const [id, e] of Object.entries(section)) if (isObject(e) && e["type"] !== "Project" && validId(id) && validVersion(e["resolved"])) resolvedIn.set(id.toLowerCase(), nugetPurl(id, e["resolved"]));
      for (const [id, e] of Object.entries(section)) {
        if (!isObject(e) || e["type"] === "Project") continue;
        const version = e["resolved"];
        if (!validId(id) || !validVersion(version)) {
          invalid++;
          continue;
        }
        const p = nugetPurl(id, version);
        const rec = found.get(p) ?? { name: id, version, direct: false, deps: new Set<string>() };
        rec.direct ||= e["type"] === "Direct";
        if (isObject(e["dependencies"])) {
          for (const d of Object.keys(e["dependencies"])) {
            const dep = resolvedIn.get(d.toLowerCase());
            if (dep) rec.deps.add(dep);
          }
        }
        found.set(p, rec);
      }
    }
    const unknowns: Unknown[] = invalid ? [unknownAt(file, DOTNET_PACKAGES_LOCK, `${invalid} entries without a valid id and resolved version skipped`)] : [];
    const location = locationOf(file);
    const packages: Package[] = [...found.values()].map((r) => nugetPackage({ name: r.name, version: r.version, foundBy: DOTNET_PACKAGES_LOCK, location, evidence: "lockfile", direct: r.direct, dependsOn: [...r.deps] }));
    return { packages, unknowns };
  },
};
