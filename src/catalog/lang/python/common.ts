// Helpers shared by the Python catalogers: PEP 503 names, PEP 508 requirement strings, bounded
// TOML/JSON decoding of untrusted lockfiles, and the Package record they all produce.
import { parse as parseToml, TomlError } from "smol-toml";
import type { Location, Package } from "../../../model/package.js";
import { BerthError } from "../../../util/errors.js";
import { absolutePath, type CatalogEnv, type CatalogFile } from "../../cataloger.js";
import { purl } from "../../purl.js";
import { locationOf, unknownAt, textOf, readJson, checkCount, MAX_PACKAGES_PER_FILE } from "../../cataloger.js";
export { locationOf, unknownAt, textOf, readJson, checkCount, MAX_PACKAGES_PER_FILE };

/** Most packages one lockfile may declare: far above any real project, far below a memory problem. */
/** Deepest TOML/JSON nesting accepted (lockfiles nest 3–4 levels). */
export const MAX_NESTING = 64;

/** PEP 503 normalised name: lowercase, runs of "-", "_", "." become one "-". */
export function normalizeName(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, "-");
}

// PEP 508 names: ASCII letters/digits, with "-", "_", "." inside. Bounded so hostile input cannot
// put megabytes into a purl.
const NAME = /^[A-Za-z0-9](?:[A-Za-z0-9._-]{0,212}[A-Za-z0-9])?$/;
// Versions as written by the tools (PEP 440 plus whatever a lockfile records for a VCS source):
// printable, no whitespace, bounded.
const VERSION = /^[\x21-\x7e]{1,128}$/;

export function validName(name: unknown): name is string {
  return typeof name === "string" && NAME.test(name);
}

export function validVersion(version: unknown): version is string {
  return typeof version === "string" && VERSION.test(version);
}

export function pypiPurl(name: string, version: string): string {
  return purl("pypi", undefined, normalizeName(name), version);
}

export type Table = Record<string, unknown>;

export function isTable(v: unknown): v is Table {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

export function stringArray(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : [];
}

/** Untrusted TOML → a table, or BerthError("corrupt") naming the file. */
export function readToml(file: CatalogFile, env: CatalogEnv, what: string): Table {
  const text = textOf(file, env);
  try {
    return parseToml(text, { maxDepth: MAX_NESTING, unsafeKeyBehaviour: "drop" });
  } catch (e) {
    const detail = e instanceof TomlError ? `line ${e.line}` : e instanceof RangeError ? "nesting too deep" : "unreadable";
    throw new BerthError("corrupt", `${absolutePath(file.path)}: not a valid ${what} (TOML ${detail})`, { cause: e });
  }
}

export interface Requirement {
  readonly name: string;
  /** The marker after ";", trimmed; "" when none. */
  readonly marker: string;
}

/**
 * The name and marker of a PEP 508 requirement ("urllib3[socks] (<3,>=1.21.1) ; extra == 'x'",
 * "pkg @ https://…"); undefined when it does not start with a valid name.
 */
export function parseRequirement(req: string): Requirement | undefined {
  const m = /^\s*([A-Za-z0-9][A-Za-z0-9._-]*)/.exec(req);
  if (!m?.[1] || !validName(m[1])) return undefined;
  const semi = req.indexOf(";", m[0].length);
  return { name: m[1], marker: semi < 0 ? "" : req.slice(semi + 1).trim() };
}

/** True when a marker restricts a requirement to an optional extra ("extra == 'socks'"). */
export function isExtraMarker(marker: string): boolean {
  return /\bextra\s*==/.test(marker);
}

export interface PypiFields {
  readonly name: string;
  readonly version: string;
  readonly foundBy: string;
  readonly location: Location;
  readonly evidence: "installed" | "lockfile";
  readonly licenses?: readonly string[];
  readonly direct?: boolean;
  readonly dev?: boolean;
  readonly dependsOn?: readonly string[];
  readonly metadata?: Readonly<Record<string, string>>;
}

export function pypiPackage(f: PypiFields): Package {
  const self = pypiPurl(f.name, f.version);
  const dependsOn = [...new Set(f.dependsOn ?? [])].filter((p) => p !== self);
  return {
    type: "pypi",
    name: f.name,
    version: f.version,
    purl: self,
    licenses: f.licenses ?? [],
    locations: [f.location],
    foundBy: f.foundBy,
    evidence: f.evidence,
    ...(f.direct !== undefined ? { direct: f.direct } : {}),
    ...(f.dev ? { dev: true } : {}),
    ...(dependsOn.length ? { dependsOn } : {}),
    ...(f.metadata && Object.keys(f.metadata).length ? { metadata: f.metadata } : {}),
  };
}

/** "dir/sub/file" → "dir/sub/"; "file" → "". */
export function dirPrefix(path: string): string {
  const i = path.lastIndexOf("/");
  return i < 0 ? "" : path.slice(0, i + 1);
}

export function baseName(path: string): string {
  return path.slice(path.lastIndexOf("/") + 1);
}

/**
 * Resolves dependency names to purls among the packages of one lockfile: by normalised name, and
 * when a name was locked at several versions, only where the dependency names the version.
 */
export class LockIndex {
  private readonly byName = new Map<string, Map<string, string>>();
  add(name: string, version: string): void {
    const key = normalizeName(name);
    const m = this.byName.get(key) ?? new Map<string, string>();
    m.set(version, pypiPurl(name, version));
    this.byName.set(key, m);
  }
  resolve(name: string, version?: string): string | undefined {
    const m = this.byName.get(normalizeName(name));
    if (!m) return undefined;
    if (version !== undefined) return m.get(version);
    return m.size === 1 ? [...m.values()][0] : undefined;
  }
  has(name: string): boolean {
    return this.byName.has(normalizeName(name));
  }
}
