// The database a scan uses: opened from the shared cache; updated first when it is missing or older
// than a day (as Trivy does), unless --skip-db-update or --offline. --offline never touches the
// network: a missing database is then an error that says how to get one.
import { existsSync } from "node:fs";
import { dbPath, freshnessWarning, openVulnDb, updateDb, DEFAULT_MAX_AGE_MS, type VulnDb } from "../vulndb/index.js";
import { BerthError, describeError } from "../util/errors.js";

export interface DbChoice {
  readonly cacheDir: string;
  readonly offline: boolean;
  readonly skipUpdate: boolean;
  /** Update source (`--db-source`), default OSV's bucket. */
  readonly source?: string;
  readonly now: Date;
  readonly log: (msg: string) => void;
}

const AUTO_UPDATE_AGE_MS = 24 * 3600 * 1000;

export async function openScanDb(c: DbChoice): Promise<VulnDb> {
  const path = dbPath(c.cacheDir);
  const exists = existsSync(path);
  const mayUpdate = !c.offline && !c.skipUpdate;
  if (!exists && !mayUpdate) {
    throw new BerthError("not-found", `no vulnerability database in ${c.cacheDir}; run "berth db update" (or "berth db import <bundle>" offline)`);
  }
  let stale = !exists;
  if (exists) {
    const db = openVulnDb(path);
    const updated = Date.parse(db.metadata().updatedAt);
    db.close();
    stale = Number.isNaN(updated) || c.now.getTime() - updated > AUTO_UPDATE_AGE_MS;
  }
  if (stale && mayUpdate) {
    c.log(`updating the vulnerability database${c.source ? ` from ${c.source}` : ""}…`);
    try {
      await updateDb({ cacheDir: c.cacheDir, ...(c.source ? { source: c.source } : {}) });
    } catch (e) {
      if (!exists) throw e;
      c.log(`warning: database update failed (${describeError(e)}); scanning with the existing database`);
    }
  }
  const db = openVulnDb(path);
  const warn = freshnessWarning(db.metadata(), DEFAULT_MAX_AGE_MS, c.now);
  if (warn) c.log(`warning: ${warn}`);
  return db;
}
