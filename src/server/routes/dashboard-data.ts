// The read models behind the dashboard and the image list: counts, open findings over time, mean
// time to fix, the riskiest internet-exposed workloads, recent scans and registry events, and a
// paginated, filtered image list. Plain Kysely that compiles for SQLite and PostgreSQL alike (times
// are ISO text, so day buckets are `substr(t, 1, 10)` and comparisons are text comparisons).
import { sql, type Kysely } from "kysely";
import { severityOrder, type SeverityLabel } from "../../model/finding.js";
import { chunks } from "../../store/images.js";
import type { Database } from "../../store/index.js";
import { BerthError } from "../../util/errors.js";

type Db = Kysely<Database>;
export type SeverityCounts = Record<SeverityLabel, number>;

const DAY = 86_400_000;
const MAX_EXPOSED_WORKLOADS = 5_000;
const MAX_FIXED_ROWS = 100_000;

export function emptyCounts(): SeverityCounts {
  return { critical: 0, high: 0, medium: 0, low: 0, none: 0, unknown: 0 };
}

function asSeverity(s: string): SeverityLabel {
  return (severityOrder as readonly string[]).includes(s) ? (s as SeverityLabel) : "unknown";
}

/** PostgreSQL returns counts as strings (bigint); SQLite as numbers. */
function num(v: unknown): number {
  return typeof v === "bigint" ? Number(v) : Number(v ?? 0);
}

function startOfDay(t: Date): Date {
  return new Date(Date.UTC(t.getUTCFullYear(), t.getUTCMonth(), t.getUTCDate()));
}

export interface DashboardOptions {
  /** Length of the findings series and the mean-time-to-fix window, in days. */
  readonly days: number;
  /** "Running but not scanned in N days". */
  readonly staleDays: number;
  readonly now: Date;
}

/** Open findings per severity of some images (platform images of an index count for it). */
async function openCountsByDigest(db: Db, digests: readonly string[]): Promise<Map<string, SeverityCounts>> {
  const out = new Map<string, SeverityCounts>();
  if (digests.length === 0) return out;
  const owner = new Map<string, string>(digests.map((d) => [d, d]));
  for (const part of chunks([...digests])) {
    for (const c of await db.selectFrom("images").select(["digest", "index_digest"]).where("index_digest", "in", part).execute()) if (c.index_digest) owner.set(c.digest, c.index_digest);
  }
  for (const part of chunks([...owner.keys()])) {
    const rows = await db
      .selectFrom("findings")
      .select(["image_digest", "severity"])
      .select((eb) => eb.fn.countAll().as("n"))
      .where("state", "=", "open")
      .where("image_digest", "in", part)
      .groupBy(["image_digest", "severity"])
      .execute();
    for (const r of rows) {
      const d = owner.get(r.image_digest) ?? r.image_digest;
      const c = out.get(d) ?? emptyCounts();
      c[asSeverity(r.severity)] += num(r.n);
      out.set(d, c);
    }
  }
  return out;
}

/** Registry names of digests ("host/repository:tag"), tags first, else repositories pushed to by digest. */
export async function namesOf(db: Db, digests: readonly string[]): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  for (const part of chunks([...digests])) {
    if (part.length === 0) continue;
    const tags = await db
      .selectFrom("tags")
      .innerJoin("registry_repositories as r", "r.id", "tags.registry_repository_id")
      .select(["tags.digest", "r.host", "r.name", "tags.tag", "tags.pushed_at"])
      .where("tags.digest", "in", part)
      .orderBy("tags.pushed_at", "desc")
      .orderBy("tags.tag")
      .execute();
    for (const t of tags) out.set(t.digest, [...(out.get(t.digest) ?? []), `${t.host}/${t.name}:${t.tag}`]);
    const missing = part.filter((d) => !out.has(d));
    if (missing.length === 0) continue;
    const pushed = await db
      .selectFrom("image_events as e")
      .innerJoin("registry_repositories as r", "r.id", "e.registry_repository_id")
      .select(["e.digest", "r.host", "r.name"])
      .distinct()
      .where("e.digest", "in", missing)
      .orderBy("r.host")
      .orderBy("r.name")
      .execute();
    for (const p of pushed) out.set(p.digest, [...(out.get(p.digest) ?? []), `${p.host}/${p.name}@${p.digest}`]);
  }
  return out;
}

async function counts(db: Db, opts: DashboardOptions) {
  const img = await db
    .selectFrom("images")
    .select((eb) => [
      eb.fn.countAll().as("total"),
      sql<number>`sum(case when scan_status = 'scanned' then 1 else 0 end)`.as("scanned"),
      sql<number>`sum(case when scanned_at is null then 1 else 0 end)`.as("never"),
    ])
    .where("index_digest", "is", null)
    .executeTakeFirst();
  const cutoff = new Date(opts.now.getTime() - opts.staleDays * DAY).toISOString();
  const running = await db
    .selectFrom("workload_images as wi")
    .innerJoin("workloads as w", "w.id", "wi.workload_id")
    .leftJoin("images as i", "i.digest", "wi.digest")
    .select((eb) => [
      eb.fn.count("wi.digest").distinct().as("running"),
      sql<number>`count(distinct case when i.scanned_at is null or i.scanned_at < ${cutoff} then wi.digest end)`.as("stale"),
    ])
    .where("w.removed_at", "is", null)
    .where("wi.digest", "is not", null)
    .executeTakeFirst();
  const exposed = await db
    .selectFrom("workloads")
    .select((eb) => eb.fn.countAll().as("n"))
    .where("removed_at", "is", null)
    .where("internet_exposed", "=", 1)
    .executeTakeFirst();
  const open = emptyCounts();
  for (const r of await db.selectFrom("findings").select("severity").select((eb) => eb.fn.countAll().as("n")).where("state", "=", "open").groupBy("severity").execute()) {
    open[asSeverity(r.severity)] += num(r.n);
  }
  return {
    images: num(img?.total),
    scanned: num(img?.scanned),
    neverScanned: num(img?.never),
    running: num(running?.running),
    runningNotScanned: num(running?.stale),
    staleDays: opts.staleDays,
    internetExposedWorkloads: num(exposed?.n),
    openFindings: open,
  };
}

/** Open findings per severity at the end of each UTC day of the window, from first_seen and fixed_at. */
async function findingsSeries(db: Db, opts: DashboardOptions) {
  const first = new Date(startOfDay(opts.now).getTime() - (opts.days - 1) * DAY);
  const start = first.toISOString();
  const level = emptyCounts();
  const base = await db
    .selectFrom("findings")
    .select("severity")
    .select((eb) => eb.fn.countAll().as("n"))
    .where("first_seen", "<", start)
    .where((eb) => eb.or([eb("fixed_at", "is", null), eb("fixed_at", ">=", start)]))
    .groupBy("severity")
    .execute();
  for (const r of base) level[asSeverity(r.severity)] += num(r.n);
  const delta = new Map<string, SeverityCounts>();
  const bump = (day: string, sev: string, n: number) => {
    const c = delta.get(day) ?? emptyCounts();
    c[asSeverity(sev)] += n;
    delta.set(day, c);
  };
  const opened = await db
    .selectFrom("findings")
    .select([sql<string>`substr(first_seen, 1, 10)`.as("day"), "severity"])
    .select((eb) => eb.fn.countAll().as("n"))
    .where("first_seen", ">=", start)
    .groupBy([sql`substr(first_seen, 1, 10)`, "severity"])
    .execute();
  for (const r of opened) bump(r.day, r.severity, num(r.n));
  const fixed = await db
    .selectFrom("findings")
    .select([sql<string>`substr(fixed_at, 1, 10)`.as("day"), "severity"])
    .select((eb) => eb.fn.countAll().as("n"))
    .where("fixed_at", ">=", start)
    .groupBy([sql`substr(fixed_at, 1, 10)`, "severity"])
    .execute();
  for (const r of fixed) bump(r.day, r.severity, -num(r.n));
  const series: ({ date: string } & SeverityCounts)[] = [];
  for (let i = 0; i < opts.days; i++) {
    const date = new Date(first.getTime() + i * DAY).toISOString().slice(0, 10);
    const d = delta.get(date);
    if (d) for (const s of severityOrder) level[s] += d[s];
    series.push({ date, ...level });
  }
  return series;
}

/** Mean days from first seen to fixed, over findings fixed inside the window. */
async function meanTimeToFix(db: Db, opts: DashboardOptions) {
  const start = new Date(startOfDay(opts.now).getTime() - (opts.days - 1) * DAY).toISOString();
  const rows = await db.selectFrom("findings").select(["first_seen", "fixed_at", "severity"]).where("state", "=", "fixed").where("fixed_at", ">=", start).limit(MAX_FIXED_ROWS).execute();
  const sum = new Map<SeverityLabel, { ms: number; n: number }>();
  let total = 0;
  for (const r of rows) {
    const ms = Math.max(0, Date.parse(r.fixed_at ?? "") - Date.parse(r.first_seen));
    if (!Number.isFinite(ms)) continue;
    const s = asSeverity(r.severity);
    const e = sum.get(s) ?? { ms: 0, n: 0 };
    sum.set(s, { ms: e.ms + ms, n: e.n + 1 });
    total += ms;
  }
  const days = (ms: number, n: number) => (n === 0 ? null : Math.round((ms / n / DAY) * 10) / 10);
  const n = [...sum.values()].reduce((a, e) => a + e.n, 0);
  return {
    windowDays: opts.days,
    fixedFindings: n,
    meanDays: days(total, n),
    bySeverity: Object.fromEntries(severityOrder.map((s) => [s, days(sum.get(s)?.ms ?? 0, sum.get(s)?.n ?? 0)])) as Record<SeverityLabel, number | null>,
  };
}

function riskKey(c: SeverityCounts): number[] {
  const top = severityOrder.findIndex((s) => s !== "none" && s !== "unknown" && c[s] > 0);
  const total = severityOrder.reduce((a, s) => a + c[s], 0);
  return [top === -1 ? severityOrder.length : top, -total];
}

/** Live internet-exposed workloads ranked by their images' highest open severity, then open findings. */
async function riskiestExposed(db: Db, limit: number) {
  const ws = await db
    .selectFrom("workloads as w")
    .innerJoin("clusters as c", "c.id", "w.cluster_id")
    .select(["w.id", "c.name as cluster", "w.namespace", "w.kind", "w.name"])
    .where("w.removed_at", "is", null)
    .where("w.internet_exposed", "=", 1)
    .orderBy("w.id")
    .limit(MAX_EXPOSED_WORKLOADS)
    .execute();
  if (ws.length === 0) return [];
  const imgs = new Map<number, { digest: string; repository: string | null }[]>();
  const routes = new Map<number, string[]>();
  for (const part of chunks(ws.map((w) => w.id))) {
    for (const r of await db.selectFrom("workload_images").select(["workload_id", "digest", "repository"]).where("workload_id", "in", part).where("digest", "is not", null).orderBy("container").execute()) {
      if (r.digest) imgs.set(r.workload_id, [...(imgs.get(r.workload_id) ?? []), { digest: r.digest, repository: r.repository }]);
    }
    for (const r of await db.selectFrom("workload_exposures").select(["workload_id", "route"]).where("workload_id", "in", part).where("internet", "=", 1).orderBy("route").execute()) {
      routes.set(r.workload_id, [...(routes.get(r.workload_id) ?? []), r.route]);
    }
  }
  const digests = [...new Set([...imgs.values()].flat().map((i) => i.digest))];
  const open = await openCountsByDigest(db, digests);
  const sources = await sourceRepositories(db, digests);
  const ranked = ws.map((w) => {
    const images = (imgs.get(w.id) ?? []).map((i) => ({ digest: i.digest, registryRepository: i.repository, sourceRepository: sources.get(i.digest) ?? null, openFindings: open.get(i.digest) ?? emptyCounts() }));
    const total = emptyCounts();
    for (const i of images) for (const s of severityOrder) total[s] += i.openFindings[s];
    const top = severityOrder.find((s) => s !== "none" && s !== "unknown" && total[s] > 0) ?? (total.unknown > 0 ? "unknown" : null);
    return { id: w.id, cluster: w.cluster, namespace: w.namespace, kind: w.kind, name: w.name, highestSeverity: top, openFindings: total, routes: routes.get(w.id) ?? [], images };
  });
  ranked.sort((a, b) => {
    const ka = riskKey(a.openFindings);
    const kb = riskKey(b.openFindings);
    return (ka[0] ?? 0) - (kb[0] ?? 0) || (ka[1] ?? 0) - (kb[1] ?? 0) || a.id - b.id;
  });
  return ranked.slice(0, limit);
}

/** The code repository an image was built from (a CI record first, else an OCI-label link). */
async function sourceRepositories(db: Db, digests: readonly string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const part of chunks([...digests])) {
    if (part.length === 0) continue;
    const rows = await db
      .selectFrom("image_sources as s")
      .innerJoin("repositories as r", "r.id", "s.repository_id")
      .select(["s.image_digest", "r.url", "s.source"])
      .where("s.image_digest", "in", part)
      .orderBy("s.image_digest")
      .orderBy("s.updated_at", "desc")
      .execute();
    for (const r of rows.filter((x) => x.source !== "label")) if (!out.has(r.image_digest)) out.set(r.image_digest, r.url);
    for (const r of rows) if (!out.has(r.image_digest)) out.set(r.image_digest, r.url);
  }
  return out;
}

async function recentScans(db: Db, limit: number) {
  const rows = await db.selectFrom("images").select(["digest", "scanned_at", "scan_status", "distro"]).where("scanned_at", "is not", null).where("index_digest", "is", null).orderBy("scanned_at", "desc").orderBy("digest").limit(limit).execute();
  const names = await namesOf(db, rows.map((r) => r.digest));
  const open = await openCountsByDigest(db, rows.map((r) => r.digest));
  return rows.map((r) => ({ digest: r.digest, name: names.get(r.digest)?.[0] ?? null, scannedAt: r.scanned_at, scanStatus: r.scan_status, distro: r.distro, openFindings: open.get(r.digest) ?? emptyCounts() }));
}

async function recentEvents(db: Db, limit: number) {
  const rows = await db
    .selectFrom("image_events as e")
    .innerJoin("registry_repositories as r", "r.id", "e.registry_repository_id")
    .select(["e.id", "e.at", "e.action", "r.host", "r.name", "e.tag", "e.digest", "e.actor"])
    .orderBy("e.at", "desc")
    .orderBy("e.id", "desc")
    .limit(limit)
    .execute();
  return rows.map((r) => ({ at: r.at, action: r.action, host: r.host, repository: r.name, tag: r.tag, digest: r.digest, actor: r.actor }));
}

export async function dashboard(db: Db, opts: DashboardOptions) {
  return {
    generatedAt: opts.now.toISOString(),
    counts: await counts(db, opts),
    openFindingsSeries: { days: opts.days, points: await findingsSeries(db, opts) },
    meanTimeToFix: await meanTimeToFix(db, opts),
    riskiestExposedWorkloads: await riskiestExposed(db, 10),
    recentScans: await recentScans(db, 10),
    recentEvents: await recentEvents(db, 20),
  };
}

// ---- the image list ----

export type ImageSort = "created" | "scanned" | "digest";
export const IMAGE_SORTS: readonly ImageSort[] = ["created", "scanned", "digest"];

export interface ImageListQuery {
  readonly limit: number;
  readonly cursor?: string;
  readonly q?: string;
  readonly sort: ImageSort;
  readonly order: "asc" | "desc";
}

function encodeCursor(key: string, digest: string): string {
  return Buffer.from(JSON.stringify([key, digest]), "utf8").toString("base64url");
}

function decodeCursor(c: string): [string, string] {
  try {
    const v: unknown = JSON.parse(Buffer.from(c, "base64url").toString("utf8"));
    if (Array.isArray(v) && v.length === 2 && typeof v[0] === "string" && typeof v[1] === "string") return [v[0], v[1]];
  } catch {
    // fall through
  }
  throw new BerthError("input", "cursor: not a cursor this API returned");
}

/** `%text%` for LIKE, with the pattern characters of the text escaped (ESCAPE '\'). */
function containsPattern(text: string): string {
  return `%${text.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

export async function listImages(db: Db, query: ImageListQuery) {
  const key = query.sort === "created" ? sql<string>`images.created_at` : query.sort === "scanned" ? sql<string>`coalesce(images.scanned_at, '')` : sql<string>`images.digest`;
  let q = db.selectFrom("images").where("images.index_digest", "is", null);
  if (query.q) {
    const p = containsPattern(query.q);
    q = q.where((eb) =>
      eb.or([
        sql<boolean>`lower(images.digest) like ${p} escape '\\'`,
        eb.exists(
          eb
            .selectFrom("tags as t")
            .innerJoin("registry_repositories as r", "r.id", "t.registry_repository_id")
            .select(sql`1`.as("one"))
            .whereRef("t.digest", "=", "images.digest")
            .where(sql<boolean>`lower(r.host || '/' || r.name || ':' || t.tag) like ${p} escape '\\'`),
        ),
        eb.exists(
          eb
            .selectFrom("image_sources as s")
            .innerJoin("repositories as rp", "rp.id", "s.repository_id")
            .select(sql`1`.as("one"))
            .whereRef("s.image_digest", "=", "images.digest")
            .where(sql<boolean>`lower(rp.url) like ${p} escape '\\'`),
        ),
      ]),
    );
  }
  const total = num((await q.select((eb) => eb.fn.countAll().as("n")).executeTakeFirst())?.n);
  let page = q.select(["images.digest", "images.created_at", "images.scanned_at", "images.scan_status", "images.platform", "images.distro", "images.media_type"]).select(key.as("sort_key"));
  if (query.cursor) {
    const [k, d] = decodeCursor(query.cursor);
    page = query.order === "desc" ? page.where(sql<boolean>`(${key} < ${k} or (${key} = ${k} and images.digest < ${d}))`) : page.where(sql<boolean>`(${key} > ${k} or (${key} = ${k} and images.digest > ${d}))`);
  }
  const rows = await page.orderBy(key, query.order).orderBy("images.digest", query.order).limit(query.limit + 1).execute();
  const more = rows.length > query.limit;
  const items = rows.slice(0, query.limit);
  const digests = items.map((r) => r.digest);
  const names = await namesOf(db, digests);
  const open = await openCountsByDigest(db, digests);
  const sources = await sourceRepositories(db, digests);
  const live = new Map<string, boolean>();
  for (const part of chunks(digests)) {
    if (part.length === 0) continue;
    const rs = await db
      .selectFrom("workload_images as wi")
      .innerJoin("workloads as w", "w.id", "wi.workload_id")
      .select(["wi.digest", "w.internet_exposed"])
      .where("w.removed_at", "is", null)
      .where("wi.digest", "in", part)
      .execute();
    for (const r of rs) if (r.digest) live.set(r.digest, (live.get(r.digest) ?? false) || r.internet_exposed === 1);
  }
  const last = items.at(-1);
  return {
    total,
    items: items.map((r) => ({
      digest: r.digest,
      name: names.get(r.digest)?.[0] ?? null,
      names: names.get(r.digest) ?? [],
      sourceRepository: sources.get(r.digest) ?? null,
      mediaType: r.media_type,
      platform: r.platform,
      distro: r.distro,
      scanStatus: r.scan_status,
      scannedAt: r.scanned_at,
      createdAt: r.created_at,
      openFindings: open.get(r.digest) ?? emptyCounts(),
      running: live.has(r.digest),
      internetExposed: live.get(r.digest) ?? false,
    })),
    nextCursor: more && last ? encodeCursor(String(last.sort_key), last.digest) : null,
  };
}
