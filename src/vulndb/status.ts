// `berth db status`: what the database holds and how old it is. A database older than the allowed
// age (default 3 days) produces a warning; nothing refuses to scan because of age.
//
// Age is measured from `updatedAt`, the last update that checked the sources successfully: a mirror
// whose content did not change since then is as fresh as its source.

import { BerthError } from "../util/errors.js";
import { openVulnDb, type DbMetadata } from "./store.js";

export const DEFAULT_MAX_AGE_MS = 3 * 24 * 3600 * 1000;

const UNITS: Readonly<Record<string, number>> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** "3d", "12h", "90m", "1w", "30s" → milliseconds. */
export function parseDuration(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([smhdw])\s*$/i.exec(text);
  if (!m) throw new BerthError("usage", `bad duration "${text}": use a number and one of s, m, h, d, w (e.g. 3d)`);
  return Number(m[1]) * (UNITS[(m[2] as string).toLowerCase()] as number);
}

export function formatDuration(ms: number): string {
  const abs = Math.abs(ms);
  if (abs >= 86_400_000) return `${(ms / 86_400_000).toFixed(1)}d`;
  if (abs >= 3_600_000) return `${(ms / 3_600_000).toFixed(1)}h`;
  return `${Math.round(ms / 60_000)}m`;
}

/** The warning a command prints before using a stale database, or undefined when it is fresh. */
export function freshnessWarning(meta: Pick<DbMetadata, "updatedAt">, maxAgeMs: number, now: Date): string | undefined {
  const updated = Date.parse(meta.updatedAt);
  if (Number.isNaN(updated)) return "vulnerability database has no update time; run \"berth db update\"";
  const age = now.getTime() - updated;
  if (age <= maxAgeMs) return undefined;
  return `vulnerability database is ${formatDuration(age)} old (last updated ${meta.updatedAt}, allowed ${formatDuration(maxAgeMs)}); run "berth db update"`;
}

export interface DbStatus {
  readonly path: string;
  readonly metadata: DbMetadata;
  readonly ageMs: number;
  readonly maxAgeMs: number;
  readonly stale: boolean;
  readonly warning?: string;
}

export function dbStatus(path: string, opts: { readonly maxAgeMs?: number; readonly now?: Date } = {}): DbStatus {
  const db = openVulnDb(path);
  try {
    const metadata = db.metadata();
    const now = opts.now ?? new Date();
    const maxAgeMs = opts.maxAgeMs ?? DEFAULT_MAX_AGE_MS;
    const warning = freshnessWarning(metadata, maxAgeMs, now);
    return { path, metadata, ageMs: now.getTime() - Date.parse(metadata.updatedAt), maxAgeMs, stale: warning !== undefined, ...(warning ? { warning } : {}) };
  } finally {
    db.close();
  }
}

/** Human-readable status, one fact per line. */
export function formatStatus(s: DbStatus): string {
  const m = s.metadata;
  const lines = [
    `database:    ${s.path}`,
    `schema:      ${m.schemaVersion}`,
    `built:       ${m.builtAt}`,
    `updated:     ${m.updatedAt} (${formatDuration(s.ageMs)} ago${s.stale ? `, older than ${formatDuration(s.maxAgeMs)}` : ""})`,
    ...(m.sourceLocation ? [`source:      ${m.sourceLocation}`] : []),
    `advisories:  ${m.counts.advisories} (${m.counts.affected} package entries), KEV ${m.counts.kev}, EPSS ${m.counts.epss}`,
    "sources:",
    ...m.sources.map(
      (src) =>
        `  ${src.name.padEnd(12)} ${String(src.records).padStart(7)} records${src.rejected > 0 ? `, ${src.rejected} rejected` : ""}` +
        `${src.snapshot ? `, snapshot ${src.snapshot}` : ""}${src.etag ? `, etag ${src.etag}` : ""}`,
    ),
    "ecosystems:",
    ...Object.entries(m.ecosystems).map(([e, n]) => `  ${e.padEnd(12)} ${String(n).padStart(7)} advisories`),
  ];
  return lines.join("\n");
}
