// Opening the store: embedded SQLite in a data directory by default, PostgreSQL with a URL. One
// Kysely instance; the schema is migrated to the latest version on open.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import SqliteDatabase from "better-sqlite3";
import { detailHash, findingContextHash, findingImageContext, type FindingImageContext } from "./content-hash.js";
import { Kysely, Migrator, PostgresDialect, SqliteDialect, sql } from "kysely";
import pg from "pg";
import { BerthError, describeError } from "../util/errors.js";
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

function dialectFor(loc: StoreLocation): SqliteDialect | PostgresDialect {
  if (loc.kind === "sqlite") {
    mkdirSync(join(loc.path, ".."), { recursive: true });
    const database = new SqliteDatabase(loc.path);
    database.pragma("journal_mode = WAL");
    // WAL with synchronous=NORMAL: a commit is not fsynced (checkpoints are), so a killed process
    // loses nothing and the file never corrupts; only a power cut may lose the last commits. The
    // default FULL fsyncs every commit, which dominated many-batch re-matches.
    database.pragma("synchronous = NORMAL");
    // 64 MiB of page cache (default 2 MiB): findings' indexes stay hot across a re-match's batches.
    database.pragma("cache_size = -65536");
    database.pragma("busy_timeout = 5000");
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

export async function openStore(loc: StoreLocation): Promise<Store> {
  const db = new Kysely<Database>({ dialect: dialectFor(loc) });
  try {
    await migrateToLatest(db, loc.kind);
  } catch (e) {
    await db.destroy();
    if (e instanceof BerthError) throw e;
    throw new BerthError("network", `cannot open the database (${describeError(e)})`, { cause: e });
  }
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
    close: () => db.destroy(),
  };
}
