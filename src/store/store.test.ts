// The same store suite on embedded SQLite and on a real PostgreSQL (Debian's postgresql, started
// in a temp dir by test/support/postgres.ts).
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startPostgres, type TestPostgres } from "../../test/support/postgres.js";
import SqliteDatabase from "better-sqlite3";
import { Kysely, Migrator, PostgresDialect, SqliteDialect, sql } from "kysely";
import pg from "pg";
import { migrationProvider } from "./migrations.js";
import { detailHash, findingContextHash, findingImageContext } from "./content-hash.js";
import { openStore, repositories, type Repositories, type StoreLocation } from "./index.js";
import type { StoredFinding } from "./images.js";

const T0 = new Date("2026-11-01T10:00:00.000Z");
const at = (ms: number) => new Date(T0.getTime() + ms);
const DIGEST = `sha256:${"a".repeat(64)}`;

function finding(id: string, purl: string): StoredFinding {
  return { vulnerabilityId: id, packagePurl: purl, packageName: purl.split("/").pop() ?? purl, installedVersion: "1", fixStatus: "fixed", fixedVersions: ["2"], severity: "high", data: { id } };
}

function suite(name: string, location: () => Promise<StoreLocation>): void {
  describe(`store on ${name}`, () => {
    let r: Repositories;
    before(async () => {
      const loc = await location();
      // Opening twice runs the migrations once: the second open finds them applied.
      await (await openStore(loc)).close();
      r = repositories(await openStore(loc));
    });
    after(async () => {
      await r?.store.close();
    });

    test("readiness ping", async () => {
      assert.equal(await r.store.ping(), true);
    });

    test("jobs: deduplicated by key while queued or running; a new one after completion", async () => {
      const job = { kind: "scan", dedupeKey: "scan:d1", payload: { digest: "d1" } };
      assert.equal(await r.jobs.enqueue(job, T0), true);
      assert.equal(await r.jobs.enqueue(job, T0), false);
      const claimed = await r.jobs.claim({ worker: "w1", leaseMs: 60_000, now: T0 });
      assert.ok(claimed);
      assert.equal(claimed.dedupe_key, "scan:d1");
      assert.equal(claimed.attempts, 1);
      assert.deepEqual(JSON.parse(claimed.payload_json), { digest: "d1" });
      assert.equal(await r.jobs.enqueue(job, T0), false, "running job blocks a duplicate");
      await r.jobs.complete(claimed.id, "w1", at(1000));
      assert.equal(await r.jobs.enqueue(job, at(2000)), true, "after completion a new scan may be queued");
      const again = await r.jobs.claim({ worker: "w1", leaseMs: 60_000, now: at(2000) });
      assert.ok(again);
      await r.jobs.complete(again.id, "w1", at(3000));
      assert.equal((await r.jobs.list({ dedupeKey: "scan:d1" })).length, 2);
    });

    test("jobs: a job claimed by a worker that died is taken again after its lease", async () => {
      await r.jobs.enqueue({ kind: "scan", dedupeKey: "scan:d2", payload: {} }, T0);
      const first = await r.jobs.claim({ worker: "dead", leaseMs: 30_000, now: T0 });
      assert.ok(first);
      assert.equal(await r.jobs.claim({ worker: "w2", leaseMs: 30_000, now: at(29_000) }), undefined, "lease still held");
      const retried = await r.jobs.claim({ worker: "w2", leaseMs: 30_000, now: at(31_000) });
      assert.ok(retried);
      assert.equal(retried.id, first.id);
      assert.equal(retried.worker, "w2");
      assert.equal(retried.attempts, 2);
      // The dead worker's late completion does not count; the live worker's does.
      await r.jobs.complete(first.id, "dead", at(32_000));
      assert.equal((await r.jobs.get(first.id))?.status, "running");
      await r.jobs.complete(first.id, "w2", at(33_000));
      assert.equal((await r.jobs.get(first.id))?.status, "done");
    });

    test("jobs: failure backs off, then fails for good after max attempts", async () => {
      await r.jobs.enqueue({ kind: "scan", dedupeKey: "scan:d3", payload: {}, maxAttempts: 2 }, T0);
      const a = await r.jobs.claim({ worker: "w", leaseMs: 1000, now: T0 });
      assert.ok(a);
      assert.equal(await r.jobs.fail(a.id, "w", "registry 503", 10_000, T0), "queued");
      assert.equal(await r.jobs.claim({ worker: "w", leaseMs: 1000, now: at(5_000) }), undefined, "backing off");
      const b = await r.jobs.claim({ worker: "w", leaseMs: 1000, now: at(10_000) });
      assert.equal(b?.id, a.id);
      assert.equal(await r.jobs.fail(a.id, "w", "registry 503", 10_000, at(10_000)), "failed");
      assert.equal(await r.jobs.claim({ worker: "w", leaseMs: 1000, now: at(100_000) }), undefined);
      assert.equal((await r.jobs.get(a.id))?.last_error, "registry 503");
    });

    test("jobs: concurrent claims never hand out the same job", async () => {
      for (const k of ["c1", "c2", "c3", "c4"]) await r.jobs.enqueue({ kind: "scan", dedupeKey: `scan:${k}`, payload: {} }, T0);
      const got = await Promise.all(["w1", "w2", "w3", "w4", "w5"].map((w) => r.jobs.claim({ worker: w, leaseMs: 60_000, now: at(1) })));
      const ids = got.filter((j) => j !== undefined).map((j) => j.id);
      assert.equal(ids.length, 4);
      assert.equal(new Set(ids).size, 4);
      for (const j of got) if (j) await r.jobs.complete(j.id, j.worker ?? "", at(2));
    });

    test("registry events are idempotent by id; tags keep push and pull times", async () => {
      const ev = { eventId: "ev-1", action: "push", digest: DIGEST, repository: "app", raw: { id: "ev-1" } };
      assert.equal(await r.registry.markReceived(ev, T0), true);
      assert.equal(await r.registry.markReceived(ev, at(1)), false);
      await r.registry.recordPush({ host: "reg:5000", repository: "app", tag: "1.0" }, DIGEST, T0, "ci");
      await r.registry.recordPull({ host: "reg:5000", repository: "app" }, DIGEST, at(5000), undefined);
      const locs = await r.registry.locations(DIGEST);
      assert.deepEqual(locs, [{ host: "reg:5000", repository: "app", tag: "1.0", pushedAt: T0.toISOString(), lastPulledAt: at(5000).toISOString() }]);
      assert.equal(await r.registry.lastEvent(DIGEST, "pull"), at(5000).toISOString());
    });

    test("findings: first seen kept across scans; a vanished finding is fixed with its date", async () => {
      await r.images.ensure({ digest: DIGEST, mediaType: "application/vnd.oci.image.manifest.v1+json" }, T0);
      await r.images.ensure({ digest: DIGEST }, at(1));
      assert.equal((await r.images.get(DIGEST))?.scan_status, "pending");
      const pkgs = [
        { purl: "pkg:deb/debian/a@1", name: "a", version: "1", type: "deb" },
        { purl: "pkg:deb/debian/b@1", name: "b", version: "1", type: "deb" },
      ];
      const vulns = [
        { id: "CVE-1", severity: "high", aliases: [], kev: false },
        { id: "CVE-2", severity: "low", aliases: ["GHSA-x"], kev: true },
      ];
      await r.images.saveScan({ digest: DIGEST, inventoryJson: "{}", packages: pkgs, vulnerabilities: vulns, findings: [finding("CVE-1", pkgs[0]!.purl), finding("CVE-2", pkgs[1]!.purl)] }, T0);
      await r.images.saveScan({ digest: DIGEST, inventoryJson: "{}", packages: pkgs, vulnerabilities: vulns, findings: [finding("CVE-1", pkgs[0]!.purl)] }, at(86_400_000));
      const open = await r.images.findings(DIGEST);
      assert.deepEqual(
        open.map((f) => [f.vulnerability_id, f.state, f.first_seen]),
        [["CVE-1", "open", T0.toISOString()]],
      );
      const all = await r.images.findings(DIGEST, { includeFixed: true });
      const fixed = all.find((f) => f.vulnerability_id === "CVE-2");
      assert.equal(fixed?.state, "fixed");
      assert.equal(fixed?.fixed_at, at(86_400_000).toISOString());
      assert.equal((await r.images.get(DIGEST))?.scan_status, "scanned");
      assert.equal((await r.images.packages(DIGEST)).length, 2);
    });

    test("finding details: stored once per content, rewritten findings name new ones, the old ones are pruned", async () => {
      const other = `sha256:${"f".repeat(64)}`;
      const pkgs = [{ purl: "pkg:deb/debian/c@1", name: "c", version: "1", type: "deb" }];
      const vulns = [{ id: "CVE-9", severity: "high", aliases: [], kev: false }];
      for (const d of [DIGEST, other]) {
        await r.images.ensure({ digest: d }, T0);
        await r.images.saveScan({ digest: d, inventoryJson: "{}", packages: pkgs, vulnerabilities: vulns, findings: [finding("CVE-9", pkgs[0]!.purl)] }, T0);
      }
      const count = async () => (await r.store.db.selectFrom("finding_details").select("hash").execute()).length;
      const before = await count();
      assert.equal(await r.images.pruneDetails(), 0, "every detail is named by a finding");
      // The advisory changes: both images' finding is rewritten with new details; the old ones are named by none.
      const changed = { ...finding("CVE-9", pkgs[0]!.purl), data: { id: "CVE-9", summary: "changed" } };
      for (const d of [DIGEST, other]) await r.images.saveMatch({ digest: d, vulnerabilities: vulns, findings: [changed], scope: new Set([pkgs[0]!.purl]) }, at(5));
      assert.equal(await count(), before + 1, "one new row for both images");
      assert.equal(await r.images.pruneDetails(), 1);
      for (const d of [DIGEST, other]) assert.deepEqual((await r.images.findings(d)).filter((f) => f.vulnerability_id === "CVE-9").map((f) => JSON.parse(f.data_json)), [{ id: "CVE-9", summary: "changed" }]);
    });

    test("tokens are stored hashed and can be revoked", async () => {
      const { id, token } = await r.tokens.create("ingest", "registry", T0);
      assert.match(token, /^berth_[A-Za-z0-9_-]{43}$/);
      const row = await r.tokens.verify(token);
      assert.equal(row?.role, "ingest");
      assert.notEqual(row?.token_hash, token);
      assert.equal(await r.tokens.verify(`${token}x`), undefined);
      assert.equal(await r.tokens.revoke(id, at(1)), true);
      assert.equal(await r.tokens.verify(token), undefined);
    });

    test("audit log records writes", async () => {
      await r.audit.record({ actor: "token:1", action: "token.create", subject: "token:2", detail: { role: "read" } }, T0);
      const [last] = await r.audit.recent(1);
      assert.equal(last?.action, "token.create");
      assert.deepEqual(JSON.parse(last?.detail_json ?? "null"), { role: "read" });
    });
  });
}

/** A connection as an earlier release opened the store (migrations it ran call the SQL functions store/db.ts registers). */
function earlierRelease(loc: StoreLocation): Kysely<unknown> {
  if (loc.kind === "postgres") return new Kysely<unknown>({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: loc.url, max: 1 }) }) });
  const database = new SqliteDatabase(loc.path);
  database.function("berth_detail_hash", (json: unknown) => (typeof json === "string" ? detailHash(json) : null));
  database.function("berth_context_hash", (packageJson: unknown, matchImageJson: unknown) => (typeof packageJson === "string" && typeof matchImageJson === "string" ? findingContextHash(packageJson, findingImageContext(matchImageJson)) : null));
  return new Kysely<unknown>({ dialect: new SqliteDialect({ database }) });
}

/** A store written by an earlier release (migrated up to `before`), with rows in the old shape, then opened by this one. */
function upgradeSuite(name: string, location: (db: string) => Promise<StoreLocation>): void {
  describe(`store upgrade on ${name}`, () => {
    test("0006 moves each stored inventory out of the image row; images without one stay without", async () => {
      const loc = await location("upgrade6");
      const old = earlierRelease(loc);
      try {
        const { error } = await new Migrator({ db: old, provider: migrationProvider(loc.kind) }).migrateTo("0005_rematch_scale");
        assert.equal(error, undefined);
        const inventory = JSON.stringify({ schema: "https://berth.dev/schemas/inventory/v1", packages: [] });
        await sql`insert into images (digest, scan_status, created_at, inventory_json) values (${DIGEST}, 'scanned', ${T0.toISOString()}, ${inventory}), (${`sha256:${"b".repeat(64)}`}, 'pending', ${T0.toISOString()}, null)`.execute(old);
        await sql`insert into findings (image_digest, vulnerability_id, package_purl, package_name, installed_version, fix_status, fixed_versions_json, severity, state, first_seen, last_seen, data_json) values (${DIGEST}, 'CVE-1', 'pkg:deb/debian/a@1', 'a', '1', 'fixed', '[]', 'high', 'open', ${T0.toISOString()}, ${T0.toISOString()}, '{}')`.execute(old);
      } finally {
        await old.destroy();
      }
      const r = repositories(await openStore(loc));
      try {
        assert.equal(await r.images.inventory(DIGEST), JSON.stringify({ schema: "https://berth.dev/schemas/inventory/v1", packages: [] }));
        assert.equal(await r.images.inventory(`sha256:${"b".repeat(64)}`), undefined);
        assert.equal((await r.images.get(DIGEST))?.scan_status, "scanned");
        assert.equal(Object.hasOwn((await r.images.get(DIGEST)) ?? {}, "inventory_json"), false);
        assert.deepEqual((await r.images.findings(DIGEST)).map((f) => f.vulnerability_id), ["CVE-1"]);
        // A rescan still selects it: the inventory table is what "scanned with an inventory" means now.
        assert.deepEqual((await r.rescan.inventories([DIGEST])).map((i) => i.digest), [DIGEST]);
      } finally {
        await r.store.close();
      }
    });

    test("0007 keeps each finding's details once per content and moves the re-match state to package_verdicts", async () => {
      const loc = await location("upgrade7");
      const old = earlierRelease(loc);
      const [a, b, c] = ["a", "b", "c"].map((x) => `sha256:${x.repeat(64)}`) as [string, string, string];
      const layer = { diffId: `sha256:${"d".repeat(64)}`, digest: `sha256:${"e".repeat(64)}`, size: 1, mediaType: "application/vnd.oci.image.layer.v1.tar+gzip" };
      const context = JSON.stringify({ distro: { id: "debian", versionId: "12" }, image: { reference: "x", tags: [], layers: [layer] } });
      const curl = JSON.stringify({ type: "deb", name: "curl", version: "1", purl: "pkg:deb/debian/curl@1", licenses: [], locations: [{ path: "var/lib/dpkg/status", layerDiffId: layer.diffId }], foundBy: "dpkg" });
      const details = [JSON.stringify({ id: "CVE-1", severity: "high" }), JSON.stringify({ id: "CVE-2", severity: "low" })];
      try {
        const { error } = await new Migrator({ db: old, provider: migrationProvider(loc.kind) }).migrateTo("0006_narrow_images");
        assert.equal(error, undefined);
        for (const [digest, json] of [[a, context], [b, context], [c, null]] as const) {
          await sql`insert into images (digest, scan_status, created_at, match_image_json) values (${digest}, 'scanned', ${T0.toISOString()}, ${json})`.execute(old);
        }
        const pkg = (digest: string, purl: string, eco: string, key: string | null, hash: string | null, json: string | null) =>
          sql`insert into image_packages (image_digest, purl, name, version, type, match_ecosystem, match_name, verdict_key, verdict_hash, package_json) values (${digest}, ${purl}, 'curl', '1', 'deb', ${eco}, ${eco ? "curl" : ""}, ${key}, ${hash}, ${json})`.execute(old);
        await pkg(a, "pkg:deb/debian/curl@1", "Debian:12", "k-curl-1", "h1", curl);
        await pkg(a, "pkg:generic/x@1", "", null, null, null);
        // Matched, but without a verdict key (rows a scan replaced): the image's context is dropped so the next re-match reads its inventory.
        await pkg(b, "pkg:deb/debian/curl@1", "Debian:12", null, null, null);
        for (const [digest, vuln, data] of [[a, "CVE-1", details[0]], [a, "CVE-2", details[1]], [b, "CVE-1", details[0]], [c, "CVE-1", details[0]]] as const) {
          await sql`insert into findings (image_digest, vulnerability_id, package_purl, package_name, installed_version, fix_status, fixed_versions_json, severity, state, first_seen, last_seen, data_json) values (${digest}, ${vuln}, 'pkg:deb/debian/curl@1', 'curl', '1', 'fixed', '[]', 'high', 'open', ${T0.toISOString()}, ${T0.toISOString()}, ${data})`.execute(old);
        }
      } finally {
        await old.destroy();
      }
      const r = repositories(await openStore(loc));
      try {
        assert.deepEqual((await r.images.findings(a)).map((f) => [f.vulnerability_id, f.data_json]), [["CVE-1", details[0]], ["CVE-2", details[1]]]);
        assert.deepEqual((await r.images.findings(c)).map((f) => f.data_json), [details[0]]);
        assert.equal((await r.store.db.selectFrom("finding_details").selectAll().execute()).length, 2, "three images' CVE-1 finding is stored once");
        // Hashed as new writes hash (content-hash.ts), so a finding written later with the same content names the same row.
        for (const d of await r.store.db.selectFrom("finding_details").selectAll().execute()) assert.equal(d.hash, detailHash(d.data_json));
        const verdicts = await r.store.db.selectFrom("package_verdicts").selectAll().execute();
        assert.deepEqual(verdicts, [{ match_name: "curl", image_digest: a, purl: "pkg:deb/debian/curl@1", match_ecosystem: "Debian:12", verdict_key: "k-curl-1", verdict_hash: "h1", context_hash: findingContextHash(curl, findingImageContext(context)) }]);
        assert.equal((await r.images.get(a))?.match_image_json, context);
        assert.equal((await r.images.get(b))?.match_image_json, null);
      } finally {
        await r.store.close();
      }
    });

    test("0008 keys findings by vulnerability first: rows kept, a finding written again updates its row", async () => {
      const loc = await location("upgrade8");
      const old = earlierRelease(loc);
      const [a, b] = ["a", "b"].map((x) => `sha256:${x.repeat(64)}`) as [string, string];
      const purl = "pkg:deb/debian/curl@1";
      try {
        const { error } = await new Migrator({ db: old, provider: migrationProvider(loc.kind) }).migrateTo("0007_shared_details");
        assert.equal(error, undefined);
        for (const digest of [a, b]) await sql`insert into images (digest, scan_status, created_at) values (${digest}, 'scanned', ${T0.toISOString()})`.execute(old);
        await sql`insert into finding_details (hash, data_json) values ('h1', ${JSON.stringify({ id: "CVE-1" })})`.execute(old);
        for (const [digest, vuln, state] of [[b, "CVE-1", "open"], [a, "CVE-2", "fixed"], [a, "CVE-1", "open"]] as const) {
          await sql`insert into findings (image_digest, vulnerability_id, package_purl, package_name, installed_version, fix_status, fixed_versions_json, severity, state, first_seen, last_seen, fixed_at, detail_hash) values (${digest}, ${vuln}, ${purl}, 'curl', '1', 'fixed', '["2"]', 'high', ${state}, ${T0.toISOString()}, ${T0.toISOString()}, ${state === "fixed" ? T0.toISOString() : null}, 'h1')`.execute(old);
        }
      } finally {
        await old.destroy();
      }
      const r = repositories(await openStore(loc));
      try {
        const rows = () => r.store.db.selectFrom("findings").select(["image_digest", "vulnerability_id", "state", "first_seen", "fixed_at"]).orderBy("image_digest").orderBy("vulnerability_id").execute();
        assert.deepEqual(await rows(), [
          { image_digest: a, vulnerability_id: "CVE-1", state: "open", first_seen: T0.toISOString(), fixed_at: null },
          { image_digest: a, vulnerability_id: "CVE-2", state: "fixed", first_seen: T0.toISOString(), fixed_at: T0.toISOString() },
          { image_digest: b, vulnerability_id: "CVE-1", state: "open", first_seen: T0.toISOString(), fixed_at: null },
        ]);
        const indexes =
          loc.kind === "sqlite"
            ? (await sql<{ name: string }>`select name from sqlite_master where type = 'index' and tbl_name = 'findings' order by name`.execute(r.store.db)).rows
            : (await sql<{ name: string }>`select indexname as name from pg_indexes where tablename = 'findings' order by indexname`.execute(r.store.db)).rows;
        assert.deepEqual(indexes.map((i) => i.name), ["findings_image_state_severity", "findings_key", "findings_vulnerability_state"]);
        // The fixed CVE-2 is found again: its row is re-opened (the unique key arbitrates the upsert), first_seen kept.
        await r.images.saveMatch({ digest: a, vulnerabilities: [{ id: "CVE-2", severity: "high", aliases: [], kev: false }], findings: [finding("CVE-2", purl)], scope: new Set([purl]) }, at(5));
        const again = (await rows()).filter((f) => f.image_digest === a);
        assert.deepEqual(again.map((f) => [f.vulnerability_id, f.state, f.first_seen]), [["CVE-1", "fixed", T0.toISOString()], ["CVE-2", "open", T0.toISOString()]]);
        await assert.rejects(sql`insert into findings (image_digest, vulnerability_id, package_purl, package_name, installed_version, fix_status, fixed_versions_json, severity, state, first_seen, last_seen) values (${b}, 'CVE-1', ${purl}, 'curl', '1', 'fixed', '[]', 'high', 'open', 'x', 'x')`.execute(r.store.db), /unique|UNIQUE/);
      } finally {
        await r.store.close();
      }
    });
  });
}

const dir = mkdtempSync(join(tmpdir(), "berth-store-"));
after(() => rmSync(dir, { recursive: true, force: true }));

describe("SQLite background checkpoints (server and worker)", () => {
  test("commits append to the WAL and a thread copies them into the database: the WAL is reused instead of growing", { timeout: 60_000 }, async () => {
    const path = join(dir, "checkpoints.sqlite");
    const store = await openStore({ kind: "sqlite", path }, { backgroundCheckpoints: true });
    const walSize = () => statSync(`${path}-wal`).size;
    try {
      await sql`create table filler (x text)`.execute(store.db);
      // 30 commits of ~1 MiB, paced slower than the thread's 250 ms (a loaded CI machine may delay it a
      // few ticks): without checkpoints (the writer's own threshold is 256 MiB) the WAL would reach ~30 MiB.
      let largest = 0;
      for (let i = 0; i < 30; i++) {
        await store.db.transaction().execute(async (tx) => {
          for (let j = 0; j < 4; j++) await sql`insert into filler (x) values (${"x".repeat(256 * 1024)})`.execute(tx);
        });
        largest = Math.max(largest, walSize());
        await new Promise((r) => setTimeout(r, 150));
      }
      assert.ok(largest < 16 * 2 ** 20, `the WAL stayed small (largest ${largest} bytes)`);
      assert.equal(Number((await sql<{ n: number }>`select count(*) as n from filler`.execute(store.db)).rows[0]?.n), 120);
    } finally {
      await store.close();
    }
    // Closed cleanly: the thread's connection is gone and the file opens again.
    const again = await openStore({ kind: "sqlite", path });
    assert.equal(Number((await sql<{ n: number }>`select count(*) as n from filler`.execute(again.db)).rows[0]?.n), 120);
    await again.close();
  });
});


suite("SQLite", async () => ({ kind: "sqlite", path: join(dir, "berth.sqlite") }));
upgradeSuite("SQLite", async (db) => ({ kind: "sqlite", path: join(dir, `${db}.sqlite`) }));

let postgres: TestPostgres | undefined;
const startedPostgres = async (): Promise<TestPostgres> => (postgres ??= await startPostgres());
after(async () => {
  await postgres?.stop();
});
suite("PostgreSQL", async () => ({ kind: "postgres", url: await (await startedPostgres()).createDatabase("berth_store") }));
upgradeSuite("PostgreSQL", async (db) => ({ kind: "postgres", url: await (await startedPostgres()).createDatabase(`berth_${db}`) }));
