// The one cache directory every command shares (vulnerability DB, layer cache), as Trivy users
// expect: --cache-dir, else $BERTH_CACHE_DIR, else $XDG_CACHE_HOME/berth, else ~/.cache/berth.
import { homedir } from "node:os";
import { join } from "node:path";

export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.BERTH_CACHE_DIR) return env.BERTH_CACHE_DIR;
  const base = env.XDG_CACHE_HOME || join(homedir(), ".cache");
  return join(base, "berth");
}

export function resolveCacheDir(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  return flag ?? defaultCacheDir(env);
}
