// Alpine apk: lib/apk/db/installed — blocks separated by blank lines, one "X:value" line per field
// (P name, V version, A arch, L license, o origin, F directory, R file in the last F, …), per
// Alpine's documented database format (wiki.alpinelinux.org/wiki/Apk_spec).
import type { Package, Unknown } from "../../model/package.js";
import { locationOf, type Cataloger, type CatalogResult } from "../cataloger.js";
import { distroQualifier, purl } from "../purl.js";

const INSTALLED = "lib/apk/db/installed";

interface ApkRecord {
  name?: string;
  version?: string;
  arch?: string;
  license?: string;
  origin?: string;
  maintainer?: string;
  files: string[];
}

export function parseApkInstalled(text: string): ApkRecord[] {
  const out: ApkRecord[] = [];
  let cur: ApkRecord = { files: [] };
  let dir = "";
  const flush = () => {
    if (cur.name || cur.version) out.push(cur);
    cur = { files: [] };
    dir = "";
  };
  for (const line of text.split("\n")) {
    if (line.trim() === "") {
      flush();
      continue;
    }
    if (line[1] !== ":") continue;
    const v = line.slice(2);
    switch (line[0]) {
      case "P":
        cur.name = v;
        break;
      case "V":
        cur.version = v;
        break;
      case "A":
        cur.arch = v;
        break;
      case "L":
        cur.license = v;
        break;
      case "o":
        cur.origin = v;
        break;
      case "m":
        cur.maintainer = v;
        break;
      case "F":
        dir = v;
        break;
      case "R":
        cur.files.push(dir ? `${dir}/${v}` : v);
        break;
    }
  }
  flush();
  return out;
}

/** apk license strings are SPDX-like expressions separated by spaces ("MIT BSD-2-Clause"). */
function splitLicenses(l: string | undefined): string[] {
  if (!l) return [];
  return l.includes(" AND ") || l.includes(" OR ") || l.includes("(") ? [l] : l.split(/\s+/).filter(Boolean);
}

export const apkCataloger: Cataloger = {
  id: "apk-installed",
  version: 1,
  claims: (path) => path === INSTALLED,
  primary: (path) => path === INSTALLED,
  async parse(file, env): Promise<CatalogResult> {
    const records = parseApkInstalled(file.data.toString("utf8"));
    const loc = locationOf(file);
    const packages: Package[] = [];
    const unknowns: Unknown[] = [];
    for (const r of records) {
      if (!r.name || !r.version) {
        unknowns.push({ ...loc, cataloger: "apk-installed", message: `record without ${r.name ? "V:" : "P:"} field skipped` });
        continue;
      }
      packages.push({
        type: "apk",
        name: r.name,
        version: r.version,
        purl: purl("apk", env.distro?.id ?? "alpine", r.name, r.version, { arch: r.arch, distro: distroQualifier(env.distro?.id, env.distro?.versionId) }),
        ...(r.arch ? { arch: r.arch } : {}),
        sourceName: r.origin ?? r.name,
        sourceVersion: r.version,
        licenses: splitLicenses(r.license),
        locations: [loc],
        foundBy: "apk-installed",
        files: r.files,
        ...(r.maintainer ? { metadata: { maintainer: r.maintainer } } : {}),
      });
    }
    return { packages, unknowns };
  },
};
