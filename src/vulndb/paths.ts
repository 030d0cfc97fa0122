// Where the database lives inside the one cache directory every command shares (util/cache-dir.ts).
import { join } from "node:path";
import { DB_FILE } from "./schema.js";

export { resolveCacheDir, type CacheDirInput } from "../util/cache-dir.js";

export function dbDir(cacheDir: string): string {
  return join(cacheDir, "db");
}

export function dbPath(cacheDir: string): string {
  return join(dbDir(cacheDir), DB_FILE);
}

/** Downloaded source files and their ETag state, for incremental online updates. */
export function sourcesDir(cacheDir: string): string {
  return join(dbDir(cacheDir), "sources");
}
