// The audit log: every write through the API, with who did it.
import type { Kysely, Transaction } from "kysely";
import type { AuditRow, Database } from "./schema.js";

export interface AuditEntry {
  readonly actor: string;
  readonly action: string;
  readonly subject?: string;
  readonly detail?: unknown;
}

export interface AuditRepository {
  record(entry: AuditEntry, now: Date, db?: Kysely<Database> | Transaction<Database>): Promise<void>;
  recent(limit: number): Promise<AuditRow[]>;
}

export function auditRepository(db: Kysely<Database>): AuditRepository {
  return {
    async record(entry, now, tx = db) {
      await tx
        .insertInto("audit_log")
        .values({
          at: now.toISOString(),
          actor: entry.actor,
          action: entry.action,
          subject: entry.subject ?? null,
          detail_json: entry.detail === undefined ? null : JSON.stringify(entry.detail),
        })
        .execute();
    },
    recent: (limit) => db.selectFrom("audit_log").selectAll().orderBy("id", "desc").limit(limit).execute(),
  };
}
