// The rpm database cataloger: installed packages of Red Hat, Fedora, CentOS, Rocky, Alma, Oracle,
// Amazon and SUSE images, read from any of rpm's three database formats without running rpm.
//
// Choices (see also the Package fields below):
// - version is rpm's %{EVR}: "epoch:version-release" when the header records an EPOCH tag (even
//   0, as `rpm -q --qf '%{EVR}'` prints it), else "version-release".
// - purl follows the purl spec's rpm type: pkg:rpm/<vendor>/<name>@<version>-<release>?arch=…
//   &epoch=…&distro=<id>-<versionId>; the namespace comes from the distro (rhel → redhat,
//   SUSE family → suse, …) or, without a distro, from the package's VENDOR.
// - sourceName/sourceVersion come from SOURCERPM "name-version-release.src.rpm"; the source
//   version carries the binary's epoch (rpm gives every subpackage its source's epoch, and the
//   .src.rpm file name cannot).
// - Format is detected from the bytes, not the file name. When one directory holds several
//   databases (a conversion leaves the old one behind), only the newest format is read:
//   rpmdb.sqlite, then Packages.db, then Packages.
import type { CatalogEnv, CatalogFile, CatalogResult, Cataloger } from "../cataloger.js";
import { locationOf, absolutePath } from "../cataloger.js";
import { distroQualifier, purl } from "../purl.js";
import type { Distro, Package, Unknown } from "../../model/package.js";
import { BerthError, isBerthError } from "../../util/errors.js";
import { limitExceeded } from "../../util/limits.js";
import { readBdbPackages, isBdbHash } from "./rpm-bdb.js";
import { readPackageHeader } from "./rpm-header.js";
import type { RpmDbRead, RpmPackageHeader } from "./rpm-header.js";
import { isNdb, readNdbPackages } from "./rpm-ndb.js";
import { isSqlite, readSqlitePackages } from "./rpm-sqlite.js";

export const RPM_DB_DIRS = ["var/lib/rpm/", "usr/lib/sysimage/rpm/"] as const;
/** Newest format first: the order in which sibling databases supersede each other. */
export const RPM_DB_NAMES = ["rpmdb.sqlite", "Packages.db", "Packages"] as const;

const CLAIMED: ReadonlySet<string> = new Set(RPM_DB_DIRS.flatMap((dir) => RPM_DB_NAMES.map((name) => dir + name)));

/** Most per-record problems quoted in the one Unknown a damaged database produces. */
const QUOTED_PROBLEMS = 3;

/** The purl namespace (vendor) for an os-release ID. */
const DISTRO_NAMESPACE: Readonly<Record<string, string>> = {
  rhel: "redhat",
  centos: "centos",
  fedora: "fedora",
  rocky: "rocky",
  almalinux: "almalinux",
  ol: "oracle",
  amzn: "amazon",
  sles: "suse",
  sled: "suse",
  "sle-micro": "suse",
  sle_hpc: "suse",
  "opensuse-leap": "opensuse",
  "opensuse-tumbleweed": "opensuse",
  "opensuse-microos": "opensuse",
  opensuse: "opensuse",
  mariner: "mariner",
  azurelinux: "azurelinux",
  photon: "photon",
};

/** Fallback when there is no distro: the VENDOR tag, matched loosely. */
const VENDOR_NAMESPACE: readonly (readonly [RegExp, string])[] = [
  [/red hat/i, "redhat"],
  [/centos/i, "centos"],
  [/fedora/i, "fedora"],
  [/rocky/i, "rocky"],
  [/almalinux/i, "almalinux"],
  [/oracle/i, "oracle"],
  [/amazon/i, "amazon"],
  [/opensuse/i, "opensuse"],
  [/suse/i, "suse"],
];

export function rpmNamespace(distro: Distro | undefined, vendor: string | undefined): string | undefined {
  if (distro) return DISTRO_NAMESPACE[distro.id] ?? distro.id.toLowerCase();
  if (vendor === undefined) return undefined;
  return VENDOR_NAMESPACE.find(([re]) => re.test(vendor))?.[1];
}

/** "bash-4.4-19.6.1.src.rpm" → { name: "bash", version: "4.4", release: "19.6.1" }. */
export function parseSourceRpm(sourceRpm: string): { name: string; version: string; release: string } | undefined {
  const m = /^(.+)-([^-]+)-([^-]+)\.(?:no)?src\.rpm$/.exec(sourceRpm);
  if (!m || m[1] === undefined || m[2] === undefined || m[3] === undefined) return undefined;
  return { name: m[1], version: m[2], release: m[3] };
}

function withEpoch(epoch: number | undefined, versionRelease: string): string {
  return epoch === undefined ? versionRelease : `${epoch}:${versionRelease}`;
}

/** One installed rpm header → a Berth Package. */
export function toPackage(h: RpmPackageHeader, file: CatalogFile, distro: Distro | undefined): Package {
  const vr = `${h.version}-${h.release}`;
  const source = h.sourceRpm === undefined ? undefined : parseSourceRpm(h.sourceRpm);
  const metadata: Record<string, string> = {};
  if (h.vendor !== undefined) metadata.vendor = h.vendor;
  if (h.sourceRpm !== undefined) metadata.sourceRpm = h.sourceRpm;
  if (h.size !== undefined) metadata.size = String(h.size);
  if (h.modularityLabel !== undefined) metadata.modularityLabel = h.modularityLabel;
  return {
    type: "rpm",
    name: h.name,
    version: withEpoch(h.epoch, vr),
    purl: purl("rpm", rpmNamespace(distro, h.vendor), h.name, vr, {
      arch: h.arch,
      epoch: h.epoch === undefined ? undefined : String(h.epoch),
      distro: distroQualifier(distro?.id, distro?.versionId),
    }),
    ...(h.arch !== undefined ? { arch: h.arch } : {}),
    ...(source !== undefined
      ? { sourceName: source.name, sourceVersion: withEpoch(h.epoch, `${source.version}-${source.release}`) }
      : {}),
    ...(h.epoch !== undefined ? { epoch: h.epoch } : {}),
    licenses: h.license === undefined ? [] : [h.license],
    locations: [locationOf(file)],
    foundBy: "rpm-db",
    files: h.files.map((f) => f.replace(/^\/+/, "")),
    ...(Object.keys(metadata).length > 0 ? { metadata } : {}),
  };
}

function readDatabase(data: Buffer): RpmDbRead {
  if (isSqlite(data)) return readSqlitePackages(data);
  if (isNdb(data)) return readNdbPackages(data);
  if (isBdbHash(data)) return readBdbPackages(data);
  throw new BerthError("unsupported", "not an rpm database in any known format (Berkeley DB hash, ndb, SQLite)");
}

/** True when a newer-format database sits in the same directory and is not empty. */
function superseded(path: string, env: CatalogEnv): boolean {
  const slash = path.lastIndexOf("/");
  const dir = path.slice(0, slash + 1);
  const rank = RPM_DB_NAMES.indexOf(path.slice(slash + 1) as (typeof RPM_DB_NAMES)[number]);
  return RPM_DB_NAMES.slice(0, Math.max(rank, 0)).some((name) => (env.read(dir + name)?.data.length ?? 0) > 0);
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function catalogRpmDatabase(file: CatalogFile, env: CatalogEnv): CatalogResult {
  const unknown = (message: string): Unknown => ({
    path: absolutePath(file.path),
    ...(file.layerDigest !== undefined ? { layerDigest: file.layerDigest } : {}),
    cataloger: rpmCataloger.id,
    message,
  });
  if (file.data.length > env.limits.maxFileBytes) {
    return { packages: [], unknowns: [unknown(limitExceeded("maxFileBytes", env.limits.maxFileBytes, "rpm database").message)] };
  }
  let read: RpmDbRead;
  try {
    read = readDatabase(file.data);
  } catch (e) {
    if (!isBerthError(e)) throw e;
    return { packages: [], unknowns: [unknown(e.message)] };
  }
  const problems = [...read.problems];
  const packages: Package[] = [];
  for (const record of read.records) {
    let header: RpmPackageHeader;
    try {
      header = readPackageHeader(record.blob);
    } catch (e) {
      if (!isBerthError(e)) throw e;
      problems.push(`package ${record.key}: ${e.message}`);
      continue;
    }
    if (header.name === "gpg-pubkey") continue; // an imported signing key, not software
    packages.push(toPackage(header, file, env.distro));
  }
  packages.sort(
    (a, b) => compareStrings(a.name, b.name) || compareStrings(a.version, b.version) || compareStrings(a.arch ?? "", b.arch ?? ""),
  );
  const unknowns: Unknown[] = [];
  if (problems.length > 0) {
    const quoted = problems.slice(0, QUOTED_PROBLEMS).join("; ");
    const more = problems.length > QUOTED_PROBLEMS ? ` (and ${problems.length - QUOTED_PROBLEMS} more)` : "";
    unknowns.push(unknown(`${problems.length} unreadable rpm database record(s): ${quoted}${more}`));
  }
  return { packages, unknowns };
}

export const rpmCataloger: Cataloger = {
  id: "rpm-db",
  version: 1,
  claims: (path) => CLAIMED.has(path),
  primary: (path) => CLAIMED.has(path),
  parse: async (file, env) => (superseded(file.path, env) ? { packages: [], unknowns: [] } : catalogRpmDatabase(file, env)),
};
