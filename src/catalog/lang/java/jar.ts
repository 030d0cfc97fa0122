// Java archives in images and directories: .jar, .war, .ear, .jpi and .hpi files, including the
// archives nested in them. summarize() (archive.ts) reads each archive while the layer streams and
// keeps only what identifies its contents; the archive's bytes are dropped right after.
//
// Identity of each archive, most trustworthy first:
// 1. META-INF/maven/<group>/<artifact>/pom.properties: groupId, artifactId, version, purl
//    pkg:maven/<group>/<artifact>@<version>. A shaded/uber jar holds one per embedded artifact:
//    every one is a package. The one whose artifactId matches the file name (or the only one) is
//    the archive itself; it depends on the others.
// 2. Otherwise META-INF/MANIFEST.MF: Implementation-Version, Bundle-Version, Plugin-Version or
//    Specification-Version for the version; the artifact from the file name (or Jenkins'
//    Short-Name); the group from Group-Id or Implementation-Vendor-Id when present. A manifest has
//    no reliable group; a maven purl needs one, so the artifact name stands in
//    (pkg:maven/app/app@1.0) and metadata.groupGuessed says so.
// 3. Otherwise the file name, "name-1.2.3.jar"; an archive with no version anywhere is still
//    listed, with an empty version and no version in its purl.
// Nested archives (WEB-INF/lib/x.jar, BOOT-INF/lib/x.jar, lib/x.jar) are packages of their own,
// located at "/outer.war!/WEB-INF/lib/x.jar", and the containing archive depends on them.
// Evidence is "installed": the archive is what runs. Bounds hit while reading (zip bombs, nesting
// deeper than 16, …) become unknowns naming the archive and the entry.
import { posix } from "node:path";
import type { Location, Package, Unknown } from "../../../model/package.js";
import type { Limits } from "../../../util/limits.js";
import { unknownAt, absolutePath, type CatalogFile, type Cataloger, type CatalogResult } from "../../cataloger.js";
import { purl } from "../../purl.js";
import { decodeSummary, encodeSummary, isRecord } from "../binary/summary.js";
import { isJavaArchiveName, summarizeJavaArchive, type ArchiveInfo, type JavaArchiveSummary, type PomProperties } from "./archive.js";

const ID = "java-archive";
const KIND = "java-archive";

/** "commons-lang3-3.12.0.jar" → commons-lang3 / 3.12.0; "log4j-1.2-api-2.17.1.jar" → log4j-1.2-api / 2.17.1. */
export function fileNameIdentity(fileName: string): { artifact: string; version?: string } {
  const stem = fileName.replace(/\.[^.]+$/, "");
  // The first "-<digit>" whose remainder does not itself contain "-word-<digit>" (as "1.2-api-2.17.1" does).
  const re = /-(?=[0-9])/g;
  for (let m = re.exec(stem); m; m = re.exec(stem)) {
    const version = stem.slice(m.index + 1);
    if (!/-[A-Za-z][A-Za-z0-9_]*-[0-9]/.test(version) && m.index > 0) return { artifact: stem.slice(0, m.index), version };
  }
  return { artifact: stem };
}

function splitLicenses(v: string | undefined): string[] {
  if (!v) return [];
  return v.includes("://") ? [v.trim()] : v.split(",").map((s) => s.trim()).filter(Boolean);
}

function validPom(p: PomProperties): p is PomProperties & { groupId: string; artifactId: string; version: string } {
  return !!p.groupId && !!p.artifactId && !!p.version;
}

export function archivePackages(summary: JavaArchiveSummary, file: { path: string; layerDigest?: string }): { packages: Package[]; unknowns: Unknown[] } {
  const outer = absolutePath(file.path);
  const layer = file.layerDigest ? { layerDigest: file.layerDigest } : {};
  const packages = new Map<string, Package>();
  const mainOf = new Map<string, string>(); // chain key → purl of the archive itself
  const add = (p: Package) => {
    const prev = packages.get(p.purl);
    if (!prev) packages.set(p.purl, p);
    else {
      const locations = [...prev.locations, ...p.locations.filter((l) => !prev.locations.some((q) => q.path === l.path))];
      const dependsOn = [...new Set([...(prev.dependsOn ?? []), ...(p.dependsOn ?? [])])];
      packages.set(p.purl, { ...prev, locations, ...(dependsOn.length ? { dependsOn } : {}) });
    }
  };
  for (const a of summary.archives) {
    const loc: Location = { path: a.chain.length ? `${outer}!/${a.chain.join("!/")}` : outer, ...layer };
    const fileName = posix.basename(a.chain.length ? a.chain[a.chain.length - 1]! : file.path);
    const fn = fileNameIdentity(fileName);
    const poms = a.poms.filter(validPom);
    const pomPkgs = poms.map((p) => ({
      type: "maven" as const,
      name: p.artifactId,
      version: p.version,
      purl: purl("maven", p.groupId, p.artifactId, p.version),
      licenses: [...(p.licenses ?? [])],
      locations: [loc],
      foundBy: ID,
      evidence: "installed" as const,
      metadata: { groupId: p.groupId, artifactId: p.artifactId, identifiedBy: "pom.properties", pomProperties: p.path },
    }));
    let main = pomPkgs.findIndex((p) => p.name === fn.artifact);
    if (main < 0 && pomPkgs.length === 1) main = 0;
    const embedded = pomPkgs.filter((_, i) => i !== main).map((p) => p.purl);
    pomPkgs.forEach((p, i) => add(i === main && embedded.length ? { ...p, dependsOn: embedded } : p));
    if (main >= 0) {
      mainOf.set(a.chain.join("\n"), pomPkgs[main]!.purl);
      continue;
    }
    const m = a.manifest;
    const artifact = m["Short-Name"] ?? fn.artifact;
    const group = m["Group-Id"] ?? m["Implementation-Vendor-Id"];
    // A maven purl needs a namespace: without a group, the artifact name stands in (the convention
    // of many early Maven artifacts, e.g. commons-io/commons-io), flagged as a guess.
    const manifestVersion = m["Implementation-Version"] ?? m["Bundle-Version"] ?? m["Plugin-Version"] ?? m["Specification-Version"];
    const version = (manifestVersion ?? fn.version ?? "").trim();
    const p: Package = {
      type: "maven",
      name: artifact,
      version,
      purl: purl("maven", group ?? artifact, artifact, version || undefined),
      licenses: splitLicenses(m["Bundle-License"]),
      locations: [loc],
      foundBy: ID,
      evidence: "installed",
      ...(embedded.length ? { dependsOn: embedded } : {}),
      metadata: {
        identifiedBy: manifestVersion ? "manifest" : fn.version ? "filename" : "filename (no version found)",
        ...(group ? { groupId: group } : { groupGuessed: "true" }),
        ...Object.fromEntries(Object.entries(m).map(([k, v]) => [`manifest:${k}`, v])),
      },
    };
    add(p);
    mainOf.set(a.chain.join("\n"), p.purl);
  }
  // A containing archive depends on the archives directly inside it.
  for (const a of summary.archives) {
    if (a.chain.length === 0) continue;
    const parent = mainOf.get(a.chain.slice(0, -1).join("\n"));
    const self = mainOf.get(a.chain.join("\n"));
    const pp = parent ? packages.get(parent) : undefined;
    if (pp && self && self !== parent) packages.set(pp.purl, { ...pp, dependsOn: [...new Set([...(pp.dependsOn ?? []), self])] });
  }
  const unknowns: Unknown[] = summary.warnings.map((w) => ({ path: outer, ...layer, cataloger: ID, message: w }));
  return { packages: [...packages.values()], unknowns };
}

function isSummary(v: unknown): v is JavaArchiveSummary {
  if (!isRecord(v) || !Array.isArray(v.archives) || !Array.isArray(v.warnings)) return false;
  return (
    v.warnings.every((w) => typeof w === "string") &&
    v.archives.every(
      (a: unknown) =>
        isRecord(a) &&
        Array.isArray(a.chain) &&
        a.chain.every((c) => typeof c === "string") &&
        isRecord(a.manifest) &&
        Object.values(a.manifest).every((x) => typeof x === "string") &&
        Array.isArray(a.poms) &&
        a.poms.every((p: unknown) => isRecord(p) && typeof p.path === "string" && ["groupId", "artifactId", "version"].every((k) => p[k] === undefined || typeof p[k] === "string") && (p.licenses === undefined || (Array.isArray(p.licenses) && p.licenses.every((l) => typeof l === "string")))),
    )
  );
}

function summarize(_path: string, data: Buffer, limits: Limits): Buffer {
  return encodeSummary(KIND, summarizeJavaArchive(data, limits));
}

async function parse(file: CatalogFile): Promise<CatalogResult> {
  const body = decodeSummary(KIND, file.data);
  if (body === undefined) return { packages: [], unknowns: [] };
  if (!isSummary(body)) return { packages: [], unknowns: [unknownAt(file, ID, "malformed Java archive summary")] };
  return archivePackages(body, file);
}

export const javaArchiveCataloger: Cataloger = {
  id: ID,
  version: 1,
  claims: (path) => isJavaArchiveName(path),
  summarize,
  primary: (path) => isJavaArchiveName(path),
  parse,
};

export type { ArchiveInfo };
