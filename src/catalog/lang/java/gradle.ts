// Gradle dependency locking: gradle.lockfile (Gradle 6+, one line per module,
// "group:artifact:version=configuration,configuration", plus "empty=…" and # comments),
// buildscript-gradle.lockfile (the build script's classpath), and the older per-configuration
// files gradle/dependency-locks/<configuration>.lockfile ("group:artifact:version" lines).
// Every locked module is a package, evidence "lockfile"; a lockfile does not say which modules are
// declared directly, so direct is unset. Modules locked only for test configurations
// (testCompileClasspath, integrationTestRuntimeClasspath, …) and build-script classpaths are dev.
import { posix } from "node:path";
import type { Location, Package } from "../../../model/package.js";
import { BerthError } from "../../../util/errors.js";
import { locationOf, type CatalogFile, type Cataloger, type CatalogResult } from "../../cataloger.js";
import { purl } from "../../purl.js";

const ID = "java-gradle-lockfile";
export const MAX_GRADLE_LOCK_BYTES = 16 * 1024 * 1024;

export interface GradleLock {
  readonly group: string;
  readonly artifact: string;
  readonly version: string;
  readonly configurations: readonly string[];
}

export function parseGradleLockfile(text: string, defaultConfiguration?: string): GradleLock[] {
  const out: GradleLock[] = [];
  for (const [i, raw] of text.split(/\r?\n/).entries()) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) continue;
    const eq = line.indexOf("=");
    const coords = eq < 0 ? line : line.slice(0, eq);
    if (coords === "empty") continue;
    const confs = eq < 0 ? (defaultConfiguration ? [defaultConfiguration] : []) : line.slice(eq + 1).split(",").map((c) => c.trim()).filter(Boolean);
    const parts = coords.split(":");
    if (parts.length !== 3 || parts.some((p) => p === "" || /\s/.test(p))) throw new BerthError("corrupt", `gradle lockfile line ${i + 1}: expected group:artifact:version, got ${JSON.stringify(line.slice(0, 80))}`);
    const [group = "", artifact = "", version = ""] = parts;
    out.push({ group, artifact, version, configurations: confs });
  }
  return out;
}

function isLockfile(path: string): boolean {
  const base = posix.basename(path);
  return base === "gradle.lockfile" || base === "buildscript-gradle.lockfile" || /(^|\/)gradle\/dependency-locks\/[^/]+\.lockfile$/.test(path);
}

async function parse(file: CatalogFile): Promise<CatalogResult> {
  if (file.data.length > MAX_GRADLE_LOCK_BYTES) throw new BerthError("limit", `${file.path}: ${file.data.length} bytes exceeds the lockfile bound of ${MAX_GRADLE_LOCK_BYTES}`);
  const base = posix.basename(file.path);
  const legacy = base !== "gradle.lockfile" && base !== "buildscript-gradle.lockfile";
  const buildscript = base === "buildscript-gradle.lockfile";
  const locks = parseGradleLockfile(file.data.toString("utf8"), legacy ? base.replace(/\.lockfile$/, "") : undefined);
  const loc: Location = locationOf(file);
  const packages: Package[] = locks.map((l) => ({
    type: "maven",
    name: l.artifact,
    version: l.version,
    purl: purl("maven", l.group, l.artifact, l.version),
    licenses: [],
    locations: [loc],
    foundBy: ID,
    evidence: "lockfile",
    ...(buildscript || (l.configurations.length > 0 && l.configurations.every((c) => /test/i.test(c))) ? { dev: true } : {}),
    metadata: { groupId: l.group, ...(l.configurations.length ? { configurations: l.configurations.join(",") } : {}) },
  }));
  return { packages, unknowns: [] };
}

export const gradleLockfileCataloger: Cataloger = {
  id: ID,
  version: 1,
  claims: isLockfile,
  primary: isLockfile,
  parse,
};
