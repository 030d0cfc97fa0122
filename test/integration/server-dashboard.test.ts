// The dashboard, image list and admin API over the demo dataset (src/demo: real inventories and
// advisories, simulated CI, registry and cluster records), on SQLite and on a real PostgreSQL. Every
// number the API answers is checked against the store or the dataset's design (world.ts); the seed
// itself is checked to be deterministic and idempotent.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { FastifyInstance } from "fastify";
import { seedDemo, type DemoSeedInfo } from "../../src/demo/seed.js";
import { DEMO_REGISTRY } from "../../src/demo/world.js";
import { buildApp } from "../../src/server/app.js";
import { registerAdminRoutes } from "../../src/server/routes/admin.js";
import { registerDashboardRoutes } from "../../src/server/routes/dashboard.js";
import { openStore, repositories, storeLocation, type Repositories, type Store } from "../../src/store/index.js";
import { startPostgres, type TestPostgres } from "../support/postgres.js";

const repo = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const demoDir = join(repo, "demo");
const work = mkdtempSync(join(tmpdir(), "berth-dashboard-it-"));
const cacheDir = join(work, "cache");
const NOW = new Date("2026-11-28T15:00:00.000Z");
const SEVERITIES = ["critical", "high", "medium", "low", "none", "unknown"] as const;

after(() => rmSync(work, { recursive: true, force: true }));

type Json = Record<string, unknown>;
type Counts = Record<(typeof SEVERITIES)[number], number>;

/** Every table's rows, sorted, as JSON: what "changes nothing" compares. */
async function dump(store: Store): Promise<string> {
  const out: Record<string, unknown[]> = {};
  for (const t of ["repositories", "pipeline_runs", "image_sources", "images", "registry_repositories", "tags", "image_events", "image_packages", "vulnerabilities", "findings", "clusters", "namespaces", "workloads", "workload_images", "services", "ingresses", "workload_exposures", "settings", "audit_log"] as const) {
    const rows = await store.db.selectFrom(t).selectAll().execute();
    out[t] = rows.map((r) => JSON.stringify(r)).sort();
  }
  return JSON.stringify(out);
}

function suite(label: string, databaseUrl: () => Promise<string | undefined>): void {
  describe(`dashboard and admin API on ${label}`, () => {
    let store: Store;
    let repos: Repositories;
    let app: FastifyInstance;
    let url: string;
    let admin: string;
    let read: string;
    let info: DemoSeedInfo;

    const get = async (path: string, token = read): Promise<{ status: number; body: Json }> => {
      const r = await fetch(`${url}${path}`, { headers: { authorization: `Bearer ${token}` } });
      return { status: r.status, body: (await r.json()) as Json };
    };

    before(async () => {
      store = await openStore(storeLocation(join(work, label, "data"), await databaseUrl()));
      repos = repositories(store);
      info = await seedDemo(repos, { demoDir, cacheDir, now: NOW });
      app = await buildApp({ repos, now: () => NOW });
      registerDashboardRoutes(app, { repos, now: () => NOW });
      registerAdminRoutes(app, {
        repos,
        now: () => NOW,
        cacheDir,
        policies: { admission: { mode: "audit", requireScanned: true, denyFixableAtOrAbove: "critical" }, rescan: { intervalMs: 86_400_000, pushedWithinMs: 90 * 86_400_000, pulledWithinMs: 30 * 86_400_000, running: true } },
      });
      await app.listen({ host: "127.0.0.1", port: 0 });
      url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
      admin = (await repos.tokens.create("admin", "test admin", NOW)).token;
      read = (await repos.tokens.create("read", "test ui", NOW)).token;
    });
    after(async () => {
      await app?.close();
      await store?.close();
    });

    test("seeding again changes nothing", async () => {
      const before = await dump(store);
      const again = await seedDemo(repos, { demoDir, cacheDir, now: new Date(NOW.getTime() + 3_600_000) });
      assert.deepEqual(again, info);
      assert.equal(await dump(store), before);
    });

    test("the dashboard's counts agree with the store and the demo's design", async () => {
      assert.equal((await fetch(`${url}/api/v1/dashboard`)).status, 401);
      const { status, body } = await get("/api/v1/dashboard?days=90&staleDays=7");
      assert.equal(status, 200, JSON.stringify(body));
      const c = body.counts as Json & { openFindings: Counts };
      // 7 images, one pushed but never scanned; 5 run in live workloads, the batch worker's last
      // scan is 45 days old; 3 live workloads are internet-exposed (batch-worker's LB is internal).
      assert.deepEqual({ images: c.images, scanned: c.scanned, neverScanned: c.neverScanned, running: c.running, runningNotScanned: c.runningNotScanned, exposed: c.internetExposedWorkloads }, { images: 7, scanned: 6, neverScanned: 1, running: 5, runningNotScanned: 1, exposed: 3 });
      const open = await store.db.selectFrom("findings").select("severity").where("state", "=", "open").execute();
      for (const s of SEVERITIES) assert.equal(c.openFindings[s], open.filter((f) => f.severity === s).length, s);
      assert.ok(c.openFindings.critical >= 1 && c.openFindings.high >= 1, "npm advisories carry CVSS severities");

      const series = body.openFindingsSeries as { days: number; points: (Counts & { date: string })[] };
      assert.equal(series.points.length, 90);
      assert.equal(series.points.at(-1)?.date, NOW.toISOString().slice(0, 10));
      assert.deepEqual({ ...series.points.at(-1), date: undefined }, { ...c.openFindings, date: undefined }, "today's point is every open finding");
      const total = (p: Counts) => SEVERITIES.reduce((a, s) => a + p[s], 0);
      assert.equal(total(series.points[0]!), 0, "nothing was seen before the first push (58 days ago)");
      assert.ok(series.points.some((p, i) => i > 0 && total(p) < total(series.points[i - 1]!)), "the patched rescan fixes findings on its day");

      const mttf = body.meanTimeToFix as { fixedFindings: number; meanDays: number | null };
      const fixed = await store.db.selectFrom("findings").select(["first_seen", "fixed_at"]).where("state", "=", "fixed").execute();
      assert.ok(fixed.length > 0);
      assert.equal(mttf.fixedFindings, fixed.length);
      const mean = fixed.reduce((a, f) => a + Date.parse(f.fixed_at!) - Date.parse(f.first_seen), 0) / fixed.length / 86_400_000;
      assert.equal(mttf.meanDays, Math.round(mean * 10) / 10);

      const risky = body.riskiestExposedWorkloads as { name: string; namespace: string; cluster: string; highestSeverity: string; routes: string[]; images: { digest: string; sourceRepository: string | null; registryRepository: string | null }[] }[];
      assert.equal(risky.length, 3);
      assert.equal(risky[0]?.highestSeverity, "critical");
      assert.ok(risky.every((w) => w.routes.length > 0 && w.images.length === 1 && w.images[0]!.sourceRepository && w.images[0]!.registryRepository?.startsWith(DEMO_REGISTRY)));
      assert.deepEqual(risky.map((w) => `${w.cluster}/${w.namespace}/${w.name}`).sort(), ["prod-eu-1/shop/shop-api", "prod-eu-1/web/storefront", "staging-us-1/staging/shop-api"]);
      assert.equal(risky.at(-1)?.namespace, "staging", "the patched staging image has no high-severity findings");

      const scans = body.recentScans as { scannedAt: string; name: string | null }[];
      assert.ok(scans.length >= 4 && scans.every((s, i) => i === 0 || s.scannedAt <= scans[i - 1]!.scannedAt));
      assert.ok(scans.every((s) => s.name?.startsWith(`${DEMO_REGISTRY}/`)));
      const events = body.recentEvents as { at: string; action: string }[];
      assert.equal(events.length, 20);
      assert.ok(events.every((e, i) => i === 0 || e.at <= events[i - 1]!.at));
      assert.ok(events.some((e) => e.action === "pull"));
    });

    test("dashboard parameters are validated", async () => {
      for (const q of ["days=0", "days=366", "days=abc", "staleDays=-1"]) {
        const r = await get(`/api/v1/dashboard?${q}`);
        assert.equal(r.status, 400, q);
        assert.equal(r.body.error, "input");
      }
    });

    test("the image list pages through every image and filters by name, digest and repository", async () => {
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const r: { status: number; body: Json } = await get(`/api/v1/images?limit=2&sort=created${cursor ? `&cursor=${cursor}` : ""}`);
        assert.equal(r.status, 200, JSON.stringify(r.body));
        assert.equal(r.body.total, 7);
        const items = r.body.items as { digest: string; createdAt: string }[];
        assert.ok(items.length <= 2);
        seen.push(...items.map((i) => i.digest));
        cursor = r.body.nextCursor as string | null;
      } while (cursor);
      assert.equal(seen.length, 7);
      assert.deepEqual(new Set(seen), new Set(info.images.map((i) => i.digest)));
      const byDigest = (await get("/api/v1/images?sort=digest&order=asc&limit=500")).body.items as { digest: string }[];
      assert.deepEqual(byDigest.map((i) => i.digest), [...seen].sort());

      const sf = await get("/api/v1/images?q=STOREFRONT");
      const items = sf.body.items as { name: string; running: boolean; internetExposed: boolean; openFindings: Counts; sourceRepository: string }[];
      assert.equal(items.length, 1);
      assert.match(items[0]!.name, /web\/storefront:/);
      assert.equal(items[0]!.running && items[0]!.internetExposed, true);
      assert.equal(items[0]!.sourceRepository, "https://gitlab.com/acme-demo/storefront");
      const featured = info.featured;
      assert.deepEqual(((await get(`/api/v1/images?q=${featured.slice(7, 20)}`)).body.items as { digest: string }[]).map((i) => i.digest), [featured]);
      assert.equal(((await get("/api/v1/images?q=gitlab.com/acme-demo")).body.items as unknown[]).length, 1);
      assert.equal(((await get("/api/v1/images?q=%25")).body.items as unknown[]).length, 0, "% is matched literally");
      for (const q of ["limit=0", "limit=501", "sort=size", "order=up", "cursor=bm9wZQ", `q=${"x".repeat(201)}`]) assert.equal((await get(`/api/v1/images?${q}`)).status, 400, q);
    });

    test("admin: tokens are listed without hashes, created once, revoked, and every write is audited", async () => {
      assert.equal((await get("/api/v1/admin/tokens", read)).status, 403);
      const created = await fetch(`${url}/api/v1/admin/tokens`, { method: "POST", headers: { authorization: `Bearer ${admin}`, "content-type": "application/json" }, body: JSON.stringify({ role: "read", description: "laptop" }) });
      assert.equal(created.status, 201);
      const t = (await created.json()) as { id: number; token: string; role: string };
      assert.equal(t.role, "read");
      assert.match(t.token, /^berth_/);
      assert.equal((await get("/api/v1/dashboard", t.token)).status, 200);
      const list = (await get("/api/v1/admin/tokens", admin)).body.tokens as Json[];
      assert.ok(list.some((x) => x.id === t.id && x.description === "laptop" && x.revokedAt === null));
      assert.ok(list.every((x) => !("token_hash" in x) && !("token" in x) && !JSON.stringify(x).includes(t.token)));
      for (const bad of [{ role: "root" }, { role: "read", description: "x".repeat(201) }, []]) {
        const r = await fetch(`${url}/api/v1/admin/tokens`, { method: "POST", headers: { authorization: `Bearer ${admin}`, "content-type": "application/json" }, body: JSON.stringify(bad) });
        assert.equal(r.status, 400, JSON.stringify(bad));
      }
      const del = await fetch(`${url}/api/v1/admin/tokens/${t.id}`, { method: "DELETE", headers: { authorization: `Bearer ${admin}` } });
      assert.equal(del.status, 200);
      assert.equal((await get("/api/v1/dashboard", t.token)).status, 401);
      assert.equal((await fetch(`${url}/api/v1/admin/tokens/${t.id}`, { method: "DELETE", headers: { authorization: `Bearer ${admin}` } })).status, 404);
      assert.equal((await fetch(`${url}/api/v1/admin/tokens/abc`, { method: "DELETE", headers: { authorization: `Bearer ${admin}` } })).status, 400);
      const audit = await repos.audit.recent(10);
      assert.ok(audit.some((a) => a.action === "token.create" && a.subject === `token:${t.id}`));
      assert.ok(audit.some((a) => a.action === "token.revoke" && a.subject === `token:${t.id}`));
    });

    test("admin: status reports the database, vulnerability DB, queue, clusters, registries and settings", async () => {
      const { status, body } = await get("/api/v1/admin/status", admin);
      assert.equal(status, 200, JSON.stringify(body));
      const d = body.database as { kind: string; migration: string };
      assert.equal(d.kind, label === "SQLite" ? "sqlite" : "postgres");
      assert.match(d.migration, /^\d{4}_/);
      const v = body.vulnerabilityDb as { available: boolean; counts: { advisories: number; kev: number }; ecosystems: Record<string, number> };
      assert.equal(v.available, true);
      assert.equal(v.counts.advisories, 332 + 19);
      assert.equal(v.counts.kev, 3);
      assert.deepEqual(Object.keys((body.queue as Json).byStatus as Json).sort(), ["done", "failed", "queued", "running"]);
      const clusters = body.clusters as { name: string; workloads: number; removedWorkloads: number }[];
      assert.deepEqual(clusters.map((c) => c.name).sort(), ["prod-eu-1", "staging-us-1"]);
      assert.equal(clusters.find((c) => c.name === "staging-us-1")?.removedWorkloads, 1, "the report generator aged out");
      assert.deepEqual((body.registries as { host: string; repositories: number }[]).map((r) => [r.host, r.repositories]), [[DEMO_REGISTRY, 5]]);
      assert.ok((body.settings as { key: string }[]).some((s) => s.key === "demo.seed"));
      // The policies as configured: the gate's rules and the rescan windows, in the flags' units.
      assert.deepEqual(body.admissionPolicy, { mode: "audit", requireScanned: true, denyFixableAtOrAbove: "critical" });
      assert.deepEqual(body.rescanPolicy, { enabled: true, interval: "1d", pushedWithin: "90d", pulledWithin: "30d", running: true });
    });
  });
}

describe("the demo seed is deterministic", () => {
  test("two stores seeded with the same clock hold the same data", async () => {
    const a = await openStore(storeLocation(join(work, "det-a")));
    const b = await openStore(storeLocation(join(work, "det-b")));
    try {
      const ia = await seedDemo(repositories(a), { demoDir, cacheDir, now: NOW });
      const ib = await seedDemo(repositories(b), { demoDir, cacheDir, now: NOW });
      assert.deepEqual(ia, ib);
      assert.equal(await dump(a), await dump(b));
    } finally {
      await a.close();
      await b.close();
    }
  });
});

suite("SQLite", async () => undefined);

let pg: TestPostgres | undefined;
after(async () => {
  await pg?.stop();
});
suite("PostgreSQL", async () => {
  pg = await startPostgres();
  return pg.createDatabase("berth_dashboard");
});
