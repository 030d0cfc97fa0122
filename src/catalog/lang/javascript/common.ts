// What every JavaScript cataloger shares: npm names and purls, which paths are claimed, the
// summary kept for claimed files, and the lockfile dependency graph → Package[] step (direct and
// dev flags from the project's importers, one package per purl).
import type { Package, Unknown } from "../../../model/package.js";
import { BerthError } from "../../../util/errors.js";
import { type CatalogEnv, type CatalogFile } from "../../cataloger.js";
import { purl } from "../../purl.js";
import { summarizeManifest, unique } from "./manifest.js";
import { locationOf, unknownAt } from "../../cataloger.js";
export { locationOf, unknownAt };

/** Most packages accepted from one lockfile (or one installed tree). */
export const MAX_ENTRIES = 200_000;
/** Most Unknowns reported for one file. */
export const MAX_UNKNOWNS_PER_FILE = 50;
/** Most node_modules levels followed in one path (real trees stay far below). */
export const MAX_NESTING = 64;

export function basename(path: string): string {
  const i = path.lastIndexOf("/");
  return i < 0 ? path : path.slice(i + 1);
}

/** The directory of a relative path, with a trailing slash ("" for the root). */
export function dirnameSlash(path: string): string {
  const i = path.lastIndexOf("/");
  return i < 0 ? "" : path.slice(0, i + 1);
}

export function insideNodeModules(path: string): boolean {
  return path.startsWith("node_modules/") || path.includes("/node_modules/");
}

export function isPackageJson(path: string): boolean {
  return path === "package.json" || path.endsWith("/package.json");
}

/**
 * The summary every JavaScript cataloger keeps for a claimed file (they share package.json, so they
 * must agree): package.json → its Manifest fields; bun.lockb → nothing (it is only reported);
 * anything else whole.
 */
export function summarizeJavascript(path: string, data: Buffer): Buffer {
  if (isPackageJson(path)) return summarizeManifest(data);
  if (basename(path) === "bun.lockb") return Buffer.alloc(0);
  return data;
}

function hasControl(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) return true;
  }
  return false;
}

/** npm package names: "name" or "@scope/name", at most 214 characters, no spaces or controls. */
export function isNpmName(name: string): boolean {
  if (name.length === 0 || name.length > 214 || /[\s\\%]/.test(name) || hasControl(name)) return false;
  if (name.startsWith("@")) {
    const parts = name.split("/");
    return parts.length === 2 && parts[0]!.length > 1 && parts[1]!.length > 0 && !parts[1]!.startsWith(".");
  }
  return !name.includes("/") && !name.startsWith(".");
}

export function isVersionString(v: string): boolean {
  return v.length > 0 && v.length <= 512 && !/\s/.test(v) && !hasControl(v);
}

/** pkg:npm/%40scope/name@version (the scope is the purl namespace). */
export function npmPurl(name: string, version: string): string {
  if (name.startsWith("@")) {
    const slash = name.indexOf("/");
    return purl("npm", name.slice(0, slash), name.slice(slash + 1), version);
  }
  return purl("npm", undefined, name, version);
}

/** "name@range" → name (the "@" of a scope is not a separator). */
export function splitAt(spec: string): [string, string] | undefined {
  const i = spec.indexOf("@", 1);
  if (i <= 0) return undefined;
  return [spec.slice(0, i), spec.slice(i + 1)];
}

function isTarballPath(p: string): boolean {
  const bare = p.replace(/[#?].*$/, "");
  return /\.(tgz|tar\.gz|tar)$/i.test(bare);
}

/**
 * A dependency spec or resolution that points at a directory of the project itself: workspaces,
 * links, portals and `file:` directories (a `file:` tarball is a real package copy).
 */
export function isLocalSpec(spec: string): boolean {
  if (/^(workspace|link|portal):/.test(spec)) return true;
  if (spec.startsWith("file:")) return !isTarballPath(spec.slice(5));
  return false;
}

/**
 * Workspace globs ("packages/*", "apps/**", "!packages/skip") → the package.json files they match
 * among the claimed files under `root` (outside node_modules).
 */
export function workspaceManifests(env: CatalogEnv, root: string, globs: readonly string[]): string[] {
  if (globs.length === 0) return [];
  const toRegex = (g: string) => {
    const clean = g.replace(/^\.\//, "").replace(/\/+$/, "");
    let re = "";
    for (let i = 0; i < clean.length; i++) {
      const c = clean[i]!;
      if (c === "*" && clean[i + 1] === "*") {
        re += ".*";
        i++;
      } else if (c === "*") re += "[^/]*";
      else if (c === "?") re += "[^/]";
      else re += c.replace(/[.+^${}()|[\]\\]/g, "\\$&");
    }
    return new RegExp(`^${re}$`);
  };
  const include = globs.filter((g) => !g.startsWith("!")).map(toRegex);
  const exclude = globs.filter((g) => g.startsWith("!")).map((g) => toRegex(g.slice(1)));
  const out: string[] = [];
  for (const p of env.list(root)) {
    if (!isPackageJson(p) || insideNodeModules(p.slice(root.length))) continue;
    const dir = p.slice(root.length, -"/package.json".length);
    if (dir === "" || p === `${root}package.json`) continue;
    if (include.some((r) => r.test(dir)) && !exclude.some((r) => r.test(dir))) out.push(p);
  }
  return out;
}

// ---- the lockfile graph ----

/** One lockfile entry. `local` entries are the project's own directories: never reported. */
export interface LockNode {
  readonly name: string;
  readonly version: string;
  readonly licenses?: readonly string[];
  /** Node ids this entry depends on (unresolvable names already dropped). */
  readonly deps: readonly string[];
  readonly local?: boolean;
  /** Local entries only: their devDependencies, as node ids. */
  readonly devDeps?: readonly string[];
  /** The lockfile's own dev flag, when it records one. */
  readonly dev?: boolean;
}

/** A project (root or workspace) whose declared dependencies are the direct ones. */
export interface Importer {
  readonly prod: readonly string[];
  readonly dev: readonly string[];
  /** false when the source mixes dev and prod dependencies (yarn berry without package.json). */
  readonly devKnown: boolean;
}

export interface LockGraph {
  readonly nodes: Map<string, LockNode>;
  /** Undefined when the project's own dependencies are unknown: direct/dev stay unset. */
  readonly importers?: readonly Importer[];
  readonly unknowns: string[];
}

function closure(seeds: Iterable<string>, next: (id: string) => readonly string[]): Set<string> {
  const seen = new Set<string>();
  const stack = [...seeds];
  while (stack.length) {
    const id = stack.pop()!;
    if (seen.has(id)) continue;
    seen.add(id);
    for (const d of next(id)) if (!seen.has(d)) stack.push(d);
  }
  return seen;
}

export interface Classification {
  readonly direct: ReadonlySet<string>;
  /** Reachable only through dev dependencies; undefined when that cannot be known. */
  readonly devOnly?: ReadonlySet<string>;
  readonly reachable: ReadonlySet<string>;
}

/**
 * Direct = declared by an importer (a local entry counts as part of the project, so what it
 * declares is direct too). Dev-only = reachable from importers' devDependencies but not from
 * their dependencies; a local entry's own deps are walked like an importer's.
 */
export function classify(importers: readonly Importer[], edges: (id: string) => readonly string[], isLocal: (id: string) => boolean, localDev: (id: string) => readonly string[]): Classification {
  const direct = new Set<string>();
  const prodSeeds: string[] = [];
  const devSeeds: string[] = [];
  for (const imp of importers) {
    for (const d of imp.prod) {
      direct.add(d);
      prodSeeds.push(d);
    }
    for (const d of imp.dev) {
      direct.add(d);
      devSeeds.push(d);
    }
  }
  // Local packages reached from the project declare direct dependencies of the project.
  const next = (id: string) => (isLocal(id) ? [...edges(id), ...localDev(id)] : edges(id));
  const all = closure([...prodSeeds, ...devSeeds], next);
  for (const id of all) if (isLocal(id)) for (const d of [...edges(id), ...localDev(id)]) direct.add(d);
  const devKnown = importers.every((i) => i.devKnown);
  if (!devKnown) return { direct, reachable: all };
  const prod = closure(prodSeeds, edges);
  const devOnly = new Set<string>();
  for (const id of all) if (!prod.has(id)) devOnly.add(id);
  return { direct, devOnly, reachable: all };
}

interface Draft {
  name: string;
  version: string;
  purl: string;
  licenses: string[];
  dependsOn: Set<string>;
  direct?: boolean;
  dev?: boolean;
}

/** Lockfile graph → one Package per purl (duplicates merged: direct if any, dev only if all). */
export function emitGraph(graph: LockGraph, file: CatalogFile, foundBy: string, evidence: "lockfile" | "installed"): { packages: Package[]; unknowns: Unknown[] } {
  const { nodes } = graph;
  if (nodes.size > MAX_ENTRIES) throw new BerthError("limit", `${file.path}: more than ${MAX_ENTRIES} packages`);
  const isLocal = (id: string) => nodes.get(id)?.local === true;
  const cls = graph.importers
    ? classify(graph.importers, (id) => nodes.get(id)?.deps ?? [], isLocal, (id) => nodes.get(id)?.devDeps ?? [])
    : undefined;
  const purlOf = new Map<string, string>();
  for (const [id, n] of nodes) if (!n.local) purlOf.set(id, npmPurl(n.name, n.version));
  const drafts = new Map<string, Draft>();
  for (const [id, n] of nodes) {
    const p = purlOf.get(id);
    if (!p) continue;
    const direct = cls ? cls.direct.has(id) : undefined;
    const dev = n.dev ?? (cls?.devOnly ? (cls.reachable.has(id) ? cls.devOnly.has(id) : undefined) : undefined);
    const deps = n.deps.map((d) => purlOf.get(d)).filter((d): d is string => d !== undefined && d !== p);
    const prev = drafts.get(p);
    if (!prev) {
      drafts.set(p, { name: n.name, version: n.version, purl: p, licenses: [...(n.licenses ?? [])], dependsOn: new Set(deps), ...(direct !== undefined ? { direct } : {}), ...(dev !== undefined ? { dev } : {}) });
      continue;
    }
    for (const d of deps) prev.dependsOn.add(d);
    for (const l of n.licenses ?? []) if (!prev.licenses.includes(l)) prev.licenses.push(l);
    if (direct !== undefined) prev.direct = (prev.direct ?? false) || direct;
    if (dev !== undefined) prev.dev = prev.dev === undefined ? dev : prev.dev && dev;
  }
  const loc = locationOf(file);
  const packages: Package[] = [...drafts.values()].map((d) => ({
    type: "npm",
    name: d.name,
    version: d.version,
    purl: d.purl,
    licenses: d.licenses,
    locations: [loc],
    foundBy,
    evidence,
    ...(d.direct !== undefined ? { direct: d.direct } : {}),
    ...(d.dev !== undefined ? { dev: d.dev } : {}),
    dependsOn: [...d.dependsOn].sort(),
  }));
  return { packages, unknowns: boundedUnknowns(file, foundBy, graph.unknowns) };
}

/** Unknowns for one file, at most MAX_UNKNOWNS_PER_FILE lines (then one line counting the rest). */
export function boundedUnknowns(file: CatalogFile, foundBy: string, messages: readonly string[]): Unknown[] {
  const all = unique(messages);
  const kept = all.slice(0, MAX_UNKNOWNS_PER_FILE).map((m) => unknownAt(file, foundBy, m));
  if (all.length > kept.length) kept.push(unknownAt(file, foundBy, `${all.length - kept.length} more invalid entries not listed`));
  return kept;
}
