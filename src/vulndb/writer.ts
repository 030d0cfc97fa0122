// Writes a database file that nobody reads yet (a temporary file beside the live one; see update.ts).
// Durability pragmas are off while building (the rollback journal stays in memory so one source's
// import can still be undone): a crash loses only the temporary file, and the caller fsyncs and
// renames it into place when it is complete.

import Database from "better-sqlite3";
import type { KevEntry } from "./kev.js";
import type { EpssRow } from "./epss.js";
import { normalizePackageName } from "./ecosystems.js";
import type { OsvRecord } from "./osv.js";
import type { SourceInfo } from "./store.js";
import { SCHEMA_SQL, SCHEMA_VERSION } from "./schema.js";
import { severityFor } from "./severity.js";

/** A source as the writer records it: the same shape the store reads back. */
export type SourceRow = SourceInfo;

export type AddOutcome = "inserted" | "replaced" | "kept";

export interface DbWriter {
  /** Starts a unit that `commit` keeps or `rollback` undoes (one source's import). */
  begin(): void;
  commit(): void;
  rollback(): void;
  /** Detaches a source's advisories; advisories no other source carries are deleted. */
  removeSource(name: string): void;
  /** Adds one validated record seen in `source`; a duplicate id keeps the newer `modified`. */
  addRecord(source: string, record: OsvRecord): AddOutcome;
  replaceKev(entries: readonly KevEntry[]): void;
  replaceEpss(rows: readonly EpssRow[]): void;
  setSource(row: SourceRow): void;
  deleteSourceRow(name: string): void;
  setMeta(key: string, value: string): void;
  /** Recomputes the KEV flag and EPSS score of every advisory from its id, aliases and upstream ids. */
  deriveEnrichment(): void;
  counts(): { advisories: number; affected: number; kev: number; epss: number };
  /** Compacts the file after deletions. */
  vacuum(): void;
  close(): void;
}

export function openWriter(path: string, opts: { readonly fresh: boolean }): DbWriter {
  const db = new Database(path);
  db.pragma("journal_mode = MEMORY");
  db.pragma("synchronous = OFF");
  db.pragma("locking_mode = EXCLUSIVE");
  db.pragma("temp_store = MEMORY");
  db.pragma("cache_size = -65536");
  if (opts.fresh) {
    db.exec(SCHEMA_SQL);
    db.prepare("INSERT INTO meta (key, value) VALUES ('schema_version', ?)").run(String(SCHEMA_VERSION));
  }

  const getModified = db.prepare<[string], { modified: string }>("SELECT modified FROM advisory WHERE id = ?");
  const insAdvisory = db.prepare(
    "INSERT OR REPLACE INTO advisory (id, modified, published, withdrawn, summary, severity_json, json) VALUES (?, ?, ?, ?, ?, ?, ?)",
  );
  const insLink = db.prepare("INSERT OR IGNORE INTO advisory_source (source, advisory_id) VALUES (?, ?)");
  const insAffected = db.prepare(
    "INSERT INTO affected (advisory_id, idx, ecosystem, name, name_norm, purl, modified, withdrawn, severity_json, json) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
  );
  const delAffected = db.prepare("DELETE FROM affected WHERE advisory_id = ?");
  const insAlias = db.prepare("INSERT OR IGNORE INTO alias (id, other, kind) VALUES (?, ?, ?)");
  const delAlias = db.prepare("DELETE FROM alias WHERE id = ?");
  const setMeta = db.prepare("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)");

  const writeContent = (r: OsvRecord): void => {
    insAdvisory.run(r.id, r.modified, r.published ?? null, r.withdrawn ?? null, r.summary ?? null, JSON.stringify(severityFor(r, undefined)), JSON.stringify(r));
    (r.affected ?? []).forEach((a, idx) => {
      if (!a.package) return;
      const { ecosystem, name } = a.package;
      insAffected.run(r.id, idx, ecosystem, name, normalizePackageName(ecosystem, name), a.package.purl ?? null, r.modified, r.withdrawn ?? null, JSON.stringify(severityFor(r, a)), JSON.stringify(a));
    });
    for (const other of r.aliases ?? []) if (other !== r.id) insAlias.run(r.id, other, "alias");
    for (const other of r.upstream ?? []) if (other !== r.id) insAlias.run(r.id, other, "upstream");
    for (const other of r.related ?? []) if (other !== r.id) insAlias.run(r.id, other, "related");
  };

  let depth = 0;
  return {
    begin() {
      db.exec(depth === 0 ? "BEGIN" : `SAVEPOINT s${depth}`);
      depth += 1;
    },
    commit() {
      depth -= 1;
      db.exec(depth === 0 ? "COMMIT" : `RELEASE s${depth}`);
    },
    rollback() {
      depth -= 1;
      db.exec(depth === 0 ? "ROLLBACK" : `ROLLBACK TO s${depth}; RELEASE s${depth}`);
    },
    removeSource(name) {
      db.prepare("DELETE FROM advisory_source WHERE source = ?").run(name);
      db.exec(`
        CREATE TEMP TABLE IF NOT EXISTS orphan (id TEXT PRIMARY KEY) WITHOUT ROWID;
        DELETE FROM orphan;
        INSERT INTO orphan SELECT id FROM advisory WHERE NOT EXISTS (SELECT 1 FROM advisory_source s WHERE s.advisory_id = advisory.id);
        DELETE FROM affected WHERE advisory_id IN (SELECT id FROM orphan);
        DELETE FROM alias WHERE id IN (SELECT id FROM orphan);
        DELETE FROM advisory WHERE id IN (SELECT id FROM orphan);
      `);
    },
    addRecord(source, r) {
      const existing = getModified.get(r.id);
      insLink.run(source, r.id);
      if (existing === undefined) {
        writeContent(r);
        return "inserted";
      }
      if (Date.parse(r.modified) <= Date.parse(existing.modified)) return "kept";
      delAffected.run(r.id);
      delAlias.run(r.id);
      writeContent(r);
      return "replaced";
    },
    replaceKev(entries) {
      db.exec("DELETE FROM kev");
      const ins = db.prepare("INSERT OR REPLACE INTO kev (cve, date_added, due_date, ransomware, json) VALUES (?, ?, ?, ?, ?)");
      for (const e of entries) ins.run(e.cveID, e.dateAdded ?? null, e.dueDate ?? null, e.knownRansomwareCampaignUse ?? null, JSON.stringify(e));
    },
    replaceEpss(rows) {
      db.exec("DELETE FROM epss");
      const ins = db.prepare("INSERT OR REPLACE INTO epss (cve, score, percentile) VALUES (?, ?, ?)");
      for (const r of rows) ins.run(r.cve, r.score, r.percentile ?? null);
    },
    setSource(s) {
      db.prepare(
        `INSERT OR REPLACE INTO source (name, kind, location, sha256, etag, last_modified, snapshot, imported_at, files, records, rejected, rejects_json)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ).run(s.name, s.kind, s.location, s.sha256, s.etag ?? null, s.lastModified ?? null, s.snapshot ?? null, s.importedAt, s.files, s.records, s.rejected, JSON.stringify(s.rejects.slice(0, 100)));
    },
    deleteSourceRow(name) {
      db.prepare("DELETE FROM source WHERE name = ?").run(name);
    },
    setMeta(key, value) {
      setMeta.run(key, value);
    },
    deriveEnrichment() {
      db.exec(`
        UPDATE advisory SET kev = 0, epss = NULL, epss_percentile = NULL;
        CREATE TEMP TABLE IF NOT EXISTS cve_of (id TEXT NOT NULL, cve TEXT NOT NULL, PRIMARY KEY (id, cve)) WITHOUT ROWID;
        DELETE FROM cve_of;
        INSERT OR IGNORE INTO cve_of SELECT id, id FROM advisory WHERE id LIKE 'CVE-%';
        INSERT OR IGNORE INTO cve_of SELECT id, other FROM alias WHERE kind IN ('alias', 'upstream') AND other LIKE 'CVE-%';
        UPDATE advisory SET kev = 1 WHERE id IN (SELECT c.id FROM cve_of c JOIN kev k ON k.cve = c.cve);
        UPDATE advisory SET
          epss = (SELECT max(e.score) FROM cve_of c JOIN epss e ON e.cve = c.cve WHERE c.id = advisory.id),
          epss_percentile = (SELECT max(e.percentile) FROM cve_of c JOIN epss e ON e.cve = c.cve WHERE c.id = advisory.id)
        WHERE id IN (SELECT c.id FROM cve_of c JOIN epss e ON e.cve = c.cve);
        UPDATE affected SET kev = 0, epss = NULL WHERE kev <> 0 OR epss IS NOT NULL;
        UPDATE affected SET
          kev = (SELECT v.kev FROM advisory v WHERE v.id = affected.advisory_id),
          epss = (SELECT v.epss FROM advisory v WHERE v.id = affected.advisory_id)
        WHERE advisory_id IN (SELECT id FROM advisory WHERE kev = 1 OR epss IS NOT NULL);
      `);
    },
    counts() {
      const one = (sql: string): number => (db.prepare<[], { n: number }>(sql).get()?.n ?? 0);
      return {
        advisories: one("SELECT count(*) AS n FROM advisory"),
        affected: one("SELECT count(*) AS n FROM affected"),
        kev: one("SELECT count(*) AS n FROM kev"),
        epss: one("SELECT count(*) AS n FROM epss"),
      };
    },
    vacuum() {
      db.exec("VACUUM");
    },
    close() {
      db.pragma("journal_mode = DELETE");
      db.close();
    },
  };
}
