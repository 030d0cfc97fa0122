// Real Debian packages for language-cataloger tests: `apt-get download` (the machine's configured
// Debian mirror — setup, not test, traffic) and `dpkg-deb -x` into a cached directory. Each call
// returns the extracted root; the package's own dpkg control data is kept beside it.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { testCacheRoot } from "./debian-image.js";

export interface ExtractedDeb {
  /** Root the .deb was extracted into (contains usr/…). */
  readonly root: string;
  /** The .deb file itself. */
  readonly deb: string;
  readonly name: string;
  readonly version: string;
}

/**
 * Downloads and extracts one binary package (current candidate) — or returns the cached copy.
 * Needs `apt-get update` to have run once on the machine (scripts/setup-test-env.sh does).
 */
export function debianPackage(name: string): ExtractedDeb {
  const base = join(testCacheRoot(), "debs", name);
  const done = join(base, ".done");
  if (!existsSync(done)) {
    const work = `${base}.tmp-${process.pid}`;
    rmSync(work, { recursive: true, force: true });
    mkdirSync(join(work, "root"), { recursive: true });
    try {
      execFileSync("apt-get", ["download", "-qq", name], { cwd: work, stdio: ["ignore", "pipe", "pipe"] });
    } catch {
      execFileSync("apt-get", ["update", "-qq"], { stdio: "ignore" });
      execFileSync("apt-get", ["download", "-qq", name], { cwd: work, stdio: ["ignore", "pipe", "pipe"] });
    }
    const deb = readdirSync(work).find((f) => f.endsWith(".deb"));
    if (!deb) throw new Error(`apt-get download ${name} produced no .deb`);
    execFileSync("dpkg-deb", ["-x", join(work, deb), join(work, "root")]);
    const version = execFileSync("dpkg-deb", ["-f", join(work, deb), "Version"]).toString().trim();
    writeFileSync(join(work, ".done"), `${name}\t${version}\t${deb}\n`);
    rmSync(base, { recursive: true, force: true });
    mkdirSync(join(base, ".."), { recursive: true });
    renameSync(work, base);
  }
  const deb = readdirSync(base).find((f) => f.endsWith(".deb"))!;
  const version = execFileSync("dpkg-deb", ["-f", join(base, deb), "Version"]).toString().trim();
  return { root: join(base, "root"), deb: join(base, deb), name, version };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const n of process.argv.slice(2)) console.log(debianPackage(n));
}
