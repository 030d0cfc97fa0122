// Pipfile.lock (JSON, pipenv "pipfile-spec" 6): "default" and "develop" map names to
// { version: "==x.y", hashes, markers, index } — or to { git/path/file, ref, editable } for sources
// without a registry version. Entries only in "develop" are dev. Direct: declared in the Pipfile
// beside the lock (unset without one). The lock records no dependency edges. Entries without an
// exact "==" version are counted in one Unknown for the file.
import type { Package, Unknown } from "../../../model/package.js";
import type { Cataloger, CatalogResult } from "../../cataloger.js";
import { baseName, checkCount, isTable, locationOf, normalizeName, pypiPackage, readJson, unknownAt, validName, validVersion, type Table } from "./common.js";
import { isDeclared, readManifest } from "./project.js";

export const PIPFILE_LOCK = "python-pipfile-lock";

function pinned(v: unknown): string | undefined {
  if (typeof v !== "string") return undefined;
  const m = /^\s*===?\s*([^\s*,;]+)\s*$/.exec(v);
  return m?.[1] && validVersion(m[1]) ? m[1] : undefined;
}

export const pipfileLockCataloger: Cataloger = {
  id: PIPFILE_LOCK,
  version: 1,
  claims: (path) => {
    const b = baseName(path);
    return b === "Pipfile.lock" || b === "Pipfile";
  },
  primary: (path) => baseName(path) === "Pipfile.lock",
  async parse(file, env): Promise<CatalogResult> {
    const doc = readJson(file, env, "Pipfile.lock");
    if (!isTable(doc)) return { packages: [], unknowns: [unknownAt(file, PIPFILE_LOCK, "Pipfile.lock is not a JSON object")] };
    const sections: [Table, boolean][] = [];
    if (isTable(doc["default"])) sections.push([doc["default"], false]);
    if (isTable(doc["develop"])) sections.push([doc["develop"], true]);
    checkCount(sections.reduce((n, [s]) => n + Object.keys(s).length, 0), file);
    const manifest = readManifest(file, env, "Pipfile", PIPFILE_LOCK);
    const unknowns: Unknown[] = [...manifest.unknowns];
    const runtimeNames = new Set(Object.keys(isTable(doc["default"]) ? doc["default"] : {}).map(normalizeName));
    const location = locationOf(file);
    const packages: Package[] = [];
    const unpinned: string[] = [];
    for (const [section, isDev] of sections) {
      for (const [name, entry] of Object.entries(section)) {
        const version = isTable(entry) ? pinned(entry["version"]) : undefined;
        if (!validName(name) || !version) {
          unpinned.push(name.slice(0, 100));
          continue;
        }
        packages.push(
          pypiPackage({
            name,
            version,
            foundBy: PIPFILE_LOCK,
            location,
            evidence: "lockfile",
            dev: isDev && !runtimeNames.has(normalizeName(name)),
            ...(manifest.declared ? { direct: isDeclared(manifest.declared, name) } : {}),
          }),
        );
      }
    }
    if (unpinned.length) unknowns.push(unknownAt(file, PIPFILE_LOCK, `${unpinned.length} entries without an exact version (git, path, editable or invalid) not reported: ${unpinned.slice(0, 10).join(", ")}${unpinned.length > 10 ? ", …" : ""}`));
    return { packages, unknowns };
  },
};
