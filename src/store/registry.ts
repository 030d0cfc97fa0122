// Registry repositories, tags with their push and pull history, and the received registry events
// (by envelope id, so a redelivered event is recognised and changes nothing).
import type { Kysely, Transaction } from "kysely";
import type { Database, TagRow } from "./schema.js";

type Db = Kysely<Database> | Transaction<Database>;

export interface ReceivedEvent {
  readonly eventId: string;
  readonly action: string;
  readonly digest?: string;
  readonly repository?: string;
  readonly raw: unknown;
}

export interface ImageLocation {
  readonly host: string;
  readonly repository: string;
  readonly tag?: string;
}

export interface RegistryRepository {
  /** Records an event id; false when it was received before (the caller then does nothing). */
  markReceived(ev: ReceivedEvent, now: Date, db?: Db): Promise<boolean>;
  /** The registry repository's id, created when new. */
  repositoryId(host: string, name: string, now: Date, db?: Db): Promise<number>;
  recordPush(loc: ImageLocation, digest: string, at: Date, actor: string | undefined, db?: Db): Promise<void>;
  recordPull(loc: ImageLocation, digest: string, at: Date, actor: string | undefined, db?: Db): Promise<void>;
  recordDelete(loc: ImageLocation, digest: string | undefined, at: Date, actor: string | undefined, db?: Db): Promise<void>;
  /** Where a digest is stored: repositories and tags, with push and last pull times. */
  locations(digest: string): Promise<{ host: string; repository: string; tag: string | null; pushedAt: string | null; lastPulledAt: string | null }[]>;
  /** The newest push or pull of a digest, or undefined. */
  lastEvent(digest: string, action: "push" | "pull"): Promise<string | undefined>;
  tags(host: string, name: string): Promise<TagRow[]>;
  eventCount(): Promise<number>;
  /** Which of these registry hosts the store has repositories of (registries that sent events). */
  knownHosts(hosts: readonly string[], db?: Db): Promise<Set<string>>;
}

export function registryRepository(db: Kysely<Database>): RegistryRepository {
  async function repositoryId(host: string, name: string, now: Date, tx: Db = db): Promise<number> {
    await tx
      .insertInto("registry_repositories")
      .values({ host, name, created_at: now.toISOString() })
      .onConflict((oc) => oc.columns(["host", "name"]).doNothing())
      .execute();
    const row = await tx.selectFrom("registry_repositories").select("id").where("host", "=", host).where("name", "=", name).executeTakeFirstOrThrow();
    return row.id;
  }

  async function history(tx: Db, repoId: number, digest: string, tag: string | undefined, action: string, at: Date, actor: string | undefined): Promise<void> {
    await tx
      .insertInto("image_events")
      .values({ registry_repository_id: repoId, digest, tag: tag ?? null, action, at: at.toISOString(), actor: actor ?? null })
      .execute();
  }

  return {
    async markReceived(ev, now, tx = db) {
      const r = await tx
        .insertInto("registry_events")
        .values({
          event_id: ev.eventId,
          action: ev.action,
          digest: ev.digest ?? null,
          repository: ev.repository ?? null,
          received_at: now.toISOString(),
          raw_json: JSON.stringify(ev.raw),
        })
        .onConflict((oc) => oc.column("event_id").doNothing())
        .executeTakeFirst();
      return Number(r.numInsertedOrUpdatedRows ?? 0n) > 0;
    },

    repositoryId,

    async recordPush(loc, digest, at, actor, tx = db) {
      const id = await repositoryId(loc.host, loc.repository, at, tx);
      await history(tx, id, digest, loc.tag, "push", at, actor);
      if (loc.tag) {
        await tx
          .insertInto("tags")
          .values({ registry_repository_id: id, tag: loc.tag, digest, pushed_at: at.toISOString(), last_pulled_at: null })
          .onConflict((oc) => oc.columns(["registry_repository_id", "tag"]).doUpdateSet({ digest, pushed_at: at.toISOString(), last_pulled_at: null }))
          .execute();
      }
    },

    async recordPull(loc, digest, at, actor, tx = db) {
      const id = await repositoryId(loc.host, loc.repository, at, tx);
      await history(tx, id, digest, loc.tag, "pull", at, actor);
      // A pull by digest updates every tag pointing at it in that repository.
      let q = tx.updateTable("tags").set({ last_pulled_at: at.toISOString() }).where("registry_repository_id", "=", id).where("digest", "=", digest);
      if (loc.tag) q = q.where("tag", "=", loc.tag);
      await q.execute();
    },

    async recordDelete(loc, digest, at, actor, tx = db) {
      const id = await repositoryId(loc.host, loc.repository, at, tx);
      if (digest) {
        await history(tx, id, digest, loc.tag, "delete", at, actor);
        await tx.deleteFrom("tags").where("registry_repository_id", "=", id).where("digest", "=", digest).execute();
      } else if (loc.tag) {
        await tx.deleteFrom("tags").where("registry_repository_id", "=", id).where("tag", "=", loc.tag).execute();
      }
    },

    async locations(digest) {
      const tagged = await db
        .selectFrom("tags")
        .innerJoin("registry_repositories as r", "r.id", "tags.registry_repository_id")
        .select(["r.host", "r.name", "tags.tag", "tags.pushed_at", "tags.last_pulled_at"])
        .where("tags.digest", "=", digest)
        .orderBy("r.host")
        .orderBy("r.name")
        .orderBy("tags.tag")
        .execute();
      const out: { host: string; repository: string; tag: string | null; pushedAt: string | null; lastPulledAt: string | null }[] = tagged.map((t) => ({ host: t.host, repository: t.name, tag: t.tag, pushedAt: t.pushed_at, lastPulledAt: t.last_pulled_at }));
      const untagged = await db
        .selectFrom("image_events as e")
        .innerJoin("registry_repositories as r", "r.id", "e.registry_repository_id")
        .select(["r.host", "r.name"])
        .select((eb) => [eb.fn.max("e.at").as("pushed_at")])
        .where("e.digest", "=", digest)
        .where("e.action", "=", "push")
        .groupBy(["r.host", "r.name"])
        .execute();
      for (const u of untagged) {
        if (!out.some((o) => o.host === u.host && o.repository === u.name)) out.push({ host: u.host, repository: u.name, tag: null, pushedAt: u.pushed_at, lastPulledAt: null });
      }
      return out;
    },

    async lastEvent(digest, action) {
      const r = await db
        .selectFrom("image_events")
        .select((eb) => eb.fn.max("at").as("at"))
        .where("digest", "=", digest)
        .where("action", "=", action)
        .executeTakeFirst();
      return r?.at ?? undefined;
    },

    tags: (host, name) =>
      db
        .selectFrom("tags")
        .innerJoin("registry_repositories as r", "r.id", "tags.registry_repository_id")
        .selectAll("tags")
        .where("r.host", "=", host)
        .where("r.name", "=", name)
        .orderBy("tags.tag")
        .execute(),

    async knownHosts(hosts, tx = db) {
      if (hosts.length === 0) return new Set();
      const rows = await tx.selectFrom("registry_repositories").select("host").distinct().where("host", "in", [...new Set(hosts)]).execute();
      return new Set(rows.map((r) => r.host));
    },

    async eventCount() {
      const r = await db.selectFrom("registry_events").select((eb) => eb.fn.countAll<string | number>().as("n")).executeTakeFirstOrThrow();
      return Number(r.n);
    },
  };
}
