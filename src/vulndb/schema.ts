// The embedded database's tables. One SQLite file; bump SCHEMA_VERSION whenever a table or the
// meaning of a column changes: readers refuse other versions and `db update` rebuilds from scratch.

export const SCHEMA_VERSION = 1;

/** File name of the database inside `<cache>/db/`. */
export const DB_FILE = "vulndb.sqlite";

export const SCHEMA_SQL = `
CREATE TABLE meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
) WITHOUT ROWID;

-- One row per imported input: an OSV ecosystem folder, the KEV catalogue or an EPSS file.
CREATE TABLE source (
  name          TEXT PRIMARY KEY,       -- "PyPI", "Debian", "kev", "epss"
  kind          TEXT NOT NULL,          -- "osv" | "kev" | "epss"
  location      TEXT NOT NULL,          -- file path or URL it was read from
  sha256        TEXT NOT NULL,          -- of the file as read (the incremental-update key)
  etag          TEXT,
  last_modified TEXT,
  snapshot      TEXT,                   -- newest record "modified" / catalogue release / score date
  imported_at   TEXT NOT NULL,
  files         INTEGER NOT NULL,       -- entries (advisories) in the file
  records       INTEGER NOT NULL,       -- accepted
  rejected      INTEGER NOT NULL,
  rejects_json  TEXT NOT NULL           -- first rejects, [{file, reason}]
) WITHOUT ROWID;

CREATE TABLE advisory (
  id              TEXT PRIMARY KEY,
  modified        TEXT NOT NULL,
  published       TEXT,
  withdrawn       TEXT,
  summary         TEXT,
  severity_json   TEXT NOT NULL,        -- Severity of the record as a whole
  kev             INTEGER NOT NULL DEFAULT 0,
  epss            REAL,
  epss_percentile REAL,
  json            TEXT NOT NULL         -- the OSV record, minified
);

-- Which sources carried an advisory (a record affecting two ecosystems is in both zips).
CREATE TABLE advisory_source (
  source      TEXT NOT NULL,
  advisory_id TEXT NOT NULL,
  PRIMARY KEY (source, advisory_id)
) WITHOUT ROWID;
CREATE INDEX advisory_source_by_id ON advisory_source (advisory_id);

-- One row per (advisory, affected package): the lookup table. The advisory fields a lookup returns
-- (modified, withdrawn, kev, epss) are copied here so a lookup reads one table, no join.
CREATE TABLE affected (
  advisory_id   TEXT NOT NULL,
  idx           INTEGER NOT NULL,       -- position in the record's affected[]
  ecosystem     TEXT NOT NULL,          -- as written: "Debian:12"
  name          TEXT NOT NULL,          -- as written
  name_norm     TEXT NOT NULL,          -- normalizePackageName(ecosystem, name)
  purl          TEXT,
  modified      TEXT NOT NULL,
  withdrawn     TEXT,
  kev           INTEGER NOT NULL DEFAULT 0,
  epss          REAL,
  severity_json TEXT NOT NULL,
  json          TEXT NOT NULL           -- the affected[] entry, unchanged
);
CREATE INDEX affected_by_name ON affected (name_norm, ecosystem);
CREATE INDEX affected_by_advisory ON affected (advisory_id);

-- aliases / upstream / related as each record states them (id → other).
CREATE TABLE alias (
  id    TEXT NOT NULL,
  other TEXT NOT NULL,
  kind  TEXT NOT NULL,                  -- "alias" | "upstream" | "related"
  PRIMARY KEY (id, other, kind)
) WITHOUT ROWID;
CREATE INDEX alias_by_other ON alias (other, kind, id);

CREATE TABLE kev (
  cve        TEXT PRIMARY KEY,
  date_added TEXT,
  due_date   TEXT,
  ransomware TEXT,
  json       TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE epss (
  cve        TEXT PRIMARY KEY,
  score      REAL NOT NULL,
  percentile REAL
) WITHOUT ROWID;
`;
