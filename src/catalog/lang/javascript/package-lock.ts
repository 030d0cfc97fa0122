// npm's package-lock.json and npm-shrinkwrap.json (docs.npmjs.com/cli/configuring-npm/package-lock-json):
//  - lockfileVersion 2 and 3: "packages", keyed by install path ("" the root, "node_modules/a",
//    "node_modules/a/node_modules/b", "packages/x" a workspace folder; link entries point at one);
//  - lockfileVersion 1 (npm 5/6): nested "dependencies" mirroring node_modules, "requires" naming
//    each entry's dependencies, "version" holding "npm:real@1.0.0" for aliases and "file:…" for
//    local directories. It is turned into v2-style install paths, so one resolver serves both.
// Dependencies resolve like Node does, up the node_modules chain of install paths. The lockfile's
// own "dev" flag decides dev; direct = declared by the root entry (v2/v3), by package.json beside
// a v1 lockfile, or by a workspace/linked local folder.
import type { CatalogEnv, CatalogFile, Cataloger, CatalogResult } from "../../cataloger.js";
import { BerthError, describeError } from "../../../util/errors.js";
import { basename, dirnameSlash, emitGraph, insideNodeModules, isLocalSpec, isNpmName, isPackageJson, isVersionString, summarizeJavascript, MAX_ENTRIES, MAX_NESTING, type Importer, type LockGraph, type LockNode } from "./common.js";
import { isRecord, licensesOf, manifestFromObject, parseManifest, stringMap, unique, type Manifest } from "./manifest.js";
import { resolutionCandidates } from "./node-resolve.js";

const ID = "npm-lock";
const NAMES = new Set(["package-lock.json", "npm-shrinkwrap.json"]);

interface RawEntry {
  readonly key: string;
  readonly obj: Record<string, unknown>;
}

function dependencyNames(obj: Record<string, unknown>, what: string): string[] {
  return unique([
    ...stringMap(obj["dependencies"], what).keys(),
    ...stringMap(obj["optionalDependencies"], what).keys(),
    ...stringMap(obj["peerDependencies"], what).keys(),
  ]);
}

/** The package name an install path implies: the part after the last "node_modules/". */
function nameFromKey(key: string): string {
  const i = key.lastIndexOf("node_modules/");
  return i < 0 ? key : key.slice(i + "node_modules/".length);
}

/** v1's nested "dependencies" → v2-style entries {key, obj}, iteratively (no recursion on input). */
function flattenV1(deps: Record<string, unknown>, what: string): RawEntry[] {
  const out: RawEntry[] = [];
  const stack: { prefix: string; deps: Record<string, unknown>; depth: number }[] = [{ prefix: "", deps, depth: 1 }];
  while (stack.length) {
    const { prefix, deps: level, depth } = stack.pop()!;
    if (depth > MAX_NESTING) throw new BerthError("limit", `${what}: more than ${MAX_NESTING} nested dependency levels`);
    for (const [name, v] of Object.entries(level)) {
      if (!isRecord(v)) continue;
      if (out.length >= MAX_ENTRIES) throw new BerthError("limit", `${what}: more than ${MAX_ENTRIES} entries`);
      const key = `${prefix}node_modules/${name}`;
      out.push({ key, obj: v });
      const nested = v["dependencies"];
      if (isRecord(nested)) stack.push({ prefix: `${key}/`, deps: nested, depth: depth + 1 });
    }
  }
  return out;
}

/** A v1 entry in v2 shape: "requires" becomes "dependencies", aliases/local specs are decoded. */
function v1AsV2(e: RawEntry): Record<string, unknown> {
  const o = e.obj;
  const out: Record<string, unknown> = { dev: o["dev"], dependencies: o["requires"] };
  const v = o["version"];
  if (typeof v === "string" && v.startsWith("npm:")) {
    const at = v.slice(4);
    const i = at.lastIndexOf("@");
    if (i > 0) {
      out["name"] = at.slice(0, i);
      out["version"] = at.slice(i + 1);
    }
  } else if (typeof v === "string" && isLocalSpec(v)) {
    out["link"] = true;
    out["localDir"] = true;
  } else out["version"] = v;
  return out;
}

export function lockGraph(text: string, what: string, siblingManifest?: Manifest): LockGraph {
  let doc: unknown;
  try {
    doc = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch (e) {
    throw new BerthError("corrupt", `${what}: invalid JSON (${describeError(e)})`);
  }
  if (!isRecord(doc)) throw new BerthError("corrupt", `${what}: not a JSON object`);
  const version = doc["lockfileVersion"];
  if (version !== undefined && (typeof version !== "number" || version < 1 || version > 3)) {
    throw new BerthError("unsupported", `${what}: lockfileVersion ${JSON.stringify(version)} is not 1, 2 or 3`);
  }
  const unknowns: string[] = [];
  let entries: Map<string, Record<string, unknown>>;
  let rootObj: Record<string, unknown> | undefined;
  if (isRecord(doc["packages"])) {
    const pk = doc["packages"];
    const keys = Object.keys(pk);
    if (keys.length > MAX_ENTRIES + 1) throw new BerthError("limit", `${what}: more than ${MAX_ENTRIES} entries`);
    entries = new Map();
    for (const k of keys) {
      const v = pk[k];
      if (!isRecord(v)) {
        unknowns.push(`entry ${JSON.stringify(k.slice(0, 200))} is not an object`);
        continue;
      }
      if (k === "") rootObj = v;
      else entries.set(k, v);
    }
  } else if (isRecord(doc["dependencies"])) {
    entries = new Map(flattenV1(doc["dependencies"], what).map((e) => [e.key, v1AsV2(e)]));
  } else if (version === undefined) {
    throw new BerthError("corrupt", `${what}: neither "packages" nor "dependencies" — not a package-lock`);
  } else entries = new Map();

  // Link entries ("node_modules/@ws/a" → "packages/a") forward to their target folder.
  const follow = (key: string): string | undefined => {
    let k = key;
    for (let hops = 0; hops < 8; hops++) {
      const e = entries.get(k);
      if (!e) return undefined;
      if (e["link"] !== true || e["localDir"] === true) return k;
      const target = e["resolved"];
      if (typeof target !== "string") return undefined;
      k = target;
    }
    return undefined;
  };
  const resolve = (fromKey: string, names: Iterable<string>): string[] => {
    const out: string[] = [];
    for (const n of names) {
      for (const cand of resolutionCandidates(fromKey, n)) {
        if (!entries.has(cand)) continue;
        const t = follow(cand);
        if (t !== undefined) out.push(t);
        break;
      }
    }
    return out;
  };

  const nodes = new Map<string, LockNode>();
  for (const [key, e] of entries) {
    if (e["link"] === true && e["localDir"] !== true) continue; // forwarded, not a node
    const local = e["localDir"] === true || !insideNodeModules(`${key}/`) || (typeof e["resolved"] === "string" && isLocalSpec(e["resolved"]));
    const name = typeof e["name"] === "string" ? e["name"] : nameFromKey(key);
    const v = e["version"];
    const deps = resolve(key, dependencyNames(e, `${what}: ${key}`));
    if (local) {
      nodes.set(key, { name, version: typeof v === "string" ? v : "", deps, local: true, devDeps: resolve(key, stringMap(e["devDependencies"], key).keys()) });
      continue;
    }
    if (!isNpmName(name)) {
      unknowns.push(`entry ${JSON.stringify(key.slice(0, 200))}: invalid package name`);
      continue;
    }
    if (typeof v !== "string" || !isVersionString(v)) {
      unknowns.push(`entry ${JSON.stringify(key.slice(0, 200))}: missing or invalid version`);
      continue;
    }
    nodes.set(key, { name, version: v, licenses: licensesOf(e), deps, dev: e["dev"] === true });
  }

  let importers: Importer[] | undefined;
  const rootManifest = rootObj ? manifestFromObject(rootObj, `${what}: root entry`) : siblingManifest;
  if (rootManifest) {
    const prod = resolve("", unique([...rootManifest.dependencies.keys(), ...rootManifest.optionalDependencies.keys(), ...rootManifest.peerDependencies.keys()]));
    const dev = resolve("", [...rootManifest.devDependencies.keys()].filter((k) => !rootManifest.dependencies.has(k)));
    // npm links every workspace into node_modules and counts it as a root dependency.
    const workspaces = [...nodes.entries()].filter(([k, n]) => n.local && !insideNodeModules(`${k}/`)).map(([k]) => k);
    importers = [{ prod: unique([...prod, ...workspaces]), dev, devKnown: true }];
  }
  return { nodes, ...(importers ? { importers } : {}), unknowns };
}

function siblingManifest(file: CatalogFile, env: CatalogEnv): Manifest | undefined {
  const f = env.read(`${dirnameSlash(file.path)}package.json`);
  if (!f) return undefined;
  try {
    return parseManifest(f.data, f.path);
  } catch {
    return undefined;
  }
}

export const npmLockCataloger: Cataloger = {
  id: ID,
  version: 1,
  claims: (path) => NAMES.has(basename(path)) || isPackageJson(path),
  // Lockfiles shipped inside installed packages describe someone else's development setup.
  primary: (path) => NAMES.has(basename(path)) && !insideNodeModules(path),
  summarize: (path, data) => summarizeJavascript(path, data),
  async parse(file, env): Promise<CatalogResult> {
    return emitGraph(lockGraph(file.data.toString("utf8"), file.path, siblingManifest(file, env)), file, ID, "lockfile");
  },
};
