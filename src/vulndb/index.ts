// The vulnerability database stage: OSV import, embedded store, updates, bundles, severity.
export { openVulnDb } from "./store.js";
export type { Advisory, AdvisoryAffected, DbMetadata, EpssScore, LookupOptions, Relations, SourceInfo, VulnDb } from "./store.js";
export { updateDb } from "./update.js";
export type { SourceOutcome, UpdateOptions, UpdateProgress, UpdateResult } from "./update.js";
export { createBundle, importBundle } from "./bundle.js";
export type { BundleManifest } from "./bundle.js";
export { dbStatus, formatStatus, freshnessWarning, parseDuration, DEFAULT_MAX_AGE_MS } from "./status.js";
export type { DbStatus } from "./status.js";
export { dbPath, resolveCacheDir } from "./paths.js";
export { normalizePackageName, parseEcosystem, isKnownEcosystem } from "./ecosystems.js";
export { scoreCvss, cvss4Score, severityOf } from "./cvss.js";
export type { CvssScore, CvssVersion } from "./cvss.js";
export type { Severity, SeverityLabel } from "./severity.js";
export type { OsvAffected, OsvEvent, OsvRange, OsvRecord } from "./osv.js";
export type { KevEntry } from "./kev.js";
export { OSV_BUCKET_URL, DEFAULT_ONLINE_ECOSYSTEMS } from "./sources.js";
export { defaultVulnDbLimits } from "./limits.js";
export type { VulnDbLimits } from "./limits.js";
