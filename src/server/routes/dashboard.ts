// GET /api/v1/dashboard and GET /api/v1/images (the web UI's dashboard and image list). Read-only,
// any API token role. Query parameters are validated here; the queries are in dashboard-data.ts.
import type { FastifyInstance } from "fastify";
import type { Repositories } from "../../store/index.js";
import { BerthError } from "../../util/errors.js";
import { requireAuth } from "../auth/tokens.js";
import { dashboard, IMAGE_SORTS, listImages, type ImageSort } from "./dashboard-data.js";

export interface DashboardRouteDeps {
  readonly repos: Repositories;
  readonly now?: () => Date;
}

export const MAX_IMAGE_PAGE = 500;
export const MAX_QUERY_TEXT = 200;

/** A whole number query parameter within [min, max], or the default when absent. */
export function intParam(name: string, v: unknown, def: number, min: number, max: number): number {
  if (v === undefined || v === "") return def;
  const n = typeof v === "string" && /^\d{1,9}$/.test(v) ? Number(v) : NaN;
  if (!Number.isInteger(n) || n < min || n > max) throw new BerthError("input", `${name}: expected a whole number from ${min} to ${max}`);
  return n;
}

function oneOf<T extends string>(name: string, v: unknown, allowed: readonly T[], def: T): T {
  if (v === undefined || v === "") return def;
  if (typeof v !== "string" || !(allowed as readonly string[]).includes(v)) throw new BerthError("input", `${name}: expected one of ${allowed.join(", ")}`);
  return v as T;
}

export function registerDashboardRoutes(app: FastifyInstance, deps: DashboardRouteDeps): void {
  const { repos } = deps;
  const now = deps.now ?? (() => new Date());
  const anyRole = { preHandler: requireAuth(repos, { roles: ["admin", "read", "ingest"] }) };

  app.get<{ Querystring: Record<string, string | undefined> }>("/api/v1/dashboard", anyRole, async (req) => {
    const days = intParam("days", req.query.days, 30, 1, 365);
    const staleDays = intParam("staleDays", req.query.staleDays, 7, 1, 365);
    return dashboard(repos.store.db, { days, staleDays, now: now() });
  });

  app.get<{ Querystring: Record<string, string | undefined> }>("/api/v1/images", anyRole, async (req) => {
    const limit = intParam("limit", req.query.limit, 50, 1, MAX_IMAGE_PAGE);
    const sort = oneOf<ImageSort>("sort", req.query.sort, IMAGE_SORTS, "created");
    const order = oneOf("order", req.query.order, ["asc", "desc"] as const, sort === "digest" ? "asc" : "desc");
    const q = req.query.q?.trim();
    if (q !== undefined && q.length > MAX_QUERY_TEXT) throw new BerthError("input", `q: longer than ${MAX_QUERY_TEXT} characters`);
    const cursor = req.query.cursor;
    if (cursor !== undefined && cursor.length > 2048) throw new BerthError("input", "cursor: not a cursor this API returned");
    return listImages(repos.store.db, { limit, sort, order, ...(q ? { q } : {}), ...(cursor ? { cursor } : {}) });
  });
}
