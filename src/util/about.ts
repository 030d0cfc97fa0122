// Berth's own name and version, read once from the package.json that ships with it.
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

function findVersion(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { name?: string; version?: string };
      if (pkg.name === "berth" && pkg.version) return pkg.version;
    } catch {
      /* keep looking upward */
    }
    dir = dirname(dir);
  }
  return "0.0.0-unknown";
}

export const BERTH_VERSION = findVersion();

/** The document time: SOURCE_DATE_EPOCH (reproducible builds) when set, else now. */
export function documentTime(env: NodeJS.ProcessEnv = process.env, now: () => Date = () => new Date()): Date {
  const s = env.SOURCE_DATE_EPOCH;
  if (s !== undefined && /^\d+$/.test(s)) return new Date(Number(s) * 1000);
  return now();
}
