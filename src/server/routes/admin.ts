// Admin API (role admin): API tokens (list, create — the token is shown once —, revoke) and the
// server's status (database and migration, vulnerability DB, job queue, clusters, registries,
// settings). Every write is audited.
import { existsSync } from "node:fs";
import { sql } from "kysely";
import type { FastifyInstance } from "fastify";
import { isTokenRole, TOKEN_ROLES, type Repositories } from "../../store/index.js";
import { BerthError, describeError } from "../../util/errors.js";
import { dbPath, dbStatus } from "../../vulndb/index.js";
import { principalName, requireAuth } from "../auth/tokens.js";
import { intParam } from "./dashboard.js";
import type { AdmissionPolicy } from "../admission.js";
import type { RescanConfig } from "../rescan.js";

export interface AdminRouteDeps {
  readonly repos: Repositories;
  readonly now?: () => Date;
  /** The vulnerability DB cache directory the server scans with. */
  readonly cacheDir?: string;
  /** The policies this server enforces, reported as they are configured (flags, env, config file). */
  readonly policies?: {
    readonly admission: AdmissionPolicy;
    /** false: no rescans in this process. */
    readonly rescan: RescanConfig | false;
  };
}

/** Durations as the flags take them ("90d", "24h"), so the report reads like the configuration. */
function duration(ms: number): string {
  if (ms === 0) return "off";
  for (const [unit, size] of [["d", 86_400_000], ["h", 3_600_000], ["m", 60_000]] as const) if (ms % size === 0) return `${ms / size}${unit}`;
  return `${ms}ms`;
}

function policiesView(p: NonNullable<AdminRouteDeps["policies"]>) {
  return {
    admissionPolicy: p.admission,
    rescanPolicy:
      p.rescan === false
        ? { enabled: false }
        : { enabled: true, interval: duration(p.rescan.intervalMs), pushedWithin: duration(p.rescan.pushedWithinMs), pulledWithin: duration(p.rescan.pulledWithinMs), running: p.rescan.running },
  };
}

export const MAX_TOKEN_DESCRIPTION = 200;
const MAX_TOKENS_LISTED = 1_000;
/** Settings whose key looks like a credential are never shown. */
const HIDDEN_SETTING = /secret|token|password|credential/i;

function num(v: unknown): number {
  return typeof v === "bigint" ? Number(v) : Number(v ?? 0);
}

function parseTokenBody(body: unknown): { role: (typeof TOKEN_ROLES)[number]; description?: string } {
  if (typeof body !== "object" || body === null || Array.isArray(body)) throw new BerthError("input", "body must be a JSON object with role and description");
  const { role, description } = body as Record<string, unknown>;
  if (typeof role !== "string" || !isTokenRole(role)) throw new BerthError("input", `role: expected one of ${TOKEN_ROLES.join(", ")}`);
  if (description !== undefined && description !== null && typeof description !== "string") throw new BerthError("input", "description: must be a string");
  const d = typeof description === "string" ? description.trim() : "";
  if (d.length > MAX_TOKEN_DESCRIPTION) throw new BerthError("input", `description: longer than ${MAX_TOKEN_DESCRIPTION} characters`);
  return { role, ...(d ? { description: d } : {}) };
}

function vulnDbView(cacheDir: string | undefined, now: Date) {
  if (!cacheDir) return { available: false, message: "no cache directory configured" };
  const path = dbPath(cacheDir);
  if (!existsSync(path)) return { available: false, path, message: `no vulnerability database; run "berth db update --cache-dir ${cacheDir}"` };
  try {
    const s = dbStatus(path, { now });
    const m = s.metadata;
    return {
      available: true,
      path,
      schemaVersion: m.schemaVersion,
      builtAt: m.builtAt,
      updatedAt: m.updatedAt,
      ageMs: s.ageMs,
      stale: s.stale,
      ...(s.warning ? { warning: s.warning } : {}),
      ...(m.sourceLocation ? { sourceLocation: m.sourceLocation } : {}),
      ...(m.kevCatalogVersion ? { kevCatalogVersion: m.kevCatalogVersion } : {}),
      counts: m.counts,
      ecosystems: m.ecosystems,
      sources: m.sources,
    };
  } catch (e) {
    return { available: false, path, message: describeError(e) };
  }
}

export function registerAdminRoutes(app: FastifyInstance, deps: AdminRouteDeps): void {
  const { repos } = deps;
  const db = repos.store.db;
  const now = deps.now ?? (() => new Date());
  const admin = { preHandler: requireAuth(repos, { roles: ["admin"] }) };

  app.get("/api/v1/admin/tokens", admin, async () => {
    const rows = await db.selectFrom("api_tokens").select(["id", "role", "description", "created_at", "revoked_at"]).orderBy("id").limit(MAX_TOKENS_LISTED).execute();
    return { tokens: rows.map((r) => ({ id: r.id, role: r.role, description: r.description, createdAt: r.created_at, revokedAt: r.revoked_at })) };
  });

  app.post("/api/v1/admin/tokens", admin, async (req, reply) => {
    const { role, description } = parseTokenBody(req.body);
    const at = now();
    const { id, token } = await repos.tokens.create(role, description, at);
    await repos.audit.record({ actor: principalName(req.principal), action: "token.create", subject: `token:${id}`, detail: { role, description: description ?? null } }, at);
    return reply.code(201).send({ id, role, description: description ?? null, createdAt: at.toISOString(), token });
  });

  app.delete<{ Params: { id: string } }>("/api/v1/admin/tokens/:id", admin, async (req, reply) => {
    const id = intParam("id", req.params.id, 0, 1, 2_147_483_647);
    const at = now();
    if (!(await repos.tokens.revoke(id, at))) return reply.code(404).send({ error: "not-found", message: `no live token ${id}` });
    await repos.audit.record({ actor: principalName(req.principal), action: "token.revoke", subject: `token:${id}` }, at);
    return { id, revokedAt: at.toISOString() };
  });

  app.get("/api/v1/admin/status", admin, async () => {
    const t = now();
    const migrations = await sql<{ name: string }>`select name from kysely_migration order by name`.execute(db);
    const queue = await db.selectFrom("jobs").select(["kind", "status"]).select((eb) => eb.fn.countAll().as("n")).groupBy(["kind", "status"]).orderBy("kind").orderBy("status").execute();
    const byStatus: Record<string, number> = { queued: 0, running: 0, done: 0, failed: 0 };
    for (const q of queue) byStatus[q.status] = (byStatus[q.status] ?? 0) + num(q.n);
    const registries = await db
      .selectFrom("registry_repositories as r")
      .leftJoin("image_events as e", "e.registry_repository_id", "r.id")
      .select(["r.host"])
      .select((eb) => [eb.fn.count("r.id").distinct().as("repositories"), eb.fn.count("e.id").as("events"), eb.fn.max("e.at").as("lastEventAt")])
      .groupBy("r.host")
      .orderBy("r.host")
      .execute();
    const settings = await db.selectFrom("settings").select(["key", "value_json", "updated_at"]).orderBy("key").execute();
    return {
      generatedAt: t.toISOString(),
      database: { kind: repos.store.kind, migration: migrations.rows.at(-1)?.name ?? null, migrations: migrations.rows.map((m) => m.name) },
      vulnerabilityDb: vulnDbView(deps.cacheDir, t),
      queue: { byStatus, byKind: queue.map((q) => ({ kind: q.kind, status: q.status, count: num(q.n) })) },
      clusters: await repos.clusters.list(),
      registries: registries.map((r) => ({ host: r.host, repositories: num(r.repositories), events: num(r.events), lastEventAt: r.lastEventAt ?? null })),
      ...(deps.policies ? policiesView(deps.policies) : {}),
      settings: settings
        .filter((s) => !HIDDEN_SETTING.test(s.key))
        .map((s) => {
          let value: unknown = s.value_json;
          try {
            value = JSON.parse(s.value_json);
          } catch {
            // shown as stored
          }
          return { key: s.key, value, updatedAt: s.updated_at };
        }),
    };
  });
}
