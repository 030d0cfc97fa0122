// GET and POST /api/v1/explore: explorer path queries (contracts.md "Explorer API"). GET takes the
// text form in `q`; POST takes `{ query: "<text>" | <AST>, limit?, cursor? }`. Any API token role.
// A bad query, limit or cursor is a 400 naming the column (text) or JSON path (AST).
import type { FastifyInstance, FastifyReply } from "fastify";
import type { Repositories } from "../../store/index.js";
import { requireAuth } from "../auth/tokens.js";
import { executeQuery, EXPLORE_MAX_LIMIT } from "../explore/execute.js";
import { defaultQueryLimits, parseQuery, parseQueryJson, QueryError, type QueryAst } from "../explore/query.js";

export const EXPLORE_PATH = "/api/v1/explore";
/** Bodies carry one query (at most 2 KiB as text; an AST of 8 steps × 16 filters is a few KiB). */
const EXPLORE_BODY_LIMIT = 64 * 1024;

export interface ExploreRouteDeps {
  readonly repos: Repositories;
  readonly now?: () => Date;
}

function parseLimit(v: unknown): number | undefined {
  if (v === undefined || v === null || v === "") return undefined;
  const n = typeof v === "number" ? v : typeof v === "string" && /^\d{1,6}$/.test(v) ? Number(v) : NaN;
  if (!Number.isSafeInteger(n) || n < 1 || n > EXPLORE_MAX_LIMIT) throw new QueryError(`limit must be an integer from 1 to ${EXPLORE_MAX_LIMIT}`);
  return n;
}

function parseCursor(v: unknown): string | undefined {
  if (v === undefined || v === null || v === "") return undefined;
  if (typeof v !== "string") throw new QueryError("invalid cursor: must be a string");
  return v;
}

function parseAnyQuery(q: unknown): QueryAst {
  if (typeof q === "string") return parseQuery(q);
  if (typeof q === "object" && q !== null) return parseQueryJson(q);
  throw new QueryError(`must be the text form or the JSON form (an object with steps), limit ${defaultQueryLimits.maxLength} characters`, undefined, "query");
}

export function registerExploreRoutes(app: FastifyInstance, deps: ExploreRouteDeps): void {
  const auth = requireAuth(deps.repos, { roles: ["admin", "read", "ingest"] });
  const now = deps.now ?? (() => new Date());
  const db = deps.repos.store.db;
  const dialect = deps.repos.store.kind;

  const run = async (reply: FastifyReply, read: () => { ast: QueryAst; limit?: number; cursor?: string }) => {
    let input: { ast: QueryAst; limit?: number; cursor?: string };
    try {
      input = read();
      return await executeQuery(db, input.ast, { ...(input.limit !== undefined ? { limit: input.limit } : {}), cursor: input.cursor ?? null, now: now(), dialect });
    } catch (e) {
      // Every query problem (syntax, schema, limit, cursor) is the client's: 400 with the message.
      if (e instanceof QueryError) return reply.code(400).send({ error: "query", message: e.message });
      throw e;
    }
  };

  app.get<{ Querystring: Record<string, unknown> }>(EXPLORE_PATH, { preHandler: auth }, async (req, reply) =>
    run(reply, () => {
      const q = req.query.q;
      if (typeof q !== "string") throw new QueryError("give the query in the q parameter (once)", undefined, "q");
      const limit = parseLimit(req.query.limit);
      const cursor = parseCursor(req.query.cursor);
      return { ast: parseQuery(q), ...(limit !== undefined ? { limit } : {}), ...(cursor !== undefined ? { cursor } : {}) };
    }),
  );

  app.post<{ Body: unknown }>(EXPLORE_PATH, { preHandler: auth, bodyLimit: EXPLORE_BODY_LIMIT }, async (req, reply) =>
    run(reply, () => {
      const b = req.body;
      if (typeof b !== "object" || b === null || Array.isArray(b)) throw new QueryError('the body must be a JSON object { "query": … }', undefined, "$");
      const body = b as Record<string, unknown>;
      const limit = parseLimit(body.limit);
      const cursor = parseCursor(body.cursor);
      return { ast: parseAnyQuery(body.query), ...(limit !== undefined ? { limit } : {}), ...(cursor !== undefined ? { cursor } : {}) };
    }),
  );
}
