// `berth db update`: build the next database beside the live one and swap it in atomically.
//
// Crash safety: the live file is never opened for writing. The next database is built in a temporary
// file (a copy of the live one for an incremental update, or an empty one), fsynced, and renamed over
// the live name. A kill at any point leaves the previous file in place and readable; the temporary
// file and the lock it leaves are cleaned up by the next update.
//
// Incremental: each source's sha256 (and, online, its ETag/Last-Modified) is stored in the database.
// A source whose bytes did not change keeps its rows; only changed sources are re-imported. A source
// that cannot be read (damaged zip, failed download) also keeps its previous rows and is reported.

import { copyFile, mkdir, readFile, rm, unlink } from "node:fs/promises";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import Database from "better-sqlite3";
import { BerthError, describeError } from "../util/errors.js";
import { atomicReplace, tempPathFor } from "../util/atomic.js";
import { readEpss } from "./epss.js";
import { isHttpUrl, type FetchFn } from "./http.js";
import { importOsvZip, type Reject } from "./import.js";
import { parseKev } from "./kev.js";
import { withVulnDbLimits, vulnLimitExceeded, type VulnDbLimits } from "./limits.js";
import { acquireLock, removeStaleTemps } from "./lock.js";
import { dbDir, dbPath, sourcesDir } from "./paths.js";
import { SCHEMA_VERSION } from "./schema.js";
import { OSV_BUCKET_URL, planSources, type FailedSource, type LocalFile } from "./sources.js";
import { openWriter, type DbWriter } from "./writer.js";

export type UpdateProgress =
  | { readonly phase: "plan"; readonly source: string }
  | { readonly phase: "import"; readonly source: string; readonly records: number }
  | { readonly phase: "imported"; readonly source: string; readonly records: number; readonly rejected: number }
  | { readonly phase: "finalize" }
  | { readonly phase: "swap" };

export interface UpdateOptions {
  readonly cacheDir: string;
  /** Directory, zip or base URL; default OSV's public bucket. */
  readonly source?: string;
  readonly ecosystems?: readonly string[] | "all";
  readonly kev?: string | false;
  readonly epss?: string;
  /** Rebuild every source even if unchanged. */
  readonly full?: boolean;
  readonly limits?: Partial<VulnDbLimits>;
  readonly fetch?: FetchFn;
  readonly now?: () => Date;
  readonly onProgress?: (p: UpdateProgress) => void;
}

export interface SourceOutcome {
  readonly name: string;
  readonly status: "imported" | "unchanged" | "failed" | "removed";
  readonly files?: number;
  readonly records?: number;
  readonly rejected?: number;
  readonly message?: string;
}

export interface UpdateResult {
  readonly dbPath: string;
  readonly sources: readonly SourceOutcome[];
  /** Every rejected advisory file (first 1,000 per source), by file. */
  readonly rejects: readonly Reject[];
  readonly failed: readonly FailedSource[];
  readonly counts: { readonly advisories: number; readonly affected: number; readonly kev: number; readonly epss: number };
}

interface OldSource {
  readonly name: string;
  readonly kind: string;
  readonly sha256: string;
}

/** Sources recorded in the live database, or undefined when it is missing, unreadable or of another schema. */
function readOldSources(path: string): OldSource[] | undefined {
  if (!existsSync(path)) return undefined;
  try {
    const db = new Database(path, { readonly: true, fileMustExist: true });
    try {
      const v = db.prepare<[], { value: string }>("SELECT value FROM meta WHERE key = 'schema_version'").get();
      if (v?.value !== String(SCHEMA_VERSION)) return undefined;
      return db.prepare<[], OldSource>("SELECT name, kind, sha256 FROM source").all();
    } finally {
      db.close();
    }
  } catch {
    return undefined;
  }
}

export async function updateDb(opts: UpdateOptions): Promise<UpdateResult> {
  const limits = withVulnDbLimits(opts.limits);
  const now = opts.now ?? (() => new Date());
  const progress = opts.onProgress ?? (() => undefined);
  const dir = dbDir(opts.cacheDir);
  await mkdir(dir, { recursive: true });
  const release = await acquireLock(dir);
  const live = dbPath(opts.cacheDir);
  let tmp: string | undefined;
  let cleanup: readonly string[] = [];
  try {
    await removeStaleTemps(dir);
    await removeStaleTemps(sourcesDir(opts.cacheDir));
    const workDir = join(dir, `work.tmp-${process.pid}-${randomBytes(4).toString("hex")}`);
    const source = opts.source ?? OSV_BUCKET_URL;
    progress({ phase: "plan", source });
    const plan = await planSources({
      source, cacheDir: opts.cacheDir, limits, workDir,
      ...(opts.ecosystems !== undefined ? { ecosystems: opts.ecosystems } : {}),
      ...(opts.kev !== undefined ? { kev: opts.kev } : {}),
      ...(opts.epss !== undefined ? { epss: opts.epss } : {}),
      ...(opts.fetch ? { fetch: opts.fetch } : {}),
    });
    cleanup = plan.cleanup;
    if (plan.osv.length === 0) {
      const why = plan.failed.map((f) => `${f.name}: ${f.message}`).join("; ");
      throw new BerthError(plan.failed.length === 0 ? "input" : isHttpUrl(plan.location) ? "network" : "not-found", `${plan.location}: no advisory source could be read${why ? ` (${why})` : ""}; the database was not changed`);
    }

    const old = opts.full ? undefined : readOldSources(live);
    const oldByName = new Map((old ?? []).map((s) => [s.name, s]));
    const failedNames = new Set(plan.failed.map((f) => f.name));
    const wanted = new Set([...plan.osv.map((f) => f.name), ...failedNames, ...(plan.kev ? ["kev"] : []), ...(plan.epss ? ["epss"] : [])]);
    const changed = (f: LocalFile): boolean => oldByName.get(f.name)?.sha256 !== f.sha256;

    tmp = tempPathFor(live);
    if (old !== undefined) await copyFile(live, tmp);
    const writer = openWriter(tmp, { fresh: old === undefined });
    const outcomes: SourceOutcome[] = [];
    const rejects: Reject[] = [];
    const failed: FailedSource[] = [...plan.failed];
    let removedAny = false;
    try {
      // Sources the new plan no longer names are dropped (a failed source is still named).
      for (const s of old ?? []) {
        if (wanted.has(s.name)) continue;
        writer.begin();
        if (s.kind === "osv") writer.removeSource(s.name);
        else if (s.kind === "kev") writer.replaceKev([]);
        else writer.replaceEpss([]);
        writer.deleteSourceRow(s.name);
        writer.commit();
        removedAny = true;
        outcomes.push({ name: s.name, status: "removed" });
      }
      for (const f of plan.failed) outcomes.push({ name: f.name, status: "failed", message: f.message });

      for (const f of plan.osv) {
        if (!changed(f)) {
          outcomes.push({ name: f.name, status: "unchanged" });
          continue;
        }
        writer.begin();
        try {
          if (oldByName.has(f.name)) {
            writer.removeSource(f.name);
            removedAny = true;
          }
          const label = `${f.name}/all.zip`;
          const c = await importOsvZip(writer, f.name, f.path, label, limits, (records) => progress({ phase: "import", source: f.name, records }));
          writer.setSource({
            name: f.name, kind: "osv", location: f.location, sha256: f.sha256, importedAt: now().toISOString(),
            files: c.files, records: c.records, rejected: c.rejected, rejects: c.rejects,
            ...(f.etag ? { etag: f.etag } : {}), ...(f.lastModified ? { lastModified: f.lastModified } : {}), ...(c.snapshot ? { snapshot: c.snapshot } : {}),
          });
          writer.commit();
          rejects.push(...c.rejects);
          outcomes.push({ name: f.name, status: "imported", files: c.files, records: c.records, rejected: c.rejected });
          progress({ phase: "imported", source: f.name, records: c.records, rejected: c.rejected });
        } catch (e) {
          writer.rollback();
          if (!(e instanceof BerthError)) throw e;
          failed.push({ name: f.name, location: f.location, message: e.message });
          rejects.push({ file: `${f.name}/all.zip`, reason: e.message });
          outcomes.push({ name: f.name, status: "failed", message: e.message });
        }
      }

      if (plan.kev && changed(plan.kev)) await importKev(writer, plan.kev, limits, now, outcomes, rejects, failed);
      else if (plan.kev) outcomes.push({ name: "kev", status: "unchanged" });
      if (plan.epss && changed(plan.epss)) await importEpss(writer, plan.epss, limits, now, outcomes, rejects, failed);
      else if (plan.epss) outcomes.push({ name: "epss", status: "unchanged" });

      progress({ phase: "finalize" });
      writer.begin();
      writer.deriveEnrichment();
      const at = now().toISOString();
      if (outcomes.some((o) => o.status === "imported" || o.status === "removed") || old === undefined) writer.setMeta("built_at", at);
      writer.setMeta("updated_at", at);
      writer.setMeta("source_location", plan.location);
      const counts = writer.counts();
      writer.setMeta("counts", JSON.stringify(counts));
      writer.commit();
      if (removedAny) writer.vacuum();
      writer.close();
      progress({ phase: "swap" });
      await atomicReplace(tmp, live);
      tmp = undefined;
      return { dbPath: live, sources: outcomes, rejects, failed, counts };
    } catch (e) {
      try {
        writer.close();
      } catch {
        // already closed
      }
      throw e;
    }
  } finally {
    if (tmp !== undefined) await unlink(tmp).catch(() => undefined);
    for (const p of cleanup) await rm(p, { recursive: true, force: true }).catch(() => undefined);
    await release();
  }
}

async function readBounded(path: string, max: number, limitName: keyof VulnDbLimits): Promise<string> {
  const buf = await readFile(path);
  if (buf.length > max) throw vulnLimitExceeded(limitName, max, path);
  return buf.toString("utf8");
}

async function importKev(
  writer: DbWriter, f: LocalFile, limits: VulnDbLimits, now: () => Date,
  outcomes: SourceOutcome[], rejects: Reject[], failed: FailedSource[],
): Promise<void> {
  try {
    const cat = parseKev(await readBounded(f.path, limits.maxKevBytes, "maxKevBytes"), f.location);
    writer.begin();
    writer.replaceKev(cat.entries);
    writer.setSource({
      name: "kev", kind: "kev", location: f.location, sha256: f.sha256, importedAt: now().toISOString(),
      files: cat.entries.length + cat.rejects.length, records: cat.entries.length, rejected: cat.rejects.length, rejects: cat.rejects,
      ...(cat.dateReleased ? { snapshot: cat.dateReleased } : {}), ...(f.etag ? { etag: f.etag } : {}), ...(f.lastModified ? { lastModified: f.lastModified } : {}),
    });
    if (cat.catalogVersion) writer.setMeta("kev_catalog_version", cat.catalogVersion);
    writer.commit();
    rejects.push(...cat.rejects);
    outcomes.push({ name: "kev", status: "imported", files: cat.entries.length + cat.rejects.length, records: cat.entries.length, rejected: cat.rejects.length });
  } catch (e) {
    if (!(e instanceof BerthError)) throw e;
    failed.push({ name: "kev", location: f.location, message: e.message });
    rejects.push({ file: f.location, reason: e.message });
    outcomes.push({ name: "kev", status: "failed", message: e.message });
  }
}

async function importEpss(
  writer: DbWriter, f: LocalFile, limits: VulnDbLimits, now: () => Date,
  outcomes: SourceOutcome[], rejects: Reject[], failed: FailedSource[],
): Promise<void> {
  try {
    const e = await readEpss(f.path, f.location, limits.maxEpssBytes);
    writer.begin();
    writer.replaceEpss(e.rows);
    writer.setSource({
      name: "epss", kind: "epss", location: f.location, sha256: f.sha256, importedAt: now().toISOString(),
      files: e.rows.length + e.rejects.length, records: e.rows.length, rejected: e.rejects.length, rejects: e.rejects,
      ...(e.scoreDate ? { snapshot: e.scoreDate } : {}), ...(f.etag ? { etag: f.etag } : {}), ...(f.lastModified ? { lastModified: f.lastModified } : {}),
    });
    if (e.modelVersion) writer.setMeta("epss_model_version", e.modelVersion);
    writer.commit();
    rejects.push(...e.rejects);
    outcomes.push({ name: "epss", status: "imported", files: e.rows.length + e.rejects.length, records: e.rows.length, rejected: e.rejects.length });
  } catch (err) {
    if (!(err instanceof BerthError)) throw err;
    failed.push({ name: "epss", location: f.location, message: err.message });
    rejects.push({ file: f.location, reason: err.message });
    outcomes.push({ name: "epss", status: "failed", message: describeError(err) });
  }
}
