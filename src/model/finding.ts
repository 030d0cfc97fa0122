// A finding: one vulnerability in one package of one target, with everything a team needs to act.
// Pure data, shared by match/, report/, the server and the web UI.
import type { Location, PackageType } from "./package.js";

export type SeverityLabel = "critical" | "high" | "medium" | "low" | "none" | "unknown";

/** Highest first: the order reports sort by and --severity/--fail-on compare with. */
export const severityOrder: readonly SeverityLabel[] = ["critical", "high", "medium", "low", "none", "unknown"];

export type FindingStatus =
  /** A fixed version exists (fixedVersions lists it). */
  | "fixed"
  /** Affected, and no fix is published yet. */
  | "affected"
  /** The distribution decided not to fix (e.g. Debian no-dsa/ignored with a note). */
  | "will_not_fix"
  /** Not affected (a VEX statement or the distribution says so); kept only when suppressed findings are shown. */
  | "not_affected";

export interface CvssInfo {
  readonly version: string;
  readonly score: number;
  readonly vector: string;
}

export interface FindingPackage {
  readonly name: string;
  readonly version: string;
  readonly type: PackageType;
  readonly purl: string;
  /** Source package (Debian source, Alpine origin, RPM source) when matching used it. */
  readonly sourceName?: string;
  readonly locations: readonly Location[];
}

export interface FindingLayer {
  /** diffID of the layer that introduced the package's record. */
  readonly diffId: string;
  /** Blob digest of that layer, when known. */
  readonly digest?: string;
  /** The command that created it (image history), e.g. "RUN apt-get install -y curl". */
  readonly createdBy?: string;
  /** Index of the layer in the image (0 = base). */
  readonly index?: number;
  /** True when the layer belongs to the base image (see remediation). */
  readonly fromBase?: boolean;
}

export interface Finding {
  /** The vulnerability's primary id: the CVE when one is known, else the advisory id. */
  readonly id: string;
  /** Every id naming the same vulnerability (CVE, GHSA, DSA, PYSEC…), sorted, without `id`. */
  readonly aliases: readonly string[];
  /** Advisory records that matched (e.g. DEBIAN-CVE-2024-1234, DSA-5678-1). */
  readonly advisories: readonly string[];
  readonly package: FindingPackage;
  readonly installedVersion: string;
  /** Versions that fix it for this package, lowest first (empty when none). */
  readonly fixedVersions: readonly string[];
  readonly status: FindingStatus;
  readonly severity: SeverityLabel;
  /** Where the severity came from: the distribution's / advisory's own rating, or a CVSS score. */
  readonly severitySource: "distro" | "advisory" | "cvss" | "none";
  readonly cvss?: CvssInfo;
  readonly kev: boolean;
  readonly epss?: number;
  readonly epssPercentile?: number;
  readonly title?: string;
  readonly description?: string;
  /** Where to read about it (advisory page). */
  readonly url?: string;
  readonly layer?: FindingLayer;
  /** One line a person can act on: "upgrade openssl to 3.0.15-1~deb12u1", "rebuild on a newer base image". */
  readonly remediation: string;
  /** Which advisories' ecosystem matched, and with which version scheme. */
  readonly matchedBy: { readonly ecosystem: string; readonly scheme: string; readonly by: "source-package" | "package" | "stdlib" };
  readonly published?: string;
  readonly modified?: string;
  /** Present when a VEX statement or an ignore rule removed it from policy (reports may still list it). */
  readonly suppressed?: { readonly by: "vex" | "ignore"; readonly reason: string; readonly source: string };
}

/** A comparison Berth could not decide: reported, never silently "not vulnerable". */
export interface Undecided {
  readonly advisory: string;
  readonly package: FindingPackage;
  readonly reasons: readonly string[];
}
