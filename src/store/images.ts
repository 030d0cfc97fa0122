// Images and what a scan learnt about them: scan state, the stored inventory (the image's SBOM),
// its packages, the vulnerabilities and the findings with their lifecycle (first seen, fixed at).
import { sql, type Kysely, type Transaction } from "kysely";
import { detailHash, findingContextHash, findingImageContext } from "./content-hash.js";
import type { DialectKind } from "./migrations.js";
import type { Database, FindingRow, ImageRow, NewFinding, ScanStatus } from "./schema.js";

type Db = Kysely<Database> | Transaction<Database>;

export interface ImageInput {
  readonly digest: string;
  readonly mediaType?: string;
  readonly indexDigest?: string;
  readonly platform?: string;
  readonly configDigest?: string;
}

export interface StoredPackage {
  readonly purl: string;
  readonly name: string;
  readonly version: string;
  readonly type: string;
  /** The key the matcher asks advisories under (match/match.ts matchKeys); "" when not matched. */
  readonly matchEcosystem?: string;
  readonly matchName?: string;
  /** Matched packages: match.ts verdictKey and the package JSON a re-match composes findings from (0005). */
  readonly verdictKey?: string;
  readonly packageJson?: string;
}

export interface StoredVulnerability {
  readonly id: string;
  readonly severity: string;
  readonly title?: string;
  readonly url?: string;
  readonly aliases: readonly string[];
  readonly kev: boolean;
  readonly modified?: string;
}

export interface StoredFinding {
  readonly vulnerabilityId: string;
  readonly packagePurl: string;
  readonly packageName: string;
  readonly installedVersion: string;
  readonly fixStatus: string;
  readonly fixedVersions: readonly string[];
  readonly severity: string;
  readonly data: unknown;
}

export interface ScanResultInput {
  readonly digest: string;
  readonly distro?: string;
  readonly configDigest?: string;
  readonly inventoryJson: string;
  /** server/scan-outcome.ts toMatchImageJson; absent: the first re-match reads the inventory. */
  readonly matchImageJson?: string;
  readonly packages: readonly StoredPackage[];
  readonly vulnerabilities: readonly StoredVulnerability[];
  readonly findings: readonly StoredFinding[];
}

/** A re-match's outcome (server/rematch.ts): findings only; the inventory and packages stay. */
export interface MatchResultInput {
  readonly digest: string;
  readonly vulnerabilities: readonly StoredVulnerability[];
  readonly findings: readonly StoredFinding[];
  /** Only findings of these package purls were matched (an incremental re-match); others stay as they are. */
  readonly scope?: ReadonlySet<string>;
  /** The vulnerability DB's built_at. */
  readonly dbVersion?: string;
}

/** What writing findings changed (new, changed or re-opened, fixed). */
export interface FindingChanges {
  readonly added: number;
  readonly changed: number;
  readonly fixed: number;
}

export interface ImageRepository {
  /** Creates the image when new (status pending); an existing row keeps its state. */
  ensure(image: ImageInput, now: Date, db?: Db): Promise<void>;
  get(digest: string, db?: Db): Promise<ImageRow | undefined>;
  /** Records that a platform image was reached through an index (kept when already set). */
  linkToIndex(digest: string, indexDigest: string, platform: string): Promise<void>;
  /** Platform images recorded under an index. */
  children(indexDigest: string): Promise<ImageRow[]>;
  setStatus(digest: string, status: ScanStatus, error: string | null, now: Date): Promise<void>;
  /**
   * Stores a scan: inventory, packages and findings in one transaction. Findings seen before keep
   * their first_seen; open findings this scan no longer has become fixed (fixed_at = now).
   */
  saveScan(scan: ScanResultInput & { readonly dbVersion?: string }, now: Date): Promise<FindingChanges>;
  /** Stores a re-match of the stored inventory: the same findings lifecycle as saveScan, writing only what changed. */
  saveMatch(match: MatchResultInput, now: Date): Promise<FindingChanges>;
  /** The stored inventory JSON (`berth sbom -f json`) of the image's last successful scan. */
  inventory(digest: string): Promise<string | undefined>;
  findings(digest: string, opts?: { readonly includeFixed?: boolean }): Promise<FindingRow[]>;
  packages(digest: string): Promise<StoredPackage[]>;
  /**
   * Deletes finding details no finding names any more (rewritten or re-matched findings leave their
   * old details behind); the number deleted. A full pass over the findings: run daily, not per write.
   */
  pruneDetails(): Promise<number>;
  /**
   * Drops an image row that turned out not to be a container image (an OCI artifact such as a
   * signature or attestation manifest pushed by digest); only while it was never scanned.
   */
  forgetUnscanned(digest: string): Promise<void>;
}

const CHUNK = 200;

/** Rows per multi-row statement: well under SQLite's and PostgreSQL's bound-parameter limits. */
export function chunks<T>(xs: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += CHUNK) out.push(xs.slice(i, i + CHUNK));
  return out;
}

export async function upsertVulnerabilities(tx: Db, vulnerabilities: readonly StoredVulnerability[]): Promise<void> {
  const unique = [...new Map(vulnerabilities.map((v) => [v.id, v])).values()];
  for (const part of chunks(unique)) {
    await tx
      .insertInto("vulnerabilities")
      .values(
        part.map((v) => ({
          id: v.id,
          severity: v.severity,
          title: v.title ?? null,
          url: v.url ?? null,
          aliases_json: JSON.stringify(v.aliases),
          kev: v.kev ? 1 : 0,
          modified: v.modified ?? null,
        })),
      )
      .onConflict((oc) =>
        oc.column("id").doUpdateSet((eb) => ({
          severity: eb.ref("excluded.severity"),
          title: eb.ref("excluded.title"),
          url: eb.ref("excluded.url"),
          aliases_json: eb.ref("excluded.aliases_json"),
          kev: eb.ref("excluded.kev"),
          modified: eb.ref("excluded.modified"),
        })),
      )
      .execute();
  }
}

async function markMatched(tx: Db, digest: string, at: string, dbVersion: string | undefined): Promise<void> {
  await tx.updateTable("images").set({ matched_at: at, matched_db: dbVersion ?? null }).where("digest", "=", digest).execute();
}

/** The stored columns the findings lifecycle compares. */
export const FINDING_STATE_COLUMNS = ["image_digest", "vulnerability_id", "package_purl", "package_name", "installed_version", "fix_status", "fixed_versions_json", "severity", "state", "detail_hash"] as const;
export type FindingState = Pick<FindingRow, (typeof FINDING_STATE_COLUMNS)[number]>;

/** What writing one image's findings does: new rows, rows rewritten (changed or re-opened), open rows fixed. */
export interface FindingsPlan {
  readonly digest: string;
  readonly inserts: readonly NewFinding[];
  readonly rewrites: readonly NewFinding[];
  readonly fixes: readonly { readonly vulnerability_id: string; readonly package_purl: string }[];
  /** The details the inserted and rewritten rows name (finding_details), by hash. */
  readonly details: ReadonlyMap<string, string>;
}

/**
 * The findings lifecycle, shared by scans and re-matches: a finding not stored before is new
 * (first_seen = last_seen = now); a stored one that is fixed, or whose content changed, is (re)opened
 * and rewritten (last_seen = now); an open one this match no longer has becomes fixed (fixed_at =
 * now). Unchanged open findings are not written at all (a re-match of 100,000 images writes only what
 * changed); `images.matched_at` records when they were last confirmed. With `scope`, only findings of
 * those package purls are considered (an incremental re-match of some packages). `stored` holds at
 * least the image's findings of the packages in scope.
 */
export function planFindings(digest: string, incoming: readonly StoredFinding[], stored: readonly FindingState[], at: string, scope?: ReadonlySet<string>): FindingsPlan {
  const key = (vuln: string, purl: string): string => `${vuln}\n${purl}`;
  const rows = new Map<string, NewFinding>();
  const details = new Map<string, string>();
  for (const f of incoming) {
    const k = key(f.vulnerabilityId, f.packagePurl);
    if (rows.has(k)) continue;
    const json = JSON.stringify(f.data);
    const hash = detailHash(json);
    details.set(hash, json);
    rows.set(k, {
      image_digest: digest,
      vulnerability_id: f.vulnerabilityId,
      package_purl: f.packagePurl,
      package_name: f.packageName,
      installed_version: f.installedVersion,
      fix_status: f.fixStatus,
      fixed_versions_json: JSON.stringify(f.fixedVersions),
      severity: f.severity,
      state: "open",
      first_seen: at,
      last_seen: at,
      fixed_at: null,
      detail_hash: hash,
    });
  }
  const rewrites: NewFinding[] = [];
  const fixes: { vulnerability_id: string; package_purl: string }[] = [];
  const seen = new Set<string>();
  for (const old of stored) {
    if (old.image_digest !== digest || (scope && !scope.has(old.package_purl))) continue;
    const k = key(old.vulnerability_id, old.package_purl);
    const next = rows.get(k);
    if (!next) {
      if (old.state === "open") fixes.push({ vulnerability_id: old.vulnerability_id, package_purl: old.package_purl });
      continue;
    }
    seen.add(k);
    const same =
      old.state === "open" &&
      old.package_name === next.package_name &&
      old.installed_version === next.installed_version &&
      old.fix_status === next.fix_status &&
      old.fixed_versions_json === next.fixed_versions_json &&
      old.severity === next.severity &&
      old.detail_hash === next.detail_hash;
    if (!same) rewrites.push(next);
  }
  const inserts = [...rows].filter(([k]) => !seen.has(k)).map(([, row]) => row);
  const named = new Set([...inserts, ...rewrites].map((r) => r.detail_hash));
  return { digest, inserts, rewrites, fixes, details: new Map([...details].filter(([h]) => named.has(h))) };
}

/** Executes plans, each for its own image. */
export function applyFindings(tx: Db, plans: readonly FindingsPlan[], at: string): Promise<FindingChanges> {
  return applyPlans(tx, plans.map((plan) => ({ plan, digests: [plan.digest] })), at);
}

/**
 * Executes plans, each for one or more images. A plan applies to several images whose stored
 * findings of the plan's packages were written from the same verdict, package and layer
 * (server/rematch.ts groups them): their open findings are the same, only fixed ones may differ. So
 * every new or rewritten row is upserted (a fixed row is re-opened keeping its first_seen, a missing
 * one inserted) and each fix closes the open row. The upserts of all plans go in one pass in
 * (image, vulnerability, package) order: the image index's leaves are then visited in order, not at
 * random, and so are the unique key's (vulnerability, image, package: migration 0008) for the rows of
 * one vulnerability — what a DB update's re-match writes. The counts are each plan's times its images.
 */
export async function applyPlans(tx: Db, entries: readonly { readonly plan: FindingsPlan; readonly digests: readonly string[] }[], at: string): Promise<FindingChanges> {
  await insertDetails(tx, entries.map((e) => e.plan));
  let added = 0;
  let changed = 0;
  let fixed = 0;
  const rows: NewFinding[] = [];
  for (const { plan, digests } of entries) {
    added += plan.inserts.length * digests.length;
    changed += plan.rewrites.length * digests.length;
    fixed += plan.fixes.length * digests.length;
    for (const f of plan.fixes) {
      for (const part of chunks(digests)) {
        await tx
          .updateTable("findings")
          .set({ state: "fixed", fixed_at: at })
          .where("image_digest", "in", part)
          .where("vulnerability_id", "=", f.vulnerability_id)
          .where("package_purl", "=", f.package_purl)
          .where("state", "=", "open")
          .execute();
      }
    }
    for (const d of digests) for (const r of [...plan.inserts, ...plan.rewrites]) rows.push({ ...r, image_digest: d });
  }
  const key = (r: NewFinding) => `${r.image_digest}\n${r.vulnerability_id}\n${r.package_purl}`;
  rows.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
  for (const part of chunks(rows)) {
    await tx
      .insertInto("findings")
      .values(part)
      // Stored (fixed, changed, or just written by a concurrent scan of the same image): rewritten and (re)opened, keeping its first_seen.
      .onConflict((oc) =>
        oc.columns(["image_digest", "vulnerability_id", "package_purl"]).doUpdateSet((eb) => ({
          package_name: eb.ref("excluded.package_name"),
          installed_version: eb.ref("excluded.installed_version"),
          fix_status: eb.ref("excluded.fix_status"),
          fixed_versions_json: eb.ref("excluded.fixed_versions_json"),
          severity: eb.ref("excluded.severity"),
          state: "open",
          last_seen: at,
          fixed_at: null,
          detail_hash: eb.ref("excluded.detail_hash"),
        })),
      )
      .execute();
  }
  return { added, changed, fixed };
}

/** The details plans name; content-addressed, so a row already stored stays. */
async function insertDetails(tx: Db, plans: readonly FindingsPlan[]): Promise<void> {
  const all = new Map<string, string>();
  for (const p of plans) for (const [h, json] of p.details) all.set(h, json);
  for (const part of chunks([...all].map(([hash, data_json]) => ({ hash, data_json })))) {
    await tx.insertInto("finding_details").values(part).onConflict((oc) => oc.column("hash").doNothing()).execute();
  }
}

/** One image's findings through the lifecycle (planFindings), reading only what `scope` needs. */
export async function writeFindings(tx: Db, digest: string, incoming: readonly StoredFinding[], at: string, scope?: ReadonlySet<string>): Promise<FindingChanges> {
  let q = tx.selectFrom("findings").select(FINDING_STATE_COLUMNS).where("image_digest", "=", digest);
  // An incremental re-match reads only the findings of the packages it matched.
  if (scope && scope.size <= 200) q = q.where("package_purl", "in", [...scope]);
  return applyFindings(tx, [planFindings(digest, incoming, await q.execute(), at, scope)], at);
}

/**
 * An image's package_verdicts rows (what a re-match compares) from its matched packages and match
 * context, verdict hash unknown (the stored findings were just written by a scan). Without a context,
 * none: the first re-match reads the inventory (server/rematch.ts) and records them.
 */
export async function replacePackageVerdicts(tx: Db, digest: string, matchImageJson: string | undefined, packages: readonly Pick<StoredPackage, "purl" | "matchEcosystem" | "matchName" | "verdictKey" | "packageJson">[]): Promise<void> {
  await tx.deleteFrom("package_verdicts").where("image_digest", "=", digest).execute();
  if (matchImageJson === undefined) return;
  const image = findingImageContext(matchImageJson);
  const rows = packages
    .filter((p) => p.verdictKey !== undefined && p.packageJson !== undefined && p.matchName && p.matchEcosystem)
    .map((p) => ({ match_name: p.matchName!, image_digest: digest, purl: p.purl, match_ecosystem: p.matchEcosystem!, verdict_key: p.verdictKey!, verdict_hash: null, context_hash: findingContextHash(p.packageJson!, image) }));
  for (const part of chunks([...new Map(rows.map((r) => [r.purl, r])).values()])) await tx.insertInto("package_verdicts").values(part).execute();
}

export function imageRepository(db: Kysely<Database>, kind: DialectKind): ImageRepository {
  return {
    async ensure(image, now, tx = db) {
      await tx
        .insertInto("images")
        .values({
          digest: image.digest,
          media_type: image.mediaType ?? null,
          index_digest: image.indexDigest ?? null,
          platform: image.platform ?? null,
          config_digest: image.configDigest ?? null,
          pipeline_run_id: null,
          scan_status: "pending",
          scan_error: null,
          scanned_at: null,
          distro: null,
          created_at: now.toISOString(),
        })
        .onConflict((oc) => oc.column("digest").doNothing())
        .execute();
    },

    get: (digest, tx = db) => tx.selectFrom("images").selectAll().where("digest", "=", digest).executeTakeFirst(),

    async forgetUnscanned(digest) {
      await db.deleteFrom("images").where("digest", "=", digest).where("scan_status", "!=", "scanned")
        .where((eb) => eb.not(eb.exists(eb.selectFrom("image_inventories as v").select("v.digest").whereRef("v.digest", "=", "images.digest"))))
        .execute();
    },

    async linkToIndex(digest, indexDigest, platform) {
      await db.updateTable("images").set({ index_digest: indexDigest, platform }).where("digest", "=", digest).where("index_digest", "is", null).execute();
    },

    async inventory(digest) {
      return (await db.selectFrom("image_inventories").select("inventory_json").where("digest", "=", digest).executeTakeFirst())?.inventory_json;
    },

    children: (indexDigest) => db.selectFrom("images").selectAll().where("index_digest", "=", indexDigest).orderBy("platform").execute(),

    async setStatus(digest, status, error, now) {
      await db
        .updateTable("images")
        .set({ scan_status: status, scan_error: error, ...(status === "scanned" ? { scanned_at: now.toISOString() } : {}) })
        .where("digest", "=", digest)
        .execute();
    },

    saveScan(scan, now) {
      const at = now.toISOString();
      return db.transaction().execute(async (tx) => {
        await tx
          .updateTable("images")
          .set({
            scan_status: "scanned",
            scan_error: null,
            scanned_at: at,
            distro: scan.distro ?? null,
            match_image_json: scan.matchImageJson ?? null,
            ...(scan.configDigest ? { config_digest: scan.configDigest } : {}),
          })
          .where("digest", "=", scan.digest)
          .execute();
        await tx
          .insertInto("image_inventories")
          .values({ digest: scan.digest, inventory_json: scan.inventoryJson })
          .onConflict((oc) => oc.column("digest").doUpdateSet({ inventory_json: scan.inventoryJson }))
          .execute();
        await tx.deleteFrom("image_packages").where("image_digest", "=", scan.digest).execute();
        const pkgs = [...new Map(scan.packages.map((p) => [p.purl, p])).values()];
        for (const part of chunks(pkgs)) {
          await tx
            .insertInto("image_packages")
            .values(
              part.map((p) => ({
                image_digest: scan.digest,
                purl: p.purl,
                name: p.name,
                version: p.version,
                type: p.type,
                match_ecosystem: p.matchEcosystem ?? null,
                match_name: p.matchName ?? null,
                package_json: p.packageJson ?? null,
              })),
            )
            // Two scans of one image may overlap (its own push and its index's): the last one wins.
            .onConflict((oc) =>
              oc.columns(["image_digest", "purl"]).doUpdateSet((eb) => ({
                name: eb.ref("excluded.name"),
                version: eb.ref("excluded.version"),
                type: eb.ref("excluded.type"),
                match_ecosystem: eb.ref("excluded.match_ecosystem"),
                match_name: eb.ref("excluded.match_name"),
                package_json: eb.ref("excluded.package_json"),
              })),
            )
            .execute();
        }
        await replacePackageVerdicts(tx, scan.digest, scan.matchImageJson, pkgs);
        await upsertVulnerabilities(tx, scan.vulnerabilities);
        const changes = await writeFindings(tx, scan.digest, scan.findings, at);
        await markMatched(tx, scan.digest, at, scan.dbVersion);
        return changes;
      });
    },

    saveMatch(match, now) {
      const at = now.toISOString();
      return db.transaction().execute(async (tx) => {
        await upsertVulnerabilities(tx, match.vulnerabilities);
        const changes = await writeFindings(tx, match.digest, match.findings, at, match.scope);
        await markMatched(tx, match.digest, at, match.dbVersion);
        return changes;
      });
    },

    findings(digest, opts = {}) {
      let q = db.selectFrom("findings").innerJoin("finding_details as d", "d.hash", "findings.detail_hash").selectAll("findings").select("d.data_json").where("image_digest", "=", digest);
      if (!opts.includeFixed) q = q.where("state", "=", "open");
      return q.orderBy("vulnerability_id").orderBy("package_purl").execute();
    },

    pruneDetails() {
      return db.transaction().execute(async (tx) => {
        // PostgreSQL: a writer that found a detail row present (insert … do nothing) names it in findings
        // it has not committed yet; the lock waits for such writers and holds new ones until this commits.
        // (SQLite: one writer at a time already.)
        if (kind === "postgres") await sql`lock table finding_details in share row exclusive mode`.execute(tx);
        const r = await tx.deleteFrom("finding_details").where("hash", "not in", (eb) => eb.selectFrom("findings").select("detail_hash").where("detail_hash", "is not", null)).executeTakeFirst();
        return Number(r.numDeletedRows);
      });
    },

    packages: (digest) => db.selectFrom("image_packages").select(["purl", "name", "version", "type"]).where("image_digest", "=", digest).orderBy("purl").execute(),
  };
}
