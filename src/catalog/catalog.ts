// The catalog stage: which catalogers run (an explicit list, STYLE.md §2), one pass per layer tar
// (or one walk of a directory), squash, detect the distribution, parse what was claimed.
import { lstat, open, readdir, readlink } from "node:fs/promises";
import { join } from "node:path";
import type { ImageSource } from "../image/source.js";
import { readLayer, type LayerFiles } from "../image/layer.js";
import { readFile, squash, type FileTree } from "../image/filetree.js";
import type { LayerCache } from "../image/layer-cache.js";
import type { Distro, Package, Unknown } from "../model/package.js";
import { BerthError, describeError } from "../util/errors.js";
import type { Limits } from "../util/limits.js";
import type { CatalogEnv, Cataloger, EntryInfo } from "./cataloger.js";
import { apkCataloger } from "./os/apk.js";
import { dpkgCataloger } from "./os/dpkg.js";
import { claimsRelease, detectDistro } from "./os/release.js";
import { rpmCataloger } from "./os/rpm.js";
import { mergeInventory } from "./merge.js";
import { pythonCatalogers } from "./lang/python/index.js";
import { rubyCatalogers } from "./lang/ruby/index.js";
import { phpCatalogers } from "./lang/php/index.js";
import { dotnetCatalogers } from "./lang/dotnet/index.js";
import { goCatalogers } from "./lang/go/index.js";
import { javascriptCatalogers } from "./lang/javascript/index.js";
import { rustCatalogers } from "./lang/rust/index.js";
import { javaCatalogers } from "./lang/java/index.js";
import { parseParagraphs } from "./os/deb822.js";

export const catalogers: readonly Cataloger[] = [
  dpkgCataloger,
  apkCataloger,
  rpmCataloger,
  ...javascriptCatalogers,
  ...pythonCatalogers,
  ...rubyCatalogers,
  ...phpCatalogers,
  ...dotnetCatalogers,
  ...goCatalogers,
  ...rustCatalogers,
  ...javaCatalogers,
];

export function claimsAny(path: string, info: EntryInfo, list: readonly Cataloger[] = catalogers): boolean {
  return claimsRelease(path) || list.some((c) => c.claims(path, info));
}

/**
 * The summary kept for a claimed file: the first cataloger with a `summarize` that claims the path
 * decides; files claimed only by catalogers without one are kept whole.
 */
export function summarizeClaimed(path: string, data: Buffer, info: EntryInfo, limits: Limits, list: readonly Cataloger[] = catalogers): Buffer | undefined {
  if (claimsRelease(path)) return data;
  let whole = false;
  for (const c of list) {
    if (!c.claims(path, info)) continue;
    if (!c.summarize) whole = true;
    else {
      const s = c.summarize(path, data, limits);
      if (s) return s;
    }
  }
  return whole ? data : undefined;
}

/** Part of the layer-cache key: changes whenever a cataloger's claims or output change. */
export function catalogerSignature(list: readonly Cataloger[] = catalogers): string {
  return ["release:1", ...list.map((c) => `${c.id}:${c.version}`)].join(",");
}

export interface Inventory {
  readonly distro?: Distro;
  readonly packages: readonly Package[];
  readonly unknowns: readonly Unknown[];
  readonly warnings: readonly string[];
}

function comparePackages(a: Package, b: Package): number {
  return a.type.localeCompare(b.type) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0) || (a.version < b.version ? -1 : a.version > b.version ? 1 : 0) || (a.purl < b.purl ? -1 : a.purl > b.purl ? 1 : 0);
}

function distroOf(tree: FileTree, limits: Limits): Distro | undefined {
  const read = (p: string) => readFile(tree, p, limits.maxSymlinkHops)?.data.toString("utf8");
  const statusD = [...tree.nodes.keys()].filter((k) => k.startsWith("var/lib/dpkg/status.d/"));
  let baseFilesVersion: string | undefined;
  const bf = read("var/lib/dpkg/status.d/base-files");
  if (bf) baseFilesVersion = parseParagraphs(bf)[0]?.get("Version");
  else if (statusD.length) {
    for (const k of statusD) {
      const p = parseParagraphs(read(k) ?? "").find((x) => x.get("Package") === "base-files");
      if (p) baseFilesVersion = p.get("Version");
    }
  }
  return detectDistro(read, { hasDpkgStatusD: statusD.length > 0, ...(baseFilesVersion ? { baseFilesVersion } : {}) });
}

/** Parses everything claimed in a squashed filesystem. */
export async function catalogTree(tree: FileTree, limits: Limits, list: readonly Cataloger[] = catalogers): Promise<Inventory> {
  const distro = distroOf(tree, limits);
  const keys = [...tree.nodes.keys()].sort();
  const env: CatalogEnv = {
    limits,
    ...(distro ? { distro } : {}),
    read(path) {
      const f = readFile(tree, path, limits.maxSymlinkHops);
      return f ? { path: f.path, data: f.data, ...(f.layer ? { layerDigest: f.layer } : {}) } : undefined;
    },
    list(prefix) {
      return keys.filter((k) => k.startsWith(prefix));
    },
  };
  const packages: Package[] = [];
  const unknowns: Unknown[] = [];
  for (const path of keys) {
    const node = tree.nodes.get(path);
    if (node?.kind !== "file") continue;
    for (const c of list) {
      if (!c.primary(path)) continue;
      const file = { path, data: node.data, ...(node.layer ? { layerDigest: node.layer } : {}) };
      try {
        const r = await c.parse(file, env);
        packages.push(...r.packages);
        unknowns.push(...r.unknowns);
      } catch (e) {
        // A bad file is a located unknown, never the end of the scan (STYLE.md §6).
        unknowns.push({ path: `/${path}`, ...(node.layer ? { layerDigest: node.layer } : {}), cataloger: c.id, message: describeError(e) });
      }
    }
  }
  return { ...(distro ? { distro } : {}), packages: mergeInventory(packages).sort(comparePackages), unknowns, warnings: tree.warnings };
}

export interface CatalogImageOptions {
  readonly limits: Limits;
  readonly cache?: LayerCache;
  readonly onLayer?: (index: number, total: number, cached: boolean) => void;
}

export async function readImageLayers(source: ImageSource, opts: CatalogImageOptions): Promise<LayerFiles[]> {
  const out: LayerFiles[] = [];
  const claims = (p: string, info: EntryInfo) => claimsAny(p, info);
  const summarize = (p: string, data: Buffer, info: EntryInfo) => summarizeClaimed(p, data, info, opts.limits);
  for (const [i, layer] of source.layers.entries()) {
    const { diffId } = layer.info;
    const cached = await opts.cache?.get(diffId);
    opts.onLayer?.(i, source.layers.length, !!cached);
    if (cached) {
      out.push(cached);
      continue;
    }
    const files = await readLayer(await layer.open(), { diffId, compression: "detect", claims, summarize, limits: opts.limits, what: `layer ${layer.info.digest}` });
    await opts.cache?.put(files);
    out.push(files);
  }
  return out;
}

export async function catalogImage(source: ImageSource, opts: CatalogImageOptions): Promise<Inventory> {
  return catalogTree(squash(await readImageLayers(source, opts)), opts.limits);
}

/**
 * Walks a root filesystem directory without following symlinks: links are recorded and resolved
 * inside the root later, so nothing outside the directory is ever read.
 */
export async function readDirectory(root: string, limits: Limits): Promise<LayerFiles> {
  const out: LayerFiles = { diffId: "", files: new Map(), symlinks: new Map(), hardlinks: new Map(), whiteouts: [], opaqueDirs: [], warnings: [], entries: 0 };
  let entries = 0;
  const rootStat = await lstat(root).catch(() => undefined);
  if (!rootStat?.isDirectory()) throw new BerthError("not-found", `${root}: not a directory`);
  async function walk(rel: string): Promise<void> {
    let names: string[];
    try {
      names = await readdir(join(root, rel));
    } catch (e) {
      out.warnings.push(`${rel || "/"}: cannot read directory (${(e as NodeJS.ErrnoException).code ?? describeError(e)})`);
      return;
    }
    for (const name of names.sort()) {
      if (name === ".git" && rel === "") continue; // a source tree's history holds no packages
      if (++entries > limits.maxLayerEntries) throw new BerthError("limit", `${root}: more than maxLayerEntries=${limits.maxLayerEntries} entries`);
      const path = rel ? `${rel}/${name}` : name;
      const full = join(root, path);
      const st = await lstat(full).catch(() => undefined);
      if (!st) continue;
      if (st.isSymbolicLink()) out.symlinks.set(path, await readlink(full));
      else if (st.isDirectory()) await walk(path);
      else if (st.isFile() && claimsAny(path, { mode: st.mode & 0o7777, size: st.size })) {
        if (st.size > limits.maxFileBytes) {
          out.warnings.push(`/${path}: file of ${st.size} bytes exceeds maxFileBytes=${limits.maxFileBytes}; skipped`);
          continue;
        }
        const fh = await open(full, "r");
        try {
          const kept = summarizeClaimed(path, await fh.readFile(), { mode: st.mode & 0o7777, size: st.size }, limits);
          if (kept) out.files.set(path, kept);
        } finally {
          await fh.close();
        }
      }
    }
  }
  await walk("");
  return { ...out, entries };
}

export async function catalogDirectory(root: string, limits: Limits): Promise<Inventory> {
  const layer = await readDirectory(root, limits);
  const tree = squash([layer]);
  // A directory has no layers: drop the empty layer id from nodes.
  for (const [k, n] of tree.nodes) tree.nodes.set(k, n.kind === "file" ? { kind: "file", data: n.data } : { kind: "symlink", target: n.target });
  return catalogTree(tree, limits);
}

