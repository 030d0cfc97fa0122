// What continuous rescans read and write (server/rescan*.ts, server/rematch.ts): small settings
// (scheduler last run, vulnerability DB version seen), which stored images a scheduled rescan
// re-matches, which images contain the packages an advisory names, the stored inventories a
// re-match reads, and the server's copy of the vulnerability DB's advisory index.
import type { Kysely, Transaction } from "kysely";
import { chunks } from "./images.js";
import type { Database } from "./schema.js";

type Db = Kysely<Database> | Transaction<Database>;

export interface RescanWindows {
  /** Images pushed (a tag or a push event) at or after this time. */
  readonly pushedSince?: Date;
  /** Images pulled at or after this time. */
  readonly pulledSince?: Date;
  /** Images a workload still running in a connected cluster uses. */
  readonly running: boolean;
}

/** An advisory key: ecosystem as the advisory writes it ("Debian:12", "Ubuntu:22.04:LTS") and normalised name. */
export interface PackageKey {
  readonly ecosystem: string;
  readonly name: string;
}

export interface StoredInventory {
  readonly digest: string;
  readonly inventoryJson: string;
  /** Stored packages with the key the matcher used ("" = not matched; null = stored before 0004). */
  readonly packages: readonly { readonly purl: string; readonly matchEcosystem: string | null; readonly matchName: string | null }[];
}

export interface AdvisoryIndexRow {
  readonly fingerprint: string;
  readonly packages: readonly string[];
}

export interface RescanRepository {
  getSetting<T>(key: string, db?: Db): Promise<T | undefined>;
  /** Sets a setting only when it still holds `expected` (undefined: absent); false when another process changed it first. */
  compareAndSetSetting(key: string, expected: unknown, value: unknown, now: Date, db?: Db): Promise<boolean>;
  /** Scanned images (with a stored inventory) inside any of the windows, with their platform images; sorted. */
  scheduledDigests(windows: RescanWindows): Promise<string[]>;
  /** Scanned images with a stored package under one of the keys (stored ecosystem covers the advisory's: equal or a family prefix); sorted. */
  digestsWithPackages(keys: readonly PackageKey[]): Promise<string[]>;
  inventories(digests: readonly string[]): Promise<StoredInventory[]>;
  /** The advisory index as last seen (rescan_advisories). */
  advisoryIndex(db?: Db): Promise<Map<string, AdvisoryIndexRow>>;
  /** Applies changes to the advisory index. */
  updateAdvisoryIndex(upserts: ReadonlyMap<string, AdvisoryIndexRow>, removed: readonly string[], db?: Db): Promise<void>;
}

/** True when a package stored under `stored` (matchKeys' ecosystem) is judged by advisories of `advisoryEcosystem`. */
export function ecosystemCovers(stored: string, advisoryEcosystem: string): boolean {
  return stored === advisoryEcosystem || advisoryEcosystem.startsWith(`${stored}:`);
}

/** "Ubuntu:22.04:LTS" → ["Ubuntu:22.04:LTS", "Ubuntu:22.04", "Ubuntu"]: the stored ecosystems that may cover it. */
function coveringEcosystems(advisoryEcosystem: string): string[] {
  const parts = advisoryEcosystem.split(":");
  return parts.map((_, i) => parts.slice(0, parts.length - i).join(":"));
}

export function rescanRepository(db: Kysely<Database>): RescanRepository {
  return {
    async getSetting<T>(key: string, tx: Db = db) {
      const row = await tx.selectFrom("settings").select("value_json").where("key", "=", key).executeTakeFirst();
      return row ? (JSON.parse(row.value_json) as T) : undefined;
    },

    async compareAndSetSetting(key, expected, value, now, tx = db) {
      const json = JSON.stringify(value);
      if (expected === undefined) {
        const r = await tx
          .insertInto("settings")
          .values({ key, value_json: json, updated_at: now.toISOString() })
          .onConflict((oc) => oc.column("key").doNothing())
          .executeTakeFirst();
        return Number(r.numInsertedOrUpdatedRows ?? 0n) > 0;
      }
      const r = await tx
        .updateTable("settings")
        .set({ value_json: json, updated_at: now.toISOString() })
        .where("key", "=", key)
        .where("value_json", "=", JSON.stringify(expected))
        .executeTakeFirst();
      return Number(r.numUpdatedRows) > 0;
    },

    async scheduledDigests(w) {
      const anchors = new Set<string>();
      if (w.pushedSince) {
        const since = w.pushedSince.toISOString();
        for (const r of await db.selectFrom("tags").select("digest").distinct().where("pushed_at", ">=", since).execute()) anchors.add(r.digest);
        for (const r of await db.selectFrom("image_events").select("digest").distinct().where("action", "=", "push").where("at", ">=", since).execute()) anchors.add(r.digest);
      }
      if (w.pulledSince) {
        const since = w.pulledSince.toISOString();
        for (const r of await db.selectFrom("tags").select("digest").distinct().where("last_pulled_at", ">=", since).execute()) anchors.add(r.digest);
        for (const r of await db.selectFrom("image_events").select("digest").distinct().where("action", "=", "pull").where("at", ">=", since).execute()) anchors.add(r.digest);
      }
      if (w.running) {
        const rows = await db
          .selectFrom("workload_images as i")
          .innerJoin("workloads as w", "w.id", "i.workload_id")
          .select("i.digest")
          .distinct()
          .where("w.removed_at", "is", null)
          .where("i.digest", "is not", null)
          .execute();
        for (const r of rows) if (r.digest) anchors.add(r.digest);
      }
      // A tag names an index; its platform images hold the inventories.
      const out = new Set<string>();
      for (const part of chunks([...anchors])) {
        const rows = await db
          .selectFrom("images")
          .innerJoin("image_inventories as v", "v.digest", "images.digest")
          .select("images.digest")
          .where((eb) => eb.or([eb("images.digest", "in", part), eb("images.index_digest", "in", part)]))
          .execute();
        for (const r of rows) out.add(r.digest);
      }
      return [...out].sort();
    },

    async digestsWithPackages(keys) {
      const wanted = new Map<string, Set<string>>();
      for (const k of keys) {
        const set = wanted.get(k.name) ?? new Set<string>();
        for (const e of coveringEcosystems(k.ecosystem)) set.add(e);
        wanted.set(k.name, set);
      }
      const out = new Set<string>();
      for (const part of chunks([...wanted.keys()])) {
        const rows = await db
          .selectFrom("image_packages")
          .select(["image_digest", "match_ecosystem", "match_name"])
          .distinct()
          .where("match_name", "in", part)
          .execute();
        for (const r of rows) if (r.match_name !== null && r.match_ecosystem !== null && wanted.get(r.match_name)?.has(r.match_ecosystem)) out.add(r.image_digest);
      }
      return [...out].sort();
    },

    async inventories(digests) {
      const out: StoredInventory[] = [];
      for (const part of chunks(digests)) {
        const images = await db.selectFrom("image_inventories").select(["digest", "inventory_json"]).where("digest", "in", part).execute();
        const pkgs = await db.selectFrom("image_packages").select(["image_digest", "purl", "match_ecosystem", "match_name"]).where("image_digest", "in", part).execute();
        const byImage = new Map<string, StoredInventory["packages"][number][]>();
        for (const p of pkgs) {
          const list = byImage.get(p.image_digest) ?? [];
          list.push({ purl: p.purl, matchEcosystem: p.match_ecosystem, matchName: p.match_name });
          byImage.set(p.image_digest, list);
        }
        for (const i of images) out.push({ digest: i.digest, inventoryJson: i.inventory_json, packages: byImage.get(i.digest) ?? [] });
      }
      return out;
    },

    async advisoryIndex(tx = db) {
      const rows = await tx.selectFrom("rescan_advisories").selectAll().execute();
      return new Map(rows.map((r) => [r.advisory_id, { fingerprint: r.fingerprint, packages: JSON.parse(r.packages_json) as string[] }]));
    },

    async updateAdvisoryIndex(upserts, removed, tx = db) {
      for (const part of chunks(removed)) await tx.deleteFrom("rescan_advisories").where("advisory_id", "in", part).execute();
      for (const part of chunks([...upserts])) {
        await tx
          .insertInto("rescan_advisories")
          .values(part.map(([id, r]) => ({ advisory_id: id, fingerprint: r.fingerprint, packages_json: JSON.stringify(r.packages) })))
          .onConflict((oc) => oc.column("advisory_id").doUpdateSet((eb) => ({ fingerprint: eb.ref("excluded.fingerprint"), packages_json: eb.ref("excluded.packages_json") })))
          .execute();
      }
    },
  };
}
