// The durable job queue, in the jobs table: enqueue deduplicated by key, claim with a lease (a
// worker that dies leaves a running job whose lease passes, and the job is taken again), complete,
// fail with backoff. On PostgreSQL the claim skips rows other workers hold (FOR UPDATE SKIP
// LOCKED); on SQLite the claim is one UPDATE … RETURNING statement, atomic under SQLite's lock.
import type { Kysely, Transaction } from "kysely";
import type { DialectKind } from "./migrations.js";
import type { Database, JobRow } from "./schema.js";

export interface EnqueueInput {
  readonly kind: string;
  readonly dedupeKey: string;
  readonly payload: unknown;
  readonly maxAttempts?: number;
}

export interface ClaimOptions {
  readonly worker: string;
  readonly leaseMs: number;
  readonly now: Date;
  readonly kinds?: readonly string[];
}

export interface JobRepository {
  /** Adds a job unless one with the same key is queued or running; true when added. */
  enqueue(job: EnqueueInput, now: Date, db?: Kysely<Database> | Transaction<Database>): Promise<boolean>;
  /** Takes the oldest due job (queued, or running with an expired lease), or undefined. */
  claim(opts: ClaimOptions): Promise<JobRow | undefined>;
  /** Extends the lease of a job this worker still holds. */
  heartbeat(id: number, worker: string, leaseMs: number, now: Date): Promise<boolean>;
  complete(id: number, worker: string, now: Date): Promise<void>;
  /** Records a failure: back to the queue after `retryInMs`, or failed for good after max attempts (or when `final`). */
  fail(id: number, worker: string, error: string, retryInMs: number, now: Date, final?: boolean): Promise<JobRow["status"]>;
  get(id: number): Promise<JobRow | undefined>;
  list(filter?: { readonly dedupeKey?: string; readonly status?: JobRow["status"] }): Promise<JobRow[]>;
}

const iso = (d: Date, plusMs = 0): string => new Date(d.getTime() + plusMs).toISOString();

export function jobRepository(db: Kysely<Database>, kind: DialectKind): JobRepository {
  return {
    async enqueue(job, now, tx = db) {
      const r = await tx
        .insertInto("jobs")
        .values({
          kind: job.kind,
          dedupe_key: job.dedupeKey,
          payload_json: JSON.stringify(job.payload),
          status: "queued",
          attempts: 0,
          max_attempts: job.maxAttempts ?? 5,
          run_after: iso(now),
          lease_until: null,
          worker: null,
          last_error: null,
          created_at: iso(now),
          updated_at: iso(now),
        })
        .onConflict((oc) => oc.doNothing())
        .executeTakeFirst();
      return Number(r.numInsertedOrUpdatedRows ?? 0n) > 0;
    },

    async claim(opts) {
      const now = iso(opts.now);
      let due = db
        .selectFrom("jobs")
        .select("id")
        .where((eb) => eb.or([eb.and([eb("status", "=", "queued"), eb("run_after", "<=", now)]), eb.and([eb("status", "=", "running"), eb("lease_until", "<", now)])]))
        .orderBy("run_after")
        .orderBy("id")
        .limit(1);
      if (opts.kinds?.length) due = due.where("kind", "in", [...opts.kinds]);
      if (kind === "postgres") due = due.forUpdate().skipLocked();
      const row = await db
        .updateTable("jobs")
        .set((eb) => ({
          status: "running",
          worker: opts.worker,
          lease_until: iso(opts.now, opts.leaseMs),
          attempts: eb("attempts", "+", 1),
          updated_at: now,
        }))
        .where("id", "=", (eb) => eb.selectFrom(due.as("due")).select("due.id"))
        .returningAll()
        .executeTakeFirst();
      return row;
    },

    async heartbeat(id, worker, leaseMs, now) {
      const r = await db
        .updateTable("jobs")
        .set({ lease_until: iso(now, leaseMs), updated_at: iso(now) })
        .where("id", "=", id)
        .where("worker", "=", worker)
        .where("status", "=", "running")
        .executeTakeFirst();
      return Number(r.numUpdatedRows) > 0;
    },

    async complete(id, worker, now) {
      await db
        .updateTable("jobs")
        .set({ status: "done", lease_until: null, last_error: null, updated_at: iso(now) })
        .where("id", "=", id)
        .where("worker", "=", worker)
        .execute();
    },

    async fail(id, worker, error, retryInMs, now, final = false) {
      const job = await db.selectFrom("jobs").selectAll().where("id", "=", id).executeTakeFirst();
      if (!job || job.worker !== worker) return job?.status ?? "failed";
      const status = final || job.attempts >= job.max_attempts ? "failed" : "queued";
      await db
        .updateTable("jobs")
        .set({ status, lease_until: null, last_error: error.slice(0, 2000), run_after: iso(now, retryInMs), updated_at: iso(now) })
        .where("id", "=", id)
        .where("worker", "=", worker)
        .execute();
      return status;
    },

    get: (id) => db.selectFrom("jobs").selectAll().where("id", "=", id).executeTakeFirst(),

    list(filter = {}) {
      let q = db.selectFrom("jobs").selectAll().orderBy("id");
      if (filter.dedupeKey) q = q.where("dedupe_key", "=", filter.dedupeKey);
      if (filter.status) q = q.where("status", "=", filter.status);
      return q.execute();
    },
  };
}
