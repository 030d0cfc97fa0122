// The cataloger contract (STYLE.md §2): a record plus a pure parser, listed explicitly in
// catalog/index.ts. The image stage walks each layer tar once, asks every cataloger `claims(path)`
// for each regular file, keeps the claimed files' bytes, squashes the layers (whiteouts applied),
// and then calls `parse` once for every claimed file that survives in the final filesystem.
import type { Distro, Location, Package, Unknown } from "../model/package.js";
import { BerthError } from "../util/errors.js";
import { limitExceeded, type Limits } from "../util/limits.js";

/** What a layer walk knows about an entry before reading it. */
export interface EntryInfo {
  /** Unix permission bits (e.g. 0o755); 0 when unknown. */
  readonly mode: number;
  readonly size: number;
}

/** One claimed file of the final (squashed) filesystem. */
export interface CatalogFile {
  /** Path relative to the root, no leading slash: "var/lib/dpkg/status". */
  readonly path: string;
  /** diffID of the layer that last wrote this file; absent for a plain directory source. */
  readonly layerDigest?: string;
  readonly data: Buffer;
}

export interface CatalogEnv {
  readonly distro?: Distro;
  readonly limits: Limits;
  /** Another claimed file of the same filesystem, symlinks resolved inside the root; undefined if absent. */
  read(path: string): CatalogFile | undefined;
  /** Paths of claimed files under a directory prefix ("var/lib/dpkg/info/"), sorted. */
  list(prefix: string): readonly string[];
}

export interface CatalogResult {
  readonly packages: readonly Package[];
  readonly unknowns: readonly Unknown[];
}

export interface Cataloger {
  /** Stable id, e.g. "dpkg-status"; recorded as Package.foundBy. */
  readonly id: string;
  /** Bump when output or claimed paths change: it is part of the layer cache key. */
  readonly version: number;
  /**
   * Asked once per regular file in every layer (path relative, no leading slash). Must be cheap.
   * `info` gives the entry's mode and size (e.g. to claim executables that may be Go binaries).
   */
  claims(path: string, info: EntryInfo): boolean;
  /**
   * Optional: reduces a claimed file to what `parse` needs, while the layer is being read, so a
   * large file (a binary, an archive) is held in memory only for the moment it is summarised.
   * The summary replaces the file's bytes in the layer cache and in `parse`'s CatalogFile.data.
   * Return undefined to drop the file (not relevant after all). Must not throw on hostile input:
   * return a summary that `parse` turns into an Unknown instead.
   */
  summarize?(path: string, data: Buffer, limits: Limits): Buffer | undefined;
  /**
   * Called for each claimed file that is a *primary* input (see `primary`), after squashing.
   * Files claimed only as helpers (e.g. dpkg info/*.list) are reachable through env.read/list.
   */
  primary(path: string): boolean;
  parse(file: CatalogFile, env: CatalogEnv): Promise<CatalogResult>;
}

/** "/"+path, the form a Location carries. */
export function absolutePath(path: string): string {
  return path.startsWith("/") ? path : `/${path}`;
}

/** Where a package or unknown was found: the file's absolute path and the layer that wrote it. */
export function locationOf(file: CatalogFile): Location {
  return { path: absolutePath(file.path), ...(file.layerDigest ? { layerDigest: file.layerDigest } : {}) };
}

/** A file a cataloger could not use, kept in the results with its location. */
export function unknownAt(file: CatalogFile, cataloger: string, message: string): Unknown {
  return { ...locationOf(file), cataloger, message };
}

/** The most packages one file may declare (a bound on hostile lockfiles and manifests). */
export const MAX_PACKAGES_PER_FILE = 100_000;

export function checkCount(n: number, file: CatalogFile): void {
  if (n > MAX_PACKAGES_PER_FILE) throw new BerthError("limit", `${absolutePath(file.path)}: more than ${MAX_PACKAGES_PER_FILE} packages`);
}

/** The file as text, after re-checking the size bound the walk already applied. */
export function textOf(file: CatalogFile, env: CatalogEnv): string {
  if (file.data.length > env.limits.maxFileBytes) throw limitExceeded("maxFileBytes", env.limits.maxFileBytes, absolutePath(file.path));
  return file.data.toString("utf8");
}

/** The file as JSON (a UTF-8 byte order mark, which some tools write, is ignored); corrupt JSON is a BerthError. */
export function readJson(file: CatalogFile, env: CatalogEnv, what: string): unknown {
  const text = textOf(file, env).replace(/^\uFEFF/, "");
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw new BerthError("corrupt", `${absolutePath(file.path)}: not a valid ${what} (JSON: ${e instanceof Error ? e.message.split("\n")[0] : "unreadable"})`, { cause: e });
  }
}
