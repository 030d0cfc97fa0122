// Go binaries: the modules compiled into a program, from the build information the Go linker
// embeds (buildinfo.ts, modinfo.ts). Claims executable regular files; summarize() reads the build
// information while the layer streams and keeps only that (a few KiB), so a 100 MB binary is never
// held past its own tar entry.
//
// What is reported, per binary:
// - every `dep` module, as the module actually linked: a replacement by another module
//   (=> example.net/fork v1.1.0) is reported as that module; a replacement by a local directory
//   (=> ./fork) keeps the required path and version, since that is the closest known identity of
//   the code, and records the directory in metadata.replacedBy;
// - the main module (`mod`). Go before 1.24 stamps it "(devel)"; then a version passed with
//   -ldflags "-X <main or main-module package>.version=1.4.2" is used when it looks like one
//   (metadata.versionSource "ldflags"), otherwise the version stays "(devel)" and the purl carries
//   no version, so nothing is matched against a guess. The VCS revision and time are kept in
//   metadata, never turned into a pseudo-version (which would sort below every release and match
//   every advisory of the module). Binaries built outside module mode (GOPATH, e.g. Debian's) have
//   no `mod` line and yield only the standard library.
// - the standard library, as Syft and Grype do, as a package named "stdlib" (BSD-3-Clause) whose
//   version is the toolchain's: go1.21.5 → "v1.21.5" (purl pkg:golang/stdlib@v1.21.5). This is the
//   Go vulnerability database's convention (module "stdlib", versions as semver), so Go standard
//   library advisories (OSV ecosystem "Go", package "stdlib", ranges like "1.21.5") compare with
//   the same Go version scheme as any module. Syft writes the purl version without the "v"
//   (pkg:golang/stdlib@1.21.5); the raw toolchain string is in metadata.goVersion.
import type { Location, Package, Unknown } from "../../../model/package.js";
import { describeError } from "../../../util/errors.js";
import { locationOf, type CatalogFile, type Cataloger, type CatalogResult } from "../../cataloger.js";
import { claimsExecutable, decodeSummary, encodeSummary, isFailedSummary, isRecord, stringField } from "../binary/summary.js";
import { readBuildInfo } from "./buildinfo.js";
import { parseModInfo, toolchainSemver, type GoModInfo, type GoModule } from "./modinfo.js";
import { goPurl, isLocalReplacement } from "./purl.js";

const ID = "go-binary";
const KIND = "go-buildinfo";

/** Variable names a version is commonly injected into with -ldflags -X. */
const VERSION_VARS = /^(?:version|Version|VERSION|gitVersion|GitVersion|buildVersion|BuildVersion|appVersion|AppVersion)$/;
const LOOKS_LIKE_VERSION = /^v?[0-9]+\.[0-9]+(?:\.[0-9]+)?(?:[-+][0-9A-Za-z.+-]*)?$/;

/** A version injected with -ldflags "-X pkg.var=value" into main or a package of the main module. */
export function ldflagsVersion(ldflags: string | undefined, mainPath: string): string | undefined {
  if (!ldflags) return undefined;
  for (const m of ldflags.matchAll(/-X[= ]+['"]?([^\s'"=]+)=([^\s'"]+)/g)) {
    const sym = m[1] ?? "";
    const value = m[2] ?? "";
    const dot = sym.lastIndexOf(".");
    const pkg = sym.slice(0, dot);
    const name = sym.slice(dot + 1);
    if (dot < 0 || !VERSION_VARS.test(name)) continue;
    if (pkg !== "main" && pkg !== mainPath && !pkg.startsWith(`${mainPath}/`)) continue;
    if (LOOKS_LIKE_VERSION.test(value)) return value.startsWith("v") ? value : `v${value}`;
  }
  return undefined;
}

function settingsMetadata(mi: GoModInfo): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of mi.settings) out[`build:${k}`] = v;
  return out;
}

function linked(dep: GoModule): { path: string; version: string; metadata: Record<string, string> } {
  const r = dep.replace;
  if (r && !isLocalReplacement(r.path)) {
    return { path: r.path, version: r.version, metadata: { replaces: `${dep.path}@${dep.version}`, ...(r.sum ? { h1: r.sum } : {}) } };
  }
  return { path: dep.path, version: dep.version, metadata: { ...(dep.sum ? { h1: dep.sum } : {}), ...(r ? { replacedBy: r.version && r.version !== "(devel)" ? `${r.path}@${r.version}` : r.path } : {}) } };
}

export function goBinaryPackages(goVersion: string, mi: GoModInfo, loc: Location): Package[] {
  const base = { type: "golang" as const, locations: [loc], foundBy: ID, evidence: "binary" as const };
  const semver = toolchainSemver(goVersion);
  const stdlib: Package = {
    ...base,
    name: "stdlib",
    version: semver ?? goVersion,
    purl: goPurl("stdlib", semver),
    licenses: ["BSD-3-Clause"],
    metadata: {
      goVersion,
      ...Object.fromEntries(mi.settings.filter(([k]) => k === "GOOS" || k === "GOARCH" || k === "CGO_ENABLED").map(([k, v]) => [`build:${k}`, v])),
    },
  };
  const deps = new Map<string, Package>();
  for (const d of mi.deps) {
    const l = linked(d);
    const p: Package = { ...base, name: l.path, version: l.version, purl: goPurl(l.path, l.version || undefined), licenses: [], metadata: l.metadata };
    if (!deps.has(p.purl)) deps.set(p.purl, p);
  }
  const out: Package[] = [stdlib, ...deps.values()];
  if (mi.main) {
    const m = mi.main;
    let version = m.version;
    let source: string | undefined;
    if (version === "(devel)" || version === "") {
      const injected = ldflagsVersion(mi.settings.find(([k]) => k === "-ldflags")?.[1], m.path);
      if (injected) {
        version = injected;
        source = "ldflags";
      } else version = "(devel)";
    }
    out.push({
      ...base,
      name: m.path,
      version,
      purl: goPurl(m.path, version === "(devel)" ? undefined : version),
      licenses: [],
      dependsOn: [stdlib.purl, ...deps.keys()],
      metadata: {
        mainModule: "true",
        ...(mi.path ? { mainPackage: mi.path } : {}),
        ...(source ? { versionSource: source, builtAs: m.version } : {}),
        ...(m.sum ? { h1: m.sum } : {}),
        goVersion,
        ...settingsMetadata(mi),
      },
    });
  }
  return out;
}

function summarize(_path: string, data: Buffer): Buffer | undefined {
  try {
    const info = readBuildInfo(data);
    return info ? encodeSummary(KIND, info) : undefined;
  } catch (e) {
    return encodeSummary(KIND, { error: describeError(e) });
  }
}

async function parse(file: CatalogFile): Promise<CatalogResult> {
  const body = decodeSummary(KIND, file.data);
  if (body === undefined) return { packages: [], unknowns: [] };
  const loc: Location = locationOf(file);
  const unknown = (message: string): CatalogResult => ({ packages: [], unknowns: [{ ...loc, cataloger: ID, message } satisfies Unknown] });
  if (isFailedSummary(body)) return unknown(`unreadable Go build information, binary skipped: ${body.error}`);
  const goVersion = isRecord(body) ? stringField(body, "goVersion") : undefined;
  const modinfo = isRecord(body) ? stringField(body, "modinfo") : undefined;
  if (goVersion === undefined || modinfo === undefined) return unknown("malformed Go build information summary");
  return { packages: goBinaryPackages(goVersion, parseModInfo(modinfo), loc), unknowns: [] };
}

export const goBinaryCataloger: Cataloger = {
  id: ID,
  version: 1,
  claims: claimsExecutable,
  summarize,
  // Any claimed path may hold this cataloger's summary; parse() ignores files that do not.
  primary: () => true,
  parse,
};
