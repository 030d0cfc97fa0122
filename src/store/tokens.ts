// API tokens with roles, hashed at rest: a token is 32 random bytes (base64url, prefixed "berth_"),
// and only its sha256 is stored. The plain token is shown once, when created.
import { createHash, randomBytes } from "node:crypto";
import type { Kysely } from "kysely";
import type { ApiTokenRow, Database, TokenRole } from "./schema.js";

export const TOKEN_ROLES: readonly TokenRole[] = ["admin", "ingest", "read"];

export function isTokenRole(s: string): s is TokenRole {
  return (TOKEN_ROLES as readonly string[]).includes(s);
}

export function hashToken(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex");
}

export function newToken(): string {
  return `berth_${randomBytes(32).toString("base64url")}`;
}

export interface TokenRepository {
  /** Creates a token; returns the plain token (never stored) and its row id. */
  create(role: TokenRole, description: string | undefined, now: Date): Promise<{ id: number; token: string }>;
  /** The live (not revoked) token row for a presented token, or undefined. */
  verify(token: string): Promise<ApiTokenRow | undefined>;
  revoke(id: number, now: Date): Promise<boolean>;
}

export function tokenRepository(db: Kysely<Database>): TokenRepository {
  return {
    async create(role, description, now) {
      const token = newToken();
      const row = await db
        .insertInto("api_tokens")
        .values({ token_hash: hashToken(token), role, description: description ?? null, created_at: now.toISOString(), revoked_at: null })
        .returning("id")
        .executeTakeFirstOrThrow();
      return { id: row.id, token };
    },
    verify: (token) => db.selectFrom("api_tokens").selectAll().where("token_hash", "=", hashToken(token)).where("revoked_at", "is", null).executeTakeFirst(),
    async revoke(id, now) {
      const r = await db.updateTable("api_tokens").set({ revoked_at: now.toISOString() }).where("id", "=", id).where("revoked_at", "is", null).executeTakeFirst();
      return Number(r.numUpdatedRows) > 0;
    },
  };
}
