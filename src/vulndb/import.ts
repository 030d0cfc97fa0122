// Imports one OSV all.zip into a DbWriter: each entry is parsed and validated on its own, and a bad
// entry (not JSON, not OSV, unknown ecosystem, malformed range, damaged bytes) is reported by file and
// skipped. A zip whose structure is damaged throws (BerthError "corrupt"); the caller rolls back that
// source and keeps what the previous database had for it.

import { describeError } from "../util/errors.js";
import type { VulnDbLimits } from "./limits.js";
import { validateOsv } from "./osv.js";
import type { DbWriter } from "./writer.js";
import { openZip, zipEntries } from "./zip.js";

export interface Reject {
  /** "<source>/all.zip:<entry>" or the file that failed as a whole. */
  readonly file: string;
  readonly reason: string;
}

export interface ImportCounts {
  /** File entries in the zip. */
  readonly files: number;
  /** Entries accepted (inserted, replaced or already present from another source). */
  readonly records: number;
  readonly rejected: number;
  readonly rejects: readonly Reject[];
  /** Newest `modified` among accepted records. */
  readonly snapshot?: string;
}

export type ProgressFn = (records: number) => void;

const MAX_KEPT_REJECTS = 1000;

export async function importOsvZip(
  writer: DbWriter,
  source: string,
  zipPath: string,
  label: string,
  limits: VulnDbLimits,
  onProgress?: ProgressFn,
): Promise<ImportCounts> {
  const { zip } = await openZip(zipPath, limits);
  let files = 0;
  let records = 0;
  let rejected = 0;
  let snapshot: string | undefined;
  let snapshotMs = -Infinity;
  const rejects: Reject[] = [];
  const reject = (file: string, reason: string): void => {
    rejected += 1;
    if (rejects.length < MAX_KEPT_REJECTS) rejects.push({ file: `${label}:${file}`, reason });
  };
  for await (const item of zipEntries(zip, zipPath, limits)) {
    files += 1;
    if (item.kind === "bad") {
      reject(item.name, item.reason);
      continue;
    }
    if (!item.name.toLowerCase().endsWith(".json")) {
      reject(item.name, "not a .json entry");
      continue;
    }
    let value: unknown;
    try {
      value = JSON.parse(item.data.toString("utf8"));
    } catch (e) {
      reject(item.name, `not JSON: ${describeError(e)}`);
      continue;
    }
    const v = validateOsv(value);
    if (!v.ok) {
      reject(item.name, v.errors.join("; "));
      continue;
    }
    writer.addRecord(source, v.record);
    records += 1;
    const ms = Date.parse(v.record.modified);
    if (ms > snapshotMs) {
      snapshotMs = ms;
      snapshot = new Date(ms).toISOString();
    }
    if (onProgress && records % 1000 === 0) onProgress(records);
  }
  return { files, records, rejected, rejects, ...(snapshot ? { snapshot } : {}) };
}
