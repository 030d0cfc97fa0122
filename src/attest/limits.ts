// Bounds for the untrusted documents the attest stage reads from registries and files (STYLE.md §6).
// Byte bounds for manifests and indexes come from util/limits (maxManifestBytes); these are the
// attest-specific ones. Hitting one raises BerthError("limit") naming it.
import { BerthError } from "../util/errors.js";

export interface AttestLimits {
  /** Most referrers accepted for one subject (referrers API pages or a referrers tag index). */
  readonly maxReferrers: number;
  /** Largest DSSE envelope, signature payload or attached file read back, in bytes. */
  readonly maxArtifactBytes: number;
  /** Most signature layers in one signature manifest (cosign packs several in one). */
  readonly maxSignatureLayers: number;
  /** Deepest referrer-of-referrer chain `berth discover` follows. */
  readonly maxReferrerDepth: number;
  /** Largest predicate, trust policy or Dockerfile read from disk, in bytes. */
  readonly maxInputFileBytes: number;
  /** Most referrers API pages followed (Link: rel="next"). */
  readonly maxReferrerPages: number;
}

export const defaultAttestLimits: AttestLimits = {
  maxReferrers: 1000,
  maxArtifactBytes: 64 * 1024 * 1024,
  maxSignatureLayers: 100,
  maxReferrerDepth: 4,
  maxInputFileBytes: 64 * 1024 * 1024,
  maxReferrerPages: 20,
};

export function withAttestLimits(overrides: Partial<AttestLimits> = {}): AttestLimits {
  return { ...defaultAttestLimits, ...overrides };
}

export function attestLimitExceeded(name: keyof AttestLimits, value: number, what: string): BerthError {
  return new BerthError("limit", `${what}: exceeds limit ${name}=${value}`);
}
