// The re-match job: match stored inventories (the image's `berth sbom -f json`, kept by the scan)
// against the current vulnerability DB without pulling anything, and store the outcome with the same
// findings lifecycle as a scan (new, still open, fixed with the date). Many images per job; within
// one job the DB's answers per package are cached, since images share most of their packages.
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import type { ImageMetadata } from "../model/image.js";
import type { Distro, Package } from "../model/package.js";
import { scanInventory } from "../scan/scan.js";
import type { EnqueueInput } from "../store/jobs.js";
import type { Repositories } from "../store/index.js";
import { ecosystemCovers, type StoredInventory } from "../store/rescan.js";
import { BerthError, describeError } from "../util/errors.js";
import { parsePackageKey } from "../vulndb/changes.js";
import { dbPath, openVulnDb, type VulnDb } from "../vulndb/index.js";
import { toStoredFinding, toStoredVulnerability, vulnDbVersion } from "./scan-outcome.js";

export const REMATCH_JOB = "rematch";
/** Images per job: large enough to share the per-package cache, small enough to retry cheaply. */
export const DEFAULT_REMATCH_BATCH = 200;
const MAX_BATCH = 5000;
/** Past this many package keys a job re-matches whole images (the payload stays small). */
export const MAX_SCOPED_KEYS = 500;

export interface RematchPayload {
  readonly digests: readonly string[];
  /** Only packages under these advisory keys ("<ecosystem>\n<name>") are re-matched; absent: every package. */
  readonly packages?: readonly string[];
  readonly reason: string;
}

export interface RematchSummary {
  readonly images: number;
  readonly skipped: number;
  readonly added: number;
  readonly changed: number;
  readonly fixed: number;
}

export function parseRematchPayload(json: string): RematchPayload {
  const v: unknown = JSON.parse(json);
  if (typeof v !== "object" || v === null) throw new BerthError("corrupt", "rematch job payload is not an object");
  const { digests, packages, reason } = v as Record<string, unknown>;
  const strings = (x: unknown): x is string[] => Array.isArray(x) && x.every((d) => typeof d === "string");
  if (!strings(digests) || digests.length > MAX_BATCH) throw new BerthError("corrupt", `rematch job payload: digests must be at most ${MAX_BATCH} strings`);
  if (packages !== undefined && (!strings(packages) || packages.length > MAX_SCOPED_KEYS)) throw new BerthError("corrupt", `rematch job payload: packages must be at most ${MAX_SCOPED_KEYS} strings`);
  return { digests, ...(packages !== undefined ? { packages } : {}), reason: typeof reason === "string" ? reason : "unknown" };
}

/** Jobs re-matching `digests` in batches; a job's key is the hash of what it re-matches, so the same batch is never queued twice. */
export function rematchJobs(digests: readonly string[], opts: { readonly reason: string; readonly packages?: readonly string[]; readonly batchSize?: number }): EnqueueInput[] {
  const size = Math.max(1, Math.min(MAX_BATCH, opts.batchSize ?? DEFAULT_REMATCH_BATCH));
  const packages = opts.packages && opts.packages.length <= MAX_SCOPED_KEYS ? [...opts.packages].sort() : undefined;
  const sorted = [...new Set(digests)].sort();
  const jobs: EnqueueInput[] = [];
  for (let i = 0; i < sorted.length; i += size) {
    const part = sorted.slice(i, i + size);
    const h = createHash("sha256").update(JSON.stringify([part, packages ?? null])).digest("hex").slice(0, 32);
    jobs.push({ kind: REMATCH_JOB, dedupeKey: `rematch:${h}`, payload: { digests: part, ...(packages ? { packages } : {}), reason: opts.reason } satisfies RematchPayload, maxAttempts: 3 });
  }
  return jobs;
}

/** The DB's answers memoised for one job: images share most packages, and each answer is parsed JSON. */
export function cachedVulnDb(db: VulnDb): VulnDb {
  const memo = <A extends unknown[], R>(fn: (...args: A) => R): ((...args: A) => R) => {
    const cache = new Map<string, R>();
    return (...args: A) => {
      const k = JSON.stringify(args);
      let r = cache.get(k);
      if (r === undefined && !cache.has(k)) {
        r = fn(...args);
        cache.set(k, r);
      }
      return r as R;
    };
  };
  return {
    path: db.path,
    lookup: memo((e: string, n: string, o?: Parameters<VulnDb["lookup"]>[2]) => db.lookup(e, n, o)),
    lookupFamily: memo((e: string, n: string, o?: Parameters<VulnDb["lookupFamily"]>[2]) => db.lookupFamily(e, n, o)),
    advisory: memo((id: string) => db.advisory(id)),
    aliasesOf: memo((id: string) => db.aliasesOf(id)),
    relations: memo((id: string) => db.relations(id)),
    kev: memo((cve: string) => db.kev(cve)),
    epss: memo((cve: string) => db.epss(cve)),
    metadata: () => db.metadata(),
    close: () => db.close(),
  };
}

interface ParsedInventory {
  readonly packages: Package[];
  readonly distro?: Distro;
  readonly image?: ImageMetadata;
}

/** The stored inventory document (sbom/json.ts, written by the scan job), checked for the fields matching reads. */
export function parseStoredInventory(json: string, digest: string): ParsedInventory {
  let doc: unknown;
  try {
    doc = JSON.parse(json);
  } catch (e) {
    throw new BerthError("corrupt", `stored inventory of ${digest} is not JSON (${describeError(e)})`);
  }
  const d = typeof doc === "object" && doc !== null ? (doc as Record<string, unknown>) : {};
  if (!Array.isArray(d.packages)) throw new BerthError("corrupt", `stored inventory of ${digest} has no packages`);
  const packages = d.packages.filter((p): p is Package => {
    if (typeof p !== "object" || p === null) return false;
    const o = p as Record<string, unknown>;
    return typeof o.type === "string" && typeof o.name === "string" && typeof o.version === "string" && typeof o.purl === "string" && Array.isArray(o.locations);
  });
  const distro = typeof d.distro === "object" && d.distro !== null && typeof (d.distro as Record<string, unknown>).id === "string" ? (d.distro as Distro) : undefined;
  const subject = typeof d.subject === "object" && d.subject !== null ? (d.subject as Record<string, unknown>) : {};
  const image = subject.kind === "image" && typeof subject.image === "object" && subject.image !== null ? (subject.image as ImageMetadata) : undefined;
  return { packages, ...(distro ? { distro } : {}), ...(image && Array.isArray(image.layers) ? { image } : {}) };
}

/**
 * The packages of one stored image a re-match asks about: not those the scan found unmatched (a
 * language package an OS package owns — the stored inventory has no file lists to tell), and, for an
 * incremental re-match, only those under one of the changed advisory keys (`scope`).
 */
export function packagesToMatch(inv: StoredInventory, parsed: ParsedInventory, keys: readonly { ecosystem: string; name: string }[] | undefined): { packages: Package[]; scope?: Set<string> } {
  const stored = new Map(inv.packages.map((p) => [p.purl, p]));
  const candidates = parsed.packages.filter((p) => stored.get(p.purl)?.matchEcosystem !== "");
  if (!keys) return { packages: candidates };
  const scope = new Set<string>();
  for (const p of candidates) {
    const s = stored.get(p.purl);
    if (s?.matchEcosystem && s.matchName !== null && keys.some((k) => k.name === s.matchName && ecosystemCovers(s.matchEcosystem!, k.ecosystem))) scope.add(p.purl);
  }
  return { packages: candidates.filter((p) => scope.has(p.purl)), scope };
}

export interface RematchSettings {
  readonly cacheDir: string;
  readonly log: (msg: string) => void;
}

export async function runRematchJob(repos: Repositories, settings: RematchSettings, job: RematchPayload, now: () => Date): Promise<RematchSummary> {
  const path = dbPath(settings.cacheDir);
  if (!existsSync(path)) throw new BerthError("not-found", `no vulnerability database in ${settings.cacheDir}; run "berth db update --cache-dir ${settings.cacheDir}"`);
  const raw = openVulnDb(path);
  const db = cachedVulnDb(raw);
  const keys = job.packages?.map(parsePackageKey);
  let images = 0;
  const totals = { added: 0, changed: 0, fixed: 0 };
  const vulnsStored = new Set<string>();
  try {
    const dbVersion = vulnDbVersion(raw);
    for (const inv of await repos.rescan.inventories(job.digests)) {
      let parsed: ParsedInventory;
      try {
        parsed = parseStoredInventory(inv.inventoryJson, inv.digest);
      } catch (e) {
        // One unreadable inventory must not hold back the batch; a new scan replaces it.
        settings.log(`rematch: ${describeError(e)}; skipped`);
        continue;
      }
      const { packages, scope } = packagesToMatch(inv, parsed, keys);
      if (scope && scope.size === 0) continue;
      const r = scanInventory(
        { name: inv.digest, kind: "image", packages, ...(parsed.distro ? { distro: parsed.distro } : {}), ...(parsed.image ? { image: parsed.image } : {}) },
        { db, now: now() },
      );
      const findings = r.target.findings;
      // Vulnerability rows once per job: images in a batch share most of them.
      const vulnerabilities = findings.filter((f) => !vulnsStored.has(f.id)).map(toStoredVulnerability);
      for (const v of vulnerabilities) vulnsStored.add(v.id);
      const c = await repos.images.saveMatch({ digest: inv.digest, findings: findings.map(toStoredFinding), vulnerabilities, ...(scope ? { scope } : {}), dbVersion }, now());
      totals.added += c.added;
      totals.changed += c.changed;
      totals.fixed += c.fixed;
      images++;
    }
  } finally {
    raw.close();
  }
  // Digests without a stored inventory (never scanned, or deleted since) count as skipped too.
  return { images, skipped: job.digests.length - images, ...totals };
}
