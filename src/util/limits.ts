// One place for every bound applied to untrusted input (STYLE.md §6). Hitting a bound raises a
// BerthError("limit") naming it; nothing is silently truncated.
import { BerthError } from "./errors.js";

export interface Limits {
  /** Largest manifest, index or image config accepted, in bytes. */
  readonly maxManifestBytes: number;
  /** Largest compressed blob downloaded or read, in bytes. */
  readonly maxBlobBytes: number;
  /** Largest total expanded size of one layer, in bytes (gzip-bomb guard). */
  readonly maxLayerExpandedBytes: number;
  /** Largest expanded/compressed ratio of one layer (a bomb guard that scales with input). */
  readonly maxLayerRatio: number;
  /** Most tar entries in one layer. */
  readonly maxLayerEntries: number;
  /** Most layers in one image. */
  readonly maxLayers: number;
  /** Largest single file a cataloger reads into memory. */
  readonly maxFileBytes: number;
  /** Most symlinks followed while resolving one path. */
  readonly maxSymlinkHops: number;
  /** Most index levels followed (index → index → manifest). */
  readonly maxIndexDepth: number;
  /** Network timeout per request, in milliseconds. */
  readonly requestTimeoutMs: number;
}

export const defaultLimits: Limits = {
  maxManifestBytes: 4 * 1024 * 1024,
  maxBlobBytes: 8 * 1024 * 1024 * 1024,
  maxLayerExpandedBytes: 32 * 1024 * 1024 * 1024,
  maxLayerRatio: 200,
  maxLayerEntries: 2_000_000,
  maxLayers: 512,
  maxFileBytes: 256 * 1024 * 1024,
  maxSymlinkHops: 40,
  maxIndexDepth: 4,
  requestTimeoutMs: 60_000,
};

export function withLimits(overrides: Partial<Limits> = {}): Limits {
  return { ...defaultLimits, ...overrides };
}

export function limitExceeded(name: keyof Limits, value: number, what: string): BerthError {
  return new BerthError("limit", `${what}: exceeds limit ${name}=${value}`);
}
