// rpm's SQLite package database `rpmdb.sqlite` (rpm ≥ 4.16: RHEL/Rocky/Alma 9+, Fedora 33+,
// Amazon Linux 2023): table Packages(hnum INTEGER PRIMARY KEY, blob BLOB) of header blobs.
// Opened in memory from the bytes with better-sqlite3 (sqlite3_deserialize), read-only.
import Database from "better-sqlite3";
import { BerthError, describeError } from "../../util/errors.js";
import type { RpmDbRead, RpmDbRecord } from "./rpm-header.js";

const MAGIC = Buffer.from("SQLite format 3\0", "latin1");

export function isSqlite(data: Buffer): boolean {
  return data.length >= MAGIC.length && data.subarray(0, MAGIC.length).equals(MAGIC);
}

interface Row {
  readonly hnum: unknown;
  readonly blob: unknown;
}

/** Reads every row of the Packages table. */
export function readSqlitePackages(buf: Buffer): RpmDbRead {
  if (!isSqlite(buf)) throw new BerthError("corrupt", "rpm sqlite: not an SQLite database (bad magic)");
  if (buf.length < 100) throw new BerthError("corrupt", `rpm sqlite: truncated: ${buf.length} bytes`);
  // rpm runs the database in WAL mode (header bytes 18/19 = 2). An in-memory copy cannot use a
  // WAL, so mark the copy as a rollback-journal database; a layer holds no live -wal file for it.
  const copy = Buffer.from(buf);
  if (copy[18] === 2) copy[18] = 1;
  if (copy[19] === 2) copy[19] = 1;
  let db: Database.Database | undefined;
  try {
    db = new Database(copy, { readonly: true });
    const rows = db.prepare("SELECT hnum, blob FROM Packages ORDER BY hnum").all() as Row[];
    const records: RpmDbRecord[] = [];
    const problems: string[] = [];
    for (const row of rows) {
      if (typeof row.hnum !== "number" && typeof row.hnum !== "bigint") {
        problems.push("row with a non-integer hnum");
        continue;
      }
      const key = Number(row.hnum);
      if (!Buffer.isBuffer(row.blob)) {
        problems.push(`package ${key}: blob is not a BLOB`);
        continue;
      }
      records.push({ key, blob: row.blob });
    }
    return { records, problems };
  } catch (e) {
    if (e instanceof BerthError) throw e;
    throw new BerthError("corrupt", `rpm sqlite: ${describeError(e)}`, { cause: e });
  } finally {
    db?.close();
  }
}
