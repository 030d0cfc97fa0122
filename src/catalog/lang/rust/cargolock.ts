// Cargo.lock, lockfile format versions 1 to 4, read with smol-toml (a maintained TOML 1.0 parser):
// - every [[package]] (name, version, source, checksum, dependencies) is a package, purl
//   pkg:cargo/<name>@<version>; crates from other registries or git keep their origin in
//   metadata.source, workspace members and path dependencies (no source) metadata.source "local";
// - dependencies entries are "name", "name version" or "name version (source)" (v1 always writes
//   the long form); each resolves to the one package it names and becomes dependsOn;
// - checksums are inline (v2+) or in v1's [metadata] table ("checksum name version (source)");
// - direct: a crate with a source is direct when a local crate depends on it, transitive
//   otherwise; local crates are the project itself and leave direct unset. Cargo.lock does not
//   record dev- or build-only use, so dev is never set.
// - v1's optional [root] table is the root package.
import { parse as parseToml } from "smol-toml";
import type { Location, Package } from "../../../model/package.js";
import { BerthError, describeError } from "../../../util/errors.js";
import { locationOf, type CatalogFile, type Cataloger, type CatalogResult } from "../../cataloger.js";
import { purl } from "../../purl.js";
import { isRecord } from "../binary/summary.js";

const ID = "rust-cargo-lock";
/** Largest Cargo.lock read (big workspaces have a few MiB). */
export const MAX_CARGO_LOCK_BYTES = 32 * 1024 * 1024;
const CRATES_IO = "registry+https://github.com/rust-lang/crates.io-index";
const CRATES_IO_SPARSE = "sparse+https://index.crates.io/";

export interface LockedCrate {
  readonly name: string;
  readonly version: string;
  readonly source?: string;
  readonly checksum?: string;
  /** Dependency references as written. */
  readonly dependencies: readonly string[];
}

export interface CargoLock {
  /** The `version` key; undefined for v1/v2 files, which have none. */
  readonly version?: number;
  readonly packages: readonly LockedCrate[];
}

function bad(msg: string): BerthError {
  return new BerthError("corrupt", `Cargo.lock: ${msg}`);
}

function crate(t: unknown, where: string): LockedCrate {
  if (!isRecord(t)) throw bad(`${where} is not a table`);
  const { name, version, source, checksum, dependencies = [] } = t;
  if (typeof name !== "string" || name === "") throw bad(`${where} has no name`);
  if (typeof version !== "string" || version === "") throw bad(`${where} (${name}) has no version`);
  if (source !== undefined && typeof source !== "string") throw bad(`${where} (${name}): source is not a string`);
  if (checksum !== undefined && typeof checksum !== "string") throw bad(`${where} (${name}): checksum is not a string`);
  if (!Array.isArray(dependencies) || !dependencies.every((d): d is string => typeof d === "string")) throw bad(`${where} (${name}): dependencies is not a list of strings`);
  return { name, version, ...(source !== undefined ? { source } : {}), ...(checksum !== undefined ? { checksum } : {}), dependencies };
}

export function parseCargoLock(text: string): CargoLock {
  let doc: Record<string, unknown>;
  try {
    doc = parseToml(text, { maxDepth: 16 }) as Record<string, unknown>;
  } catch (e) {
    throw bad(`not TOML (${describeError(e).split("\n")[0]})`);
  }
  const version = doc.version;
  if (version !== undefined && (typeof version !== "number" || !Number.isInteger(version))) throw bad("version is not an integer");
  if (typeof version === "number" && (version < 3 || version > 4)) throw new BerthError("unsupported", `Cargo.lock: lockfile version ${version} is not one Berth reads (1-4)`);
  const rawPackages = doc.package ?? [];
  if (!Array.isArray(rawPackages)) throw bad("package is not an array of tables");
  const packages = rawPackages.map((p, i) => crate(p, `package ${i + 1}`));
  if (doc.root !== undefined) packages.unshift(crate(doc.root, "[root]"));
  // v1: checksums live in [metadata] as "checksum <name> <version> (<source>)" = "<sha256>".
  const meta = doc.metadata;
  if (isRecord(meta)) {
    const sums = new Map<string, string>();
    for (const [k, v] of Object.entries(meta)) if (k.startsWith("checksum ") && typeof v === "string" && v !== "<none>") sums.set(k.slice("checksum ".length), v);
    for (const [i, p] of packages.entries()) {
      const sum = p.checksum ?? (p.source ? sums.get(`${p.name} ${p.version} (${p.source})`) : undefined);
      if (sum) packages[i] = { ...p, checksum: sum };
    }
  }
  return { ...(typeof version === "number" ? { version } : {}), packages };
}

/** The package a dependency reference names, or undefined when it names none or several. */
function resolveRef(ref: string, byName: Map<string, LockedCrate[]>): LockedCrate | undefined {
  const m = /^(\S+)(?: (\S+))?(?: \((.+)\))?$/.exec(ref.trim());
  if (!m) return undefined;
  const [, name = "", version, source] = m;
  const found = (byName.get(name) ?? []).filter((p) => (version === undefined || p.version === version) && (source === undefined || p.source === source));
  return found.length === 1 ? found[0] : undefined;
}

function cratePurl(c: LockedCrate): string {
  return purl("cargo", undefined, c.name, c.version);
}

export function cargoLockPackages(lock: CargoLock, loc: Location): { packages: Package[]; unresolved: string[] } {
  const byName = new Map<string, LockedCrate[]>();
  for (const p of lock.packages) byName.set(p.name, [...(byName.get(p.name) ?? []), p]);
  const unresolved: string[] = [];
  const deps = new Map<LockedCrate, LockedCrate[]>();
  for (const p of lock.packages) {
    const list: LockedCrate[] = [];
    for (const ref of p.dependencies) {
      const d = resolveRef(ref, byName);
      if (d) list.push(d);
      else unresolved.push(`${p.name} ${p.version} → "${ref}"`);
    }
    deps.set(p, list);
  }
  const direct = new Set<LockedCrate>();
  for (const p of lock.packages) if (p.source === undefined) for (const d of deps.get(p) ?? []) direct.add(d);
  const out = new Map<string, Package>();
  for (const p of lock.packages) {
    const metadata: Record<string, string> = {};
    if (p.source === undefined) metadata.source = "local";
    else if (p.source !== CRATES_IO && p.source !== CRATES_IO_SPARSE) metadata.source = p.source;
    if (p.checksum) metadata.checksum = `sha256:${p.checksum}`;
    const dependsOn = [...new Set((deps.get(p) ?? []).map(cratePurl))];
    const pkg: Package = {
      type: "cargo",
      name: p.name,
      version: p.version,
      purl: cratePurl(p),
      licenses: [],
      locations: [loc],
      foundBy: ID,
      evidence: "lockfile",
      ...(p.source !== undefined ? { direct: direct.has(p) } : {}),
      ...(dependsOn.length ? { dependsOn } : {}),
      ...(Object.keys(metadata).length ? { metadata } : {}),
    };
    // The same name@version from two sources (crates.io and a git fork) is one purl: keep the
    // first, fold the edges of the second into it.
    const prev = out.get(pkg.purl);
    if (!prev) out.set(pkg.purl, pkg);
    else if (pkg.dependsOn) out.set(pkg.purl, { ...prev, dependsOn: [...new Set([...(prev.dependsOn ?? []), ...pkg.dependsOn])], ...(pkg.direct ? { direct: true } : {}) });
  }
  return { packages: [...out.values()], unresolved };
}

function claims(path: string): boolean {
  return path === "Cargo.lock" || path.endsWith("/Cargo.lock");
}

async function parse(file: CatalogFile): Promise<CatalogResult> {
  if (file.data.length > MAX_CARGO_LOCK_BYTES) throw new BerthError("limit", `${file.path}: ${file.data.length} bytes exceeds the Cargo.lock bound of ${MAX_CARGO_LOCK_BYTES}`);
  const loc: Location = locationOf(file);
  const { packages, unresolved } = cargoLockPackages(parseCargoLock(file.data.toString("utf8")), loc);
  const unknowns = unresolved.length
    ? [{ ...loc, cataloger: ID, message: `${unresolved.length} dependency reference(s) name no single package, edges dropped: ${unresolved.slice(0, 5).join("; ")}` }]
    : [];
  return { packages, unknowns };
}

export const cargoLockCataloger: Cataloger = {
  id: ID,
  version: 1,
  claims,
  primary: claims,
  parse,
};
