// Gemfile.lock (Bundler, bundler.io "Gemfile.lock"): sections start at column 0. GEM, GIT and PATH
// sections list `specs:`, each spec at 4 spaces as `name (version[-platform])`, its dependencies
// at 6 spaces as `name` or `name (requirement)`. DEPENDENCIES lists, at 2 spaces, what the Gemfile
// asked for (`name`, `name (req)`, `name!` when pinned to a GIT/PATH source): those are direct,
// every other spec transitive. Edges go to every locked spec of the dependency's name (several
// only when a gem is locked for several platforms). Groups are in the Gemfile, not the lock:
// dev stays unset.
import type { Package, Unknown } from "../../../model/package.js";
import type { Cataloger, CatalogResult } from "../../cataloger.js";
import { BerthError } from "../../../util/errors.js";
import { absolutePath } from "../../cataloger.js";
import { gemPackage, gemPurl, locationOf, MAX_GEMS_PER_FILE, textOf, unknownAt, validGemName, validGemVersion, validPlatform } from "./common.js";

export const GEMFILE_LOCK = "ruby-gemfile-lock";

export interface LockedSpec {
  readonly name: string;
  readonly version: string;
  readonly platform?: string;
  /** GEM, GIT or PATH. */
  readonly source: string;
  readonly deps: readonly string[];
}

export interface GemfileLock {
  readonly specs: readonly LockedSpec[];
  /** Names in DEPENDENCIES. */
  readonly dependencies: readonly string[];
  /** Spec lines that could not be read. */
  readonly invalid: number;
}

const SPEC = /^ {4}([^ ()]+) \(([^()]+)\)$/;
const DEP = /^ {6}([^ ()]+)(?: \(.*\))?$/;
const DIRECT = /^ {2}([^ ()!]+)!?(?: \(.*\))?$/;

/**
 * "1.15.0-x86_64-linux" → version "1.15.0", platform "x86_64-linux": as Bundler's own lockfile
 * parser reads it, everything after the first "-" is the platform (gem versions use "." instead).
 */
export function splitVersion(v: string): { version: string; platform?: string } {
  const i = v.indexOf("-");
  return i < 0 ? { version: v } : { version: v.slice(0, i), platform: v.slice(i + 1) };
}

export function parseGemfileLock(text: string): GemfileLock {
  const specs: LockedSpec[] = [];
  const dependencies: string[] = [];
  let invalid = 0;
  let section = "";
  let inSpecs = false;
  let current: { name: string; version: string; platform?: string; source: string; deps: string[] } | undefined;
  const flush = () => {
    if (current) specs.push(current);
    current = undefined;
  };
  for (const raw of text.split("\n")) {
    const line = raw.replace(/\r$/, "");
    if (line.trim() === "") continue;
    if (!line.startsWith(" ")) {
      flush();
      section = line.trim();
      inSpecs = false;
      continue;
    }
    if (section === "GEM" || section === "GIT" || section === "PATH" || section === "PLUGIN SOURCE") {
      if (line === "  specs:") {
        inSpecs = true;
        continue;
      }
      if (!inSpecs) continue;
      const s = SPEC.exec(line);
      if (s?.[1] && s[2]) {
        flush();
        if (specs.length >= MAX_GEMS_PER_FILE) throw new BerthError("limit", `more than ${MAX_GEMS_PER_FILE} specs`);
        const { version, platform } = splitVersion(s[2]);
        if (validGemName(s[1]) && validGemVersion(version) && (platform === undefined || validPlatform(platform))) {
          current = { name: s[1], version, ...(platform ? { platform } : {}), source: section, deps: [] };
        } else invalid++;
        continue;
      }
      const d = DEP.exec(line);
      if (d?.[1] && current) {
        if (current.deps.length < 10_000) current.deps.push(d[1]);
        continue;
      }
      if (line.startsWith("    ")) invalid++;
    } else if (section === "DEPENDENCIES") {
      const d = DIRECT.exec(line);
      if (d?.[1] && dependencies.length < MAX_GEMS_PER_FILE) dependencies.push(d[1]);
    }
  }
  flush();
  return { specs, dependencies, invalid };
}

export function isGemfileLock(path: string): boolean {
  return path === "Gemfile.lock" || path.endsWith("/Gemfile.lock") || path === "gems.locked" || path.endsWith("/gems.locked");
}

export const gemfileLockCataloger: Cataloger = {
  id: GEMFILE_LOCK,
  version: 1,
  claims: isGemfileLock,
  primary: isGemfileLock,
  async parse(file, env): Promise<CatalogResult> {
    let lock: GemfileLock;
    try {
      lock = parseGemfileLock(textOf(file, env));
    } catch (e) {
      if (e instanceof BerthError) throw new BerthError(e.code, `${absolutePath(file.path)}: ${e.message}`);
      throw e;
    }
    const unknowns: Unknown[] = [];
    if (lock.invalid) unknowns.push(unknownAt(file, GEMFILE_LOCK, `${lock.invalid} spec lines not readable as "name (version)" skipped`));
    if (lock.specs.length === 0 && !/^(GEM|GIT|PATH|DEPENDENCIES|PLATFORMS)$/m.test(file.data.toString("utf8", 0, Math.min(file.data.length, 1 << 20)))) {
      unknowns.push(unknownAt(file, GEMFILE_LOCK, "not a Gemfile.lock: no GEM, GIT or PATH section"));
    }
    const byName = new Map<string, string[]>();
    for (const s of lock.specs) byName.set(s.name, [...(byName.get(s.name) ?? []), gemPurl(s.name, s.version, s.platform)]);
    const direct = new Set(lock.dependencies);
    const location = locationOf(file);
    const packages: Package[] = lock.specs.map((s) =>
      gemPackage({
        name: s.name,
        version: s.version,
        ...(s.platform ? { platform: s.platform } : {}),
        foundBy: GEMFILE_LOCK,
        location,
        evidence: "lockfile",
        direct: direct.has(s.name),
        dependsOn: s.deps.flatMap((d) => byName.get(d) ?? []),
        ...(s.source !== "GEM" ? { metadata: { source: s.source.toLowerCase() } } : {}),
      }),
    );
    return { packages, unknowns };
  },
};
