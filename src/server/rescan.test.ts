// Continuous rescans on SQLite and a real PostgreSQL: which images a scheduled rescan selects (push,
// pull and running windows; platform images under a tagged index), that the schedule runs once per
// period across processes, which images an advisory change selects (incremental), and the re-match
// lifecycle (new, still open, fixed with the date) against databases built from real OSV records.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startPostgres, type TestPostgres } from "../../test/support/postgres.js";
import type { Package } from "../model/package.js";
import { scanInventory } from "../scan/scan.js";
import { renderInventoryJson } from "../sbom/json.js";
import { openStore, repositories, type Repositories, type StoreLocation } from "../store/index.js";
import { dbPath, openVulnDb, updateDb } from "../vulndb/index.js";
import { diffAdvisoryIndex, readAdvisoryIndex } from "../vulndb/changes.js";
import { buildZip } from "../vulndb/testutil/zipwriter.js";
import { fixtureEntries, writeMirror } from "../vulndb/testutil/mirror.js";
import { rematchJobs, runRematchJob, parseRematchPayload, REMATCH_JOB } from "./rematch.js";
import { checkVulnDbChange } from "./rescan-db.js";
import { DEFAULT_RESCAN, RESCAN_JOB, parseRescanPayload, runScheduledRescan, tickRescanSchedule } from "./rescan.js";
import { toStoredFinding, toStoredPackages, toStoredVulnerability, vulnDbVersion } from "./scan-outcome.js";

const DAY = 86_400_000;
const T0 = new Date("2026-11-20T12:00:00.000Z");
const ago = (days: number) => new Date(T0.getTime() - days * DAY);
const digest = (c: string) => `sha256:${c.repeat(64)}`;
const work = mkdtempSync(join(tmpdir(), "berth-rescan-"));
after(() => rmSync(work, { recursive: true, force: true }));

// Two databases of real records: "without" lacks DEBIAN-CVE-2023-27534 (curl < 7.88.1-7), "with" has it.
const withoutDir = join(work, "db-without");
const withDir = join(work, "db-with");
before(async () => {
  const debian = fixtureEntries("Debian");
  writeMirror(join(work, "m-without"), { rawZip: { Debian: buildZip(debian.filter((e) => e.name !== "DEBIAN-CVE-2023-27534.json")) } });
  writeMirror(join(work, "m-with"));
  await updateDb({ cacheDir: withoutDir, source: join(work, "m-without") });
  await updateDb({ cacheDir: withDir, source: join(work, "m-with") });
});

const DEBIAN = { id: "debian", versionId: "12" };
const deb = (name: string, version: string, source: string): Package => ({
  type: "deb", name, version, purl: `pkg:deb/debian/${name}@${version}?arch=amd64&distro=debian-12`, sourceName: source, sourceVersion: version,
  licenses: [], locations: [{ path: "/var/lib/dpkg/status" }], foundBy: "dpkg-status",
});
const CURL = deb("libcurl4", "7.88.1-6", "curl");
const ZLIB = deb("zlib1g", "1:1.2.13.dfsg-1", "zlib");
const NGHTTP2 = deb("libnghttp2-14", "1.52.0-1", "nghttp2");

/** Stores an image as the scan job would, matched against the DB in `cacheDir`. */
async function storeScanned(r: Repositories, d: string, packages: Package[], cacheDir: string, at: Date): Promise<void> {
  await r.images.ensure({ digest: d }, at);
  const db = openVulnDb(dbPath(cacheDir));
  try {
    const findings = scanInventory({ name: d, kind: "image", packages, distro: DEBIAN }, { db, now: at }).target.findings;
    await r.images.saveScan(
      {
        digest: d,
        distro: "debian-12",
        inventoryJson: renderInventoryJson({ subject: { kind: "directory", path: "/" }, distro: DEBIAN, packages, unknowns: [], timestamp: at, tool: { name: "berth", version: "test" } }),
        packages: toStoredPackages(packages, DEBIAN),
        vulnerabilities: findings.map(toStoredVulnerability),
        findings: findings.map(toStoredFinding),
        dbVersion: vulnDbVersion(db),
      },
      at,
    );
  } finally {
    db.close();
  }
}

function suite(name: string, location: () => Promise<StoreLocation>): void {
  describe(`continuous rescans on ${name}`, () => {
    let r: Repositories;
    before(async () => {
      r = repositories(await openStore(await location()));
    });
    after(async () => {
      await r?.store.close();
    });

    test("scheduled windows: pushed, pulled, running; an index's platform images; nothing else", async () => {
      const loc = (tag: string) => ({ host: "reg.example", repository: "team/app", tag });
      const pushedRecent = digest("1"), pushedOld = digest("2"), pulledRecent = digest("3"), running = digest("4"), removedWorkload = digest("5");
      const index = digest("6"), platform = digest("7");
      for (const d of [pushedRecent, pushedOld, pulledRecent, running, removedWorkload, platform]) await storeScanned(r, d, [ZLIB], withoutDir, ago(200));
      await r.images.ensure({ digest: index }, ago(200));
      await r.images.linkToIndex(platform, index, "linux/amd64");
      await r.registry.recordPush(loc("recent"), pushedRecent, ago(10), undefined);
      await r.registry.recordPush(loc("old"), pushedOld, ago(120), undefined);
      await r.registry.recordPush(loc("pulled"), pulledRecent, ago(150), undefined);
      await r.registry.recordPull(loc("pulled"), pulledRecent, ago(3), undefined);
      await r.registry.recordPush(loc("multi"), index, ago(5), undefined);
      const db = r.store.db;
      const cluster = await db.insertInto("clusters").values({ name: "prod", source: "push", last_seen_at: null, resource_versions_json: null, warnings_json: null, created_at: T0.toISOString(), updated_at: T0.toISOString() }).returning("id").executeTakeFirstOrThrow();
      const workload = (n: string, removed: string | null) =>
        db.insertInto("workloads").values({ cluster_id: cluster.id, namespace: "default", kind: "Deployment", name: n, uid: null, labels_json: "{}", pod_count: 1, internet_exposed: 0, first_seen: T0.toISOString(), last_seen: T0.toISOString(), removed_at: removed }).returning("id").executeTakeFirstOrThrow();
      const live = await workload("api", null);
      const gone = await workload("old", ago(1).toISOString());
      await db.insertInto("workload_images").values([
        { workload_id: live.id, container: "api", init: 0, image_ref: "reg.example/team/app@x", digest: running, digest_kind: "repo-digest", repository: null },
        { workload_id: gone.id, container: "old", init: 0, image_ref: "reg.example/team/app@y", digest: removedWorkload, digest_kind: "repo-digest", repository: null },
      ]).execute();

      const all = await r.rescan.scheduledDigests({ pushedSince: ago(90), pulledSince: ago(30), running: true });
      assert.deepEqual(all, [pushedRecent, pulledRecent, running, platform].sort());
      assert.deepEqual(await r.rescan.scheduledDigests({ pushedSince: ago(90), running: false }), [pushedRecent, platform].sort());
      assert.deepEqual(await r.rescan.scheduledDigests({ pulledSince: ago(30), running: false }), [pulledRecent]);
      assert.deepEqual(await r.rescan.scheduledDigests({ running: true }), [running]);
      assert.deepEqual(await r.rescan.scheduledDigests({ pushedSince: ago(200), running: false }), [pushedRecent, pushedOld, pulledRecent, platform].sort());
    });

    test("the schedule: first start records a run; due once per period; one process claims it", async () => {
      const cfg = { ...DEFAULT_RESCAN, batchSize: 2 };
      assert.equal(await tickRescanSchedule(r, cfg, T0), false, "first start: nothing to catch up");
      assert.equal(await tickRescanSchedule(r, cfg, new Date(T0.getTime() + DAY - 1000)), false, "not due yet (a restart does not rescan)");
      const due = new Date(T0.getTime() + DAY);
      assert.equal(await tickRescanSchedule(r, cfg, due), true);
      assert.equal(await tickRescanSchedule(r, cfg, due), false, "a second server's tick finds the job queued");
      const [job] = await r.jobs.list({ status: "queued" }).then((js) => js.filter((j) => j.kind === RESCAN_JOB));
      assert.ok(job);
      assert.deepEqual(parseRescanPayload(job.payload_json), cfg);
      const run = await runScheduledRescan(r, parseRescanPayload(job.payload_json), due);
      assert.equal(run.ran, true);
      assert.ok(run.images >= 4);
      assert.equal(run.jobs, Math.ceil(run.images / 2));
      assert.deepEqual((await runScheduledRescan(r, cfg, due)).ran, false, "the period is taken");
      const rematches = (await r.jobs.list({ status: "queued" })).filter((j) => j.kind === REMATCH_JOB);
      assert.equal(rematches.length, run.jobs);
      assert.equal(parseRematchPayload(rematches[0]!.payload_json).reason, "schedule");
    });

    test("re-match lifecycle: a new advisory adds the finding without pulling; removed again, it is fixed with the date", async () => {
      const img = digest("a");
      await storeScanned(r, img, [CURL, ZLIB, NGHTTP2], withoutDir, ago(2));
      const before = await r.images.findings(img);
      assert.equal(before.some((f) => f.vulnerability_id === "CVE-2023-27534"), false);
      const nghttp2 = before.find((f) => f.vulnerability_id === "CVE-2023-44487");
      assert.ok(nghttp2, "the DB without the curl advisory still has the nghttp2 one");

      const t1 = ago(1);
      const s1 = await runRematchJob(r, { cacheDir: withDir, log: () => undefined }, { digests: [img, digest("f")], reason: "test" }, () => t1);
      assert.deepEqual(s1, { images: 1, skipped: 1, added: 1, changed: 0, fixed: 0, shared: 0 });
      const after1 = await r.images.findings(img);
      const curl = after1.find((f) => f.vulnerability_id === "CVE-2023-27534");
      assert.equal(curl?.state, "open");
      assert.equal(curl?.first_seen, t1.toISOString());
      assert.equal(curl?.package_purl, CURL.purl);
      assert.deepEqual(JSON.parse(curl?.fixed_versions_json ?? "[]"), ["7.88.1-7"]);
      const still = after1.find((f) => f.vulnerability_id === "CVE-2023-44487");
      assert.equal(still?.first_seen, nghttp2.first_seen, "still open: first seen kept");
      assert.equal((await r.images.get(img))?.matched_at, t1.toISOString());

      // The same DB again: nothing written.
      assert.deepEqual(await runRematchJob(r, { cacheDir: withDir, log: () => undefined }, { digests: [img], reason: "test" }, () => T0), { images: 1, skipped: 0, added: 0, changed: 0, fixed: 0, shared: 0 });

      // Incremental: scoped to curl, against the DB without the advisory: fixed, with the date; nghttp2 untouched.
      const t2 = new Date(T0.getTime() + 1000);
      const s2 = await runRematchJob(r, { cacheDir: withoutDir, log: () => undefined }, { digests: [img], packages: ["Debian:12\ncurl"], reason: "db-update" }, () => t2);
      assert.deepEqual(s2, { images: 1, skipped: 0, added: 0, changed: 0, fixed: 1, shared: 0 });
      const all = await r.images.findings(img, { includeFixed: true });
      const fixed = all.find((f) => f.vulnerability_id === "CVE-2023-27534");
      assert.equal(fixed?.state, "fixed");
      assert.equal(fixed?.fixed_at, t2.toISOString());
      assert.equal(all.find((f) => f.vulnerability_id === "CVE-2023-44487")?.state, "open");
    });

    test("incremental: the DB diff names curl; only images with curl (by source package) are re-matched", async () => {
      const withCurl = digest("b"), without = digest("c");
      await storeScanned(r, withCurl, [CURL, ZLIB], withoutDir, ago(2));
      await storeScanned(r, without, [ZLIB], withoutDir, ago(2));
      assert.deepEqual(await r.rescan.digestsWithPackages([{ ecosystem: "Debian:12", name: "curl" }]), [digest("a"), withCurl].sort());
      assert.deepEqual(await r.rescan.digestsWithPackages([{ ecosystem: "Debian:12", name: "libcurl4" }]), [], "advisories name the source package");
      assert.deepEqual(await r.rescan.digestsWithPackages([{ ecosystem: "Debian:11", name: "curl" }]), []);

      // First DB seen: recorded as the baseline, nothing enqueued.
      const first = await checkVulnDbChange(r, { cacheDir: withoutDir }, T0);
      assert.equal(first.status, "first");
      assert.equal((await checkVulnDbChange(r, { cacheDir: withoutDir }, T0)).status, "unchanged");
      const queued = new Set((await r.jobs.list({ status: "queued" })).map((j) => j.id));
      const changed = await checkVulnDbChange(r, { cacheDir: withDir }, T0);
      assert.equal(changed.status, "changed");
      assert.deepEqual(changed.changes?.added, ["DEBIAN-CVE-2023-27534"]);
      assert.deepEqual(changed.changes?.removed, []);
      const jobs = (await r.jobs.list({ status: "queued" })).filter((j) => !queued.has(j.id));
      assert.equal(jobs.length, 1);
      const payload = parseRematchPayload(jobs[0]!.payload_json);
      assert.deepEqual(payload.digests, [digest("a"), withCurl].sort());
      assert.deepEqual(payload.packages, ["Debian:12\ncurl"]);
      assert.equal((await checkVulnDbChange(r, { cacheDir: withDir }, T0)).status, "unchanged");
    });
  });
}

test("advisory index diff: added, changed, removed and the packages they name before and after", () => {
  const before = new Map([
    ["A", { fingerprint: "1|", packages: ["Debian:12\ncurl"] }],
    ["B", { fingerprint: "1|", packages: ["npm\nlodash"] }],
    ["C", { fingerprint: "1|", packages: ["PyPI\nflask"] }],
  ]);
  const after = new Map([
    ["A", { fingerprint: "1|", packages: ["Debian:12\ncurl"] }],
    ["B", { fingerprint: "2|", packages: ["npm\nlodash-es"] }],
    ["D", { fingerprint: "1|", packages: ["crates.io\nserde"] }],
  ]);
  assert.deepEqual(diffAdvisoryIndex(before, after), { added: ["D"], changed: ["B"], removed: ["C"], packages: ["PyPI\nflask", "crates.io\nserde", "npm\nlodash", "npm\nlodash-es"] });
  const idx = readAdvisoryIndex(dbPath(withDir));
  assert.deepEqual(idx.get("DEBIAN-CVE-2023-27534")?.packages, ["Debian:12\ncurl"]);
});

test("rematch jobs: batches with stable keys; too many package keys re-match whole images", () => {
  const ds = ["d3", "d1", "d2", "d1"];
  const jobs = rematchJobs(ds, { reason: "x", batchSize: 2 });
  assert.deepEqual(jobs.map((j) => (j.payload as { digests: string[] }).digests), [["d1", "d2"], ["d3"]]);
  assert.equal(rematchJobs(ds, { reason: "y", batchSize: 2 })[0]!.dedupeKey, jobs[0]!.dedupeKey);
  const many = Array.from({ length: 501 }, (_, i) => `npm\np${i}`);
  assert.equal((rematchJobs(["d"], { reason: "x", packages: many })[0]!.payload as { packages?: string[] }).packages, undefined);
  assert.throws(() => parseRematchPayload(JSON.stringify({ digests: "x" })), /digests/);
});

suite("SQLite", async () => ({ kind: "sqlite", path: join(work, "berth.sqlite") }));

let pg: TestPostgres | undefined;
after(async () => {
  await pg?.stop();
});
suite("PostgreSQL", async () => {
  pg = await startPostgres();
  return { kind: "postgres", url: await pg.createDatabase("berth_rescan") };
});
