// yarn.lock, both formats:
//  - yarn v1 ("# yarn lockfile v1"): entries keyed by the descriptors that resolved to them
//    ("a@^1.0.0, a@^1.1.0:"), each with "version", "resolved" and a "dependencies" map of
//    name → range. Workspaces are not in the file; `link:` dependencies neither.
//  - yarn berry (v2+, YAML with "__metadata"): keys are descriptors with a protocol
//    ("a@npm:^1.0.0"), "resolution" the locator ("a@npm:1.0.0"), dependencies name → range;
//    workspaces are entries with "linkType: soft" and a "workspace:" resolution. Builtin patches
//    ("resolve@patch:resolve@npm%3A1.22.1#…") repeat a package with the same version: one purl.
// A dependency is found by its descriptor "<name>@<range>". Neither format says which packages are
// direct or dev: that comes from package.json beside the lockfile (and the workspaces it names);
// berry's workspace entries say what is direct, but merge dependencies with devDependencies.
import type { CatalogEnv, CatalogFile, Cataloger, CatalogResult } from "../../cataloger.js";
import { BerthError } from "../../../util/errors.js";
import { basename, dirnameSlash, emitGraph, insideNodeModules, isLocalSpec, isNpmName, isPackageJson, isVersionString, splitAt, summarizeJavascript, workspaceManifests, MAX_ENTRIES, type Importer, type LockGraph, type LockNode } from "./common.js";
import { isRecord, parseManifest, stringMap, unique, type Manifest } from "./manifest.js";
import { parseYamlSafely } from "./safe-yaml.js";
import { parseYarnV1 } from "./yarn-v1-syntax.js";

const ID = "yarn-lock";

/** The project's package.json files: the one beside the lockfile, then its workspaces. */
interface ProjectManifests {
  readonly root?: { readonly path: string; readonly manifest: Manifest };
  readonly workspaces: readonly { readonly path: string; readonly manifest: Manifest }[];
}

function readManifest(env: CatalogEnv, path: string): Manifest | undefined {
  const f = env.read(path);
  if (!f) return undefined;
  try {
    return parseManifest(f.data, f.path);
  } catch {
    return undefined;
  }
}

export function projectManifests(env: CatalogEnv, dir: string): ProjectManifests {
  const manifest = readManifest(env, `${dir}package.json`);
  if (!manifest) return { workspaces: [] };
  const workspaces = workspaceManifests(env, dir, manifest.workspaces)
    .map((path) => ({ path, manifest: readManifest(env, path) }))
    .filter((w): w is { path: string; manifest: Manifest } => w.manifest !== undefined);
  return { root: { path: `${dir}package.json`, manifest }, workspaces };
}

const prodSpecs = (m: Manifest) => [...m.dependencies, ...m.optionalDependencies, ...m.peerDependencies];
const devSpecs = (m: Manifest) => [...m.devDependencies].filter(([k]) => !m.dependencies.has(k));

// ---- yarn v1 ----

export function yarnV1Graph(text: string, what: string, project: ProjectManifests): LockGraph {
  const entries = parseYarnV1(text, what, MAX_ENTRIES);
  const byDescriptor = new Map<string, string>();
  for (const e of entries) {
    const id = e.descriptors[0];
    if (id === undefined) continue;
    for (const d of e.descriptors) byDescriptor.set(d, id);
  }
  const lookup = (name: string, range: string) => byDescriptor.get(`${name}@${range}`);
  const unknowns: string[] = [];
  const nodes = new Map<string, LockNode>();
  for (const e of entries) {
    const id = e.descriptors[0];
    if (id === undefined) {
      unknowns.push(`line ${e.line}: entry without a descriptor`);
      continue;
    }
    const split = splitAt(id);
    const version = e.fields.get("version");
    if (!split || !isNpmName(split[0])) {
      unknowns.push(`line ${e.line}: invalid descriptor ${JSON.stringify(id.slice(0, 200))}`);
      continue;
    }
    const range = split[1];
    let name = split[0];
    if (range.startsWith("npm:") && range.lastIndexOf("@") > 4) name = range.slice(4, range.lastIndexOf("@")); // alias
    const deps = unique(
      [...(e.maps.get("dependencies") ?? []), ...(e.maps.get("optionalDependencies") ?? [])]
        .map(([n, r]) => lookup(n, r))
        .filter((x): x is string => x !== undefined),
    );
    if (isLocalSpec(range)) {
      nodes.set(id, { name, version: version ?? "", deps, local: true });
      continue;
    }
    if (!isNpmName(name) || !version || !isVersionString(version)) {
      unknowns.push(`line ${e.line}: entry ${JSON.stringify(id.slice(0, 200))} has no valid name and version`);
      continue;
    }
    nodes.set(id, { name, version, deps });
  }
  let importers: Importer[] | undefined;
  if (project.root) {
    const resolve = (specs: [string, string][]) => specs.map(([n, r]) => lookup(n, r)).filter((x): x is string => x !== undefined);
    importers = [project.root, ...project.workspaces].map(({ manifest }) => ({ prod: resolve(prodSpecs(manifest)), dev: resolve(devSpecs(manifest)), devKnown: true }));
  }
  return { nodes, ...(importers ? { importers } : {}), unknowns };
}

// ---- yarn berry ----

/** "name@reference" locator → [name, reference]. */
function splitLocator(locator: string): [string, string] | undefined {
  return splitAt(locator);
}

/** "a@npm:^1, a@npm:^1.2" → descriptors. */
function berryDescriptors(key: string): string[] {
  return key.split(",").map((s) => s.trim()).filter(Boolean);
}

function isLocalReference(reference: string): boolean {
  // "file:./dir#./dir::hash=…&locator=…" → the path before "#" / "::" decides tarball vs directory.
  if (reference.startsWith("file:")) return isLocalSpec(reference.replace(/(#|::).*$/, ""));
  return isLocalSpec(reference);
}

export function berryGraph(doc: unknown, what: string, dir: string, env: CatalogEnv | undefined): LockGraph {
  if (!isRecord(doc)) throw new BerthError("corrupt", `${what}: not a YAML mapping`);
  const keys = Object.keys(doc).filter((k) => k !== "__metadata");
  if (keys.length > MAX_ENTRIES) throw new BerthError("limit", `${what}: more than ${MAX_ENTRIES} entries`);
  const byDescriptor = new Map<string, string>();
  for (const k of keys) for (const d of berryDescriptors(k)) byDescriptor.set(d, k);
  const unknowns: string[] = [];
  const nodes = new Map<string, LockNode>();
  const workspaces: { id: string; path: string; deps: Map<string, string> }[] = [];
  const resolveDeps = (m: Map<string, string>) => unique([...m].map(([n, r]) => byDescriptor.get(`${n}@${r}`)).filter((x): x is string => x !== undefined));
  for (const k of keys) {
    const e = doc[k];
    const resolution = isRecord(e) ? e["resolution"] : undefined;
    const loc = typeof resolution === "string" ? splitLocator(resolution) : undefined;
    if (!isRecord(e) || !loc) {
      unknowns.push(`entry ${JSON.stringify(k.slice(0, 200))}: no valid "resolution"`);
      continue;
    }
    const [name, reference] = loc;
    const depMap = new Map([...stringMap(e["dependencies"], k), ...stringMap(e["peerDependencies"], k)]);
    // Unresolved peer ranges are simply not found; what is found is what this entry depends on.
    const deps = resolveDeps(depMap);
    if (isLocalReference(reference)) {
      nodes.set(k, { name, version: "", deps, local: true });
      if (reference.startsWith("workspace:")) workspaces.push({ id: k, path: decodeURIComponent(reference.slice("workspace:".length)), deps: stringMap(e["dependencies"], k) });
      continue;
    }
    const version = e["version"];
    if (!isNpmName(name) || typeof version !== "string" || !isVersionString(version)) {
      unknowns.push(`entry ${JSON.stringify(k.slice(0, 200))}: no valid name and version`);
      continue;
    }
    nodes.set(k, { name, version, deps });
  }
  // Importers: every workspace. Its package.json (when present) splits dev from prod.
  const importers: Importer[] = [];
  for (const ws of workspaces) {
    const rel = ws.path === "." || ws.path === "" ? "" : `${ws.path.replace(/^\.\//, "").replace(/\/+$/, "")}/`;
    const m = env ? readManifest(env, `${dir}${rel}package.json`) : undefined;
    const all = [...ws.deps];
    if (!m) {
      importers.push({ prod: resolveDeps(new Map(all)), dev: [], devKnown: false });
      continue;
    }
    const isDev = (n: string) => m.devDependencies.has(n) && !m.dependencies.has(n);
    const prod = resolveDeps(new Map(all.filter(([n]) => !isDev(n))));
    const dev = resolveDeps(new Map(all.filter(([n]) => isDev(n))));
    importers.push({ prod, dev, devKnown: true });
    // Reached from another workspace, this one brings only its own prod dependencies along.
    const node = nodes.get(ws.id);
    if (node) nodes.set(ws.id, { ...node, deps: prod, devDeps: dev });
  }
  return { nodes, ...(importers.length ? { importers } : {}), unknowns };
}

export function isBerry(text: string): boolean {
  return /^__metadata:/m.test(text);
}

export async function parseYarnLock(file: CatalogFile, env: CatalogEnv): Promise<CatalogResult> {
  const text = file.data.toString("utf8");
  const dir = dirnameSlash(file.path);
  const graph = isBerry(text)
    ? berryGraph(parseYamlSafely(text, file.path, { maxKeyLines: 20 * MAX_ENTRIES }), file.path, dir, env)
    : yarnV1Graph(text, file.path, projectManifests(env, dir));
  return emitGraph(graph, file, ID, "lockfile");
}

export const yarnLockCataloger: Cataloger = {
  id: ID,
  version: 1,
  claims: (path) => basename(path) === "yarn.lock" || isPackageJson(path),
  primary: (path) => basename(path) === "yarn.lock" && !insideNodeModules(path),
  summarize: (path, data) => summarizeJavascript(path, data),
  parse: parseYarnLock,
};
