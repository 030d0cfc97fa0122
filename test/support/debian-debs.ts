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

/**
 * Every Debian package a test extracts. The test command's setup step fetches them all up front
 * (`tsx test/support/debian-debs.ts --all`), so the tests themselves reach no network.
 */
export const TEST_DEBS = [
  "docker-registry",
  "libcommons-io-java",
  "libcommons-lang3-java",
  "libslf4j-java",
  "python3-attr",
  "python3-certifi",
  "python3-chardet",
  "python3-charset-normalizer",
  "python3-idna",
  "python3-jinja2",
  "python3-markupsafe",
  "python3-packaging",
  "python3-requests",
  "python3-six",
  "python3-urllib3",
  "python3-yaml",
  "ruby-mustermann",
  "ruby-nokogiri",
  "ruby-rack",
  "ruby-rack-protection",
  "ruby-rack-test",
  "ruby-ruby2-keywords",
  "ruby-sinatra",
  "ruby-tilt",
] as const;

if (import.meta.url === `file://${process.argv[1]}`) {
  const names = process.argv[2] === "--all" ? TEST_DEBS : process.argv.slice(2);
  for (const n of names) debianPackage(n);
  console.log(`${names.length} Debian packages ready in the test cache`);
}
