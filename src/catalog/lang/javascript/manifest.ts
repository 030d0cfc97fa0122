// package.json as the JavaScript catalogers read it: untrusted JSON validated field by field into
// a small Manifest. Only the fields the catalogers use are kept; `summarizeManifest` writes that
// subset back as JSON so the layer walk never holds a whole package.json (some carry megabytes of
// README) — and `parseManifest(summary)` gives the same Manifest as the original file.
import { BerthError, describeError } from "../../../util/errors.js";

/** Most entries accepted in one dependency map of one package.json. */
export const MAX_MANIFEST_DEPS = 10_000;
/** Most licence entries kept from one package.json. */
const MAX_LICENSES = 32;
const MAX_STRING = 1024;

export interface Manifest {
  readonly name?: string;
  readonly version?: string;
  readonly licenses: readonly string[];
  readonly dependencies: ReadonlyMap<string, string>;
  readonly devDependencies: ReadonlyMap<string, string>;
  readonly optionalDependencies: ReadonlyMap<string, string>;
  readonly peerDependencies: ReadonlyMap<string, string>;
  /** Workspace globs ("workspaces": [...] or {"packages": [...]}). */
  readonly workspaces: readonly string[];
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function shortString(v: unknown): string | undefined {
  if (typeof v !== "string") return undefined;
  const s = v.trim();
  return s !== "" && s.length <= MAX_STRING ? s : undefined;
}

/** A {name: spec} map with string values; other entries are ignored. Throws when too large. */
export function stringMap(v: unknown, what: string): Map<string, string> {
  const out = new Map<string, string>();
  if (!isRecord(v)) return out;
  const keys = Object.keys(v);
  if (keys.length > MAX_MANIFEST_DEPS) throw new BerthError("limit", `${what}: more than ${MAX_MANIFEST_DEPS} entries`);
  for (const k of keys) {
    const spec = v[k];
    if (typeof spec === "string" && k.length > 0 && k.length <= MAX_STRING) out.set(k, spec);
  }
  return out;
}

/**
 * Licences as package.json states them: "license": "MIT" | {"type": "MIT"}, or the deprecated
 * "licenses": ["MIT"] | [{"type": "MIT", "url": …}]. Kept verbatim (SPDX expressions included).
 */
export function licensesOf(obj: Record<string, unknown>): string[] {
  const out: string[] = [];
  const add = (v: unknown) => {
    const s = shortString(v) ?? (isRecord(v) ? shortString(v["type"]) : undefined);
    if (s && !out.includes(s) && out.length < MAX_LICENSES) out.push(s);
  };
  add(obj["license"]);
  const list = obj["licenses"];
  if (Array.isArray(list)) for (const l of list.slice(0, MAX_LICENSES)) add(l);
  else add(list);
  return out;
}

function workspacesOf(v: unknown): string[] {
  const list = isRecord(v) ? v["packages"] : v;
  if (!Array.isArray(list)) return [];
  return list.slice(0, MAX_MANIFEST_DEPS).filter((s): s is string => typeof s === "string" && s.length > 0 && s.length <= MAX_STRING);
}

/** Validates a parsed package.json object. */
export function manifestFromObject(obj: unknown, what: string): Manifest {
  if (!isRecord(obj)) throw new BerthError("corrupt", `${what}: package.json is not a JSON object`);
  const name = shortString(obj["name"]);
  const version = shortString(obj["version"]);
  return {
    ...(name ? { name } : {}),
    ...(version ? { version } : {}),
    licenses: licensesOf(obj),
    dependencies: stringMap(obj["dependencies"], `${what}: dependencies`),
    devDependencies: stringMap(obj["devDependencies"], `${what}: devDependencies`),
    optionalDependencies: stringMap(obj["optionalDependencies"], `${what}: optionalDependencies`),
    peerDependencies: stringMap(obj["peerDependencies"], `${what}: peerDependencies`),
    workspaces: workspacesOf(obj["workspaces"]),
  };
}

/** Parses package.json bytes (a UTF-8 BOM is allowed). Throws BerthError("corrupt") on bad JSON. */
export function parseManifest(data: Buffer | string, what: string): Manifest {
  let text = typeof data === "string" ? data : data.toString("utf8");
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  let obj: unknown;
  try {
    obj = JSON.parse(text);
  } catch (e) {
    throw new BerthError("corrupt", `${what}: invalid JSON (${describeError(e)})`);
  }
  return manifestFromObject(obj, what);
}

const cache = new WeakMap<Buffer, Manifest | BerthError>();

/** parseManifest memoised on the buffer: the installed tree reads each package.json many times. */
export function cachedManifest(data: Buffer, what: string): Manifest {
  let m = cache.get(data);
  if (!m) {
    try {
      m = parseManifest(data, what);
    } catch (e) {
      m = e instanceof BerthError ? e : new BerthError("corrupt", `${what}: ${describeError(e)}`);
    }
    cache.set(data, m);
  }
  if (m instanceof BerthError) throw m;
  return m;
}

/** The Manifest written back as package.json-shaped JSON. */
export function manifestJson(m: Manifest): string {
  const obj: Record<string, unknown> = {};
  if (m.name !== undefined) obj["name"] = m.name;
  if (m.version !== undefined) obj["version"] = m.version;
  if (m.licenses.length) obj["licenses"] = m.licenses;
  const maps = { dependencies: m.dependencies, devDependencies: m.devDependencies, optionalDependencies: m.optionalDependencies, peerDependencies: m.peerDependencies };
  for (const [k, v] of Object.entries(maps)) if (v.size) obj[k] = Object.fromEntries(v);
  if (m.workspaces.length) obj["workspaces"] = m.workspaces;
  return JSON.stringify(obj);
}

/**
 * The summary kept for a claimed package.json; a file that does not parse is kept whole, so that
 * `parse` reports it as an Unknown. Never throws.
 */
export function summarizeManifest(data: Buffer): Buffer {
  try {
    return Buffer.from(manifestJson(parseManifest(data, "package.json")));
  } catch {
    return data;
  }
}

/** Every dependency of an installed package that Node resolves at run time. */
export function runtimeDependencyNames(m: Manifest): string[] {
  return unique([...m.dependencies.keys(), ...m.optionalDependencies.keys(), ...m.peerDependencies.keys()]);
}

export function unique<T>(xs: Iterable<T>): T[] {
  return [...new Set(xs)];
}
