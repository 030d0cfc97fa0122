// pnpm-lock.yaml (github.com/pnpm/spec/tree/master/lockfile), three layouts:
//  - 5.x (pnpm 5–7): package keys "/name/1.0.0" or "/@scope/name/1.0.0_peer@2.0.0"; importer and
//    package dependencies map name → "1.0.0" (or "/other/1.0.0" for an alias, "link:../b");
//    single-project files put "dependencies"/"devDependencies" at the top level.
//  - 6.x (pnpm 8): keys "/name@1.0.0(peer@2.0.0)"; importer dependencies are {specifier, version}.
//  - 9.x (pnpm 9–10): "packages" keyed "name@1.0.0" (resolution, metadata) and "snapshots" keyed
//    "name@1.0.0(peer@2.0.0)" (dependencies); aliases are "ms@2.1.2" values; always "importers".
// 5.x/6.x record a per-package "dev" flag (true: dev only, false: prod only, absent: both); 9.x does
// not, so dev-only is computed from the importers. Peer-resolved variants of one version are one
// purl. "link:" and directory resolutions are the project's own code and are not reported.
import type { CatalogFile, Cataloger, CatalogResult } from "../../cataloger.js";
import { BerthError } from "../../../util/errors.js";
import { basename, emitGraph, insideNodeModules, isNpmName, isVersionString, splitAt, summarizeJavascript, MAX_ENTRIES, type Importer, type LockGraph, type LockNode } from "./common.js";
import { isRecord, unique } from "./manifest.js";
import { parseYamlSafely } from "./safe-yaml.js";

const ID = "pnpm-lock";
const NAME = "pnpm-lock.yaml";

type Layout = 5 | 6 | 9;

/** Importer dependency maps: name → reference ("1.0.0", {version: "1.0.0"} in 6.x/9.x). */
function importerRefs(v: unknown): [string, string][] {
  if (!isRecord(v)) return [];
  const out: [string, string][] = [];
  for (const [name, ref] of Object.entries(v)) {
    const r = isRecord(ref) ? ref["version"] : ref;
    if (typeof r === "string") out.push([name, r]);
  }
  return out;
}

function depRefs(v: unknown): [string, string][] {
  if (!isRecord(v)) return [];
  return Object.entries(v).filter((e): e is [string, string] => typeof e[1] === "string");
}

/** A package key → [name, version] with the peer suffix removed. */
export function nameVersionFromKey(key: string, layout: Layout): [string, string] | undefined {
  if (layout === 5) {
    if (!key.startsWith("/")) return undefined;
    const parts = key.slice(1).split("/");
    const scoped = parts[0]?.startsWith("@");
    const name = scoped ? parts.slice(0, 2).join("/") : parts[0];
    const version = parts.slice(scoped ? 2 : 1).join("/");
    if (!name || !version) return undefined;
    return [name, version.replace(/_.*$/, "")];
  }
  const bare = layout === 6 ? (key.startsWith("/") ? key.slice(1) : undefined) : key;
  if (bare === undefined) return undefined;
  const paren = bare.indexOf("(");
  const split = splitAt(paren < 0 ? bare : bare.slice(0, paren));
  return split && split[1] !== "" ? split : undefined;
}

export function pnpmGraph(doc: unknown, what: string): LockGraph {
  if (!isRecord(doc)) throw new BerthError("corrupt", `${what}: not a YAML mapping`);
  const rawVersion = doc["lockfileVersion"];
  const major = typeof rawVersion === "string" ? Number.parseInt(rawVersion, 10) : NaN;
  const layout: Layout | undefined = major === 5 ? 5 : major === 6 ? 6 : major === 9 ? 9 : undefined;
  if (!layout) throw new BerthError("unsupported", `${what}: lockfileVersion ${JSON.stringify(rawVersion)} is not 5.x, 6.x or 9.x`);
  const packages = isRecord(doc["packages"]) ? doc["packages"] : {};
  // Nodes: 9.x snapshots (peer variants), else packages.
  const graphEntries = layout === 9 && isRecord(doc["snapshots"]) ? doc["snapshots"] : packages;
  const ids = Object.keys(graphEntries);
  if (ids.length > MAX_ENTRIES || Object.keys(packages).length > MAX_ENTRIES) throw new BerthError("limit", `${what}: more than ${MAX_ENTRIES} packages`);

  const has = (k: string) => Object.prototype.hasOwnProperty.call(graphEntries, k);
  /** A dependency reference → node id, or undefined (link:, missing). */
  const resolveRef = (name: string, ref: string): string | undefined => {
    if (ref.startsWith("link:")) return undefined;
    const candidates = layout === 5 ? [ref, `/${name}/${ref}`] : layout === 6 ? [ref, `/${name}@${ref}`] : [ref, `${name}@${ref}`];
    return candidates.find(has);
  };
  const unknowns: string[] = [];
  const nodes = new Map<string, LockNode>();
  for (const id of ids) {
    const snap = graphEntries[id];
    if (!isRecord(snap)) {
      unknowns.push(`entry ${JSON.stringify(id.slice(0, 200))} is not a mapping`);
      continue;
    }
    // 9.x metadata lives under the key without the peer suffix.
    const metaKey = layout === 9 ? (id.indexOf("(") < 0 ? id : id.slice(0, id.indexOf("("))) : id;
    const meta = layout === 9 ? packages[metaKey] : snap;
    const m = isRecord(meta) ? meta : {};
    const deps = unique(
      [...depRefs(snap["dependencies"]), ...depRefs(snap["optionalDependencies"])]
        .map(([n, r]) => resolveRef(n, r))
        .filter((x): x is string => x !== undefined),
    );
    const resolution = isRecord(m["resolution"]) ? m["resolution"] : {};
    const fromKey = nameVersionFromKey(id, layout);
    const name = typeof m["name"] === "string" ? m["name"] : fromKey?.[0];
    const version = typeof m["version"] === "string" ? m["version"] : fromKey?.[1];
    if (resolution["type"] === "directory" || resolution["directory"] !== undefined) {
      nodes.set(id, { name: name ?? id, version: "", deps, local: true });
      continue;
    }
    if (!name || !isNpmName(name) || !version || !isVersionString(version)) {
      unknowns.push(`entry ${JSON.stringify(id.slice(0, 200))}: no valid name and version`);
      continue;
    }
    const dev = layout === 9 ? undefined : snap["dev"] === "true" ? true : snap["dev"] === "false" || snap["dev"] === undefined ? false : undefined;
    nodes.set(id, { name, version, deps, ...(dev !== undefined ? { dev } : {}) });
  }

  // Importers: "importers" (workspaces, and every 9.x file), else the top level of a 5.x/6.x file.
  const importerDocs = isRecord(doc["importers"]) ? Object.values(doc["importers"]).filter(isRecord) : [doc];
  const importers: Importer[] = importerDocs.map((imp) => {
    const resolve = (v: unknown) => importerRefs(v).map(([n, r]) => resolveRef(n, r)).filter((x): x is string => x !== undefined);
    return { prod: [...resolve(imp["dependencies"]), ...resolve(imp["optionalDependencies"])], dev: resolve(imp["devDependencies"]), devKnown: true };
  });
  return { nodes, importers, unknowns };
}

export async function parsePnpmLock(file: CatalogFile): Promise<CatalogResult> {
  const text = file.data.toString("utf8");
  const doc = parseYamlSafely(text, file.path, { maxKeyLines: 40 * MAX_ENTRIES });
  return emitGraph(pnpmGraph(doc, file.path), file, ID, "lockfile");
}

export const pnpmLockCataloger: Cataloger = {
  id: ID,
  version: 1,
  claims: (path) => basename(path) === NAME,
  primary: (path) => basename(path) === NAME && !insideNodeModules(path),
  summarize: (path, data) => summarizeJavascript(path, data),
  parse: (file) => parsePnpmLock(file),
};
