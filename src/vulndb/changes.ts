// What changed between two versions of the database, for re-matching only what an update touched.
// An update records no change list (update.ts replaces whole sources), so the server keeps each
// version's advisory index — advisory id → (modified, withdrawn) and the packages its affected[]
// entries name — and diffs it against the next one: added, changed (modified or withdrawn differ)
// and removed advisories, and the union of the packages they name in either version.
import Database from "better-sqlite3";
import { BerthError, describeError } from "../util/errors.js";

export interface AdvisoryIndexEntry {
  /** "<modified>|<withdrawn>". */
  readonly fingerprint: string;
  /** "<ecosystem as written>\n<normalised name>", sorted, distinct. */
  readonly packages: readonly string[];
}

export type AdvisoryIndex = ReadonlyMap<string, AdvisoryIndexEntry>;

export interface AdvisoryChanges {
  readonly added: readonly string[];
  readonly changed: readonly string[];
  readonly removed: readonly string[];
  /** Packages (as in AdvisoryIndexEntry.packages) named by any of them, before or after. */
  readonly packages: readonly string[];
}

/** Reads every advisory's fingerprint and named packages from a database file. */
export function readAdvisoryIndex(path: string): Map<string, AdvisoryIndexEntry> {
  let db: Database.Database;
  try {
    db = new Database(path, { readonly: true, fileMustExist: true });
  } catch (e) {
    throw new BerthError("corrupt", `${path}: cannot open the vulnerability database (${describeError(e)})`);
  }
  try {
    const out = new Map<string, { fingerprint: string; packages: Set<string> }>();
    const rows = db
      .prepare<[], { id: string; modified: string; withdrawn: string | null; ecosystem: string | null; name_norm: string | null }>(
        "SELECT a.id, a.modified, a.withdrawn, f.ecosystem, f.name_norm FROM advisory a LEFT JOIN affected f ON f.advisory_id = a.id",
      )
      .iterate();
    for (const r of rows) {
      let e = out.get(r.id);
      if (!e) {
        e = { fingerprint: `${r.modified}|${r.withdrawn ?? ""}`, packages: new Set() };
        out.set(r.id, e);
      }
      if (r.ecosystem !== null && r.name_norm !== null) e.packages.add(`${r.ecosystem}\n${r.name_norm}`);
    }
    return new Map([...out].map(([id, e]) => [id, { fingerprint: e.fingerprint, packages: [...e.packages].sort() }]));
  } finally {
    db.close();
  }
}

export function diffAdvisoryIndex(before: AdvisoryIndex, after: AdvisoryIndex): AdvisoryChanges {
  const added: string[] = [];
  const changed: string[] = [];
  const removed: string[] = [];
  const packages = new Set<string>();
  for (const [id, next] of after) {
    const prev = before.get(id);
    if (prev && prev.fingerprint === next.fingerprint && sameList(prev.packages, next.packages)) continue;
    (prev ? changed : added).push(id);
    for (const p of next.packages) packages.add(p);
    for (const p of prev?.packages ?? []) packages.add(p);
  }
  for (const [id, prev] of before) {
    if (after.has(id)) continue;
    removed.push(id);
    for (const p of prev.packages) packages.add(p);
  }
  return { added: added.sort(), changed: changed.sort(), removed: removed.sort(), packages: [...packages].sort() };
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** Splits a package key back into ecosystem and name. */
export function parsePackageKey(key: string): { ecosystem: string; name: string } {
  const i = key.indexOf("\n");
  return { ecosystem: key.slice(0, i), name: key.slice(i + 1) };
}
