// Installed Python distributions: <name>-<ver>.dist-info/METADATA (wheels, pip), .egg-info/PKG-INFO
// and single-file .egg-info (setuptools, distutils, Debian's python3-* packages), .egg/EGG-INFO, in
// any site-packages or dist-packages directory of the tree.
//
// Dependencies: Requires-Dist headers (and an egg's requires.txt) become dependsOn edges only to
// distributions installed in the same directory, matched by PEP 503 name. Requirements guarded by
// an `extra == …` marker are skipped (optional features, installed or not); other markers
// (python_version, sys_platform…) are not evaluated: the installed neighbour is the evidence. A
// name installed twice in one directory (a broken environment) gets no edge rather than a guess.
// Installed metadata does not say what the project asked for, so direct and dev stay unset.
import type { Package } from "../../../model/package.js";
import type { CatalogEnv, CatalogFile, Cataloger, CatalogResult } from "../../cataloger.js";
import { isExtraMarker, locationOf, normalizeName, parseRequirement, pypiPackage, pypiPurl, textOf, unknownAt, validName, validVersion } from "./common.js";
import { first, licensesOf, parseHeaders } from "./metadata.js";

export const PYTHON_INSTALLED = "python-installed";

const SITE = /(?:^|\/)(?:site|dist)-packages\//;
// What follows the site directory: one metadata file per distribution.
const METADATA_IN_SITE = /^[^/]+\.(?:dist-info\/METADATA|egg-info\/PKG-INFO|egg-info|egg\/EGG-INFO\/PKG-INFO)$/;
const REQUIRES_IN_SITE = /^[^/]+\.(?:egg-info|egg\/EGG-INFO)\/requires\.txt$/;

/** The site directory ("usr/lib/python3/dist-packages") and the part after it, or undefined. */
function splitSite(path: string): { site: string; rest: string } | undefined {
  const m = SITE.exec(path);
  if (!m) return undefined;
  const end = m.index + m[0].length;
  return { site: path.slice(0, end - 1), rest: path.slice(end) };
}

function cheapCandidate(path: string): boolean {
  return path.includes("-packages/") && (path.endsWith("/METADATA") || path.endsWith("/PKG-INFO") || path.endsWith(".egg-info") || path.endsWith("/requires.txt"));
}

export function isInstalledMetadata(path: string): boolean {
  if (!cheapCandidate(path)) return false;
  const s = splitSite(path);
  return !!s && METADATA_IN_SITE.test(s.rest);
}

/**
 * Requirements of an egg's requires.txt: lines before any section are unconditional; "[:marker]"
 * sections are conditional on the environment (kept); "[extra]" / "[extra:marker]" are optional
 * features (skipped).
 */
export function parseRequiresTxt(text: string): string[] {
  const out: string[] = [];
  let inExtra = false;
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (!line || line.startsWith("#")) continue;
    if (line.startsWith("[")) {
      const section = line.slice(1, line.indexOf("]") < 0 ? undefined : line.indexOf("]"));
      inExtra = !section.startsWith(":");
      continue;
    }
    if (inExtra) continue;
    const req = parseRequirement(line);
    if (req) out.push(req.name);
  }
  return out;
}

/** Names of the non-optional requirements a distribution declares. */
function requiredNames(file: CatalogFile, headers: ReturnType<typeof parseHeaders>, env: CatalogEnv): string[] {
  const names: string[] = [];
  for (const r of headers.get("requires-dist") ?? []) {
    const req = parseRequirement(r);
    if (req && !isExtraMarker(req.marker)) names.push(req.name);
  }
  if (file.path.endsWith("/PKG-INFO")) {
    const req = env.read(`${file.path.slice(0, -"PKG-INFO".length)}requires.txt`);
    if (req && req.data.length <= env.limits.maxFileBytes) names.push(...parseRequiresTxt(req.data.toString("utf8")));
  }
  return names;
}

// Normalised name → purls of the distributions installed in one site directory, built once per
// directory per catalog run (keyed by the run's env object, so nothing outlives the run).
const siteIndexes = new WeakMap<CatalogEnv, Map<string, Map<string, string[]>>>();

function siteIndex(env: CatalogEnv, site: string): Map<string, string[]> {
  let perEnv = siteIndexes.get(env);
  if (!perEnv) siteIndexes.set(env, (perEnv = new Map()));
  const cached = perEnv.get(site);
  if (cached) return cached;
  const index = new Map<string, string[]>();
  for (const p of env.list(`${site}/`)) {
    if (!METADATA_IN_SITE.test(p.slice(site.length + 1))) continue;
    const f = env.read(p);
    if (!f || f.data.length > env.limits.maxFileBytes) continue;
    try {
      const h = parseHeaders(f.data.toString("utf8"));
      const name = first(h, "name");
      const version = first(h, "version");
      if (!validName(name) || !validVersion(version)) continue;
      const key = normalizeName(name);
      index.set(key, [...(index.get(key) ?? []), pypiPurl(name, version)]);
    } catch {
      // reported when that file itself is parsed
    }
  }
  perEnv.set(site, index);
  return index;
}

export const pythonInstalledCataloger: Cataloger = {
  id: PYTHON_INSTALLED,
  version: 1,
  claims(path) {
    if (!cheapCandidate(path)) return false;
    const s = splitSite(path);
    return !!s && (METADATA_IN_SITE.test(s.rest) || REQUIRES_IN_SITE.test(s.rest));
  },
  primary: isInstalledMetadata,
  async parse(file, env): Promise<CatalogResult> {
    const headers = parseHeaders(textOf(file, env));
    const name = first(headers, "name");
    const version = first(headers, "version");
    if (!validName(name) || !validVersion(version)) {
      return { packages: [], unknowns: [unknownAt(file, PYTHON_INSTALLED, `no valid Name/Version in Python package metadata`)] };
    }
    const self = pypiPurl(name, version);
    const site = splitSite(file.path)?.site;
    const index = site ? siteIndex(env, site) : new Map<string, string[]>();
    const dependsOn: string[] = [];
    for (const dep of requiredNames(file, headers, env)) {
      const hits = index.get(normalizeName(dep));
      if (hits?.length === 1 && hits[0] !== self) dependsOn.push(hits[0]!);
    }
    const pkg: Package = pypiPackage({
      name,
      version,
      foundBy: PYTHON_INSTALLED,
      location: locationOf(file),
      evidence: "installed",
      licenses: licensesOf(headers),
      dependsOn,
    });
    return { packages: [pkg], unknowns: [] };
  },
};
