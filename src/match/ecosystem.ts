// Which advisories may judge a package: OS packages only their distribution's release (by source
// package), language packages their ecosystem's. Returns undefined when Berth has no advisory feed
// to ask (the package is then simply not matched — listed in the README's known gaps).
import type { Distro, Package, PackageType } from "../model/package.js";

export interface AdvisoryQuery {
  /** Ecosystem (or ecosystem prefix, with `family`) as OSV spells it: "Debian:12", "Alpine:v3.20", "PyPI". */
  readonly ecosystem: string;
  /** true: also sub-releases ("Ubuntu:22.04" → "Ubuntu:22.04:LTS"). */
  readonly family: boolean;
  /** The name advisories use: the source package for OS packages. */
  readonly name: string;
  /** The version to compare: the source version for OS packages. */
  readonly version: string;
  readonly by: "source-package" | "package" | "stdlib";
}

const LANGUAGE: Partial<Record<PackageType, string>> = {
  npm: "npm",
  pypi: "PyPI",
  golang: "Go",
  maven: "Maven",
  gem: "RubyGems",
  cargo: "crates.io",
  composer: "Packagist",
  nuget: "NuGet",
};

function major(v: string | undefined): string | undefined {
  return v ? /^(\d+)/.exec(v)?.[1] : undefined;
}

/** The distribution release's OSV ecosystem, e.g. debian 12 → "Debian:12". */
export function distroEcosystem(d: Distro | undefined): { ecosystem: string; family: boolean } | undefined {
  if (!d) return undefined;
  switch (d.id) {
    case "debian": {
      const m = major(d.versionId);
      return m ? { ecosystem: `Debian:${m}`, family: false } : undefined;
    }
    case "ubuntu":
      return d.versionId ? { ecosystem: `Ubuntu:${d.versionId}`, family: true } : undefined;
    case "alpine": {
      const m = d.versionId ? /^(\d+\.\d+)/.exec(d.versionId)?.[1] : undefined;
      return m ? { ecosystem: `Alpine:v${m}`, family: false } : undefined;
    }
    case "rocky": {
      const m = major(d.versionId);
      return m ? { ecosystem: `Rocky Linux:${m}`, family: false } : undefined;
    }
    case "almalinux": {
      const m = major(d.versionId);
      return m ? { ecosystem: `AlmaLinux:${m}`, family: false } : undefined;
    }
    default:
      return undefined;
  }
}

export function advisoryQuery(p: Package, distro: Distro | undefined): AdvisoryQuery | undefined {
  // A package whose version could not be determined (a jar with no version anywhere, an unresolved
  // pom.xml property) cannot be placed in a range: it is inventory, not a match candidate.
  if (!p.version || p.version === "(devel)") return undefined;
  if (p.type === "deb" || p.type === "apk" || p.type === "rpm") {
    const eco = distroEcosystem(distro);
    if (!eco) return undefined;
    return { ...eco, name: p.sourceName ?? p.name, version: p.sourceVersion ?? p.version, by: "source-package" };
  }
  const ecosystem = LANGUAGE[p.type];
  if (!ecosystem) return undefined;
  if (p.type === "golang" && p.name === "stdlib") return { ecosystem, family: false, name: "stdlib", version: p.version, by: "stdlib" };
  // Maven advisories name "group:artifact"; the purl keeps the group as namespace.
  const name = p.type === "maven" ? mavenName(p) : p.name;
  return { ecosystem, family: false, name, version: p.version, by: "package" };
}

function mavenName(p: Package): string {
  if (p.name.includes(":")) return p.name;
  const m = /^pkg:maven\/([^/]+)\//.exec(p.purl);
  return m ? `${decodeURIComponent(m[1]!)}:${p.name}` : p.name;
}
