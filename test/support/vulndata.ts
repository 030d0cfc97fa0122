// Real advisories for end-to-end tests: the offline OSV mirror in ../shared/vulndata when it is
// present (the full Debian, npm, PyPI, crates.io sets and KEV), else the real records committed
// under src/vulndb/testdata. Builds a database once per process in a temp cache directory.
import { existsSync, mkdirSync, mkdtempSync, copyFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { updateDb } from "../../src/vulndb/index.js";
import { writeMirror } from "../../src/vulndb/testutil/mirror.js";

const repo = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const sharedVulndata = join(repo, "..", "shared", "vulndata");

export function hasSharedVulndata(): boolean {
  return existsSync(join(sharedVulndata, "Debian", "all.zip"));
}

let built: Promise<{ cacheDir: string; source: string; full: boolean }> | undefined;

/** A cache dir holding a database of real advisories (ecosystems: Debian, npm, PyPI, crates.io + KEV). */
export function realAdvisoryDb(): Promise<{ cacheDir: string; source: string; full: boolean }> {
  built ??= (async () => {
    const root = mkdtempSync(join(tmpdir(), "berth-realdb-"));
    const mirror = join(root, "mirror");
    const full = hasSharedVulndata();
    if (full) {
      for (const eco of ["Debian", "npm", "PyPI", "crates.io"]) {
        mkdirSync(join(mirror, eco), { recursive: true });
        copyFileSync(join(sharedVulndata, eco, "all.zip"), join(mirror, eco, "all.zip"));
      }
      mkdirSync(join(mirror, "kev"), { recursive: true });
      copyFileSync(join(sharedVulndata, "kev", "known_exploited_vulnerabilities.json"), join(mirror, "kev", "known_exploited_vulnerabilities.json"));
    } else {
      process.stderr.write(`note: ${sharedVulndata} not found; using the advisories committed in src/vulndb/testdata\n`);
      writeMirror(mirror);
    }
    const cacheDir = join(root, "cache");
    await updateDb({ cacheDir, source: mirror });
    return { cacheDir, source: mirror, full };
  })();
  return built;
}
