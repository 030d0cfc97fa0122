// What a re-match run reads and writes at fleet scale (server/rematch.ts): per stored package its
// verdict key and the hash of the verdict its findings were last written from (migration 0005), so a
// run asks the DB once per distinct (ecosystem, name, version) and touches only the images whose
// verdicts changed; the compact match context (package JSON, image layers) those images are composed
// from without parsing their stored inventory; and the writes of one batch in one transaction.
import { sql, type Kysely } from "kysely";
import { applyPlans, chunks, replacePackageVerdicts, FINDING_STATE_COLUMNS, planFindings, upsertVulnerabilities, type FindingChanges, type FindingState, type StoredFinding, type StoredVulnerability } from "./images.js";
import type { PackageKey } from "./rescan.js";
import type { Selectable } from "kysely";
import type { DialectKind } from "./migrations.js";
import type { Database, PackageVerdictsTable } from "./schema.js";

/** A stored package a re-match asks about (package_verdicts: recorded with the image's match context). */
export interface MatchRow {
  readonly digest: string;
  readonly purl: string;
  readonly matchEcosystem: string;
  readonly matchName: string;
  readonly verdictKey: string;
  /** null: unknown (the findings were written by a scan). */
  readonly verdictHash: string | null;
  /** store/content-hash.ts findingContextHash. */
  readonly contextHash: string;
}

export interface MatchImage {
  readonly digest: string;
  /** images.match_image_json is recorded. */
  readonly hasContext: boolean;
}

/** Compact context recorded from a parsed inventory (the first re-match after a scan). */
export interface MatchContext {
  readonly digest: string;
  readonly matchImageJson: string;
  readonly packages: readonly { readonly purl: string; readonly matchEcosystem: string; readonly matchName: string; readonly verdictKey: string; readonly packageJson: string }[];
}

/** One image's re-match outcome; `scope` as in saveMatch (only findings of these purls). */
export interface MatchWrite {
  readonly digest: string;
  readonly findings: readonly StoredFinding[];
  readonly scope?: ReadonlySet<string>;
  /**
   * Images whose findings of `scope` were written from the same verdicts, packages and layers as
   * this one's and get the same findings now: the plan made against this image's stored findings is
   * applied to them too (store/images.ts applyPlans).
   */
  readonly also?: readonly string[];
}

/** The verdict hash of a key for some images' rows under one match name (one range of package_verdicts). */
export interface SharedVerdict {
  readonly digests: readonly string[];
  readonly matchName: string;
  readonly key: string;
  readonly hash: string;
}

export interface RematchRepository {
  /** Scanned images among `digests` (with a stored inventory). */
  images(digests: readonly string[]): Promise<MatchImage[]>;
  /** images.match_image_json ({distro?, image?} as the findings need them) by digest. */
  imageContexts(digests: readonly string[]): Promise<Map<string, string>>;
  /** Their matched packages, or only those under `keys` (a family ecosystem covers its sub-releases). */
  matchRows(digests: readonly string[], keys?: readonly PackageKey[]): Promise<MatchRow[]>;
  /** package_json by image of some packages (per image: purls, or absent for every package with one). */
  packageJsons(wanted: readonly { readonly digest: string; readonly purls?: readonly string[] }[]): Promise<Map<string, string[]>>;
  saveContexts(contexts: readonly MatchContext[]): Promise<void>;
  /**
   * One batch in one transaction: the vulnerabilities, each image's findings (the findings lifecycle
   * of store/images.ts writeFindings), the verdict hashes the written packages now reflect (by image
   * and verdict key), and matched_at/matched_db of every image the batch confirmed.
   */
  writeBatch(input: {
    readonly vulnerabilities: readonly StoredVulnerability[];
    readonly writes: readonly MatchWrite[];
    /** Per composed image, the verdict hash of each verdict key it was composed from. */
    readonly verdicts: readonly { readonly digest: string; readonly hashes: ReadonlyMap<string, string> }[];
    /** The same for images written together (MatchWrite.also): by key. */
    readonly sharedVerdicts?: readonly SharedVerdict[];
    readonly matched: readonly string[];
    readonly dbVersion: string | undefined;
    readonly at: string;
  }): Promise<FindingChanges>;
}

export function rematchRepository(db: Kysely<Database>, kind: DialectKind): RematchRepository {
  return {
    async images(digests) {
      const out: MatchImage[] = [];
      for (const part of chunks(digests)) {
        const rows = await db
          .selectFrom("images")
          .innerJoin("image_inventories as v", "v.digest", "images.digest")
          .select((eb) => ["images.digest", eb.case().when("match_image_json", "is", null).then(0).else(1).end().as("has_context")])
          .where("images.digest", "in", part)
          .execute();
        for (const r of rows) out.push({ digest: r.digest, hasContext: Number(r.has_context) === 1 });
      }
      return out;
    },

    async imageContexts(digests) {
      const out = new Map<string, string>();
      for (const part of chunks(digests)) {
        for (const r of await db.selectFrom("images").select(["digest", "match_image_json"]).where("digest", "in", part).execute()) if (r.match_image_json !== null) out.set(r.digest, r.match_image_json);
      }
      return out;
    },

    async matchRows(digests, keys) {
      const out: MatchRow[] = [];
      const add = (r: Selectable<PackageVerdictsTable>) => out.push({ digest: r.image_digest, purl: r.purl, matchEcosystem: r.match_ecosystem, matchName: r.match_name, verdictKey: r.verdict_key, verdictHash: r.verdict_hash, contextHash: r.context_hash });
      if (!keys) {
        for (const part of chunks(digests)) for (const r of await db.selectFrom("package_verdicts").selectAll().where("image_digest", "in", part).execute()) add(r);
        return out;
      }
      // A scoped job's images are a slice of the sorted selection (server/rematch.ts rematchJobs): per
      // name, one range of the primary key (match_name, image_digest, purl), whatever the fleet's size.
      const wanted = new Set(digests);
      const sorted = [...wanted].sort();
      if (sorted.length === 0) return out;
      for (const name of new Set(keys.map((k) => k.name))) {
        const rows = await db.selectFrom("package_verdicts").selectAll().where("match_name", "=", name).where("image_digest", ">=", sorted[0]!).where("image_digest", "<=", sorted.at(-1)!).execute();
        for (const r of rows) {
          if (!wanted.has(r.image_digest) || !keys.some((k) => k.name === r.match_name && (r.match_ecosystem === k.ecosystem || k.ecosystem.startsWith(`${r.match_ecosystem}:`)))) continue;
          add(r);
        }
      }
      return out;
    },

    async packageJsons(wanted) {
      const out = new Map<string, string[]>();
      const only = new Map(wanted.map((w) => [w.digest, w.purls ? new Set(w.purls) : undefined]));
      const purls = wanted.every((w) => w.purls) ? new Set(wanted.flatMap((w) => w.purls!)) : undefined;
      for (const part of chunks(wanted.map((w) => w.digest))) {
        let q = db.selectFrom("image_packages").select(["image_digest", "purl", "package_json"]).where("image_digest", "in", part).where("package_json", "is not", null);
        // Incremental batches compose a few packages per image: read only those.
        if (purls && purls.size <= 500) q = q.where("purl", "in", [...purls]);
        const rows = await q.execute();
        for (const r of rows) {
          const purls = only.get(r.image_digest);
          if (r.package_json === null || (purls && !purls.has(r.purl))) continue;
          const list = out.get(r.image_digest) ?? [];
          list.push(r.package_json);
          out.set(r.image_digest, list);
        }
      }
      return out;
    },

    async saveContexts(contexts) {
      if (contexts.length === 0) return;
      await db.transaction().execute(async (tx) => {
        for (const c of contexts) {
          await tx.updateTable("images").set({ match_image_json: c.matchImageJson }).where("digest", "=", c.digest).execute();
          for (const p of c.packages) await tx.updateTable("image_packages").set({ package_json: p.packageJson }).where("image_digest", "=", c.digest).where("purl", "=", p.purl).execute();
          // Verdict hashes unknown: findings are rewritten from the context next.
          await replacePackageVerdicts(tx, c.digest, c.matchImageJson, c.packages);
        }
      });
    },

    writeBatch(input) {
      return db.transaction().execute(async (tx) => {
        await upsertVulnerabilities(tx, input.vulnerabilities);
        // The stored findings of every written image in few reads (only the scoped packages' when every write is scoped to few).
        const purls = input.writes.every((w) => w.scope) ? new Set(input.writes.flatMap((w) => [...w.scope!])) : undefined;
        const stored: FindingState[] = [];
        for (const part of chunks(input.writes.map((w) => w.digest))) {
          let q = tx.selectFrom("findings").select(FINDING_STATE_COLUMNS).where("image_digest", "in", part);
          if (purls && purls.size <= 500) q = q.where("package_purl", "in", [...purls]);
          stored.push(...(await q.execute()));
        }
        const byImage = new Map<string, FindingState[]>();
        for (const f of stored) {
          const list = byImage.get(f.image_digest) ?? [];
          list.push(f);
          byImage.set(f.image_digest, list);
        }
        const plan = (w: MatchWrite) => planFindings(w.digest, w.findings, byImage.get(w.digest) ?? [], input.at, w.scope);
        const totals = await applyPlans(tx, input.writes.map((w) => ({ plan: plan(w), digests: [w.digest, ...(w.also ?? [])] })), input.at);
        // Each composed image's rows of the keys it was composed from: (image, key) pairs, the hash by key (one per run).
        for (const part of chunks(input.verdicts.flatMap((v) => [...v.hashes].map(([k, h]) => ({ digest: v.digest, key: k, hash: h }))))) {
          if (kind === "postgres") {
            // PostgreSQL turns `(a, b) IN (tuples)` into an OR of every pair, rechecked on each row
            // (3.9 s for 500 pairs at 100,000 images). Joined to the pairs as VALUES, it may still
            // hash-join a sequential scan of the table (0.4 s at 2,000 images); the batch's few
            // digests as a list make it read their rows by index (0.03 s at 100,000 images).
            // SQLite answers the IN list by index already.
            const pairs = sql.join(part.map((x) => sql`(${x.digest}, ${x.key}, ${x.hash})`));
            const digests = sql.join([...new Set(part.map((x) => x.digest))].map((d) => sql`${d}`));
            await sql`update package_verdicts as p set verdict_hash = v.column3 from (values ${pairs}) as v
              where p.image_digest in (${digests}) and p.image_digest = v.column1 and p.verdict_key = v.column2`.execute(tx);
            continue;
          }
          const byKey = new Map(part.map((x) => [x.key, x.hash]));
          const hash = sql<string>`case verdict_key ${sql.join([...byKey].map(([k, h]) => sql`when ${k} then ${h}`), sql` `)} else verdict_hash end`;
          await tx
            .updateTable("package_verdicts")
            .set({ verdict_hash: hash })
            .where((eb) => eb(eb.refTuple("image_digest", "verdict_key"), "in", part.map((x) => eb.tuple(x.digest, x.key))))
            .execute();
        }
        for (const v of input.sharedVerdicts ?? []) {
          for (const part of chunks(v.digests)) {
            await tx.updateTable("package_verdicts").set({ verdict_hash: v.hash }).where("match_name", "=", v.matchName).where("image_digest", "in", part).where("verdict_key", "=", v.key).execute();
          }
        }
        for (const part of chunks(input.matched)) await tx.updateTable("images").set({ matched_at: input.at, matched_db: input.dbVersion ?? null }).where("digest", "in", part).execute();
        return totals;
      });
    },
  };
}
