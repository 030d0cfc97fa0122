// Images and what a scan learnt about them: scan state, the stored inventory (the image's SBOM),
// its packages, the vulnerabilities and the findings with their lifecycle (first seen, fixed at).
import type { Kysely, Transaction } from "kysely";
import type { Database, FindingRow, ImageRow, ScanStatus } from "./schema.js";

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
  readonly packages: readonly StoredPackage[];
  readonly vulnerabilities: readonly StoredVulnerability[];
  readonly findings: readonly StoredFinding[];
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
  saveScan(scan: ScanResultInput, now: Date): Promise<void>;
  findings(digest: string, opts?: { readonly includeFixed?: boolean }): Promise<FindingRow[]>;
  packages(digest: string): Promise<StoredPackage[]>;
}

const CHUNK = 200;

/** Rows per multi-row statement: well under SQLite's and PostgreSQL's bound-parameter limits. */
export function chunks<T>(xs: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += CHUNK) out.push(xs.slice(i, i + CHUNK));
  return out;
}

export function imageRepository(db: Kysely<Database>): ImageRepository {
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
          inventory_json: null,
          created_at: now.toISOString(),
        })
        .onConflict((oc) => oc.column("digest").doNothing())
        .execute();
    },

    get: (digest, tx = db) => tx.selectFrom("images").selectAll().where("digest", "=", digest).executeTakeFirst(),

    async linkToIndex(digest, indexDigest, platform) {
      await db.updateTable("images").set({ index_digest: indexDigest, platform }).where("digest", "=", digest).where("index_digest", "is", null).execute();
    },

    children: (indexDigest) => db.selectFrom("images").selectAll().where("index_digest", "=", indexDigest).orderBy("platform").execute(),

    async setStatus(digest, status, error, now) {
      await db
        .updateTable("images")
        .set({ scan_status: status, scan_error: error, ...(status === "scanned" ? { scanned_at: now.toISOString() } : {}) })
        .where("digest", "=", digest)
        .execute();
    },

    async saveScan(scan, now) {
      const at = now.toISOString();
      await db.transaction().execute(async (tx) => {
        await tx
          .updateTable("images")
          .set({
            scan_status: "scanned",
            scan_error: null,
            scanned_at: at,
            distro: scan.distro ?? null,
            inventory_json: scan.inventoryJson,
            ...(scan.configDigest ? { config_digest: scan.configDigest } : {}),
          })
          .where("digest", "=", scan.digest)
          .execute();
        await tx.deleteFrom("image_packages").where("image_digest", "=", scan.digest).execute();
        const pkgs = [...new Map(scan.packages.map((p) => [p.purl, p])).values()];
        for (const part of chunks(pkgs)) {
          await tx
            .insertInto("image_packages")
            .values(part.map((p) => ({ image_digest: scan.digest, purl: p.purl, name: p.name, version: p.version, type: p.type })))
            // Two scans of one image may overlap (its own push and its index's): the last one wins.
            .onConflict((oc) =>
              oc.columns(["image_digest", "purl"]).doUpdateSet((eb) => ({ name: eb.ref("excluded.name"), version: eb.ref("excluded.version"), type: eb.ref("excluded.type") })),
            )
            .execute();
        }
        for (const part of chunks(scan.vulnerabilities)) {
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
        const seen = new Set<string>();
        const findings = scan.findings.filter((f) => {
          const k = `${f.vulnerabilityId}\n${f.packagePurl}`;
          if (seen.has(k)) return false;
          seen.add(k);
          return true;
        });
        for (const part of chunks(findings)) {
          await tx
            .insertInto("findings")
            .values(
              part.map((f) => ({
                image_digest: scan.digest,
                vulnerability_id: f.vulnerabilityId,
                package_purl: f.packagePurl,
                package_name: f.packageName,
                installed_version: f.installedVersion,
                fix_status: f.fixStatus,
                fixed_versions_json: JSON.stringify(f.fixedVersions),
                severity: f.severity,
                state: "open" as const,
                first_seen: at,
                last_seen: at,
                fixed_at: null,
                data_json: JSON.stringify(f.data),
              })),
            )
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
                data_json: eb.ref("excluded.data_json"),
              })),
            )
            .execute();
        }
        // Open findings this scan did not see are fixed now (their last_seen is older than `at`).
        await tx
          .updateTable("findings")
          .set({ state: "fixed", fixed_at: at })
          .where("image_digest", "=", scan.digest)
          .where("state", "=", "open")
          .where("last_seen", "<", at)
          .execute();
      });
    },

    findings(digest, opts = {}) {
      let q = db.selectFrom("findings").selectAll().where("image_digest", "=", digest);
      if (!opts.includeFixed) q = q.where("state", "=", "open");
      return q.orderBy("vulnerability_id").orderBy("package_purl").execute();
    },

    packages: (digest) => db.selectFrom("image_packages").select(["purl", "name", "version", "type"]).where("image_digest", "=", digest).orderBy("purl").execute(),
  };
}
