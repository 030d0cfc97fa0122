// Runs an explorer query over the store (contracts.md "Explorer API"): the whole path is one SQL
// query (compile.ts) ordered by the steps' keys and paged by keyset, then the page's node props and
// edge details are read in a few batched queries (results.ts).
//
// Paths are distinct by their node keys. Link tables (a workload's containers, an image's tags, a
// vulnerability in several packages) can make one path appear on several consecutive SQL rows;
// they are folded here, and the keyset cursor (strictly after the last key tuple) never repeats
// them on the next page. A page is refilled until it holds `limit` paths or the rows run out (at
// most MAX_REFILLS round trips; a shorter page still carries nextCursor when more may follow).
import { createHash } from "node:crypto";
import { PostgresAdapter, sql, type Kysely } from "kysely";
import type { Database } from "../../store/schema.js";
import { compileQuery, isVulnIdFilter, vulnIdKey, vulnIdLookup, type CompileContext, type Dialect } from "./compile.js";
import { formatQuery, QueryError, type QueryAst } from "./query.js";
import { buildResult, type ExploreNode, type ExplorePath, type KeyValue, type PageRow } from "./results.js";

export type { ExploreEdge, ExploreNode, ExplorePath } from "./results.js";

export const EXPLORE_DEFAULT_LIMIT = 50;
export const EXPLORE_MAX_LIMIT = 500;
/** SQL round trips to fill one page when rows repeat paths (each fetches at least limit+1 rows). */
const MAX_REFILLS = 8;
const MAX_ROWS_PER_ROUND = 4096;

export interface ExploreOptions {
  readonly limit?: number;
  readonly cursor?: string | null;
  /** Reference time for relative filters (now-30d); default the current time. */
  readonly now?: Date;
  /** The store's dialect; detected from the Kysely instance when absent. */
  readonly dialect?: Dialect;
}

export interface ExploreResponse {
  readonly query: string;
  readonly ast: QueryAst;
  readonly nodes: Record<string, ExploreNode>;
  readonly paths: ExplorePath[];
  readonly nextCursor: string | null;
}

export function dialectOf(db: Kysely<Database>): Dialect {
  return db.getExecutor().adapter instanceof PostgresAdapter ? "postgres" : "sqlite";
}

/** A cursor names its query (so it cannot be replayed on another one) and the last key tuple. */
function queryTag(text: string): string {
  return createHash("sha256").update(text).digest("hex").slice(0, 16);
}

function encodeCursor(text: string, keys: readonly KeyValue[]): string {
  return Buffer.from(JSON.stringify({ q: queryTag(text), k: keys })).toString("base64url");
}

function decodeCursor(cursor: string, text: string, kinds: readonly ("int" | "text")[]): KeyValue[] {
  const bad = (why: string) => new QueryError(`invalid cursor: ${why}`);
  if (cursor.length > 8192 || !/^[A-Za-z0-9_-]+$/.test(cursor)) throw bad("not a cursor from this API");
  let v: unknown;
  try {
    v = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
  } catch {
    throw bad("not a cursor from this API");
  }
  const o = typeof v === "object" && v !== null ? (v as Record<string, unknown>) : {};
  if (o.q !== queryTag(text)) throw bad("it belongs to another query");
  const k = o.k;
  if (!Array.isArray(k) || k.length !== kinds.length) throw bad("wrong shape");
  return k.map((x: unknown, i) => {
    if (kinds[i] === "int" ? typeof x === "number" && Number.isSafeInteger(x) : typeof x === "string") return x as KeyValue;
    throw bad("wrong shape");
  });
}

function checkLimit(limit: number | undefined): number {
  const n = limit ?? EXPLORE_DEFAULT_LIMIT;
  if (!Number.isSafeInteger(n) || n < 1 || n > EXPLORE_MAX_LIMIT) throw new QueryError(`limit must be an integer from 1 to ${EXPLORE_MAX_LIMIT}`, undefined, undefined, n > EXPLORE_MAX_LIMIT ? "limit" : "input");
  return n;
}

/** PostgreSQL returns integers as numbers (int4) or strings (int8); keys are compared as numbers. */
function keyValue(v: unknown, kind: "int" | "text"): KeyValue {
  return kind === "int" ? Number(v) : String(v);
}

export async function executeQuery(db: Kysely<Database>, ast: QueryAst, opts: ExploreOptions = {}): Promise<ExploreResponse> {
  const limit = checkLimit(opts.limit);
  const text = formatQuery(ast);
  const dialect = opts.dialect ?? dialectOf(db);
  const types = ast.steps.map((s) => s.type);

  // `internet` alone: the single pseudo node, when anything is exposed.
  if (types.every((t) => t === "internet")) {
    if (opts.cursor) return { query: text, ast, nodes: {}, paths: [], nextCursor: null };
    const any = await db.selectFrom("workloads").select("id").where("internet_exposed", "=", 1).where("removed_at", "is", null).limit(1).executeTakeFirst();
    const r = any ? await buildResult(db, types, [{ steps: [{ keys: [], extra: {} }] }]) : { nodes: {}, paths: [] };
    return { query: text, ast, ...r, nextCursor: null };
  }

  const cc = { dialect, now: opts.now ?? new Date() };
  const compiled = compileQuery(ast, { ...cc, vulnIds: await lookUpVulnIds(db, ast, cc) });
  const kinds = compiled.steps.flatMap((s) => s.keyKinds);
  let after: KeyValue[] | undefined = opts.cursor ? decodeCursor(opts.cursor, text, kinds) : undefined;

  const rows: (PageRow & { flat: KeyValue[] })[] = [];
  let exhausted = false;
  for (let round = 0; round < MAX_REFILLS && rows.length <= limit; round++) {
    // Repeated rows mean more repeats: read more per round (bounded) so pages fill in few trips.
    const want = Math.min(MAX_ROWS_PER_ROUND, (limit + 1 - rows.length) << round);
    const result = await compiled.page(after, want).execute(db);
    const raw = result.rows as Record<string, unknown>[];
    for (const r of raw) {
      const steps = compiled.steps.map((s) => ({
        keys: s.keyColumns.map((c, j) => keyValue(r[c], s.keyKinds[j]!)),
        extra: Object.fromEntries(s.extraColumns.map((c) => [c.slice(c.indexOf("_") + 1), r[c]])),
      }));
      const flat = steps.flatMap((s) => s.keys);
      const last = rows.at(-1);
      if (last && last.flat.every((v, i) => v === flat[i])) continue;
      if (rows.length <= limit) rows.push({ steps, flat });
    }
    if (raw.length < want) {
      exhausted = true;
      break;
    }
    // Continue strictly after the last row read (its path is already on the page).
    after = rows.at(-1)?.flat;
  }
  const hasMore = rows.length > limit || !exhausted;
  const pageRows = rows.slice(0, limit);
  const lastKeys = pageRows.at(-1)?.flat;
  const { nodes, paths } = await buildResult(db, types, pageRows);
  return { query: text, ast, nodes, paths, nextCursor: hasMore && lastKeys ? encodeCursor(text, lastKeys) : null };
}

/** More ids than this stay a subquery (a glob matching half the advisories is no constant list). */
const MAX_LOOKED_UP_IDS = 1000;

/** Resolves vulnerability id/alias filters to id lists first (see CompileContext.vulnIds). */
async function lookUpVulnIds(db: Kysely<Database>, ast: QueryAst, cc: CompileContext): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  for (const s of ast.steps) {
    for (const f of s.filters) {
      if (!isVulnIdFilter(s.type, f) || out.has(vulnIdKey(f))) continue;
      const rows = (await vulnIdLookup(cc, f, MAX_LOOKED_UP_IDS + 1).execute(db)).rows as { id: string }[];
      if (rows.length <= MAX_LOOKED_UP_IDS) out.set(vulnIdKey(f), rows.map((r) => r.id));
    }
  }
  return out;
}

/**
 * The plan the store chooses for a query's first page, a line per node (SQLite's EXPLAIN QUERY PLAN
 * details, PostgreSQL's EXPLAIN text), for benchmarks and tests. The bound values are written into
 * the text so both planners see the constants a real execution binds.
 */
export async function explainPlan(db: Kysely<Database>, ast: QueryAst, limit = EXPLORE_DEFAULT_LIMIT): Promise<string[]> {
  const cc = { dialect: dialectOf(db), now: new Date() };
  const c = compileQuery(ast, { ...cc, vulnIds: await lookUpVulnIds(db, ast, cc) }).page(undefined, limit + 1).compile(db);
  const lit = (v: unknown) => (typeof v === "number" ? String(v) : `'${String(v).replace(/'/g, "''")}'`);
  let k = 0;
  const text = cc.dialect === "postgres" ? c.sql.replace(/\$(\d+)/g, (_, i: string) => lit(c.parameters[Number(i) - 1])) : c.sql.replace(/\?/g, () => lit(c.parameters[k++]));
  const rows = (await sql.raw<Record<string, unknown>>(`EXPLAIN ${cc.dialect === "sqlite" ? "QUERY PLAN " : ""}${text}`).execute(db)).rows;
  return rows.map((r) => String(r.detail ?? r["QUERY PLAN"]));
}
