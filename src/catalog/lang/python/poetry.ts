// poetry.lock (TOML, python-poetry.org): one [[package]] per locked distribution with name,
// version, and either `category = "main" | "dev"` (lock-version 1.x/2.0, Poetry < 1.5) or
// `groups = ["main", "dev", …]` (lock-version 2.1, Poetry 2); [package.dependencies] maps names to
// constraints. A package is dev when its category is "dev" or none of its groups is "main".
// Direct: declared in the pyproject.toml beside the lock (unset without one).
import type { Package, Unknown } from "../../../model/package.js";
import type { Cataloger, CatalogResult } from "../../cataloger.js";
import { baseName, checkCount, isTable, locationOf, LockIndex, pypiPackage, readToml, stringArray, unknownAt, validName, validVersion } from "./common.js";
import { isDeclared, readManifest } from "./project.js";

export const POETRY_LOCK = "python-poetry-lock";

export const poetryLockCataloger: Cataloger = {
  id: POETRY_LOCK,
  version: 1,
  claims: (path) => {
    const b = baseName(path);
    return b === "poetry.lock" || b === "pyproject.toml";
  },
  primary: (path) => baseName(path) === "poetry.lock",
  async parse(file, env): Promise<CatalogResult> {
    const doc = readToml(file, env, "poetry.lock");
    const entries = Array.isArray(doc["package"]) ? doc["package"].filter(isTable) : [];
    checkCount(entries.length, file);
    const manifest = readManifest(file, env, "pyproject.toml", POETRY_LOCK);
    const unknowns: Unknown[] = [...manifest.unknowns];
    const index = new LockIndex();
    const valid = entries.filter((e) => validName(e["name"]) && validVersion(e["version"]));
    if (valid.length < entries.length) unknowns.push(unknownAt(file, POETRY_LOCK, `${entries.length - valid.length} [[package]] entries without a valid name and version skipped`));
    for (const e of valid) index.add(e["name"] as string, e["version"] as string);
    const location = locationOf(file);
    const packages: Package[] = valid.map((e) => {
      const name = e["name"] as string;
      const groups = stringArray(e["groups"]);
      const dev = e["category"] === "dev" || (groups.length > 0 && !groups.includes("main"));
      const deps = isTable(e["dependencies"]) ? Object.keys(e["dependencies"]) : [];
      return pypiPackage({
        name,
        version: e["version"] as string,
        foundBy: POETRY_LOCK,
        location,
        evidence: "lockfile",
        dev,
        ...(manifest.declared ? { direct: isDeclared(manifest.declared, name) } : {}),
        dependsOn: deps.map((d) => index.resolve(d)).filter((p): p is string => !!p),
      });
    });
    return { packages, unknowns };
  },
};
