// bun.lock, bun's text lockfile (bun ≥ 1.1.39; the default since 1.2; bun.sh/docs/install/lockfile):
// JSON with trailing commas. "workspaces" maps each workspace path ("" the root) to its name and
// dependency maps; "packages" maps an install key to an array whose first element is the resolved
// "name@version" ("ms@2.1.2" for the alias key "my-ms"). Keys nest like node_modules folders:
// "https-proxy-agent/debug" is the debug that https-proxy-agent sees, found before "debug"; a
// workspace's own conflicting versions sit under its name ("@ws/a/is-number"). Registry entries
// are [ident, registry, {dependencies…}, integrity]; others carry the same object somewhere after
// the ident. "workspace:", "link:" and "file:" directories are the project's own code: not reported.
// bun.lockb (the older binary format) is not read: it is reported as an Unknown unless a bun.lock
// sits beside it (`bun install --save-text-lockfile` converts it).
import type { CatalogEnv, CatalogFile, Cataloger, CatalogResult } from "../../cataloger.js";
import { BerthError, describeError } from "../../../util/errors.js";
import { basename, dirnameSlash, emitGraph, insideNodeModules, isLocalSpec, isNpmName, isVersionString, splitAt, summarizeJavascript, unknownAt, MAX_ENTRIES, MAX_NESTING, type Importer, type LockGraph, type LockNode } from "./common.js";
import { jsoncToJson } from "./jsonc.js";
import { isRecord, stringMap, unique } from "./manifest.js";

const ID = "bun-lock";

/** "a/@s/b/c" → ["a", "@s/b", "c"]. */
function keyNames(key: string): string[] {
  const parts = key.split("/");
  const out: string[] = [];
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i]!;
    if (p.startsWith("@") && i + 1 < parts.length) out.push(`${p}/${parts[++i]}`);
    else out.push(p);
  }
  return out;
}

function metaOf(arr: readonly unknown[]): Record<string, unknown> {
  for (const v of arr.slice(1)) if (isRecord(v)) return v;
  return {};
}

export function bunGraph(text: string, what: string): LockGraph {
  let doc: unknown;
  try {
    doc = JSON.parse(jsoncToJson(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text, what));
  } catch (e) {
    if (e instanceof BerthError) throw e;
    throw new BerthError("corrupt", `${what}: invalid JSON (${describeError(e)})`);
  }
  if (!isRecord(doc)) throw new BerthError("corrupt", `${what}: not a JSON object`);
  const v = doc["lockfileVersion"];
  if (typeof v !== "number" || v < 0 || v > 1) throw new BerthError("unsupported", `${what}: lockfileVersion ${JSON.stringify(v)} is not 0 or 1`);
  const packages = isRecord(doc["packages"]) ? doc["packages"] : {};
  const keys = Object.keys(packages);
  if (keys.length > MAX_ENTRIES) throw new BerthError("limit", `${what}: more than ${MAX_ENTRIES} packages`);

  const has = (k: string) => Object.prototype.hasOwnProperty.call(packages, k);
  /** `dep` as seen from the package at `fromKey` ("" for the root): nearest enclosing key first. */
  const resolve = (fromNames: readonly string[], dep: string): string | undefined => {
    if (fromNames.length > MAX_NESTING) return undefined;
    for (let i = fromNames.length; i >= 0; i--) {
      const k = [...fromNames.slice(0, i), dep].join("/");
      if (has(k)) return k;
    }
    return undefined;
  };
  const unknowns: string[] = [];
  const nodes = new Map<string, LockNode>();
  for (const key of keys) {
    const arr = packages[key];
    const ident = Array.isArray(arr) ? arr[0] : undefined;
    const split = typeof ident === "string" ? splitAt(ident) : undefined;
    if (!Array.isArray(arr) || !split) {
      unknowns.push(`package ${JSON.stringify(key.slice(0, 200))}: no "name@version" ident`);
      continue;
    }
    const [name, version] = split;
    const meta = metaOf(arr);
    const from = keyNames(key);
    const deps = unique(
      [...stringMap(meta["dependencies"], key).keys(), ...stringMap(meta["optionalDependencies"], key).keys(), ...stringMap(meta["peerDependencies"], key).keys()]
        .map((d) => resolve(from, d))
        .filter((x): x is string => x !== undefined && x !== key),
    );
    if (isLocalSpec(version) || version.startsWith("root:")) {
      nodes.set(key, { name, version: "", deps, local: true });
      continue;
    }
    if (!isNpmName(name) || !isVersionString(version)) {
      unknowns.push(`package ${JSON.stringify(key.slice(0, 200))}: invalid ident ${JSON.stringify(ident)}`);
      continue;
    }
    nodes.set(key, { name, version, deps });
  }

  const importers: Importer[] = [];
  const workspaces = isRecord(doc["workspaces"]) ? doc["workspaces"] : {};
  for (const [path, ws] of Object.entries(workspaces)) {
    if (!isRecord(ws)) continue;
    const wsName = typeof ws["name"] === "string" ? ws["name"] : undefined;
    const from = path === "" || !wsName ? [] : [wsName];
    const res = (v: unknown) => [...stringMap(v, path).keys()].map((d) => resolve(from, d)).filter((x): x is string => x !== undefined);
    const prod = [...res(ws["dependencies"]), ...res(ws["optionalDependencies"]), ...res(ws["peerDependencies"])];
    const prodNames = new Set(stringMap(ws["dependencies"], path).keys());
    const dev = [...stringMap(ws["devDependencies"], path).keys()].filter((d) => !prodNames.has(d)).map((d) => resolve(from, d)).filter((x): x is string => x !== undefined);
    importers.push({ prod, dev, devKnown: true });
    // The workspace's own package entry ("@ws/a": ["@ws/a@workspace:packages/a"]) depends on
    // nothing in the file; give it its declared dependencies so other workspaces reach them.
    if (wsName && nodes.get(wsName)?.local) nodes.set(wsName, { name: wsName, version: "", deps: prod, devDeps: dev, local: true });
  }
  return { nodes, ...(importers.length ? { importers } : {}), unknowns };
}

export async function parseBunLock(file: CatalogFile, env: CatalogEnv): Promise<CatalogResult> {
  if (basename(file.path) === "bun.lockb") {
    if (env.read(`${dirnameSlash(file.path)}bun.lock`)) return { packages: [], unknowns: [] };
    return { packages: [], unknowns: [unknownAt(file, ID, "binary bun.lockb is not read; convert it with `bun install --save-text-lockfile` (bun ≥ 1.1.39)")] };
  }
  return emitGraph(bunGraph(file.data.toString("utf8"), file.path), file, ID, "lockfile");
}

const NAMES = new Set(["bun.lock", "bun.lockb"]);

export const bunLockCataloger: Cataloger = {
  id: ID,
  version: 1,
  claims: (path) => NAMES.has(basename(path)),
  primary: (path) => NAMES.has(basename(path)) && !insideNodeModules(path),
  summarize: (path, data) => summarizeJavascript(path, data),
  parse: parseBunLock,
};
