// The view model every report format renders (STYLE.md §5): built once by scan/, sorted, with the
// clock injected — formats never read options, the environment or the time themselves.
import type { ImageMetadata } from "../model/image.js";
import type { Finding, Undecided } from "../model/finding.js";
import type { Distro, Package } from "../model/package.js";

export interface ReportTarget {
  /** What the user named ("registry.example.com/app:1", "dir:/src"). */
  readonly name: string;
  readonly kind: "image" | "directory" | "sbom";
  readonly image?: ImageMetadata;
  readonly distro?: Distro;
  /** The inventory that was matched (for CycloneDX VEX components and counts). */
  readonly packages: readonly Package[];
  /** Sorted: severity (critical first), then package name, then id. Suppressed ones included, flagged. */
  readonly findings: readonly Finding[];
  /** Comparisons that could not be decided (unparseable versions): shown, never dropped silently. */
  readonly undecided: readonly Undecided[];
  /** Repository-relative path of the file findings are located in for SARIF (e.g. "Dockerfile"). */
  readonly artifactPath?: string;
}

export interface ReportDocument {
  /** Versioned name of Berth's JSON report schema. */
  readonly schema: "https://berth.dev/schemas/report/v1";
  readonly tool: { readonly name: string; readonly version: string; readonly informationUri: string };
  /** When the scan ran (SOURCE_DATE_EPOCH or an injected clock). */
  readonly timestamp: Date;
  readonly targets: readonly ReportTarget[];
  /** The vulnerability database used. */
  readonly db?: { readonly builtAt: string; readonly updatedAt: string; readonly sources: readonly { readonly name: string; readonly snapshot?: string }[] };
  /** SARIF runAutomationDetails.id category (e.g. "berth/image/app"); stable across runs. */
  readonly category?: string;
}

export interface RenderOptions {
  /** Colour severities in the table (only when stdout is a TTY). */
  readonly color?: boolean;
  /** Include suppressed findings in outputs that list findings (default: table and SARIF omit them). */
  readonly showSuppressed?: boolean;
}
