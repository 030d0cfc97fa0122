// Opening the store: embedded SQLite in a data directory by default, PostgreSQL with a URL. One
// Kysely instance; the schema is migrated to the latest version on open.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import SqliteDatabase from "better-sqlite3";
import { detailHash, findingContextHash, findingImageContext, type FindingImageContext } from "./content-hash.js";
import { Kysely, Migrator, PostgresDialect, SqliteDialect, sql } from "kysely";
import pg from "pg";
import { BerthError, describeError } from "../util/errors.js";
import { FALLBACK_AUTOCHECKPOINT_PAGES, startCheckpointer } from "./checkpointer.js";
import { migrationProvider, type DialectKind } from "./migrations.js";
import type { Database } from "./schema.js";

export type StoreLocation = { readonly kind: "sqlite"; readonly path: string } | { readonly kind: "postgres"; readonly url: string };

export interface Store {
  readonly kind: DialectKind;
  readonly db: Kysely<Database>;
  /** True when the database answers a trivial query. */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

/** Where the store lives: `--database-url` when given, else `<dataDir>/berth.sqlite`. */
export function storeLocation(dataDir: string, databaseUrl?: string): StoreLocation {
  if (databaseUrl) {
    if (!/^postgres(ql)?:\/\//.test(databaseUrl)) throw new BerthError("usage", `--database-url must be a postgres:// URL`);
    return { kind: "postgres", url: databaseUrl };
  }
  return { kind: "sqlite", path: join(dataDir, "berth.sqlite") };
}

function dialectFor(loc: StoreLocation, opts: OpenOptions): SqliteDialect | PostgresDialect {
  if (loc.kind === "sqlite") {
    mkdirSync(join(loc.path, ".."), { recursive: true });
    const database = new SqliteDatabase(loc.path);
    database.pragma("journal_mode = WAL");
    // WAL with synchronous=NORMAL: a commit is not fsynced (checkpoints are), so a killed process
    // loses nothing and the file never corrupts; only a power cut may lose the last commits. The
    // default FULL fsyncs every commit, which dominated many-batch re-matches.
    database.pragma("synchronous = NORMAL");
    // Up to 256 MiB of page cache (default 2 MiB; allocated as used): a re-match batch dirties tens of
    // MB of index pages, which then stay in memory until the commit instead of spilling to the WAL twice.
    database.pragma("cache_size = -262144");
    database.pragma("busy_timeout = 5000");
    // With a background checkpointer (checkpointer.ts) commits only append to the WAL.
    if (opts.backgroundCheckpoints) database.pragma(`wal_autocheckpoint = ${FALLBACK_AUTOCHECKPOINT_PAGES}`);
    database.pragma("foreign_keys = ON");
    // Migration 0007 hashes stored findings and packages in SQL (rows come image by image: the last
    // image context parsed is kept).
    database.function("berth_detail_hash", { deterministic: true }, (json: unknown) => (typeof json === "string" ? detailHash(json) : null));
    let context: { json: string; parsed: FindingImageContext } | undefined;
    database.function("berth_context_hash", { deterministic: true }, (packageJson: unknown, matchImageJson: unknown) => {
      if (typeof packageJson !== "string" || typeof matchImageJson !== "string") return null;
      if (context?.json !== matchImageJson) context = { json: matchImageJson, parsed: findingImageContext(matchImageJson) };
      return findingContextHash(packageJson, context.parsed);
    });
    return new SqliteDialect({ database });
  }
  return new PostgresDialect({ pool: new pg.Pool({ connectionString: loc.url, max: 10 }) });
}

export async function migrateToLatest(db: Kysely<Database>, kind: DialectKind): Promise<void> {
  const migrator = new Migrator({ db, provider: migrationProvider(kind) });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === "Error")?.migrationName;
    throw new BerthError("corrupt", `database migration ${failed ?? ""} failed: ${describeError(error)}`, { cause: error });
  }
}

export interface OpenOptions {
  /** SQLite: WAL checkpoints in a background thread (long-running processes: server, worker). */
  readonly backgroundCheckpoints?: boolean;
  readonly log?: (msg: string) => void;
}

export async function openStore(loc: StoreLocation, opts: OpenOptions = {}): Promise<Store> {
  const db = new Kysely<Database>({ dialect: dialectFor(loc, opts) });
  try {
    await migrateToLatest(db, loc.kind);
  } catch (e) {
    await db.destroy();
    if (e instanceof BerthError) throw e;
    throw new BerthError("network", `cannot open the database (${describeError(e)})`, { cause: e });
  }
  const checkpointer = loc.kind === "sqlite" && opts.backgroundCheckpoints ? startCheckpointer(loc.path, opts.log ? { log: opts.log } : {}) : undefined;
  return {
    kind: loc.kind,
    db,
    ping: async () => {
      try {
        await sql`select 1`.execute(db);
        return true;
      } catch {
        return false;
      }
    },
    close: async () => {
      await checkpointer?.stop();
      await db.destroy();
    },
  };
}
