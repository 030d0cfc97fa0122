// The version stage's public face: the registry of schemes, one comparison entry point, and the
// map from OSV ecosystem names to schemes.
import { schemes } from "./registry.js";
import type { Incomparable, Ordering, SchemeId } from "./scheme.js";

export type { Incomparable, Ordering, SchemeId, VersionScheme } from "./scheme.js";
export { isIncomparable, MAX_VERSION_LENGTH } from "./scheme.js";
export { evaluateAffected, type AffectedResult, type OsvAffectedVersions, type OsvEvent, type OsvRange } from "./range.js";

export { schemes } from "./registry.js";

export function isSchemeId(s: string): s is SchemeId {
  return Object.hasOwn(schemes, s);
}

/** Orders a against b in the scheme; throws BerthError("input") when either is not a version of it. */
export function compareVersions(scheme: SchemeId, a: string, b: string): Ordering {
  return schemes[scheme].compare(a, b);
}

/** Orders a against b in the scheme, or says why it cannot. */
export function tryCompareVersions(scheme: SchemeId, a: string, b: string): Ordering | Incomparable {
  return schemes[scheme].tryCompare(a, b);
}

/** OSV ecosystem (the part before the first ":") → scheme. */
const ECOSYSTEMS: Readonly<Record<string, SchemeId>> = {
  // Debian family
  Debian: "dpkg",
  Ubuntu: "dpkg",
  // apk family: Alpine and the distributions built on apk-tools
  Alpine: "apk",
  Wolfi: "apk",
  Chainguard: "apk",
  Alpaquita: "apk",
  "BellSoft Hardened Containers": "apk",
  MinimOS: "apk",
  // RPM family: the OSV schema says these use RPM's version comparison
  "Red Hat": "rpm",
  "Rocky Linux": "rpm",
  AlmaLinux: "rpm",
  openSUSE: "rpm",
  SUSE: "rpm",
  "Photon OS": "rpm",
  Mageia: "rpm",
  openEuler: "rpm",
  "Azure Linux": "rpm",
  // Language ecosystems
  npm: "semver",
  "crates.io": "semver",
  Hex: "semver",
  Pub: "semver",
  // Bitnami, Kubernetes and SwiftURL publish SEMVER ranges over semantic versions.
  Bitnami: "semver",
  Kubernetes: "semver",
  SwiftURL: "semver",
  PyPI: "pep440",
  Maven: "maven",
  Go: "go",
  RubyGems: "gem",
  NuGet: "nuget",
  Packagist: "composer",
};

/**
 * The scheme that orders an OSV ecosystem's versions: "Debian:12" → "dpkg", "Alpine:v3.20" → "apk",
 * "Maven:https://maven.google.com" → "maven", "Root:Alpine:3.18" → "apk". Undefined for an
 * ecosystem Berth cannot order (its ECOSYSTEM ranges are then incomparable, never "not affected").
 */
export function schemeForEcosystem(osvEcosystem: string): SchemeId | undefined {
  const parts = osvEcosystem.split(":");
  const base = parts[0] ?? "";
  if (base === "Root") {
    // Root:{BaseDistro}:{Version} and Root:{PackageManager} reuse the underlying ecosystem's order.
    return parts.length > 1 ? schemeForEcosystem(parts.slice(1).join(":")) : undefined;
  }
  return Object.hasOwn(ECOSYSTEMS, base) ? ECOSYSTEMS[base] : undefined;
}
