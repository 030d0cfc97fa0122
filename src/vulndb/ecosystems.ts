// OSV ecosystems: which names are known, how a release suffix is split off, and how a package name
// is normalised for lookup. The same normaliser runs at import and at lookup, so callers pass names
// as they find them (e.g. "Flask_Caching" finds PyPI "flask-caching").

/**
 * Ecosystem names defined by the OSV schema (ossf/osv-schema validation/schema.json @ 51b8156b,
 * `$defs.ecosystemName`), plus "GIT", which the schema allows for repository-only entries.
 */
export const KNOWN_ECOSYSTEMS: ReadonlySet<string> = new Set([
  "AlmaLinux", "Alpaquita", "Alpine", "Android", "Azure Linux", "BellSoft Hardened Containers", "Bioconductor", "Bitnami",
  "Chainguard", "CleanStart", "ConanCenter", "CRAN", "crates.io", "Debian", "Docker Hardened Images", "Echo", "FreeBSD", "GHC",
  "GitHub Actions", "Go", "Hackage", "Hex", "Julia", "Kubernetes", "Linux", "Mageia", "Maven", "MinimOS", "npm", "NuGet", "opam",
  "openEuler", "openSUSE", "OSS-Fuzz", "Packagist", "Photon OS", "Pub", "PyPI", "Red Hat", "Rocky Linux", "Root", "RubyGems",
  "SUSE", "SwiftURL", "TuxCare", "Ubuntu", "VSCode", "Wolfi", "GIT",
]);

export interface EcosystemName {
  /** The ecosystem as written in the advisory, e.g. "Debian:12", "Alpine:v3.20", "npm". */
  readonly ecosystem: string;
  /** The part before the first ":", e.g. "Debian". */
  readonly base: string;
  /** The release suffix after the first ":", e.g. "12", "v3.20", "enterprise_linux:9::appstream". */
  readonly release?: string;
}

/** Splits "Debian:12" into base and release; the base is checked against the known list. */
export function parseEcosystem(ecosystem: string): EcosystemName {
  const i = ecosystem.indexOf(":");
  if (i < 0) return { ecosystem, base: ecosystem };
  return { ecosystem, base: ecosystem.slice(0, i), release: ecosystem.slice(i + 1) };
}

export function isKnownEcosystem(ecosystem: string): boolean {
  const { base, release } = parseEcosystem(ecosystem);
  return KNOWN_ECOSYSTEMS.has(base) && release !== "";
}

/**
 * Lookup key for a package name in an ecosystem (the advisory's own name is kept beside it).
 * - PyPI: PEP 503 (lowercase; runs of "-", "_", "." become one "-"), as OSV specifies for PyPI.
 * - crates.io: lowercase and "_" → "-": crates.io treats names differing only so as the same crate.
 * - NuGet, Packagist: lowercase; both registries match ids case-insensitively.
 * - everything else exact: npm (legacy packages with capitals are distinct, e.g. "Orchestrator" vs
 *   "orchestrator"), Go module paths, Maven coordinates, RubyGems, distro source/binary names.
 */
export function normalizePackageName(ecosystem: string, name: string): string {
  switch (parseEcosystem(ecosystem).base) {
    case "PyPI":
      return name.trim().toLowerCase().replace(/[-_.]+/g, "-");
    case "crates.io":
      return name.trim().toLowerCase().replace(/_/g, "-");
    case "NuGet":
    case "Packagist":
      return name.trim().toLowerCase();
    default:
      return name;
  }
}
