// Test helpers for the JavaScript catalogers:
// - catalogDir runs given catalogers over a fixture directory the way catalog.ts does (claims,
//   summarize, squash with symlinks, parse of each primary file) but returns the raw packages,
//   before the cross-cataloger merge, so one file's output can be compared with a real tool's.
// - npmLsTruth turns `npm ls --all --json` into (name@version) sets and edges.
// - The fixtures under this folder are described in README.md.
import assert from "node:assert/strict";
import { lstatSync, readdirSync, readFileSync, readlinkSync } from "node:fs";
import { join } from "node:path";
import type { LayerFiles } from "../../../../image/layer.js";
import { readFile, squash, type FileTree } from "../../../../image/filetree.js";
import type { Package, Unknown } from "../../../../model/package.js";
import { withLimits } from "../../../../util/limits.js";
import type { CatalogEnv, Cataloger } from "../../../cataloger.js";

export const testdata = (name: string) => new URL(`./${name}`, import.meta.url).pathname;

const info = { mode: 0o644, size: 0 };

/** A fixture directory → FileTree with what the catalogers claim (summaries included). */
export function treeOf(root: string, list: readonly Cataloger[], extra: Record<string, string> = {}): FileTree {
  const layer: LayerFiles = { diffId: "", files: new Map(), symlinks: new Map(), hardlinks: new Map(), whiteouts: [], opaqueDirs: [], warnings: [], entries: 0 };
  const walk = (rel: string) => {
    for (const name of readdirSync(join(root, rel)).sort()) {
      const path = rel ? `${rel}/${name}` : name;
      const st = lstatSync(join(root, path));
      if (st.isSymbolicLink()) layer.symlinks.set(path, readlinkSync(join(root, path)));
      else if (st.isDirectory()) walk(path);
      else if (st.isFile()) addFile(path, readFileSync(join(root, path)));
    }
  };
  const addFile = (path: string, data: Buffer) => {
    let kept: Buffer | undefined;
    let whole = false;
    for (const c of list) {
      if (!c.claims(path, info)) continue;
      if (!c.summarize) whole = true;
      else kept ??= c.summarize(path, data, withLimits());
    }
    if (kept) layer.files.set(path, kept);
    else if (whole) layer.files.set(path, data);
  };
  walk("");
  for (const [p, text] of Object.entries(extra)) addFile(p, Buffer.from(text));
  const tree = squash([layer]);
  for (const [k, n] of tree.nodes) tree.nodes.set(k, n.kind === "file" ? { kind: "file", data: n.data } : { kind: "symlink", target: n.target });
  return tree;
}

export function envOf(tree: FileTree): CatalogEnv {
  const limits = withLimits();
  const keys = [...tree.nodes.keys()].sort();
  return {
    limits,
    read(path) {
      const f = readFile(tree, path, limits.maxSymlinkHops);
      return f ? { path: f.path, data: f.data } : undefined;
    },
    list: (prefix) => keys.filter((k) => k.startsWith(prefix)),
  };
}

export interface RawResult {
  readonly packages: Package[];
  readonly unknowns: Unknown[];
  /** Primary files parsed, in order. */
  readonly parsed: string[];
}

/** Like catalogTree, without the merge; errors thrown by parse are returned as unknowns. */
export async function runTree(tree: FileTree, list: readonly Cataloger[]): Promise<RawResult> {
  const env = envOf(tree);
  const out: RawResult = { packages: [], unknowns: [], parsed: [] };
  for (const path of [...tree.nodes.keys()].sort()) {
    const node = tree.nodes.get(path);
    if (node?.kind !== "file") continue;
    for (const c of list) {
      if (!c.primary(path)) continue;
      out.parsed.push(path);
      try {
        const r = await c.parse({ path, data: node.data }, env);
        out.packages.push(...r.packages);
        out.unknowns.push(...r.unknowns);
      } catch (e) {
        out.unknowns.push({ path: `/${path}`, cataloger: c.id, message: e instanceof Error ? e.message : String(e) });
      }
    }
  }
  return out;
}

export async function catalogDir(root: string, list: readonly Cataloger[], extra: Record<string, string> = {}): Promise<RawResult> {
  return runTree(treeOf(root, list, extra), list);
}

// ---- comparable forms ----

/** "name@version" of a purl's package, for readable assertions. */
export const nv = (p: Pick<Package, "name" | "version">) => `${p.name}@${p.version}`;

/** pkg:npm/%40s/n@1.0.0 → "@s/n@1.0.0". */
export function purlNv(purl: string): string {
  const body = decodeURIComponent(purl.slice("pkg:npm/".length));
  return body;
}

export interface Truth {
  /** Every installed (name@version). */
  readonly packages: Set<string>;
  /** "a@1 -> b@2" for every edge npm ls prints. */
  readonly edges: Set<string>;
  /** (name@version) of the root's children. */
  readonly direct: Set<string>;
}

interface LsNode {
  version?: string;
  resolved?: string;
  dependencies?: Record<string, LsNode>;
}

/**
 * `npm ls --all --json` → sets. A deduped child appears without its own children; every edge is
 * still printed once where the child's subtree is shown, so the union over nodes is the graph.
 * Local packages (workspaces, file: links: "resolved" starting "file:") are skipped like Berth does;
 * their children count as direct. Aliases show the alias name: `aliases` maps them to real names.
 */
export function npmLsTruth(json: string, aliases: Record<string, string> = {}): Truth {
  const root = JSON.parse(json) as LsNode;
  const packages = new Set<string>();
  const edges = new Set<string>();
  const direct = new Set<string>();
  const isLocal = (n: LsNode) => n.resolved?.startsWith("file:") === true && !/\.(tgz|tar\.gz)$/.test(n.resolved);
  const id = (name: string, n: LsNode) => `${aliases[name] ?? name}@${n.version}`;
  const stack: { from?: string; name: string; node: LsNode; parentLocalOrRoot: boolean }[] = Object.entries(root.dependencies ?? {}).map(([name, node]) => ({ name, node, parentLocalOrRoot: true }));
  // Deduped entries carry no "resolved": learn which names are local from the full entries first.
  const localNames = new Set<string>();
  const scan: [string, LsNode][] = Object.entries(root.dependencies ?? {});
  while (scan.length) {
    const [name, node] = scan.pop()!;
    if (isLocal(node)) localNames.add(name);
    scan.push(...Object.entries(node.dependencies ?? {}));
  }
  while (stack.length) {
    const { from, name, node, parentLocalOrRoot } = stack.pop()!;
    const local = localNames.has(name);
    const me = id(name, node);
    if (!local) {
      packages.add(me);
      if (from) edges.add(`${from} -> ${me}`);
      if (parentLocalOrRoot) direct.add(me);
    }
    for (const [cn, c] of Object.entries(node.dependencies ?? {})) stack.push({ ...(local ? {} : { from: me }), name: cn, node: c, parentLocalOrRoot: local });
  }
  return { packages, edges, direct };
}

/** The same sets from Berth's packages (unioned over duplicates). */
export function berthSets(pkgs: readonly Package[]): Truth {
  const packages = new Set<string>();
  const edges = new Set<string>();
  const direct = new Set<string>();
  for (const p of pkgs) {
    packages.add(nv(p));
    for (const d of p.dependsOn ?? []) edges.add(`${nv(p)} -> ${purlNv(d)}`);
    if (p.direct) direct.add(nv(p));
  }
  return { packages, edges, direct };
}

export const sorted = (s: Iterable<string>) => [...s].sort();

/** The main project's truth: `npm ls --all --json` committed beside its install. */
export function projectTruth(): Truth {
  return npmLsTruth(readFileSync(testdata("project/npm-ls.json"), "utf8"));
}

/** The workspace project's truth ("my-ms" is an alias of ms). */
export function workspaceTruth(): Truth {
  return npmLsTruth(readFileSync(testdata("workspace/npm-ls.json"), "utf8"), { "my-ms": "ms" });
}

/** Dev-only packages of the main project (root devDependencies closure minus runtime closure). */
export const PROJECT_DEV = ["@types/node@20.11.0", "mkdirp@0.5.5", "undici-types@5.26.5"];

export function devSet(pkgs: readonly Package[]): string[] {
  return sorted(new Set(pkgs.filter((p) => p.dev).map(nv)));
}

/** The catalogued packages equal the truth: the same name@version set, dependency edges and direct set. */
export function assertMatchesTruth(pkgs: readonly Package[], truth: Truth): void {
  const got = berthSets(pkgs);
  assert.deepEqual(sorted(got.packages), sorted(truth.packages));
  assert.deepEqual(sorted(got.edges), sorted(truth.edges));
  assert.deepEqual(sorted(got.direct), sorted(truth.direct));
}
