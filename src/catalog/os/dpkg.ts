// dpkg: var/lib/dpkg/status (one file, many paragraphs) and distroless var/lib/dpkg/status.d/*
// (one paragraph per file). Only packages whose status is "installed" are inventory: packages in
// "config-files" or "half-installed" state have no usable binaries (dpkg-query -W lists them too;
// the tests compare against dpkg-query filtered to installed). Files owned come from info/*.list,
// licenses from DEP-5 machine-readable usr/share/doc/<pkg>/copyright.
import type { Package, Unknown } from "../../model/package.js";
import { unknownAt, locationOf, type CatalogEnv, type CatalogFile, type Cataloger, type CatalogResult } from "../cataloger.js";
import { distroQualifier, purl } from "../purl.js";
import { parseParagraphs, type Paragraph } from "./deb822.js";

const STATUS = "var/lib/dpkg/status";
const STATUS_D = "var/lib/dpkg/status.d/";
const INFO = "var/lib/dpkg/info/";

function isStatusD(path: string): boolean {
  return path.startsWith(STATUS_D) && !path.endsWith(".md5sums") && !path.slice(STATUS_D.length).includes("/");
}

/** "Source: openssl (3.0.15-1)" → name and optional version. */
export function parseSource(field: string | undefined): { name?: string; version?: string } {
  if (!field) return {};
  const m = /^(\S+)(?:\s+\(([^)]+)\))?/.exec(field.trim());
  return m ? { name: m[1]!, ...(m[2] ? { version: m[2] } : {}) } : {};
}

/** Licenses named by a DEP-5 copyright file ("License: GPL-2+ or Artistic"), in first-seen order. */
export function parseCopyrightLicenses(text: string): string[] {
  if (!/^Format:/m.test(text)) return [];
  const seen = new Set<string>();
  for (const m of text.matchAll(/^License:[ \t]*(.+)$/gm)) {
    for (const part of m[1]!.split(/\s+(?:or|and)\s+|,\s*/i)) {
      const id = part.trim().replace(/\s+with\s+.*$/i, "");
      if (id) seen.add(id);
    }
  }
  return [...seen];
}

function installed(p: Paragraph): boolean {
  const status = p.get("Status");
  if (status === undefined) return true; // distroless status.d entries carry no Status field
  return status.split(/\s+/)[2] === "installed";
}

function ownedFiles(env: CatalogEnv, name: string, arch: string | undefined): string[] | undefined {
  const list = env.read(`${INFO}${name}.list`) ?? (arch ? env.read(`${INFO}${name}:${arch}.list`) : undefined);
  if (!list) return undefined;
  return list.data
    .toString("utf8")
    .split("\n")
    .map((l) => l.replace(/^\/+/, "").replace(/^\.$/, ""))
    .filter((l) => l.length > 0);
}

export function packagesFromParagraphs(paragraphs: Paragraph[], file: CatalogFile, env: CatalogEnv): Package[] {
  const distro = env.distro;
  const namespace = distro?.id ?? "debian";
  const out: Package[] = [];
  for (const p of paragraphs) {
    const name = p.get("Package");
    const version = p.get("Version");
    if (!name || !version || !installed(p)) continue;
    const arch = p.get("Architecture");
    const src = parseSource(p.get("Source"));
    const sourceName = src.name ?? name;
    const copyright = env.read(`usr/share/doc/${name}/copyright`);
    const licenses = copyright ? parseCopyrightLicenses(copyright.data.toString("utf8")) : [];
    const files = ownedFiles(env, name, arch);
    out.push({
      type: "deb",
      name,
      version,
      purl: purl("deb", namespace, name, version, {
        arch,
        distro: distroQualifier(distro?.id, distro?.versionId),
        upstream: sourceName !== name ? sourceName : undefined,
      }),
      ...(arch ? { arch } : {}),
      sourceName,
      sourceVersion: src.version ?? version,
      licenses,
      locations: [locationOf(file)],
      foundBy: "dpkg-status",
      ...(files ? { files } : {}),
      ...(p.get("Maintainer") ? { metadata: { maintainer: p.get("Maintainer")! } } : {}),
    });
  }
  return out;
}

export const dpkgCataloger: Cataloger = {
  id: "dpkg-status",
  version: 1,
  claims: (path) =>
    path === STATUS ||
    isStatusD(path) ||
    (path.startsWith(INFO) && path.endsWith(".list")) ||
    (path.startsWith("usr/share/doc/") && path.endsWith("/copyright") && path.split("/").length === 5),
  primary: (path) => path === STATUS || isStatusD(path),
  async parse(file, env): Promise<CatalogResult> {
    const text = file.data.toString("utf8");
    const paragraphs = parseParagraphs(text);
    const unknowns: Unknown[] = [];
    if (paragraphs.length === 0 && text.trim() !== "") {
      unknowns.push(unknownAt(file, "dpkg-status", "no dpkg control paragraphs found"));
    }
    return { packages: packagesFromParagraphs(paragraphs, file, env), unknowns };
  },
};
