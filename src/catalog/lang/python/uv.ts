// uv.lock (TOML, docs.astral.sh/uv "The lockfile"): one [[package]] per locked distribution with
// name, version, `source = { registry | git | url | path | directory | editable | virtual = … }`,
// `dependencies = [{ name, version?, marker?, extra? }]`, [package.optional-dependencies] and
// [package.dev-dependencies] (group → list). Packages whose source is `editable` or `virtual` are
// the project itself (workspace members): they are not reported; what they depend on is direct,
// their dev-dependencies are direct and dev. Everything else is transitive, and dev when reachable
// only through a member's dev-dependencies. Without a member (an unusual lock) direct/dev stay unset.
import type { Package, Unknown } from "../../../model/package.js";
import type { Cataloger, CatalogResult } from "../../cataloger.js";
import { baseName, checkCount, isTable, locationOf, LockIndex, pypiPackage, pypiPurl, readToml, unknownAt, validName, validVersion, type Table } from "./common.js";

export const UV_LOCK = "python-uv-lock";

function isMember(e: Table): boolean {
  const s = e["source"];
  return isTable(s) && ("editable" in s || "virtual" in s);
}

function depList(v: unknown): Table[] {
  return Array.isArray(v) ? v.filter(isTable) : [];
}

function groupLists(v: unknown): Table[] {
  return isTable(v) ? Object.values(v).flatMap(depList) : [];
}

export const uvLockCataloger: Cataloger = {
  id: UV_LOCK,
  version: 1,
  claims: (path) => baseName(path) === "uv.lock",
  primary: (path) => baseName(path) === "uv.lock",
  async parse(file, env): Promise<CatalogResult> {
    const doc = readToml(file, env, "uv.lock");
    const entries = Array.isArray(doc["package"]) ? doc["package"].filter(isTable) : [];
    checkCount(entries.length, file);
    const unknowns: Unknown[] = [];
    const members = entries.filter(isMember);
    const locked = entries.filter((e) => !isMember(e));
    const valid = locked.filter((e) => validName(e["name"]) && validVersion(e["version"]));
    if (valid.length < locked.length) unknowns.push(unknownAt(file, UV_LOCK, `${locked.length - valid.length} [[package]] entries without a valid name and version skipped`));
    const index = new LockIndex();
    for (const e of valid) index.add(e["name"] as string, e["version"] as string);
    const resolve = (d: Table): string | undefined => (typeof d["name"] === "string" ? index.resolve(d["name"], typeof d["version"] === "string" ? d["version"] : undefined) : undefined);
    const edges = new Map<string, string[]>();
    for (const e of valid) {
      const deps = [...depList(e["dependencies"]), ...groupLists(e["optional-dependencies"])];
      edges.set(pypiPurl(e["name"] as string, e["version"] as string), deps.map(resolve).filter((p): p is string => !!p));
    }
    // Reachability from the project's runtime and dev requirements.
    const reach = (starts: (string | undefined)[]): Set<string> => {
      const seen = new Set<string>();
      const todo = starts.filter((p): p is string => !!p);
      while (todo.length) {
        const p = todo.pop()!;
        if (seen.has(p)) continue;
        seen.add(p);
        todo.push(...(edges.get(p) ?? []));
      }
      return seen;
    };
    const directRuntime = members.flatMap((m) => [...depList(m["dependencies"]), ...groupLists(m["optional-dependencies"])]).map(resolve);
    const directDev = members.flatMap((m) => groupLists(m["dev-dependencies"])).map(resolve);
    const direct = new Set([...directRuntime, ...directDev].filter((p): p is string => !!p));
    const runtime = reach(directRuntime);
    const dev = reach(directDev);
    const location = locationOf(file);
    const packages: Package[] = valid.map((e) => {
      const p = pypiPurl(e["name"] as string, e["version"] as string);
      return pypiPackage({
        name: e["name"] as string,
        version: e["version"] as string,
        foundBy: UV_LOCK,
        location,
        evidence: "lockfile",
        ...(members.length ? { direct: direct.has(p), dev: dev.has(p) && !runtime.has(p) } : {}),
        dependsOn: edges.get(p) ?? [],
      });
    });
    return { packages, unknowns };
  },
};
