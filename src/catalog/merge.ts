// How packages found by several catalogers or at several paths become one inventory. The rules
// (README "Language packages"):
//  1. The same package (same purl) found at several paths is one package with several locations.
//  2. Installed metadata wins over a lockfile: a lockfile entry is dropped when the same project
//     (the lockfile's directory or below) has an installed package of that type and name — the
//     installed version is what runs, whatever the lockfile says; a lockfile entry with nothing
//     installed beside it is kept (many images ship only the lockfile), marked evidence "lockfile".
import { posix } from "node:path";
import type { Package } from "../model/package.js";

const EVIDENCE_RANK = { installed: 4, binary: 3, lockfile: 2, manifest: 1 } as const;

function rank(p: Package): number {
  return p.evidence ? EVIDENCE_RANK[p.evidence] : 5; // OS packages: their own database is the truth
}

function mergeTwo(a: Package, b: Package): Package {
  const [first, second] = rank(a) >= rank(b) ? [a, b] : [b, a];
  const locations = [...first.locations, ...second.locations.filter((l) => !first.locations.some((q) => q.path === l.path && q.layerDigest === l.layerDigest))];
  const dependsOn = [...new Set([...(first.dependsOn ?? []), ...(second.dependsOn ?? [])])];
  const direct = first.direct === true || second.direct === true ? true : first.direct ?? second.direct;
  // dev only when every sighting says dev
  const dev = first.dev === true && second.dev === true ? true : undefined;
  const licenses = first.licenses.length ? first.licenses : second.licenses;
  const { dev: _d, direct: _r, dependsOn: _o, ...rest } = first;
  return {
    ...rest,
    licenses,
    locations,
    ...(dependsOn.length ? { dependsOn } : {}),
    ...(direct !== undefined ? { direct } : {}),
    ...(dev ? { dev } : {}),
  };
}

export function mergeByPurl(packages: readonly Package[]): Package[] {
  const byPurl = new Map<string, Package>();
  for (const p of packages) {
    const prev = byPurl.get(p.purl);
    byPurl.set(p.purl, prev ? mergeTwo(prev, p) : p);
  }
  return [...byPurl.values()];
}

function dirOf(path: string): string {
  const d = posix.dirname(path);
  return d === "/" ? "/" : `${d}/`;
}

/** The package's identity without version: "pkg:pypi/zope-interface" (the purl's normalised name). */
function identity(p: Package): string {
  return p.purl.split("?")[0]!.replace(/@[^@/]*$/, "");
}

export function preferInstalled(packages: readonly Package[]): Package[] {
  const installed = new Map<string, string[]>(); // identity → installed locations
  for (const p of packages) {
    if (p.evidence !== "installed") continue;
    const key = identity(p);
    installed.set(key, [...(installed.get(key) ?? []), ...p.locations.map((l) => l.path)]);
  }
  return packages.filter((p) => {
    if (p.evidence !== "lockfile") return true;
    const paths = installed.get(identity(p));
    if (!paths) return true;
    return !p.locations.some((l) => paths.some((ip) => ip.startsWith(dirOf(l.path))));
  });
}

export function mergeInventory(packages: readonly Package[]): Package[] {
  return mergeByPurl(preferInstalled(mergeByPurl(packages)));
}
