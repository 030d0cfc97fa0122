// The read API over the embedded database. The matcher (match/) calls `lookup` per package and
// evaluates each returned `affected` entry with version/range.ts; this module compares no versions.
//
//   const db = openVulnDb(dbPath(cacheDir));
//   for (const row of db.lookup("PyPI", "Flask_Caching")) …       // name normalised per ecosystem
//   db.lookupFamily("Debian:12", "openssl")                          // "Debian:12" and "Debian:12:*"
//   db.lookupFamily("Debian", "openssl")                             // every Debian release
//   db.aliasesOf("GHSA-…") → ["CVE-…", "PYSEC-…"]                    // one vulnerability, one finding
//
// The file is opened read-only; an update replaces it by rename, so an open handle keeps reading the
// snapshot it opened.

import Database from "better-sqlite3";
import { existsSync } from "node:fs";
import { BerthError, describeError } from "../util/errors.js";
import { normalizePackageName, parseEcosystem } from "./ecosystems.js";
import type { KevEntry } from "./kev.js";
import { defaultVulnDbLimits } from "./limits.js";
import type { OsvAffected, OsvRecord } from "./osv.js";
import { SCHEMA_VERSION } from "./schema.js";
import type { Severity } from "./severity.js";

export interface AdvisoryAffected {
  readonly advisoryId: string;
  /** As written in the advisory: "Debian:12", "PyPI". */
  readonly ecosystem: string;
  /** As written in the advisory. */
  readonly name: string;
  readonly purl?: string;
  /** The advisory's affected[] entry, unchanged: ranges, versions, ecosystem_specific. */
  readonly affected: OsvAffected;
  readonly severity: Severity;
  readonly modified: string;
  readonly withdrawn?: string;
  /** The advisory, one of its aliases or an upstream id is in CISA's KEV catalogue. */
  readonly kev: boolean;
  /** Highest EPSS probability among the advisory's CVEs, when EPSS was imported. */
  readonly epss?: number;
}

export interface Advisory {
  readonly id: string;
  readonly record: OsvRecord;
  readonly severity: Severity;
  readonly kev: boolean;
  readonly epss?: number;
  readonly epssPercentile?: number;
  /** Names of the sources (ecosystem folders) that carried it. */
  readonly sources: readonly string[];
}

export interface Relations {
  readonly aliases: readonly string[];
  readonly upstream: readonly string[];
  readonly related: readonly string[];
}

export interface EpssScore {
  readonly cve: string;
  readonly score: number;
  readonly percentile?: number;
}

export interface SourceInfo {
  readonly name: string;
  readonly kind: "osv" | "kev" | "epss";
  readonly location: string;
  readonly sha256: string;
  readonly etag?: string;
  readonly lastModified?: string;
  /** Newest record in it (OSV: max `modified`; KEV: dateReleased; EPSS: score_date). */
  readonly snapshot?: string;
  readonly importedAt: string;
  readonly files: number;
  readonly records: number;
  readonly rejected: number;
  readonly rejects: readonly { readonly file: string; readonly reason: string }[];
}

export interface DbMetadata {
  readonly schemaVersion: number;
  /** When the content last changed. */
  readonly builtAt: string;
  /** When an update last checked the sources successfully (content may be unchanged). */
  readonly updatedAt: string;
  readonly sourceLocation?: string;
  readonly kevCatalogVersion?: string;
  readonly epssModelVersion?: string;
  readonly sources: readonly SourceInfo[];
  readonly counts: { readonly advisories: number; readonly affected: number; readonly kev: number; readonly epss: number };
  /** Advisories per ecosystem as written in affected entries ("Debian:12", "PyPI"). */
  readonly ecosystems: Readonly<Record<string, number>>;
}

export interface LookupOptions {
  /** Include withdrawn advisories (default false: a withdrawn advisory yields no finding). */
  readonly includeWithdrawn?: boolean;
}

export interface VulnDb {
  readonly path: string;
  /** Rows for one package in one exact ecosystem ("Debian:12", "npm"). */
  lookup(ecosystem: string, name: string, opts?: LookupOptions): AdvisoryAffected[];
  /** Rows for one package in an ecosystem and its sub-releases ("Debian" → "Debian:10", "Debian:12", …). */
  lookupFamily(ecosystemPrefix: string, name: string, opts?: LookupOptions): AdvisoryAffected[];
  advisory(id: string): Advisory | undefined;
  /** Every id known to name the same vulnerability (transitive over `aliases`), without `id`, sorted. */
  aliasesOf(id: string): string[];
  /** What a record states about itself: aliases, upstream (e.g. a DSA's CVEs) and related ids. */
  relations(id: string): Relations;
  kev(cve: string): KevEntry | undefined;
  epss(cve: string): EpssScore | undefined;
  metadata(): DbMetadata;
  close(): void;
}

interface Row {
  advisory_id: string;
  ecosystem: string;
  name: string;
  purl: string | null;
  json: string;
  severity_json: string;
  modified: string;
  withdrawn: string | null;
  kev: number;
  epss: number | null;
}

function toAffected(r: Row): AdvisoryAffected {
  return {
    advisoryId: r.advisory_id,
    ecosystem: r.ecosystem,
    name: r.name,
    ...(r.purl !== null ? { purl: r.purl } : {}),
    affected: JSON.parse(r.json) as OsvAffected,
    severity: JSON.parse(r.severity_json) as Severity,
    modified: r.modified,
    ...(r.withdrawn !== null ? { withdrawn: r.withdrawn } : {}),
    kev: r.kev === 1,
    ...(r.epss !== null ? { epss: r.epss } : {}),
  };
}

const SELECT = "SELECT f.advisory_id, f.ecosystem, f.name, f.purl, f.json, f.severity_json, f.modified, f.withdrawn, f.kev, f.epss FROM affected f";

export function openVulnDb(path: string): VulnDb {
  if (!existsSync(path)) throw new BerthError("not-found", `no vulnerability database at ${path}; run "berth db update"`);
  let db: Database.Database;
  try {
    db = new Database(path, { readonly: true, fileMustExist: true });
    const v = db.prepare<[], { value: string }>("SELECT value FROM meta WHERE key = 'schema_version'").get();
    if (v === undefined) throw new Error("no schema version");
    if (v.value !== String(SCHEMA_VERSION)) {
      db.close();
      throw new BerthError("unsupported", `${path}: database schema ${v.value}, this berth reads ${SCHEMA_VERSION}; run "berth db update"`);
    }
  } catch (e) {
    if (e instanceof BerthError) throw e;
    throw new BerthError("corrupt", `${path}: not a berth vulnerability database (${describeError(e)})`);
  }

  const exact = db.prepare<[string, string], Row>(`${SELECT} WHERE f.name_norm = ? AND f.ecosystem = ? AND f.withdrawn IS NULL`);
  const exactAll = db.prepare<[string, string], Row>(`${SELECT} WHERE f.name_norm = ? AND f.ecosystem = ?`);
  const family = db.prepare<[string, string, string, string], Row>(
    `${SELECT} WHERE f.name_norm = ? AND (f.ecosystem = ? OR (f.ecosystem > ? AND f.ecosystem < ?)) AND f.withdrawn IS NULL`,
  );
  const familyAll = db.prepare<[string, string, string, string], Row>(
    `${SELECT} WHERE f.name_norm = ? AND (f.ecosystem = ? OR (f.ecosystem > ? AND f.ecosystem < ?))`,
  );
  const advisoryStmt = db.prepare<[string], { id: string; json: string; severity_json: string; kev: number; epss: number | null; epss_percentile: number | null }>(
    "SELECT id, json, severity_json, kev, epss, epss_percentile FROM advisory WHERE id = ?",
  );
  const sourcesOf = db.prepare<[string], { source: string }>("SELECT source FROM advisory_source WHERE advisory_id = ? ORDER BY source");
  const aliasOut = db.prepare<[string], { other: string }>("SELECT other FROM alias WHERE id = ? AND kind = 'alias'");
  const aliasIn = db.prepare<[string], { id: string }>("SELECT id FROM alias WHERE other = ? AND kind = 'alias'");
  const relStmt = db.prepare<[string], { other: string; kind: string }>("SELECT other, kind FROM alias WHERE id = ? ORDER BY other");
  const kevStmt = db.prepare<[string], { json: string }>("SELECT json FROM kev WHERE cve = ?");
  const epssStmt = db.prepare<[string], { cve: string; score: number; percentile: number | null }>("SELECT cve, score, percentile FROM epss WHERE cve = ?");

  return {
    path,
    lookup(ecosystem, name, opts = {}) {
      const stmt = opts.includeWithdrawn ? exactAll : exact;
      return stmt.all(normalizePackageName(ecosystem, name), ecosystem).map(toAffected);
    },
    lookupFamily(prefix, name, opts = {}) {
      const stmt = opts.includeWithdrawn ? familyAll : family;
      // ":" + 1 = ";": the range [prefix + ":", prefix + ";") holds exactly the names "prefix:…".
      return stmt.all(normalizePackageName(parseEcosystem(prefix).ecosystem, name), prefix, `${prefix}:`, `${prefix};`).map(toAffected);
    },
    advisory(id) {
      const r = advisoryStmt.get(id);
      if (r === undefined) return undefined;
      return {
        id: r.id,
        record: JSON.parse(r.json) as OsvRecord,
        severity: JSON.parse(r.severity_json) as Severity,
        kev: r.kev === 1,
        ...(r.epss !== null ? { epss: r.epss } : {}),
        ...(r.epss_percentile !== null ? { epssPercentile: r.epss_percentile } : {}),
        sources: sourcesOf.all(id).map((s) => s.source),
      };
    },
    aliasesOf(id) {
      const seen = new Set([id]);
      const queue = [id];
      while (queue.length > 0 && seen.size < defaultVulnDbLimits.maxAliasGroup) {
        const cur = queue.shift() as string;
        for (const next of [...aliasOut.all(cur).map((r) => r.other), ...aliasIn.all(cur).map((r) => r.id)]) {
          if (!seen.has(next)) {
            seen.add(next);
            queue.push(next);
          }
        }
      }
      seen.delete(id);
      return [...seen].sort();
    },
    relations(id) {
      const rows = relStmt.all(id);
      const of = (kind: string): string[] => rows.filter((r) => r.kind === kind).map((r) => r.other);
      return { aliases: of("alias"), upstream: of("upstream"), related: of("related") };
    },
    kev(cve) {
      const r = kevStmt.get(cve);
      return r === undefined ? undefined : (JSON.parse(r.json) as KevEntry);
    },
    epss(cve) {
      const r = epssStmt.get(cve);
      return r === undefined ? undefined : { cve: r.cve, score: r.score, ...(r.percentile !== null ? { percentile: r.percentile } : {}) };
    },
    metadata() {
      return readMetadata(db);
    },
    close() {
      db.close();
    },
  };
}

function readMetadata(db: Database.Database): DbMetadata {
  const meta = new Map(db.prepare<[], { key: string; value: string }>("SELECT key, value FROM meta").all().map((r) => [r.key, r.value]));
  const sources = db
    .prepare<[], {
      name: string; kind: SourceInfo["kind"]; location: string; sha256: string; etag: string | null; last_modified: string | null;
      snapshot: string | null; imported_at: string; files: number; records: number; rejected: number; rejects_json: string;
    }>("SELECT * FROM source ORDER BY kind DESC, name")
    .all()
    .map((s): SourceInfo => ({
      name: s.name, kind: s.kind, location: s.location, sha256: s.sha256,
      ...(s.etag !== null ? { etag: s.etag } : {}),
      ...(s.last_modified !== null ? { lastModified: s.last_modified } : {}),
      ...(s.snapshot !== null ? { snapshot: s.snapshot } : {}),
      importedAt: s.imported_at, files: s.files, records: s.records, rejected: s.rejected,
      rejects: JSON.parse(s.rejects_json) as SourceInfo["rejects"],
    }));
  const ecosystems: Record<string, number> = {};
  for (const r of db.prepare<[], { ecosystem: string; n: number }>("SELECT ecosystem, count(DISTINCT advisory_id) AS n FROM affected GROUP BY ecosystem ORDER BY ecosystem").all()) {
    ecosystems[r.ecosystem] = r.n;
  }
  const counts = JSON.parse(meta.get("counts") ?? '{"advisories":0,"affected":0,"kev":0,"epss":0}') as DbMetadata["counts"];
  const opt = (k: string, key: string): Record<string, string> => (meta.has(k) ? { [key]: meta.get(k) as string } : {});
  return {
    schemaVersion: Number(meta.get("schema_version")),
    builtAt: meta.get("built_at") ?? "",
    updatedAt: meta.get("updated_at") ?? meta.get("built_at") ?? "",
    ...opt("source_location", "sourceLocation"),
    ...opt("kev_catalog_version", "kevCatalogVersion"),
    ...opt("epss_model_version", "epssModelVersion"),
    sources,
    counts,
    ecosystems,
  };
}
