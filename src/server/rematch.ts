// The re-match job: match stored inventories (the image's `berth sbom -f json`, kept by the scan)
// against the current vulnerability DB without pulling anything, and store the outcome with the same
// findings lifecycle as a scan (new, still open, fixed with the date). Many images per job; within
// one job the DB's answers per package are cached, since images share most of their packages.
import { createHash } from "node:crypto";
import { existsSync, statSync } from "node:fs";
import type { ImageMetadata } from "../model/image.js";
import type { Distro, Package } from "../model/package.js";
import { matchQueries, verdictKey, verdictOf, type VerdictCache } from "../match/match.js";
import type { AdvisoryQuery } from "../match/ecosystem.js";
import { scanInventory } from "../scan/scan.js";
import type { EnqueueInput } from "../store/jobs.js";
import type { Repositories } from "../store/index.js";
import type { StoredVulnerability } from "../store/images.js";
import { rematchRepository, type MatchContext, type MatchRow, type MatchWrite, type SharedVerdict } from "../store/rematch.js";
import type { StoredInventory } from "../store/rescan.js";
import { BerthError, describeError } from "../util/errors.js";
import { parsePackageKey } from "../vulndb/changes.js";
import { dbPath, openVulnDb, type VulnDb } from "../vulndb/index.js";
import { toMatchImageJson, toStoredFinding, toStoredPackages, toStoredVulnerability, vulnDbVersion } from "./scan-outcome.js";

export const REMATCH_JOB = "rematch";
/** Images per job: large enough to share the per-package cache, small enough to retry cheaply. */
export const DEFAULT_REMATCH_BATCH = 200;
/** Images per job when only a few packages are re-matched (after a DB update): little work per image, so fewer, larger transactions. */
export const DEFAULT_SCOPED_BATCH = 5000;
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
  /** Packages of images written with another image's plan for the same package (MatchWrite.also). */
  readonly shared: number;
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
  const packages = opts.packages && opts.packages.length <= MAX_SCOPED_KEYS ? [...opts.packages].sort() : undefined;
  const size = Math.max(1, Math.min(MAX_BATCH, opts.batchSize ?? (packages ? DEFAULT_SCOPED_BATCH : DEFAULT_REMATCH_BATCH)));
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

/** What findings read of an image besides its packages (images.match_image_json, scan-outcome.ts toMatchImageJson). */
interface ImageContext {
  readonly distro?: Distro;
  readonly image?: ImageMetadata;
}

/**
 * The compact match context of a parsed stored inventory, as a scan records it (toStoredPackages),
 * for images stored before 0005. Packages the scan did not match stay out: the stored inventory has
 * no file lists to tell a language package an OS package owns.
 */
function matchContext(inv: StoredInventory, parsed: ParsedInventory): { context: MatchContext; packages: Map<string, Package> } {
  const notMatched = new Set(inv.packages.filter((p) => p.matchEcosystem === "").map((p) => p.purl));
  const candidates = parsed.packages.filter((p) => !notMatched.has(p.purl));
  const packages = new Map<string, Package>();
  const rows: MatchContext["packages"][number][] = [];
  for (const s of toStoredPackages(candidates, parsed.distro)) {
    if (s.verdictKey === undefined || s.packageJson === undefined || packages.has(s.purl)) continue;
    packages.set(s.purl, JSON.parse(s.packageJson) as Package);
    rows.push({ purl: s.purl, matchEcosystem: s.matchEcosystem ?? "", matchName: s.matchName ?? "", verdictKey: s.verdictKey, packageJson: s.packageJson });
  }
  return { context: { digest: inv.digest, matchImageJson: toMatchImageJson(parsed.distro, parsed.image), packages: rows }, packages };
}

/**
 * Verdicts and their hashes shared by every re-match job of this process against one DB (path and
 * built_at): a fleet shares few distinct (ecosystem, name, version) keys, so each is asked once per run.
 */
interface RunCache {
  id: string;
  verdicts: VerdictCache;
  hashes: Map<string, string>;
}
// A verdict holds its findings' version-level parts (a few KB): bounded, a larger fleet re-asks the DB.
const MAX_CACHED_VERDICTS = 100_000;
const run: RunCache = { id: "", verdicts: new Map(), hashes: new Map() };

function runCache(id: string): RunCache {
  if (run.id !== id || run.verdicts.size > MAX_CACHED_VERDICTS) {
    run.id = id;
    run.verdicts = new Map();
    run.hashes = new Map();
  }
  return run;
}

/** The hash of the DB's verdict for a stored verdict key (match.ts verdictKey). */
function verdictHash(cache: RunCache, key: string, db: VulnDb): string {
  let h = cache.hashes.get(key);
  if (h !== undefined) return h;
  let v = cache.verdicts.get(key);
  if (!v) {
    const [ecosystem, family, name, version, by] = JSON.parse(key) as [string, boolean, string, string, AdvisoryQuery["by"]];
    v = verdictOf({ ecosystem, family, name, version, by }, db);
    cache.verdicts.set(key, v);
  }
  h = createHash("sha256").update(JSON.stringify(v)).digest("base64");
  cache.hashes.set(key, h);
  return h;
}

/**
 * The DB's built_at, read once per DB file (its identity: `db update` replaces the file): metadata()
 * also counts advisories per ecosystem, tens of milliseconds per job on a full DB.
 */
const versions = new Map<string, string>();
function dbVersionOf(path: string, db: VulnDb): string {
  const st = statSync(path);
  const id = `${path}\n${st.ino}\n${st.size}\n${st.mtimeMs}`;
  let v = versions.get(id);
  if (v === undefined) {
    if (versions.size > 16) versions.clear();
    versions.set(id, (v = vulnDbVersion(db)));
  }
  return v;
}

export interface RematchSettings {
  readonly cacheDir: string;
  readonly log: (msg: string) => void;
}

/**
 * Re-matches a batch of stored images. The DB's answer for a package depends only on its verdict key
 * (ecosystem, name, version), so a job compares each stored package's verdict hash with the current
 * one and composes findings only for images where one changed, for those packages only (findings are
 * stored without the image-wide base-image note: scan-outcome.ts toStoredFinding) — from the
 * stored package rows and image context, without parsing the inventory. Images scanned before
 * migration 0005, or not re-matched since their scan, have no verdict hashes: their inventory is parsed
 * once and the compact context recorded. The outcome equals matching each whole inventory again.
 */
export async function runRematchJob(repos: Repositories, settings: RematchSettings, job: RematchPayload, now: () => Date): Promise<RematchSummary> {
  const path = dbPath(settings.cacheDir);
  if (!existsSync(path)) throw new BerthError("not-found", `no vulnerability database in ${settings.cacheDir}; run "berth db update --cache-dir ${settings.cacheDir}"`);
  const raw = openVulnDb(path);
  const db = cachedVulnDb(raw);
  const keys = job.packages?.map(parsePackageKey);
  const store = rematchRepository(repos.store.db, repos.store.kind);
  try {
    const dbVersion = dbVersionOf(path, raw);
    const cache = runCache(`${path}\n${dbVersion}`);
    const contexts = new Map<string, ImageContext>();
    const parsedPackages = new Map<string, Map<string, Package>>();
    const rowsByImage = new Map<string, MatchRow[]>();
    const addRows = (rows: readonly MatchRow[]) => {
      for (const r of rows) {
        const list = rowsByImage.get(r.digest) ?? [];
        list.push(r);
        rowsByImage.set(r.digest, list);
      }
    };
    const digests = [...new Set(job.digests)];
    addRows(await store.matchRows(digests, keys));
    // An image with package_verdicts rows was scanned and has its match context (the rows are written
    // with it); only the others are looked up: a batch of 5,000 images reads no image rows.
    const images = [
      ...digests.filter((d) => rowsByImage.has(d)).map((digest) => ({ digest, hasContext: true })),
      ...(await store.images(digests.filter((d) => !rowsByImage.has(d)))),
    ];
    // No context yet (scanned before 0005, or not re-matched since a scan without one): read the inventory once.
    const missing = images.filter((i) => !i.hasContext).map((i) => i.digest);
    if (missing.length > 0) {
      const recorded: MatchContext[] = [];
      for (const inv of await repos.rescan.inventories(missing)) {
        let parsed: ParsedInventory;
        try {
          parsed = parseStoredInventory(inv.inventoryJson, inv.digest);
        } catch (e) {
          // One unreadable inventory must not hold back the batch; a new scan replaces it.
          settings.log(`rematch: ${describeError(e)}; skipped`);
          continue;
        }
        const m = matchContext(inv, parsed);
        recorded.push(m.context);
        contexts.set(inv.digest, JSON.parse(m.context.matchImageJson) as ImageContext);
        parsedPackages.set(inv.digest, m.packages);
      }
      await store.saveContexts(recorded);
      // Their package rows exist now: the ones under the job's keys decide, as for the others, whether they are matched.
      addRows(await store.matchRows(recorded.map((c) => c.digest), keys));
    }
    const unusable = new Set(missing.filter((d) => !parsedPackages.has(d)));
    const matched: string[] = [];
    const writes: MatchWrite[] = [];
    const vulnerabilities = new Map<string, StoredVulnerability>();
    const verdicts: { digest: string; hashes: Map<string, string> }[] = [];
    // Which images to compose, and from which packages (verdict hashes compared per stored package).
    // A package's findings depend only on its own verdicts, its JSON, the distro and the layers it
    // names (they are stored without the image-wide base-image note, which is applied when read:
    // scan-outcome.ts). So the same changed package (the same purl, stored verdict hashes and context
    // hash) in many images gets the same findings from the same old ones: composed and planned once,
    // from one image, and written to all of them. Grouped by package, not by image: images whose
    // several changed packages are at independent versions still share each package's plan. Told
    // apart from the package_verdicts rows alone, so only one image of each group is read.
    const shared = new Map<string, { digests: string[]; purl: string; rows: MatchRow[] }>();
    const single: { digest: string; whole: boolean; changed: string[] }[] = [];
    for (const image of images) {
      const rows = rowsByImage.get(image.digest) ?? [];
      if (unusable.has(image.digest) || (keys && rows.length === 0)) continue;
      matched.push(image.digest);
      // A fresh context: the stored findings were written by a scan, so every package is composed.
      if (parsedPackages.has(image.digest)) {
        single.push({ digest: image.digest, whole: true, changed: [] });
        continue;
      }
      const changedRows = rows.filter((r) => verdictHash(cache, r.verdictKey, db) !== r.verdictHash);
      if (changedRows.length === 0) continue;
      // Never re-matched since its scan: its findings may not be what the stored rows say, composed alone.
      if (changedRows.some((r) => r.verdictHash === null)) {
        single.push({ digest: image.digest, whole: false, changed: [...new Set(changedRows.map((r) => r.purl))] });
        continue;
      }
      // A purl matched under several names (binary and source package) is one package: one group key.
      const byPurl = new Map<string, MatchRow[]>();
      for (const r of changedRows) byPurl.set(r.purl, [...(byPurl.get(r.purl) ?? []), r]);
      for (const [purl, purlRows] of byPurl) {
        const key = JSON.stringify(purlRows.map((r) => [r.purl, r.matchName, r.verdictKey, r.verdictHash, r.contextHash]).sort());
        const group = shared.get(key);
        if (group) group.digests.push(image.digest);
        else shared.set(key, { digests: [image.digest], purl, rows: purlRows });
      }
    }
    const composed = [...new Set([...shared.values()].map((g) => g.digests[0]!)), ...single.filter((p) => !contexts.has(p.digest)).map((p) => p.digest)];
    const stored = await store.imageContexts(composed);
    const contextOf = (digest: string): ImageContext | undefined => {
      const json = stored.get(digest);
      return contexts.get(digest) ?? (json !== undefined ? (JSON.parse(json) as ImageContext) : undefined);
    };
    // A representative of several groups: its packages of all of them in one read.
    const representativePurls = new Map<string, Set<string>>();
    for (const g of shared.values()) representativePurls.set(g.digests[0]!, (representativePurls.get(g.digests[0]!) ?? new Set()).add(g.purl));
    const jsons = await store.packageJsons([
      ...[...representativePurls].map(([digest, purls]) => ({ digest, purls: [...purls] })),
      ...single.filter((p) => !parsedPackages.has(p.digest)).map((p) => ({ digest: p.digest, ...(p.whole ? {} : { purls: p.changed }) })),
    ]);
    const parsedJsons = new Map<string, Map<string, Package>>();
    const packageOf = (digest: string, purl: string): Package | undefined => {
      let m = parsedJsons.get(digest);
      if (!m) parsedJsons.set(digest, (m = new Map((jsons.get(digest) ?? []).map((j) => JSON.parse(j) as Package).map((p) => [p.purl, p]))));
      return m.get(purl);
    };
    const sharedVerdicts: SharedVerdict[] = [];
    for (const g of shared.values()) {
      const [digest, ...also] = g.digests as [string, ...string[]];
      const ctx = contextOf(digest);
      // Gone since (a new scan without a context replaced it): its group keeps the old verdict hashes and is re-matched next time.
      if (!ctx) continue;
      const pkg = packageOf(digest, g.purl);
      const findings = scanInventory({ name: digest, kind: "image", packages: pkg ? [pkg] : [], ...(ctx.distro ? { distro: ctx.distro } : {}), ...(ctx.image ? { image: ctx.image } : {}) }, { db, now: now(), verdicts: cache.verdicts }).target.findings;
      for (const f of findings) if (!vulnerabilities.has(f.id)) vulnerabilities.set(f.id, toStoredVulnerability(f));
      writes.push({ digest, findings: findings.map(toStoredFinding), scope: new Set([g.purl]), ...(also.length ? { also } : {}) });
      for (const r of g.rows) sharedVerdicts.push({ digests: g.digests, matchName: r.matchName, key: r.verdictKey, hash: verdictHash(cache, r.verdictKey, db) });
    }
    for (const { digest, whole, changed } of single) {
      const ctx = contextOf(digest);
      if (!ctx) continue;
      const parsed = parsedPackages.get(digest);
      const packages = parsed ? [...parsed.values()] : (jsons.get(digest) ?? []).map((j) => JSON.parse(j) as Package);
      const r = scanInventory({ name: digest, kind: "image", packages, ...(ctx.distro ? { distro: ctx.distro } : {}), ...(ctx.image ? { image: ctx.image } : {}) }, { db, now: now(), verdicts: cache.verdicts });
      const findings = r.target.findings;
      for (const f of findings) if (!vulnerabilities.has(f.id)) vulnerabilities.set(f.id, toStoredVulnerability(f));
      writes.push({ digest, findings: findings.map(toStoredFinding), ...(whole ? {} : { scope: new Set(changed) }) });
      const hashes = new Map<string, string>();
      for (const { q } of matchQueries({ packages, ...(ctx.distro ? { distro: ctx.distro } : {}) })) {
        const k = verdictKey(q);
        if (!hashes.has(k)) hashes.set(k, verdictHash(cache, k, db));
      }
      verdicts.push({ digest, hashes });
    }
    const totals = await store.writeBatch({ vulnerabilities: [...vulnerabilities.values()], writes, verdicts, sharedVerdicts,
      // A scoped job confirms only some packages' findings: matched_at keeps the last whole match.
      matched: keys ? [] : matched, dbVersion, at: now().toISOString() });
    // Digests without a stored inventory (never scanned, or deleted since) count as skipped too.
    return { images: matched.length, skipped: job.digests.length - matched.length, ...totals, shared: [...shared.values()].reduce((n, g) => n + g.digests.length - 1, 0) };
  } finally {
    raw.close();
  }
}
