// Incremental re-match after a vulnerability DB update. The server looks at the DB file every minute
// (and at start): when its identity changed and its content build time (`built_at`) differs from the
// version recorded in the `rescan.vulndb` setting, it diffs the DB's advisory index against the copy
// kept in `rescan_advisories` (the update records no change list; see vulndb/changes.ts), finds the
// images holding a package a new, changed or removed advisory names, and enqueues their re-match —
// of those packages only — at once. Recording the version, the new index and the jobs is one
// transaction guarded by a compare-and-set, so with several servers one does it.
//
// Optionally the server also runs `berth db update` itself on a schedule (`--db-update-interval`,
// from `--db-source`); the check runs right after.
import { statSync } from "node:fs";
import type { Repositories } from "../store/index.js";
import type { AdvisoryIndexRow } from "../store/rescan.js";
import { describeError } from "../util/errors.js";
import { diffAdvisoryIndex, parsePackageKey, readAdvisoryIndex, type AdvisoryChanges } from "../vulndb/changes.js";
import { dbPath, openVulnDb, updateDb } from "../vulndb/index.js";
import { rematchJobs } from "./rematch.js";
import { startTicker, type Ticker } from "./rescan.js";

export const VULNDB_SETTING = "rescan.vulndb";

interface SeenDb {
  readonly builtAt: string;
}

export interface DbChangeOutcome {
  /** "first": the first DB this store has seen (recorded, nothing re-matched); "unchanged"; "changed"; "raced": another process recorded it first. */
  readonly status: "missing" | "unchanged" | "first" | "changed" | "raced";
  readonly builtAt?: string;
  readonly changes?: Pick<AdvisoryChanges, "added" | "changed" | "removed">;
  readonly images: number;
  readonly jobs: number;
}

/** Compares the DB in `cacheDir` with the version last seen and enqueues the re-matches a change calls for. */
export async function checkVulnDbChange(repos: Repositories, opts: { readonly cacheDir: string; readonly batchSize?: number }, now: Date): Promise<DbChangeOutcome> {
  const path = dbPath(opts.cacheDir);
  let builtAt: string;
  try {
    const db = openVulnDb(path);
    try {
      builtAt = db.metadata().builtAt;
    } finally {
      db.close();
    }
  } catch {
    return { status: "missing", images: 0, jobs: 0 };
  }
  const seen = await repos.rescan.getSetting<SeenDb>(VULNDB_SETTING);
  if (seen?.builtAt === builtAt) return { status: "unchanged", builtAt, images: 0, jobs: 0 };
  // An update may swap the file between the two reads: the index is then newer than builtAt, and the
  // next check diffs from it (the changes in between are part of this diff already).
  const next = readAdvisoryIndex(path);
  const before = await repos.rescan.advisoryIndex();
  const first = seen === undefined && before.size === 0;
  const diff = diffAdvisoryIndex(before, next);
  const digests = first ? [] : await repos.rescan.digestsWithPackages(diff.packages.map(parsePackageKey));
  const jobs = rematchJobs(digests, { reason: "db-update", packages: diff.packages, ...(opts.batchSize ? { batchSize: opts.batchSize } : {}) });
  const upserts = new Map<string, AdvisoryIndexRow>();
  for (const id of [...diff.added, ...diff.changed]) upserts.set(id, next.get(id)!);
  return repos.store.db.transaction().execute(async (tx) => {
    if (!(await repos.rescan.compareAndSetSetting(VULNDB_SETTING, seen, { builtAt } satisfies SeenDb, now, tx))) return { status: "raced" as const, builtAt, images: 0, jobs: 0 };
    await repos.rescan.updateAdvisoryIndex(upserts, diff.removed, tx);
    let enqueued = 0;
    for (const j of jobs) if (await repos.jobs.enqueue(j, now, tx)) enqueued++;
    return { status: first ? ("first" as const) : ("changed" as const), builtAt, changes: { added: diff.added, changed: diff.changed, removed: diff.removed }, images: digests.length, jobs: enqueued };
  });
}

export interface DbWatchOptions {
  readonly repos: Repositories;
  readonly cacheDir: string;
  readonly now: () => Date;
  readonly log: (msg: string) => void;
  readonly onEnqueued?: () => void;
  /** Between checks of the DB file (default 1 min). */
  readonly pollMs?: number;
  readonly batchSize?: number;
  /** Run `berth db update` from the server this often (from `source`, default OSV's bucket). */
  readonly update?: { readonly intervalMs: number; readonly source?: string };
}

/** File identity: a `db update` replaces the file by rename, so inode, size or mtime change. */
function identity(path: string): string | undefined {
  try {
    const s = statSync(path);
    return `${s.ino}:${s.size}:${s.mtimeMs}`;
  } catch {
    return undefined;
  }
}

function lastUpdated(cacheDir: string): number {
  try {
    const db = openVulnDb(dbPath(cacheDir));
    try {
      return Date.parse(db.metadata().updatedAt);
    } finally {
      db.close();
    }
  } catch {
    return Number.NaN;
  }
}

export function startVulnDbWatcher(opts: DbWatchOptions): Ticker {
  const path = dbPath(opts.cacheDir);
  let lastIdentity: string | undefined;
  return startTicker("vulnerability DB watch", opts.pollMs ?? 60_000, async () => {
    if (opts.update) {
      const last = lastUpdated(opts.cacheDir);
      // The DB's own updated_at: a restart does not update again right away.
      if (Number.isNaN(last) || opts.now().getTime() - last >= opts.update.intervalMs) {
        opts.log(`vulnerability DB: updating${opts.update.source ? ` from ${opts.update.source}` : ""}`);
        try {
          const r = await updateDb({ cacheDir: opts.cacheDir, ...(opts.update.source ? { source: opts.update.source } : {}), now: opts.now });
          opts.log(`vulnerability DB: ${r.counts.advisories} advisories (${r.sources.filter((s) => s.status === "imported").length} sources imported)`);
        } catch (e) {
          opts.log(`vulnerability DB update failed: ${describeError(e)}`);
        }
      }
    }
    const id = identity(path);
    if (id === undefined || id === lastIdentity) return;
    const r = await checkVulnDbChange(opts.repos, { cacheDir: opts.cacheDir, ...(opts.batchSize ? { batchSize: opts.batchSize } : {}) }, opts.now());
    lastIdentity = id;
    if (r.status === "changed") {
      const c = r.changes!;
      opts.log(`vulnerability DB changed (built ${r.builtAt}): ${c.added.length} new, ${c.changed.length} changed, ${c.removed.length} removed advisories; re-matching ${r.images} image(s) in ${r.jobs} job(s)`);
      if (r.jobs > 0) opts.onEnqueued?.();
    } else if (r.status === "first") opts.log(`vulnerability DB built ${r.builtAt} recorded as the baseline for incremental re-matches`);
  }, opts.log);
}
