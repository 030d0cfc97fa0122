// Compiles an explorer path query into ONE SQL query over the store: each step is a table alias,
// each edge adds its link table(s) and join predicates, each filter a WHERE predicate (aggregates
// over findings as EXISTS / correlated subqueries on open findings). Inner joins are written as a
// FROM list with the predicates in WHERE, so both planners choose the driving side freely.
//
// The SQL is built with Kysely's `sql` template: values are always bound parameters; identifiers
// are generated here (aliases s0…, l0…), never taken from the query. Everything is portable between
// SQLite and PostgreSQL except three guarded helpers (JSON arrays, string position, first JSON
// element), spelled per dialect below.
import { sql, type RawBuilder } from "kysely";
import { EDGES, FIELDS, SEVERITY_ORDER, type EdgeSpec, type FieldKind, type NodeType } from "./schema.js";
import { QueryError, type Filter, type QueryAst } from "./query.js";

export type Sql = RawBuilder<unknown>;
export type Dialect = "sqlite" | "postgres";

export interface CompileContext {
  readonly dialect: Dialect;
  /** "now" for relative times (now-30d). */
  readonly now: Date;
  /**
   * Vulnerability ids (and aliases) a filter names, looked up before the query (vulnIdLookup):
   * constants give both planners exact estimates. Keyed by vulnIdKey; a filter without an entry
   * compiles to the equivalent subquery.
   */
  readonly vulnIds?: ReadonlyMap<string, readonly string[]>;
}

/** Mutable per-compilation state: fresh aliases. */
class Aliases {
  private n = 0;
  next(prefix: string): string {
    return `${prefix}${this.n++}`;
  }
}

interface Ctx extends CompileContext {
  readonly aliases: Aliases;
}

const ref = (alias: string, col: string): Sql => sql.ref(`${alias}.${col}`);
const TRUE: Sql = sql`1 = 1`;
const FALSE: Sql = sql`1 = 0`;
const and = (xs: readonly Sql[]): Sql => (xs.length === 0 ? TRUE : xs.length === 1 ? xs[0]! : sql`(${sql.join([...xs], sql` AND `)})`);
const or = (xs: readonly Sql[]): Sql => (xs.length === 0 ? FALSE : xs.length === 1 ? xs[0]! : sql`(${sql.join([...xs], sql` OR `)})`);
const not = (x: Sql): Sql => sql`NOT (${x})`;
const exists = (from: Sql, where: readonly Sql[]): Sql => sql`EXISTS (SELECT 1 FROM ${from} WHERE ${and(where)})`;
const table = (name: string, alias: string): Sql => sql`${sql.table(name)} AS ${sql.id(alias)}`;

// ---------------------------------------------------------------------------------------------
// Dialect helpers (the only dialect-specific SQL; each guarded by ctx.dialect).

/** FROM item: the elements of a JSON string array, as column `value` of `alias`. */
function jsonStrings(ctx: Ctx, json: Sql, alias: string): Sql {
  return ctx.dialect === "postgres" ? sql`json_array_elements_text(${json}::json) AS ${sql.id(alias)}(value)` : sql`json_each(${json}) AS ${sql.id(alias)}`;
}

/** FROM item: the objects of a JSON array, as `alias`; read a member with jsonMember. */
function jsonObjects(ctx: Ctx, json: Sql, alias: string): Sql {
  return ctx.dialect === "postgres" ? sql`json_array_elements(${json}::json) AS ${sql.id(alias)}(value)` : sql`json_each(${json}) AS ${sql.id(alias)}`;
}

function jsonMember(ctx: Ctx, alias: string, key: string): Sql {
  return ctx.dialect === "postgres" ? sql`(${ref(alias, "value")} ->> ${sql.lit(key)})` : sql`json_extract(${ref(alias, "value")}, ${sql.lit(`$.${key}`)})`;
}

/** The first element of a JSON array of strings (null when empty). */
function jsonFirst(ctx: Ctx, json: Sql): Sql {
  return ctx.dialect === "postgres" ? sql`(${json}::json ->> 0)` : sql`json_extract(${json}, '$[0]')`;
}

/** A repository URL "https://host/path": the host and the path. */
function urlHost(ctx: Ctx, url: Sql): Sql {
  const rest = sql`substr(${url}, 9)`;
  const pos = ctx.dialect === "postgres" ? sql`strpos(${rest}, '/')` : sql`instr(${rest}, '/')`;
  return sql`substr(${url}, 9, ${pos} - 1)`;
}
function urlPath(ctx: Ctx, url: Sql): Sql {
  const rest = sql`substr(${url}, 9)`;
  const pos = ctx.dialect === "postgres" ? sql`strpos(${rest}, '/')` : sql`instr(${rest}, '/')`;
  return sql`substr(${url}, 9 + ${pos})`;
}

// ---------------------------------------------------------------------------------------------
// Values.

/** A glob (`*` any run, `?` one character) as a LIKE pattern with `\` as the escape. */
export function globToLike(glob: string): string {
  let out = "";
  for (const ch of glob) {
    if (ch === "*") out += "%";
    else if (ch === "?") out += "_";
    else if (ch === "%" || ch === "_" || ch === "\\") out += `\\${ch}`;
    else out += ch;
  }
  return out;
}

/** Glob matching, case-insensitive on both stores (SQLite's LIKE is; PostgreSQL's is not). */
const like = (expr: Sql, glob: string): Sql => sql`lower(${expr}) LIKE lower(${globToLike(glob)}) ESCAPE '\\'`;

const DAY_MS = 86_400_000;
const UNIT_MS: Record<string, number> = { m: 60_000, h: 3_600_000, d: DAY_MS };

/** A normalised timestamp value as an interval [lo, hi): a date covers its day, an instant itself. */
export function timeInterval(value: string, now: Date): { lo: string; hi?: string } {
  const rel = /^now(?:-(\d{1,6})([mhd]))?$/.exec(value);
  if (rel) return { lo: new Date(now.getTime() - (rel[1] ? Number(rel[1]) * UNIT_MS[rel[2]!]! : 0)).toISOString() };
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) {
    const lo = new Date(`${value}T00:00:00.000Z`);
    return { lo: lo.toISOString(), hi: new Date(lo.getTime() + DAY_MS).toISOString() };
  }
  // A date-time without a zone is UTC (stored times are UTC; the server's zone must not matter).
  const withZone = /(Z|[+-]\d{2}:\d{2})$/.test(value) ? value : `${value}Z`;
  const t = Date.parse(withZone);
  if (Number.isNaN(t)) throw new QueryError(`not a timestamp: ${value}`);
  return { lo: new Date(t).toISOString() };
}

/** Rank of a stored severity ("none" ranks with negligible; anything unknown ranks 0). */
export function severityRank(s: string): number {
  if (s === "none") return 1;
  const i = (SEVERITY_ORDER as readonly string[]).indexOf(s);
  return i < 0 ? 0 : i;
}
const RANKED = ["negligible", "none", "low", "medium", "high", "critical"] as const;

/** A predicate on a severity column: its rank satisfies `test` (unknown strings rank 0). */
function severityWhere(col: Sql, test: (rank: number) => boolean): Sql {
  if (test(0)) {
    const out = RANKED.filter((s) => !test(severityRank(s)));
    return out.length === 0 ? TRUE : sql`${col} NOT IN (${sql.join(out)})`;
  }
  const inn = RANKED.filter((s) => test(severityRank(s)));
  return inn.length === 0 ? FALSE : sql`${col} IN (${sql.join(inn)})`;
}

function rankTest(op: Filter["op"], r: number): (x: number) => boolean {
  switch (op) {
    case "=":
      return (x) => x === r;
    case "!=":
      return (x) => x !== r;
    case ">":
      return (x) => x > r;
    case ">=":
      return (x) => x >= r;
    case "<":
      return (x) => x < r;
    case "<=":
      return (x) => x <= r;
    default:
      return () => true;
  }
}

/** A scalar expression compared with a filter value, per the field's kind. */
function compareScalar(ctx: Ctx, expr: Sql, kind: FieldKind, f: Filter): Sql {
  if (f.op === "exists") return sql`${expr} IS NOT NULL`;
  const v = f.value;
  if (kind.kind === "severity") {
    const r = severityRank(String(v));
    return f.op === "!=" ? or([sql`${expr} IS NULL`, severityWhere(expr, rankTest("!=", r))]) : severityWhere(expr, rankTest(f.op, r));
  }
  if (kind.kind === "timestamp") {
    const { lo, hi } = timeInterval(String(v), ctx.now);
    if (hi === undefined) return plainCompare(expr, f.op, lo);
    const inside = and([sql`${expr} >= ${lo}`, sql`${expr} < ${hi}`]);
    switch (f.op) {
      case "=":
        return inside;
      case "!=":
        return or([sql`${expr} IS NULL`, not(inside)]);
      case "<":
        return sql`${expr} < ${lo}`;
      case "<=":
        return sql`${expr} < ${hi}`;
      case ">":
        return sql`${expr} >= ${hi}`;
      default:
        return sql`${expr} >= ${lo}`;
    }
  }
  if (f.op === "~") return like(expr, String(v));
  return plainCompare(expr, f.op, kind.kind === "number" ? Number(v) : String(v));
}

function plainCompare(expr: Sql, op: Filter["op"], v: string | number): Sql {
  switch (op) {
    case "=":
      return sql`${expr} = ${v}`;
    case "!=":
      return or([sql`${expr} IS NULL`, sql`${expr} <> ${v}`]);
    case ">":
      return sql`${expr} > ${v}`;
    case ">=":
      return sql`${expr} >= ${v}`;
    case "<":
      return sql`${expr} < ${v}`;
    case "<=":
      return sql`${expr} <= ${v}`;
    default:
      throw new QueryError(`operator ${op} does not apply here`);
  }
}

/** Whether a boolean filter asks for true (bare field, =true, !=false). */
function wantsTrue(f: Filter): boolean {
  return f.op === "exists" ? true : f.op === "=" ? f.value === true : f.value !== true;
}

// ---------------------------------------------------------------------------------------------
// Fields: how each field of schema.ts FIELDS reads from a step's alias.

type FieldImpl =
  /** A scalar column or expression (string, number, timestamp, enum, severity column). */
  | { readonly expr: (a: string, ctx: Ctx) => Sql }
  /** A boolean: the predicate for "true" (must not be NULL). */
  | { readonly pred: (a: string, ctx: Ctx) => Sql }
  /** A multi-valued string: EXISTS an element satisfying `elem` (undefined: any element). */
  | { readonly some: (a: string, ctx: Ctx, elem: ((e: Sql) => Sql) | undefined) => Sql }
  | { readonly custom: (a: string, f: Filter, ctx: Ctx) => Sql };

const col = (c: string) => ({ expr: (a: string) => ref(a, c) });

/** Either the image's own digest or its index's: what is recorded about an index holds for its platform images. */
const digestOf = (a: string, column: Sql): Sql => sql`(${ref(a, "digest")} = ${column} OR ${ref(a, "index_digest")} = ${column})`;

function openFindings(ctx: Ctx, a: string, more: (f: string) => Sql[]): Sql {
  const f = ctx.aliases.next("f");
  return exists(table("findings", f), [sql`${ref(f, "image_digest")} = ${ref(a, "digest")}`, sql`${ref(f, "state")} = 'open'`, ...more(f)]);
}

const fixable = (f: string): Sql => or([sql`${ref(f, "fix_status")} = 'fixed'`, sql`${ref(f, "fixed_versions_json")} NOT IN ('[]', '')`]);

function clusterName(ctx: Ctx, a: string): Sql {
  const c = ctx.aliases.next("c");
  return sql`(SELECT ${ref(c, "name")} FROM ${table("clusters", c)} WHERE ${ref(c, "id")} = ${ref(a, "cluster_id")})`;
}

function providerField(a: string, f: Filter): Sql {
  const p = ref(a, "provider");
  const known = ["github", "gitlab", "azure"];
  if (f.op === "exists") return sql`${p} IS NOT NULL`;
  const hit = f.value === "other" ? sql`coalesce(${p}, '') NOT IN (${sql.join(known)})` : sql`coalesce(${p}, '') = ${String(f.value)}`;
  return f.op === "!=" ? not(hit) : hit;
}

/** Open findings' ids and their vulnerabilities' aliases. */
function vulnIdSome(ctx: Ctx, f: string, idCol: Sql, elem: ((e: Sql) => Sql) | undefined): Sql {
  if (!elem) return TRUE;
  const v = ctx.aliases.next("v");
  const j = ctx.aliases.next("j");
  const aliasHit = exists(sql`${table("vulnerabilities", v)}, ${jsonStrings(ctx, ref(v, "aliases_json"), j)}`, [sql`${ref(v, "id")} = ${idCol}`, elem(ref(j, "value"))]);
  return or([elem(idCol), aliasHit]);
}

const FIELD_IMPLS: { readonly [T in NodeType]: Readonly<Record<keyof (typeof FIELDS)[T] & string, FieldImpl>> } = {
  repository: {
    name: { expr: (a, ctx) => urlPath(ctx, ref(a, "url")) },
    host: { expr: (a, ctx) => urlHost(ctx, ref(a, "url")) },
    url: col("url"),
    owner: {
      some: (a, ctx, elem) => {
        const j = ctx.aliases.next("j");
        return exists(jsonStrings(ctx, ref(a, "owners_json"), j), elem ? [elem(ref(j, "value"))] : []);
      },
    },
    provider: { custom: (a, f) => providerField(a, f) },
  },
  pipelinerun: {
    provider: { custom: (a, f) => providerField(a, f) },
    workflow: col("workflow"),
    runId: col("run_id"),
    runUrl: col("run_url"),
    ref: col("ref"),
    commit: col("commit_sha"),
    actor: col("actor"),
    event: col("event"),
    verified: { pred: (a) => sql`coalesce(${ref(a, "auth")}, '') = 'oidc'` },
    startedAt: col("created_at"),
  },
  image: {
    digest: col("digest"),
    name: {
      some: (a, ctx, elem) => {
        const t = ctx.aliases.next("t");
        const g = ctx.aliases.next("g");
        const where = [sql`${ref(g, "id")} = ${ref(t, "registry_repository_id")}`, digestOf(a, ref(t, "digest"))];
        if (elem) where.push(elem(sql`(${ref(g, "host")} || '/' || ${ref(g, "name")})`));
        return exists(sql`${table("tags", t)}, ${table("registry_repositories", g)}`, where);
      },
    },
    platform: col("platform"),
    os: col("distro"),
    pushedAt: { expr: (a, ctx) => lastEvent(ctx, a, "push") },
    pulledAt: { expr: (a, ctx) => lastEvent(ctx, a, "pull") },
    scannedAt: col("scanned_at"),
    scanned: { pred: (a) => sql`${ref(a, "scan_status")} = 'scanned'` },
    signed: { pred: (a, ctx) => attested(ctx, a, "signature") },
    hasProvenance: { pred: (a, ctx) => attested(ctx, a, "provenance") },
    running: {
      pred: (a, ctx) => {
        const wi = ctx.aliases.next("wi");
        const w = ctx.aliases.next("w");
        return exists(sql`${table("workload_images", wi)}, ${table("workloads", w)}`, [digestOf(a, ref(wi, "digest")), sql`${ref(w, "id")} = ${ref(wi, "workload_id")}`, sql`${ref(w, "removed_at")} IS NULL`]);
      },
    },
    pushedBy: {
      custom: (a, f, ctx) => {
        const s = ctx.aliases.next("x");
        const linked = exists(table("image_sources", s), [digestOf(a, ref(s, "image_digest"))]);
        if (f.op === "exists") return TRUE;
        const wantLinked = (f.value === "repository") === (f.op === "=");
        return wantLinked ? linked : not(linked);
      },
    },
    "vuln.severity": {
      custom: (a, f, ctx) => {
        const any = openFindings(ctx, a, () => []);
        if (f.op === "exists") return any;
        const r = severityRank(String(f.value));
        const atLeast = (test: (x: number) => boolean) => openFindings(ctx, a, (x) => [severityWhere(ref(x, "severity"), test)]);
        // The highest open severity compared with r, without computing the maximum.
        switch (f.op) {
          case ">=":
            return atLeast((x) => x >= r);
          case ">":
            return atLeast((x) => x > r);
          case "=":
            return and([atLeast((x) => x === r), not(atLeast((x) => x > r))]);
          case "!=":
            return not(and([atLeast((x) => x === r), not(atLeast((x) => x > r))]));
          case "<":
            return and([any, not(atLeast((x) => x >= r))]);
          default:
            return and([any, not(atLeast((x) => x > r))]);
        }
      },
    },
    "vuln.count": {
      expr: (a, ctx) => {
        const f = ctx.aliases.next("f");
        return sql`(SELECT count(*) FROM ${table("findings", f)} WHERE ${ref(f, "image_digest")} = ${ref(a, "digest")} AND ${ref(f, "state")} = 'open')`;
      },
    },
    "vuln.id": { some: (a, ctx, elem) => openFindings(ctx, a, (f) => [vulnIdSome(ctx, f, ref(f, "vulnerability_id"), elem)]) },
    "vuln.fixable": { pred: (a, ctx) => openFindings(ctx, a, (f) => [fixable(f)]) },
    "vuln.kev": {
      pred: (a, ctx) =>
        openFindings(ctx, a, (f) => {
          const v = ctx.aliases.next("v");
          return [exists(table("vulnerabilities", v), [sql`${ref(v, "id")} = ${ref(f, "vulnerability_id")}`, sql`${ref(v, "kev")} = 1`])];
        }),
    },
  },
  registry: { host: col("host"), name: col("name") },
  tag: { name: col("tag"), pushedAt: col("pushed_at"), pulledAt: col("last_pulled_at") },
  workload: {
    name: col("name"),
    kind: col("kind"),
    namespace: col("namespace"),
    cluster: { expr: (a, ctx) => clusterName(ctx, a) },
    internetExposed: { pred: (a) => sql`${ref(a, "internet_exposed")} = 1` },
    podCount: col("pod_count"),
    removed: { pred: (a) => sql`${ref(a, "removed_at")} IS NOT NULL` },
  },
  namespace: { name: col("name"), cluster: { expr: (a, ctx) => clusterName(ctx, a) } },
  cluster: { name: col("name") },
  package: { name: col("name"), version: col("version"), type: col("type"), purl: col("purl") },
  vulnerability: {
    id: {
      // An uncorrelated IN (ids matching, or whose aliases match) lets the primary key drive.
      some: (a, ctx, elem) => {
        if (!elem) return TRUE;
        const v = ctx.aliases.next("v");
        const w = ctx.aliases.next("v");
        const j = ctx.aliases.next("j");
        return sql`${ref(a, "id")} IN (SELECT ${ref(v, "id")} FROM ${table("vulnerabilities", v)} WHERE ${elem(ref(v, "id"))} UNION SELECT ${ref(w, "id")} FROM ${table("vulnerabilities", w)}, ${jsonStrings(ctx, ref(w, "aliases_json"), j)} WHERE ${elem(ref(j, "value"))})`;
      },
    },
    severity: col("severity"),
    kev: { pred: (a) => sql`${ref(a, "kev")} = 1` },
    title: col("title"),
  },
  finding: {
    status: {
      custom: (a, f, ctx) => {
        if (f.op === "exists") return TRUE;
        const open = sql`${ref(a, "state")} = 'open'`;
        // New: open and first seen by the image's latest scan or re-match.
        const i = ctx.aliases.next("i");
        const fresh = exists(table("images", i), [sql`${ref(i, "digest")} = ${ref(a, "image_digest")}`, sql`${ref(a, "first_seen")} >= ${ref(i, "scanned_at")}`]);
        const hit = f.value === "fixed" ? sql`${ref(a, "state")} = 'fixed'` : f.value === "new" ? and([open, fresh]) : open;
        return f.op === "!=" ? not(hit) : hit;
      },
    },
    severity: col("severity"),
    fixable: { pred: (a) => fixable(a) },
    fixedVersion: { expr: (a, ctx) => jsonFirst(ctx, ref(a, "fixed_versions_json")) },
    firstSeen: col("first_seen"),
    fixedAt: col("fixed_at"),
  },
  service: {
    name: col("name"),
    namespace: col("namespace"),
    cluster: { expr: (a, ctx) => clusterName(ctx, a) },
    type: col("type"),
    internetExposed: { pred: (a) => sql`${ref(a, "internet_exposed")} = 1` },
  },
  ingress: {
    name: col("name"),
    namespace: col("namespace"),
    cluster: { expr: (a, ctx) => clusterName(ctx, a) },
    host: {
      some: (a, ctx, elem) => {
        const r = ctx.aliases.next("r");
        return exists(jsonObjects(ctx, ref(a, "rules_json"), r), elem ? [elem(jsonMember(ctx, r, "host"))] : []);
      },
    },
    internetExposed: { pred: (a) => sql`${ref(a, "internet_exposed")} = 1` },
  },
  internet: {},
};

function lastEvent(ctx: Ctx, a: string, action: "push" | "pull"): Sql {
  const e = ctx.aliases.next("e");
  return sql`(SELECT max(${ref(e, "at")}) FROM ${table("image_events", e)} WHERE ${digestOf(a, ref(e, "digest"))} AND ${ref(e, "action")} = ${action})`;
}

function attested(ctx: Ctx, a: string, kind: string): Sql {
  const x = ctx.aliases.next("x");
  return exists(table("attestations", x), [digestOf(a, ref(x, "image_digest")), sql`${ref(x, "kind")} = ${kind}`, sql`${ref(x, "verified")} = 1`]);
}

/** Field names without an implementation, or implementations without a field (for a test). */
export function fieldCoverageGaps(): string[] {
  const gaps: string[] = [];
  for (const [type, fields] of Object.entries(FIELDS) as [NodeType, Record<string, unknown>][]) {
    const impls = FIELD_IMPLS[type] as Record<string, FieldImpl>;
    for (const k of Object.keys(fields)) if (!Object.hasOwn(impls, k)) gaps.push(`${type}.${k}: no implementation`);
    for (const k of Object.keys(impls)) if (!Object.hasOwn(fields, k)) gaps.push(`${type}.${k}: not in the schema`);
  }
  return gaps;
}

/** Filters on a vulnerability id or alias (vulnerability.id, image vuln.id) that a lookup can resolve. */
export function isVulnIdFilter(type: NodeType, f: Filter): boolean {
  return ((type === "vulnerability" && f.field === "id") || (type === "image" && f.field === "vuln.id")) && f.op !== "exists";
}

export const vulnIdKey = (f: Filter): string => `${f.op === "~" ? "~" : "="}\u0000${String(f.value)}`;

/** The ids of vulnerabilities whose id or an alias matches the filter's value (= or glob). */
export function vulnIdLookup(cc: CompileContext, f: Filter, limit: number): Sql {
  const ctx: Ctx = { ...cc, aliases: new Aliases() };
  const v = String(f.value);
  const elem = (e: Sql): Sql => (f.op === "~" ? like(e, v) : sql`${e} = ${v}`);
  const j = ctx.aliases.next("j");
  return sql`SELECT id FROM (SELECT v.id FROM vulnerabilities v WHERE ${elem(sql.ref("v.id"))} UNION SELECT w.id FROM vulnerabilities w, ${jsonStrings(ctx, sql.ref("w.aliases_json"), j)} WHERE ${elem(ref(j, "value"))}) ids ORDER BY id LIMIT ${sql.lit(limit)}`;
}

function compileFilter(ctx: Ctx, type: NodeType, a: string, f: Filter): Sql {
  const ids = isVulnIdFilter(type, f) ? ctx.vulnIds?.get(vulnIdKey(f)) : undefined;
  if (ids) {
    const inList = (col: Sql): Sql => (ids.length === 0 ? FALSE : sql`${col} IN (${sql.join([...ids])})`);
    const hit = type === "vulnerability" ? inList(ref(a, "id")) : openFindings(ctx, a, (x) => [inList(ref(x, "vulnerability_id"))]);
    return f.op === "!=" ? not(hit) : hit;
  }
  const impl = (FIELD_IMPLS[type] as Record<string, FieldImpl>)[f.field];
  const spec = (FIELDS[type] as Record<string, { type: FieldKind }>)[f.field];
  if (!impl || !spec) throw new QueryError(`unknown field "${f.field}" for ${type}`);
  if ("custom" in impl) return impl.custom(a, f, ctx);
  if ("pred" in impl) {
    const p = impl.pred(a, ctx);
    return wantsTrue(f) ? p : not(p);
  }
  if ("some" in impl) {
    switch (f.op) {
      case "exists":
        return impl.some(a, ctx, undefined);
      case "~":
        return impl.some(a, ctx, (e) => like(e, String(f.value)));
      case "!=":
        return not(impl.some(a, ctx, (e) => sql`${e} = ${String(f.value)}`));
      default:
        return impl.some(a, ctx, (e) => sql`${e} = ${String(f.value)}`);
    }
  }
  return compareScalar(ctx, impl.expr(a, ctx), spec.type, f);
}

// ---------------------------------------------------------------------------------------------
// Steps and edges.

interface StepTable {
  readonly table: string;
  /** Key columns, in ORDER BY order; their values identify the node. */
  readonly keys: readonly string[];
  /** How each key compares: integer or text (checked when a cursor comes back). */
  readonly kinds: readonly ("int" | "text")[];
  /** Extra columns read for the page (package: the image that pins it). */
  readonly extras: readonly string[];
}

const I = "int" as const;
const X = "text" as const;

export const STEP_TABLES: { readonly [T in NodeType]: StepTable | undefined } = {
  repository: { table: "repositories", keys: ["id"], kinds: [I], extras: [] },
  pipelinerun: { table: "pipeline_runs", keys: ["id"], kinds: [I], extras: [] },
  image: { table: "images", keys: ["digest"], kinds: [X], extras: [] },
  registry: { table: "registry_repositories", keys: ["id"], kinds: [I], extras: [] },
  tag: { table: "tags", keys: ["registry_repository_id", "tag"], kinds: [I, X], extras: [] },
  workload: { table: "workloads", keys: ["id"], kinds: [I], extras: [] },
  namespace: { table: "namespaces", keys: ["cluster_id", "name"], kinds: [I, X], extras: [] },
  cluster: { table: "clusters", keys: ["id"], kinds: [I], extras: [] },
  package: { table: "image_packages", keys: ["purl"], kinds: [X], extras: ["image_digest"] },
  vulnerability: { table: "vulnerabilities", keys: ["id"], kinds: [X], extras: [] },
  finding: { table: "findings", keys: ["image_digest", "vulnerability_id", "package_purl"], kinds: [X, X, X], extras: [] },
  service: { table: "services", keys: ["cluster_id", "namespace", "name"], kinds: [I, X, X], extras: [] },
  ingress: { table: "ingresses", keys: ["cluster_id", "namespace", "name"], kinds: [I, X, X], extras: [] },
  internet: undefined,
};

interface EdgeSql {
  /** Link tables between the two steps. */
  readonly from: readonly Sql[];
  readonly where: readonly Sql[];
  /**
   * Link columns equal to one side's key columns (in STEP_TABLES key order). When the path enters
   * that side through this edge, the link comes first in FROM and the page is ordered by these
   * instead: SQLite does not carry an order through a join's equality, so ordering by the step's
   * own key made it sort every row (a CVE in 90,000 images: all of them for a page of 50), while
   * the link's index already yields them in this order and the sort stops at the page.
   */
  readonly keys?: { readonly a?: readonly Sql[]; readonly b?: readonly Sql[] };
}

/** Join predicates for an edge, a and b being the aliases of its a-side and b-side steps. */
type EdgeImpl = (a: string, b: string, ctx: Ctx) => EdgeSql;

const nsName = (a: string): Sql => sql`(${ref(a, "namespace")} || '/' || ${ref(a, "name")})`;

function link(ctx: Ctx, tableName: string, where: (l: string) => Sql[]): EdgeSql & { readonly alias: string } {
  const l = ctx.aliases.next("l");
  return { from: [table(tableName, l)], where: where(l), alias: l };
}

const EDGE_IMPLS: Readonly<Record<string, EdgeImpl>> = {
  "repository|pipelinerun|built": (a, b) => ({ from: [], where: [sql`${ref(b, "repository_id")} = ${ref(a, "id")}`] }),
  "pipelinerun|image|pushed": (a, b, ctx) => link(ctx, "image_sources", (l) => [sql`${ref(l, "pipeline_run_id")} = ${ref(a, "id")}`, digestOf(b, ref(l, "image_digest"))]),
  "image|repository|source": (a, b, ctx) => link(ctx, "image_sources", (l) => [sql`${ref(l, "repository_id")} = ${ref(b, "id")}`, digestOf(a, ref(l, "image_digest"))]),
  "image|registry|storedIn": (a, b, ctx) => link(ctx, "tags", (l) => [sql`${ref(l, "registry_repository_id")} = ${ref(b, "id")}`, digestOf(a, ref(l, "digest"))]),
  "registry|tag|hasTag": (a, b) => ({ from: [], where: [sql`${ref(b, "registry_repository_id")} = ${ref(a, "id")}`] }),
  "tag|image|pointsTo": (a, b) => ({ from: [], where: [digestOf(b, ref(a, "digest"))] }),
  "image|image|hasPlatform": (a, b) => ({ from: [], where: [sql`${ref(b, "index_digest")} = ${ref(a, "digest")}`] }),
  "workload|image|runs": (a, b, ctx) => link(ctx, "workload_images", (l) => [sql`${ref(l, "workload_id")} = ${ref(a, "id")}`, digestOf(b, ref(l, "digest"))]),
  "workload|namespace|in": (a, b) => ({ from: [], where: [sql`${ref(b, "cluster_id")} = ${ref(a, "cluster_id")}`, sql`${ref(b, "name")} = ${ref(a, "namespace")}`] }),
  "namespace|cluster|in": (a, b) => ({ from: [], where: [sql`${ref(b, "id")} = ${ref(a, "cluster_id")}`] }),
  "workload|service|exposedBy": (a, b, ctx) =>
    link(ctx, "workload_exposures", (l) => [sql`${ref(l, "workload_id")} = ${ref(a, "id")}`, sql`${ref(b, "cluster_id")} = ${ref(a, "cluster_id")}`, sql`${ref(l, "service")} = ${nsName(b)}`]),
  "workload|ingress|exposedBy": (a, b, ctx) =>
    link(ctx, "workload_exposures", (l) => [sql`${ref(l, "workload_id")} = ${ref(a, "id")}`, sql`${ref(b, "cluster_id")} = ${ref(a, "cluster_id")}`, sql`${ref(l, "ingress")} = ${nsName(b)}`]),
  "ingress|service|routesTo": (a, b, ctx) => {
    const r = ctx.aliases.next("r");
    return {
      from: [],
      where: [
        sql`${ref(b, "cluster_id")} = ${ref(a, "cluster_id")}`,
        sql`${ref(b, "namespace")} = ${ref(a, "namespace")}`,
        exists(jsonObjects(ctx, ref(a, "rules_json"), r), [sql`${jsonMember(ctx, r, "service")} = ${ref(b, "name")}`]),
      ],
    };
  },
  "service|namespace|in": (a, b) => ({ from: [], where: [sql`${ref(b, "cluster_id")} = ${ref(a, "cluster_id")}`, sql`${ref(b, "name")} = ${ref(a, "namespace")}`] }),
  "ingress|namespace|in": (a, b) => ({ from: [], where: [sql`${ref(b, "cluster_id")} = ${ref(a, "cluster_id")}`, sql`${ref(b, "name")} = ${ref(a, "namespace")}`] }),
  "image|package|contains": (a, b) => ({ from: [], where: [sql`${ref(b, "image_digest")} = ${ref(a, "digest")}`] }),
  "package|vulnerability|affectedBy": (a, b, ctx) => {
    const e = link(ctx, "findings", (l) => [
      sql`${ref(l, "image_digest")} = ${ref(a, "image_digest")}`,
      sql`${ref(l, "package_purl")} = ${ref(a, "purl")}`,
      sql`${ref(l, "vulnerability_id")} = ${ref(b, "id")}`,
      sql`${ref(l, "state")} = 'open'`,
    ]);
    return { ...e, keys: { b: [ref(e.alias, "vulnerability_id")] } };
  },
  "image|finding|has": (a, b) => ({ from: [], where: [sql`${ref(b, "image_digest")} = ${ref(a, "digest")}`] }),
  "finding|package|in": (a, b) => ({ from: [], where: [sql`${ref(b, "image_digest")} = ${ref(a, "image_digest")}`, sql`${ref(b, "purl")} = ${ref(a, "package_purl")}`] }),
  "finding|vulnerability|of": (a, b) => ({ from: [], where: [sql`${ref(b, "id")} = ${ref(a, "vulnerability_id")}`] }),
  "image|vulnerability|affectedBy": (a, b, ctx) => {
    const e = link(ctx, "findings", (l) => [sql`${ref(l, "image_digest")} = ${ref(a, "digest")}`, sql`${ref(l, "vulnerability_id")} = ${ref(b, "id")}`, sql`${ref(l, "state")} = 'open'`]);
    return { ...e, keys: { a: [ref(e.alias, "image_digest")], b: [ref(e.alias, "vulnerability_id")] } };
  },
  "internet|workload|reaches": (_a, b) => ({ from: [], where: [sql`${ref(b, "internet_exposed")} = 1`] }),
};

export const edgeKey = (e: EdgeSpec): string => `${e.a}|${e.b}|${e.name}`;

/** Edges without an implementation (for a test). */
export function edgeCoverageGaps(): string[] {
  return EDGES.filter((e) => !Object.hasOwn(EDGE_IMPLS, edgeKey(e))).map(edgeKey);
}

/** The edge between two consecutive steps, and whether the path follows it from a to b. */
export function stepEdge(from: NodeType, to: NodeType): { spec: EdgeSpec; forward: boolean } {
  const forward = EDGES.find((e) => e.a === from && e.b === to);
  if (forward) return { spec: forward, forward: true };
  const backward = EDGES.find((e) => e.a === to && e.b === from);
  if (backward) return { spec: backward, forward: false };
  throw new QueryError(`no edge between ${from} and ${to}`);
}

// ---------------------------------------------------------------------------------------------
// The whole query.

export interface CompiledStep {
  readonly type: NodeType;
  /** Alias in the SQL, undefined for the internet pseudo node. */
  readonly alias?: string;
  /** Result column names of this step's keys and extras. */
  readonly keyColumns: readonly string[];
  readonly keyKinds: readonly ("int" | "text")[];
  readonly extraColumns: readonly string[];
}

export interface Compiled {
  readonly steps: readonly CompiledStep[];
  /** All key result columns, in ORDER BY order. */
  readonly keyColumns: readonly string[];
  /** The query for one page: rows after `after` (the keys of the last row seen), at most `limit`. */
  page(after: readonly (string | number)[] | undefined, limit: number): Sql;
}

export function compileQuery(ast: QueryAst, cc: CompileContext): Compiled {
  const ctx: Ctx = { ...cc, aliases: new Aliases() };
  const from: Sql[] = [];
  const where: Sql[] = [];
  const select: Sql[] = [];
  const order: Sql[] = [];
  const steps: CompiledStep[] = [];
  ast.steps.forEach((s, i) => {
    const t = STEP_TABLES[s.type];
    const alias = t ? `s${i}` : undefined;
    const keyColumns: string[] = [];
    const keyKinds: ("int" | "text")[] = [];
    const extraColumns: string[] = [];
    const prev = steps[i - 1];
    let orderKeys: readonly Sql[] | undefined;
    if (prev) {
      const { spec, forward } = stepEdge(prev.type, s.type);
      const [a, b] = forward ? [prev.alias, alias] : [alias, prev.alias];
      const e = EDGE_IMPLS[edgeKey(spec)]!(a ?? "", b ?? "", ctx);
      from.push(...e.from);
      where.push(...e.where);
      orderKeys = forward ? e.keys?.b : e.keys?.a;
    }
    if (t && alias) {
      from.push(table(t.table, alias));
      t.keys.forEach((k, j) => {
        const name = `k${i}_${j}`;
        select.push(sql`${ref(alias, k)} AS ${sql.id(name)}`);
        order.push(orderKeys?.[j] ?? ref(alias, k));
        keyColumns.push(name);
        keyKinds.push(t.kinds[j]!);
      });
      for (const x of t.extras) {
        const name = `x${i}_${x}`;
        select.push(sql`${ref(alias, x)} AS ${sql.id(name)}`);
        extraColumns.push(name);
      }
      for (const f of s.filters) where.push(compileFilter(ctx, s.type, alias, f));
      // Workloads that left the cluster are history: only a filter on `removed` brings them back.
      if (s.type === "workload" && !s.filters.some((f) => f.field === "removed")) where.push(sql`${ref(alias, "removed_at")} IS NULL`);
    }
    steps.push({ type: s.type, ...(alias ? { alias } : {}), keyColumns, keyKinds, extraColumns });
  });
  const keyColumns = steps.flatMap((s) => s.keyColumns);
  const orderRefs = order;
  return {
    steps,
    keyColumns,
    page(after, limit) {
      const w = [...where];
      if (after && after.length > 0) {
        // Keyset: rows strictly after the last key tuple seen. The first key alone is repeated so
        // either planner can seek on it.
        w.push(sql`${orderRefs[0]!} >= ${after[0]!}`);
        w.push(sql`(${sql.join(orderRefs)}) > (${sql.join(after.map((v) => sql`${v}`))})`);
      }
      // SQLite follows the path: CROSS JOIN fixes its loop order to the FROM order (step, link,
      // step, …), so the first step drives, as the user wrote it (SQLite has no statistics on the
      // selectivity of most filters here and otherwise often scans images first). PostgreSQL plans
      // the comma list freely with its statistics.
      const joined = ctx.dialect === "sqlite" ? sql.join(from, sql` CROSS JOIN `) : sql.join(from);
      return sql`SELECT ${sql.join(select)} FROM ${joined} WHERE ${and(w)} ORDER BY ${sql.join(orderRefs)} LIMIT ${sql.lit(limit)}`;
    },
  };
}
