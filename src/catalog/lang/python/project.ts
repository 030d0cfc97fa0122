// What a Python project declares it depends on, read from the manifest beside a lockfile, so
// lockfile entries can be marked direct (declared) or transitive (only pulled in):
//  - pyproject.toml: [project] dependencies and optional-dependencies (runtime), [dependency-groups]
//    (PEP 735), [tool.poetry] dependencies / dev-dependencies / group.<g>.dependencies,
//    [tool.pdm] dev-dependencies, [tool.uv] dev-dependencies;
//  - Pipfile: [packages] and [dev-packages].
// Names are PEP 503-normalised. Without a manifest the lockfile's packages leave `direct` unset
// rather than guess; an unreadable manifest is also reported as an Unknown of its own.
import type { Unknown } from "../../../model/package.js";
import { describeError } from "../../../util/errors.js";
import type { CatalogEnv, CatalogFile } from "../../cataloger.js";
import { dirPrefix, isTable, normalizeName, parseRequirement, readToml, stringArray, unknownAt, type Table } from "./common.js";

export interface Declared {
  readonly runtime: ReadonlySet<string>;
  readonly dev: ReadonlySet<string>;
}

export function isDeclared(d: Declared, name: string): boolean {
  const n = normalizeName(name);
  return d.runtime.has(n) || d.dev.has(n);
}

function requirementNames(list: unknown): string[] {
  return stringArray(list)
    .map((r) => parseRequirement(r)?.name)
    .filter((n): n is string => !!n);
}

function tableKeys(t: unknown): string[] {
  return isTable(t) ? Object.keys(t).filter((k) => k.toLowerCase() !== "python") : [];
}

function table(t: Table, ...keys: string[]): Table | undefined {
  let cur: unknown = t;
  for (const k of keys) cur = isTable(cur) ? cur[k] : undefined;
  return isTable(cur) ? cur : undefined;
}

export function declaredInPyproject(doc: Table): Declared {
  const runtime: string[] = [];
  const dev: string[] = [];
  const project = table(doc, "project");
  if (project) {
    runtime.push(...requirementNames(project["dependencies"]));
    for (const list of Object.values(table(project, "optional-dependencies") ?? {})) runtime.push(...requirementNames(list));
  }
  for (const list of Object.values(table(doc, "dependency-groups") ?? {})) dev.push(...requirementNames(list));
  const poetry = table(doc, "tool", "poetry");
  if (poetry) {
    runtime.push(...tableKeys(poetry["dependencies"]));
    dev.push(...tableKeys(poetry["dev-dependencies"]));
    for (const [group, g] of Object.entries(table(poetry, "group") ?? {})) {
      const keys = tableKeys(isTable(g) ? g["dependencies"] : undefined);
      (group === "main" ? runtime : dev).push(...keys);
    }
  }
  for (const list of Object.values(table(doc, "tool", "pdm", "dev-dependencies") ?? {})) dev.push(...requirementNames(list));
  dev.push(...requirementNames(table(doc, "tool", "uv")?.["dev-dependencies"]));
  return { runtime: new Set(runtime.map(normalizeName)), dev: new Set(dev.map(normalizeName)) };
}

export function declaredInPipfile(doc: Table): Declared {
  return { runtime: new Set(tableKeys(doc["packages"]).map(normalizeName)), dev: new Set(tableKeys(doc["dev-packages"]).map(normalizeName)) };
}

export interface Manifest {
  readonly declared?: Declared;
  readonly unknowns: readonly Unknown[];
}

/** The manifest `name` in the lockfile's directory, parsed; no `declared` when absent or unreadable. */
export function readManifest(lock: CatalogFile, env: CatalogEnv, name: "pyproject.toml" | "Pipfile", cataloger: string): Manifest {
  const f = env.read(`${dirPrefix(lock.path)}${name}`);
  if (!f) return { unknowns: [] };
  try {
    const doc = readToml(f, env, name);
    return { declared: name === "Pipfile" ? declaredInPipfile(doc) : declaredInPyproject(doc), unknowns: [] };
  } catch (e) {
    return { unknowns: [unknownAt(f, cataloger, `${describeError(e)}; direct dependencies of ${lock.path} unknown`)] };
  }
}
