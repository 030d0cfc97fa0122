// Pure data shared by every stage and the web UI. No imports from Node or other folders.

/** Where a package was found: the file that declared it, and the layer that introduced that file. */
export interface Location {
  /** Absolute path inside the image or scanned directory, e.g. "/var/lib/dpkg/status". */
  readonly path: string;
  /** diffID (sha256:…) of the layer that last wrote the file; absent for directories/rootfs. */
  readonly layerDigest?: string;
}

export type PackageType =
  | "deb"
  | "apk"
  | "rpm"
  | "npm"
  | "pypi"
  | "golang"
  | "maven"
  | "gem"
  | "cargo"
  | "composer"
  | "nuget";

export interface Package {
  readonly type: PackageType;
  readonly name: string;
  readonly version: string;
  /** Package URL (https://github.com/package-url/purl-spec). */
  readonly purl: string;
  readonly arch?: string;
  /** Source package: Debian Source, Alpine origin, RPM source RPM name. */
  readonly sourceName?: string;
  readonly sourceVersion?: string;
  /** RPM epoch, when the database records one. */
  readonly epoch?: number;
  readonly licenses: readonly string[];
  readonly locations: readonly Location[];
  /** Which cataloger produced it ("dpkg-status", "apk-installed", "rpm-db", …). */
  readonly foundBy: string;
  /** Files the package owns (OS packages), relative to the root without a leading slash. */
  readonly files?: readonly string[];
  readonly metadata?: Readonly<Record<string, string>>;
  /**
   * How the package is known (language packages): "installed" metadata (node_modules, dist-info,
   * gemspec…), a "lockfile", a "manifest" (pom.xml, go.mod, requirements without pins), or a
   * compiled "binary" (Go buildinfo, cargo-auditable). OS packages leave it unset.
   */
  readonly evidence?: "installed" | "lockfile" | "manifest" | "binary";
  /** true: a direct dependency of the project; false: transitive; unset: the source does not say. */
  readonly direct?: boolean;
  /** Development-only (devDependencies, dev groups); unset means runtime or unknown. */
  readonly dev?: boolean;
  /** purls of the packages this one depends on, where the source records them. */
  readonly dependsOn?: readonly string[];
}

export interface Distro {
  /** os-release ID: "debian", "alpine", "rhel", "ubuntu", … */
  readonly id: string;
  readonly versionId?: string;
  readonly versionCodename?: string;
  readonly prettyName?: string;
  readonly idLike?: readonly string[];
}

/** A file a cataloger could not read: reported with its location, not fatal. */
export interface Unknown {
  readonly path: string;
  readonly layerDigest?: string;
  readonly cataloger: string;
  readonly message: string;
}
