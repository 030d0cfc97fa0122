// Installed npm packages: every node_modules/<name>/package.json (npm, yarn's node-modules linker,
// pnpm's node_modules/.pnpm store, global installs). Each file is one package; its dependsOn are
// its dependencies resolved the way Node resolves them, up the node_modules chain, through
// symlinks (pnpm, workspaces). The project that owns the tree is the directory before the first
// node_modules: when its package.json is present, its dependencies (and its workspaces') are the
// direct ones and dev-only packages are those reachable only from devDependencies.
// Packages linked into node_modules from the project's own directories (workspaces, link:/file:
// directories) are not reported: they are the project, not a dependency.
import type { Package } from "../../../model/package.js";
import type { CatalogEnv, CatalogFile, Cataloger, CatalogResult } from "../../cataloger.js";
import { classify, isNpmName, isPackageJson, isVersionString, locationOf, npmPurl, summarizeJavascript, unknownAt, workspaceManifests, MAX_ENTRIES, type Importer } from "./common.js";
import { cachedManifest, runtimeDependencyNames, unique, type Manifest } from "./manifest.js";
import { installedPackageDir, projectRootOf, resolutionCandidates } from "./node-resolve.js";
import { BerthError } from "../../../util/errors.js";

const ID = "npm-installed";

interface Resolved {
  readonly path: string;
  readonly manifest: Manifest;
}

/** The package.json Node would load for `name` required from directory `fromDir`. */
function resolveDependency(env: CatalogEnv, fromDir: string, name: string): Resolved | undefined {
  for (const dir of resolutionCandidates(fromDir, name)) {
    const f = env.read(`${dir}/package.json`);
    if (!f) continue;
    try {
      return { path: f.path, manifest: cachedManifest(f.data, f.path) };
    } catch {
      return undefined; // a broken package.json is reported when it is parsed itself
    }
  }
  return undefined;
}

function dirOf(manifestPath: string): string {
  return manifestPath === "package.json" ? "" : manifestPath.slice(0, -"/package.json".length);
}

/** The project around one node_modules tree: which installed package.json paths are direct / dev-only. */
interface ProjectView {
  readonly direct: ReadonlySet<string>;
  readonly devOnly: ReadonlySet<string>;
  readonly reachable: ReadonlySet<string>;
}

const views = new WeakMap<CatalogEnv, Map<string, ProjectView | null>>();

function projectView(env: CatalogEnv, root: string): ProjectView | undefined {
  let perEnv = views.get(env);
  if (!perEnv) views.set(env, (perEnv = new Map()));
  const known = perEnv.get(root);
  if (known !== undefined) return known ?? undefined;
  let view: ProjectView | undefined;
  try {
    view = buildProjectView(env, root);
  } catch {
    view = undefined; // over a bound: direct/dev stay unknown for this tree, packages are still reported
  }
  perEnv.set(root, view ?? null);
  return view;
}

function buildProjectView(env: CatalogEnv, root: string): ProjectView | undefined {
  const rootFile = env.read(`${root}package.json`);
  if (!rootFile) return undefined;
  let rootManifest: Manifest;
  try {
    rootManifest = cachedManifest(rootFile.data, rootFile.path);
  } catch {
    return undefined;
  }
  // Graph nodes are real package.json paths; local (non-node_modules) ones are project parts.
  const manifests = new Map<string, Manifest>([[rootFile.path, rootManifest]]);
  const edgeCache = new Map<string, string[]>();
  const resolveAll = (from: string, names: Iterable<string>): string[] => {
    const out: string[] = [];
    for (const n of names) {
      let r: Resolved | undefined;
      try {
        r = resolveDependency(env, dirOf(from), n);
      } catch {
        continue; // nested deeper than MAX_NESTING: that file reports it when parsed
      }
      if (!r) continue;
      if (manifests.size > MAX_ENTRIES) throw new BerthError("limit", `/${root}node_modules: more than ${MAX_ENTRIES} packages`);
      manifests.set(r.path, r.manifest);
      out.push(r.path);
    }
    return out;
  };
  const isLocal = (p: string) => installedPackageDir(p) === undefined;
  const edges = (p: string): string[] => {
    let e = edgeCache.get(p);
    if (!e) {
      const m = manifests.get(p);
      e = m ? resolveAll(p, runtimeDependencyNames(m)) : [];
      edgeCache.set(p, e);
    }
    return e;
  };
  const localDev = (p: string): string[] => {
    const m = manifests.get(p);
    return m ? resolveAll(p, m.devDependencies.keys()) : [];
  };
  const importerOf = (path: string, m: Manifest): Importer => ({
    prod: resolveAll(path, runtimeDependencyNames(m)),
    dev: resolveAll(path, [...m.devDependencies.keys()].filter((k) => !m.dependencies.has(k))),
    devKnown: true,
  });
  const importers: Importer[] = [importerOf(rootFile.path, rootManifest)];
  for (const ws of workspaceManifests(env, root, rootManifest.workspaces)) {
    const f = env.read(ws);
    if (!f) continue;
    try {
      const m = cachedManifest(f.data, f.path);
      manifests.set(f.path, m);
      importers.push(importerOf(f.path, m));
    } catch {
      // a broken workspace manifest only loses its own declarations
    }
  }
  const cls = classify(importers, edges, (p) => p !== rootFile.path && isLocal(p), localDev);
  return { direct: cls.direct, devOnly: cls.devOnly ?? new Set(), reachable: cls.reachable };
}

export async function parseInstalled(file: CatalogFile, env: CatalogEnv): Promise<CatalogResult> {
  const at = installedPackageDir(file.path);
  if (!at) return { packages: [], unknowns: [] };
  const m = cachedManifest(file.data, file.path);
  const name = m.name ?? at.name;
  if (!isNpmName(name)) return { packages: [], unknowns: [unknownAt(file, ID, `invalid package name ${JSON.stringify(name.slice(0, 100))}`)] };
  if (!m.version || !isVersionString(m.version)) return { packages: [], unknowns: [unknownAt(file, ID, `package ${name} has no valid version`)] };
  const dependsOn: string[] = [];
  for (const dep of runtimeDependencyNames(m)) {
    const r = resolveDependency(env, at.dir, dep);
    if (!r || !installedPackageDir(r.path)) continue; // missing, or the project's own linked code
    const depName = r.manifest.name ?? installedPackageDir(r.path)?.name;
    if (depName && r.manifest.version && isNpmName(depName) && isVersionString(r.manifest.version)) dependsOn.push(npmPurl(depName, r.manifest.version));
  }
  const root = projectRootOf(file.path);
  const view = root === undefined ? undefined : projectView(env, root);
  const purl = npmPurl(name, m.version);
  const pkg: Package = {
    type: "npm",
    name,
    version: m.version,
    purl,
    licenses: m.licenses,
    locations: [locationOf(file)],
    foundBy: ID,
    evidence: "installed",
    ...(view ? { direct: view.direct.has(file.path) } : {}),
    ...(view && view.reachable.has(file.path) ? { dev: view.devOnly.has(file.path) } : {}),
    dependsOn: unique(dependsOn.filter((d) => d !== purl)).sort(),
  };
  return { packages: [pkg], unknowns: [] };
}

export const npmInstalledCataloger: Cataloger = {
  id: ID,
  version: 1,
  claims: (path) => isPackageJson(path),
  primary: (path) => installedPackageDir(path) !== undefined,
  summarize: (path, data) => summarizeJavascript(path, data),
  parse: parseInstalled,
};
