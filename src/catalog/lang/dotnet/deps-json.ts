// <app>.deps.json, written by the .NET SDK beside a built or published application and read by the
// host to resolve assemblies (dotnet/runtime docs "design/features/host-deps-json" — the
// `runtimeTarget`, `targets` and `libraries` sections). `libraries` says what each "Name/Version"
// is: only `"type": "package"` entries (NuGet packages) are reported; "project" entries are the
// application and its project references, "runtimepack"/"reference" entries are parts of the
// runtime, not NuGet dependencies. The target named by runtimeTarget (else every target) gives
// the edges: the application's own project entry (named like the file) lists the direct
// dependencies, everything else is transitive. A published app is evidence of what is installed.
import type { Package, Unknown } from "../../../model/package.js";
import type { Cataloger, CatalogResult } from "../../cataloger.js";
import { checkCount, isObject, locationOf, nugetPackage, nugetPurl, readJson, unknownAt, validId, validVersion, type Json } from "./common.js";

export const DOTNET_DEPS = "dotnet-deps-json";

export function isDepsJson(path: string): boolean {
  return path.endsWith(".deps.json");
}

function splitKey(key: string): { name: string; version: string } | undefined {
  const i = key.lastIndexOf("/");
  if (i <= 0) return undefined;
  const name = key.slice(0, i);
  const version = key.slice(i + 1);
  return validId(name) && validVersion(version) ? { name, version } : undefined;
}

export const depsJsonCataloger: Cataloger = {
  id: DOTNET_DEPS,
  version: 1,
  claims: isDepsJson,
  primary: isDepsJson,
  async parse(file, env): Promise<CatalogResult> {
    const doc = readJson(file, env, "deps.json");
    if (!isObject(doc) || !isObject(doc["libraries"])) return { packages: [], unknowns: [unknownAt(file, DOTNET_DEPS, "deps.json without a libraries object")] };
    const libraries = doc["libraries"];
    const keys = Object.keys(libraries);
    checkCount(keys.length, file);
    const unknowns: Unknown[] = [];
    const typeOf = new Map<string, string>(); // lower-cased "name/version" → type
    for (const k of keys) {
      const lib = libraries[k];
      typeOf.set(k.toLowerCase(), isObject(lib) && typeof lib["type"] === "string" ? lib["type"] : "");
    }
    // The targets whose entries give the edges.
    const targets = isObject(doc["targets"]) ? doc["targets"] : {};
    const rt = isObject(doc["runtimeTarget"]) ? doc["runtimeTarget"]["name"] : undefined;
    const chosen: Json[] = (typeof rt === "string" && isObject(targets[rt]) ? [targets[rt]] : Object.values(targets)).filter(isObject);
    const edges = new Map<string, Set<string>>(); // lower key → lower dependency keys
    for (const t of chosen) {
      for (const [k, entry] of Object.entries(t)) {
        if (!isObject(entry) || !isObject(entry["dependencies"])) continue;
        const set = edges.get(k.toLowerCase()) ?? new Set<string>();
        for (const [n, v] of Object.entries(entry["dependencies"])) if (typeof v === "string") set.add(`${n}/${v}`.toLowerCase());
        edges.set(k.toLowerCase(), set);
      }
    }
    // The application: the project entry named like the file ("MyApp.deps.json" → "MyApp/…").
    const appName = file.path.slice(file.path.lastIndexOf("/") + 1, -".deps.json".length).toLowerCase();
    const app = keys.find((k) => typeOf.get(k.toLowerCase()) === "project" && k.slice(0, k.lastIndexOf("/")).toLowerCase() === appName);
    const direct = app ? edges.get(app.toLowerCase()) ?? new Set<string>() : undefined;
    const purlOf = new Map<string, string>(); // lower key → purl, packages only
    const packageKeys: { key: string; name: string; version: string }[] = [];
    let invalid = 0;
    for (const k of keys) {
      if (typeOf.get(k.toLowerCase()) !== "package") continue;
      const nv = splitKey(k);
      if (!nv) {
        invalid++;
        continue;
      }
      packageKeys.push({ key: k, ...nv });
      purlOf.set(k.toLowerCase(), nugetPurl(nv.name, nv.version));
    }
    if (invalid) unknowns.push(unknownAt(file, DOTNET_DEPS, `${invalid} package libraries without a valid "Name/Version" key skipped`));
    const location = locationOf(file);
    const packages: Package[] = packageKeys.map(({ key, name, version }) =>
      nugetPackage({
        name,
        version,
        foundBy: DOTNET_DEPS,
        location,
        evidence: "installed",
        ...(direct ? { direct: direct.has(key.toLowerCase()) } : {}),
        dependsOn: [...(edges.get(key.toLowerCase()) ?? [])].map((d) => purlOf.get(d)).filter((p): p is string => !!p),
      }),
    );
    return { packages, unknowns };
  },
};
