// Berth's public library API: the same stages the CLI and the server call. A short explicit list
// (STYLE.md §8); types are exported with `export type`.
export { compareVersions, tryCompareVersions, evaluateAffected, schemeForEcosystem, isSchemeId } from "./version/index.js";
export type { SchemeId, Ordering, AffectedResult, OsvAffectedVersions } from "./version/index.js";

export { inventoryTarget } from "./scan/inventory.js";
export type { InventoryOptions, TargetInventory } from "./scan/inventory.js";
export { scanTarget, scanInventory, scanSbomFile } from "./scan/scan.js";
export type { MatchOptions, ScanOutcome } from "./scan/scan.js";
export { gate, reported } from "./scan/policy.js";
export type { Policy, GateResult } from "./scan/policy.js";

export { matchPackages } from "./match/match.js";
export { parseVex, applyVex } from "./match/vex.js";
export { parseIgnoreFile, applyIgnore } from "./match/ignore.js";

export { renderSbom, sbomFormatNames } from "./sbom/index.js";
export type { SbomFormat, SbomDocument } from "./sbom/index.js";
export { readSbom } from "./sbom/read.js";
export { renderReport, reportFormatNames } from "./report/index.js";
export type { ReportFormat, ReportDocument, ReportTarget, RenderOptions } from "./report/index.js";

export { openVulnDb, updateDb, dbPath, resolveCacheDir } from "./vulndb/index.js";
export type { VulnDb, AdvisoryAffected, DbMetadata } from "./vulndb/index.js";

export { withLimits, defaultLimits } from "./util/limits.js";
export type { Limits } from "./util/limits.js";
export { BerthError } from "./util/errors.js";

export type { Package, Distro, Location, Unknown } from "./model/package.js";
export type { ImageMetadata, LayerInfo, Platform } from "./model/image.js";
export type { Finding, SeverityLabel, FindingStatus } from "./model/finding.js";
