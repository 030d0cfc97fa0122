// Test helper: builds an OSV bucket-layout mirror (<eco>/all.zip, ecosystems.txt, kev/) in a
// temporary directory from the real records committed under ../testdata/osv/.
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { buildZip, type ZipWriterEntry } from "./zipwriter.js";

export const TESTDATA = fileURLToPath(new URL("../testdata/", import.meta.url));
export const FIXTURE_ECOSYSTEMS = ["Bitnami", "Debian", "PyPI", "crates.io", "npm"] as const;

/** The committed records of one ecosystem, as zip entries named <ID>.json. */
export function fixtureEntries(ecosystem: string): ZipWriterEntry[] {
  const dir = join(TESTDATA, "osv", ecosystem);
  return readdirSync(dir).sort().map((name) => ({ name, data: readFileSync(join(dir, name)) }));
}

export function badEntries(): ZipWriterEntry[] {
  const dir = join(TESTDATA, "osv-bad");
  return readdirSync(dir).sort().map((name) => ({ name, data: readFileSync(join(dir, name)) }));
}

export interface MirrorOptions {
  /** Extra zip entries per ecosystem (appended). */
  readonly extra?: Readonly<Record<string, readonly ZipWriterEntry[]>>;
  /** Replace an ecosystem's all.zip bytes entirely. */
  readonly rawZip?: Readonly<Record<string, Buffer>>;
  readonly kev?: boolean;
  readonly epss?: boolean;
}

export function writeMirror(root: string, opts: MirrorOptions = {}): void {
  mkdirSync(root, { recursive: true });
  for (const eco of FIXTURE_ECOSYSTEMS) {
    mkdirSync(join(root, eco), { recursive: true });
    const bytes = opts.rawZip?.[eco] ?? buildZip([...fixtureEntries(eco), ...(opts.extra?.[eco] ?? [])]);
    writeFileSync(join(root, eco, "all.zip"), bytes);
  }
  writeFileSync(join(root, "ecosystems.txt"), `${FIXTURE_ECOSYSTEMS.join("\n")}\n`);
  if (opts.kev !== false) {
    mkdirSync(join(root, "kev"), { recursive: true });
    writeFileSync(join(root, "kev", "known_exploited_vulnerabilities.json"), readFileSync(join(TESTDATA, "kev.json")));
  }
  if (opts.epss) {
    mkdirSync(join(root, "epss"), { recursive: true });
    writeFileSync(join(root, "epss", "epss_scores-current.csv"), readFileSync(join(TESTDATA, "epss.csv")));
  }
}

export function tempDir(prefix: string): { path: string; remove: () => void } {
  const path = mkdtempSync(join(tmpdir(), `berth-${prefix}-`));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/** The number of committed fixture records of an ecosystem. */
export function fixtureCount(ecosystem: string): number {
  return readdirSync(join(TESTDATA, "osv", ecosystem)).length;
}
