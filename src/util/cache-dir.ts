// The one cache directory every command shares (vulnerability DB, layer cache), as Trivy users
// expect from ~/.cache/trivy. Precedence: --cache-dir, then $BERTH_CACHE_DIR, then
// $XDG_CACHE_HOME/berth (when absolute, per the XDG spec), then ~/.cache/berth.
import { homedir } from "node:os";
import { isAbsolute, join, resolve } from "node:path";

export interface CacheDirInput {
  readonly cacheDir?: string;
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly home?: string;
}

export function resolveCacheDir(input: CacheDirInput = {}): string {
  const env = input.env ?? process.env;
  if (input.cacheDir) return resolve(input.cacheDir);
  if (env.BERTH_CACHE_DIR) return resolve(env.BERTH_CACHE_DIR);
  const xdg = env.XDG_CACHE_HOME;
  if (xdg && isAbsolute(xdg)) return join(xdg, "berth");
  return join(input.home ?? homedir(), ".cache", "berth");
}
