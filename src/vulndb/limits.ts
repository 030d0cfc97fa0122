// Bounds applied to advisory input (STYLE.md §6): every zip, JSON file, download and bundle entry is
// untrusted. Hitting a bound names it; nothing is truncated silently.
import { BerthError } from "../util/errors.js";
import { defaultLimits } from "../util/limits.js";

export interface VulnDbLimits {
  /** Largest all.zip (compressed) read or downloaded, in bytes. */
  readonly maxZipBytes: number;
  /** Most entries in one all.zip. */
  readonly maxZipEntries: number;
  /** Largest uncompressed advisory JSON, in bytes. */
  readonly maxEntryBytes: number;
  /** Largest expanded/compressed ratio of one zip entry above 1 MiB (zip-bomb guard). */
  readonly maxEntryRatio: number;
  /** Largest total expanded size of one zip, in bytes. */
  readonly maxZipExpandedBytes: number;
  /** Largest KEV catalogue, in bytes. */
  readonly maxKevBytes: number;
  /** Largest EPSS CSV, expanded, in bytes. */
  readonly maxEpssBytes: number;
  /** Largest database file accepted from a bundle, in bytes. */
  readonly maxBundleDbBytes: number;
  /** Largest small file (ecosystems.txt, bundle manifest), in bytes. */
  readonly maxSmallFileBytes: number;
  /** Idle network timeout per request, in milliseconds. */
  readonly requestTimeoutMs: number;
  /** Most ids followed when closing an alias group. */
  readonly maxAliasGroup: number;
}

export const defaultVulnDbLimits: VulnDbLimits = {
  maxZipBytes: 8 * 1024 * 1024 * 1024,
  maxZipEntries: 2_000_000,
  maxEntryBytes: 64 * 1024 * 1024,
  maxEntryRatio: 1000,
  maxZipExpandedBytes: 64 * 1024 * 1024 * 1024,
  maxKevBytes: 64 * 1024 * 1024,
  maxEpssBytes: 1024 * 1024 * 1024,
  maxBundleDbBytes: 64 * 1024 * 1024 * 1024,
  maxSmallFileBytes: 1024 * 1024,
  requestTimeoutMs: defaultLimits.requestTimeoutMs,
  maxAliasGroup: 256,
};

export function withVulnDbLimits(overrides: Partial<VulnDbLimits> = {}): VulnDbLimits {
  return { ...defaultVulnDbLimits, ...overrides };
}

export function vulnLimitExceeded(name: keyof VulnDbLimits, value: number, what: string): BerthError {
  return new BerthError("limit", `${what}: exceeds limit ${name}=${value}`);
}
