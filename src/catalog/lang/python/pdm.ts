// pdm.lock (TOML, pdm-project.org "Lock file"): one [[package]] per locked distribution with name,
// version, `groups = ["default", "dev", …]` (lock_version 4.4+) and `dependencies` as PEP 508
// strings. The same distribution appears once per requested extra set (`extras = [...]`); those
// share a purl and are merged. Dev: none of its groups is "default" (unset when the lock records
// no groups). Direct: declared in the pyproject.toml beside the lock (unset without one).
import type { Package, Unknown } from "../../../model/package.js";
import type { Cataloger, CatalogResult } from "../../cataloger.js";
import { baseName, checkCount, isTable, locationOf, LockIndex, parseRequirement, pypiPackage, readToml, stringArray, unknownAt, validName, validVersion } from "./common.js";
import { isDeclared, readManifest } from "./project.js";

export const PDM_LOCK = "python-pdm-lock";

export const pdmLockCataloger: Cataloger = {
  id: PDM_LOCK,
  version: 1,
  claims: (path) => {
    const b = baseName(path);
    return b === "pdm.lock" || b === "pyproject.toml";
  },
  primary: (path) => baseName(path) === "pdm.lock",
  async parse(file, env): Promise<CatalogResult> {
    const doc = readToml(file, env, "pdm.lock");
    const entries = Array.isArray(doc["package"]) ? doc["package"].filter(isTable) : [];
    checkCount(entries.length, file);
    const manifest = readManifest(file, env, "pyproject.toml", PDM_LOCK);
    const unknowns: Unknown[] = [...manifest.unknowns];
    const valid = entries.filter((e) => validName(e["name"]) && validVersion(e["version"]));
    if (valid.length < entries.length) unknowns.push(unknownAt(file, PDM_LOCK, `${entries.length - valid.length} [[package]] entries without a valid name and version skipped`));
    const index = new LockIndex();
    for (const e of valid) index.add(e["name"] as string, e["version"] as string);
    const location = locationOf(file);
    const packages: Package[] = valid.map((e) => {
      const name = e["name"] as string;
      const groups = stringArray(e["groups"]);
      const deps = stringArray(e["dependencies"])
        .map((r) => parseRequirement(r)?.name)
        .filter((n): n is string => !!n);
      return pypiPackage({
        name,
        version: e["version"] as string,
        foundBy: PDM_LOCK,
        location,
        evidence: "lockfile",
        dev: groups.length > 0 && !groups.includes("default"),
        ...(manifest.declared ? { direct: isDeclared(manifest.declared, name) } : {}),
        dependsOn: deps.map((d) => index.resolve(d)).filter((p): p is string => !!p),
      });
    });
    return { packages, unknowns };
  },
};
