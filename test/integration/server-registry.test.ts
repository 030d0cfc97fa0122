// `berth server` against a real registry: Debian's docker-registry sends its notifications to the
// server; an image with a real vulnerable Debian package (libcurl4 7.88.1-6, source curl) is pushed
// with skopeo; the push event becomes a scan job; the worker scans the image through the library
// pipeline against a database built from real OSV records; GET /api/v1/images/{digest} shows
// CVE-2023-27534. Also: the webhook refuses requests without the secret, duplicate events create no
// duplicate jobs, a pull is recorded, and a job held by a dead worker is retried after its lease.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { RunningServer } from "../../src/server/index.js";
import { DISTRIBUTION_EVENTS_MEDIA_TYPE } from "../../src/server/ingest/distribution.js";
import { scanDedupeKey, SCAN_JOB } from "../../src/server/ingest/registry-events.js";
import { updateDb } from "../../src/vulndb/index.js";
import { writeMirror } from "../../src/vulndb/testutil/mirror.js";
import { defaultLimits } from "../../src/util/limits.js";
import { tarBytes, writeLayout } from "../support/oci-builder.js";
import { startPostgres, type TestPostgres } from "../support/postgres.js";
import { startNotifiedServer } from "../support/notified-server.js";
import type { TestRegistry } from "../support/registry.js";
import { pushTinyImage, tool } from "../support/tiny-image.js";

const SECRET = "registry-shared-secret-for-tests";
const work = mkdtempSync(join(tmpdir(), "berth-server-it-"));
const cacheDir = join(work, "cache");

const STATUS = (curlVersion: string) => `Package: libcurl4
Status: install ok installed
Architecture: amd64
Source: curl
Version: ${curlVersion}
Description: easy-to-use client-side URL transfer library

`;

async function debianLayout(dir: string, curlVersion: string, marker: string, config?: Record<string, unknown>): Promise<void> {
  writeLayout(dir, [
    {
      tar: await tarBytes([
        { name: "etc/os-release", data: 'ID=debian\nVERSION_ID="12"\nPRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\n' },
        { name: "var/lib/dpkg/status", data: STATUS(curlVersion) },
        { name: "etc/marker", data: marker },
      ]),
    },
  ], config ? { config } : {});
}

before(async () => {
  writeMirror(join(work, "mirror"));
  await updateDb({ cacheDir, source: join(work, "mirror") });
});
after(() => rmSync(work, { recursive: true, force: true }));

function suite(label: string, databaseUrl: () => Promise<string | undefined>): void {
  describe(`server on ${label}`, () => {
    let dbUrl: string | undefined;
    let reg: TestRegistry;
    let server: RunningServer;
    let readToken: string;
    let ingestToken: string;

    before(async () => {
      dbUrl = await databaseUrl();
      ({ reg, server } = await startNotifiedServer({
        dataDir: join(work, label, "data"),
        ...(dbUrl ? { databaseUrl: dbUrl } : {}),
        cacheDir,
        secret: SECRET,
        server: {
          leaseMs: 30_000,
        },
      }));
      readToken = (await server.repos.tokens.create("read", "test", new Date())).token;
      ingestToken = (await server.repos.tokens.create("ingest", "test", new Date())).token;
    });

    after(async () => {
      await server?.close();
      await reg?.stop();
    });

    async function getImage(digest: string, token = readToken): Promise<{ status: number; body: Record<string, unknown> }> {
      const r = await fetch(`${server.url}/api/v1/images/${digest}`, { headers: { authorization: `Bearer ${token}` } });
      return { status: r.status, body: (await r.json()) as Record<string, unknown> };
    }

    /** Polls until the image and its scan job are settled (bounded by attempts, not by a clock assertion). */
    async function waitScanned(digest: string): Promise<Record<string, unknown>> {
      let last: unknown;
      for (let i = 0; i < 300; i++) {
        const r = await getImage(digest);
        last = r.body;
        const job = r.body.job as { status: string } | null | undefined;
        const settled = !job || job.status === "done" || job.status === "failed";
        if (r.status === 200 && (r.body.scanStatus === "scanned" || r.body.scanStatus === "failed") && settled) return r.body;
        await new Promise((res) => setTimeout(res, 100));
      }
      throw new Error(`image ${digest} not scanned; last answer ${JSON.stringify(last)}; registry log: ${reg.logs().slice(-1500)}`);
    }

    function postEvents(body: unknown, auth?: string): Promise<Response> {
      return fetch(`${server.url}/api/v1/events/registry`, {
        method: "POST",
        headers: { "content-type": DISTRIBUTION_EVENTS_MEDIA_TYPE, ...(auth ? { authorization: auth } : {}) },
        body: JSON.stringify(body),
      });
    }

    let pushedDigest = "";

    test("a push to the registry is scanned: the image shows CVE-2023-27534 in libcurl4", async () => {
      const layout = join(work, label, "img1");
      await debianLayout(layout, "7.88.1-6", "one");
      pushedDigest = await pushTinyImage(layout, "latest", `${reg.host}/team/app:1.0`);
      const image = await waitScanned(pushedDigest);
      assert.equal(image.scanStatus, "scanned", JSON.stringify(image));
      assert.equal(image.distro, "debian-12");
      assert.deepEqual({ ...(image.job as Record<string, unknown>), updatedAt: "" }, { status: "done", attempts: 1, lastError: null, updatedAt: "" });
      const findings = image.findings as { id: string; package: { name: string; version: string }; state: string; severity: string; fixedVersions: string[] }[];
      const curl = findings.find((f) => f.id === "CVE-2023-27534");
      assert.ok(curl, `findings: ${findings.map((f) => f.id).join(", ")}`);
      assert.equal(curl.package.name, "libcurl4");
      assert.equal(curl.package.version, "7.88.1-6");
      assert.equal(curl.state, "open");
      assert.ok(curl.fixedVersions.length > 0);
      const locations = image.locations as { host: string; repository: string; tag: string }[];
      assert.deepEqual(
        locations.map((l) => [l.host, l.repository, l.tag]),
        [[reg.host, "team/app", "1.0"]],
      );
      // The stored inventory is the image's SBOM (berth sbom -f json).
      const inventory = JSON.parse((await server.repos.images.inventory(pushedDigest)) ?? "{}") as { schema: string; packages: { name: string }[] };
      assert.equal(inventory.schema, "https://berth.dev/schemas/inventory/v1");
      assert.deepEqual(
        inventory.packages.map((p) => p.name),
        ["libcurl4"],
      );
      // Exactly one scan job for the digest, done.
      const jobs = await server.repos.jobs.list({ dedupeKey: scanDedupeKey(pushedDigest) });
      assert.deepEqual(
        jobs.map((j) => j.status),
        ["done"],
      );
    });

    test("a pull through the registry is recorded as the tag's last pull", async () => {
      assert.ok(pushedDigest);
      // The scan read the manifest and blobs (user agent "berth"): the registry reported those
      // reads as pulls, and none of them counts as one.
      assert.equal((await server.repos.registry.locations(pushedDigest))[0]?.lastPulledAt ?? null, null);
      await tool("skopeo", ["inspect", "--raw", "--tls-verify=false", `docker://${reg.host}/team/app:1.0`], { env: { ...process.env, HOME: work } });
      let lastPulled: string | null = null;
      for (let i = 0; i < 100 && !lastPulled; i++) {
        const locs = await server.repos.registry.locations(pushedDigest);
        lastPulled = locs[0]?.lastPulledAt ?? null;
        if (!lastPulled) await new Promise((res) => setTimeout(res, 100));
      }
      assert.ok(lastPulled, "pull not recorded");
      // A pull of a scanned image enqueues nothing new.
      assert.equal((await server.repos.jobs.list({ dedupeKey: scanDedupeKey(pushedDigest) })).length, 1);
    });

    test("an index push: the platform image of the server's platform is scanned and listed under the index", async () => {
      const amd = join(work, label, "amd64");
      const arm = join(work, label, "arm64");
      await debianLayout(amd, "7.88.1-6", "amd64");
      await debianLayout(arm, "7.88.1-6", "arm64", { architecture: "arm64", variant: "v8" });
      const amdDigest = await pushTinyImage(amd, "latest", `${reg.host}/team/multi:amd64`);
      const armDigest = await pushTinyImage(arm, "latest", `${reg.host}/team/multi:arm64`);
      const size = (dir: string, d: string) => statSync(join(dir, "blobs", "sha256", d.slice(7))).size;
      const index = Buffer.from(
        JSON.stringify({
          schemaVersion: 2,
          mediaType: "application/vnd.oci.image.index.v1+json",
          manifests: [
            { mediaType: "application/vnd.oci.image.manifest.v1+json", digest: amdDigest, size: size(amd, amdDigest), platform: { os: "linux", architecture: "amd64" } },
            { mediaType: "application/vnd.oci.image.manifest.v1+json", digest: armDigest, size: size(arm, armDigest), platform: { os: "linux", architecture: "arm64", variant: "v8" } },
          ],
        }),
      );
      const indexDigest = `sha256:${createHash("sha256").update(index).digest("hex")}`;
      const put = await fetch(`${reg.url}/v2/team/multi/manifests/1.0`, { method: "PUT", headers: { "content-type": "application/vnd.oci.image.index.v1+json" }, body: index });
      assert.equal(put.status, 201, await put.text());
      const scanned = await waitScanned(indexDigest);
      assert.equal(scanned.scanStatus, "scanned", JSON.stringify(scanned));
      assert.deepEqual(scanned.platforms, [{ digest: amdDigest, platform: "linux/amd64", scanStatus: "scanned" }]);
      assert.ok((scanned.findings as { id: string }[]).some((f) => f.id === "CVE-2023-27534"));
      assert.equal((await waitScanned(amdDigest)).indexDigest, indexDigest);
      // A single-platform image of another platform than the server's is still an image to scan:
      // its packages are read as they are (nothing runs), so an arm64-only push gets findings too.
      const armImage = await waitScanned(armDigest);
      assert.equal(armImage.scanStatus, "scanned", JSON.stringify(armImage));
      assert.ok((armImage.findings as { id: string }[]).some((f) => f.id === "CVE-2023-27534"));
    });

    test("the webhook refuses requests without the secret or a token; read tokens may not ingest", async () => {
      const envelope = { events: [] };
      assert.equal((await postEvents(envelope)).status, 401);
      assert.equal((await postEvents(envelope, "Bearer wrong-secret")).status, 401);
      assert.equal((await postEvents(envelope, `Basic ${Buffer.from(`x:${SECRET}`).toString("base64")}`)).status, 401);
      assert.equal((await postEvents(envelope, `Bearer ${readToken}`)).status, 403);
      assert.equal((await postEvents(envelope, `Bearer ${SECRET}`)).status, 200);
      assert.equal((await postEvents(envelope, `Bearer ${ingestToken}`)).status, 200);
      // Image reads need a token too.
      assert.equal((await fetch(`${server.url}/api/v1/images/${pushedDigest}`)).status, 401);
    });

    test("invalid envelopes are refused with the field named; oversized bodies with 413", async () => {
      const bad = await postEvents({ events: [{ id: "x", action: "explode", target: { repository: "a", digest: "sha256:nothex" } }] }, `Bearer ${ingestToken}`);
      assert.equal(bad.status, 400);
      const msg = ((await bad.json()) as { message: string }).message;
      assert.match(msg, /events\[0\]\.action/);
      assert.match(msg, /events\[0\]\.target\.digest/);
      const huge = await fetch(`${server.url}/api/v1/events/registry`, {
        method: "POST",
        headers: { "content-type": DISTRIBUTION_EVENTS_MEDIA_TYPE, authorization: `Bearer ${ingestToken}` },
        body: JSON.stringify({ events: [], pad: "x".repeat(2 * 1024 * 1024) }),
      });
      assert.equal(huge.status, 413);
      const notJson = await fetch(`${server.url}/api/v1/events/registry`, {
        method: "POST",
        headers: { "content-type": DISTRIBUTION_EVENTS_MEDIA_TYPE, authorization: `Bearer ${ingestToken}` },
        body: "{not json",
      });
      assert.equal(notJson.status, 400);
    });

    test("duplicate events create no duplicate jobs; a pull of a never-scanned image enqueues its scan", async () => {
      const digest = `sha256:${"b".repeat(64)}`;
      const event = (id: string, action: string) => ({
        id,
        timestamp: "2026-11-20T10:00:00Z",
        action,
        target: { mediaType: "application/vnd.oci.image.manifest.v1+json", digest, repository: "team/ghost", url: `http://${reg.host}/v2/team/ghost/manifests/${digest}` },
        request: { host: reg.host, method: "GET" },
      });
      // Keep the worker away from this job: it names an image the registry does not have.
      await server.worker?.stop();
      const first = await postEvents({ events: [event("pull-1", "pull")] }, `Bearer ${ingestToken}`);
      assert.deepEqual(await first.json(), { accepted: 1, duplicates: 0, ignored: 0, enqueued: 1 });
      const again = await postEvents({ events: [event("pull-1", "pull"), event("pull-2", "pull"), event("push-1", "push")] }, `Bearer ${ingestToken}`);
      assert.deepEqual(await again.json(), { accepted: 2, duplicates: 1, ignored: 0, enqueued: 0 });
      const jobs = await server.repos.jobs.list({ dedupeKey: scanDedupeKey(digest) });
      assert.equal(jobs.length, 1);
      assert.equal(jobs[0]?.status, "queued");
      // Berth's own reads of an image (a scan, evidence discovery) are not pulls: ignored.
      const own = { ...event("pull-3", "pull"), target: { ...event("pull-3", "pull").target, digest: `sha256:${"c".repeat(64)}` }, request: { host: reg.host, method: "GET", useragent: "berth" } };
      assert.deepEqual(await (await postEvents({ events: [own] }, `Bearer ${ingestToken}`)).json(), { accepted: 0, duplicates: 0, ignored: 1, enqueued: 0 });
      assert.equal((await getImage(digest)).body.scanStatus, "pending");
    });

    test("a job claimed by a worker that died is retried by a live worker once its lease passes", async () => {
      const layout = join(work, label, "img2");
      await debianLayout(layout, "7.88.1-6", "two");
      // Push without the server's worker (stopped by the previous test), so the job waits in the queue.
      const digest = await pushTinyImage(layout, "latest", `${reg.host}/team/other:2.0`);
      let job;
      for (let i = 0; i < 100 && !job; i++) {
        job = (await server.repos.jobs.list({ dedupeKey: scanDedupeKey(digest) }))[0];
        if (!job) await new Promise((res) => setTimeout(res, 100));
      }
      assert.ok(job, "push event did not enqueue a scan");
      // Take the ghost job of the previous test out of the way (its image does not exist).
      await server.repos.store.db.deleteFrom("jobs").where("dedupe_key", "=", scanDedupeKey(`sha256:${"b".repeat(64)}`)).execute();
      // A worker claims it and dies (never completes), with a lease of 1 ms: the lease is over by the
      // time the live worker looks.
      const claimed = await server.repos.jobs.claim({ worker: "dead-worker", leaseMs: 1, now: new Date(), kinds: [SCAN_JOB] });
      assert.equal(claimed?.id, job.id);
      const { startWorker } = await import("../../src/server/worker.js");
      const { runScanJob, parseScanPayload } = await import("../../src/server/scan-job.js");
      const settings = { cacheDir, platform: { os: "linux", architecture: "amd64" }, limits: defaultLimits, insecureRegistries: [reg.host], log: () => undefined };
      const live = startWorker({
        jobs: server.repos.jobs,
        kinds: [SCAN_JOB],
        concurrency: 1,
        leaseMs: 30_000,
        pollMs: 100,
        backoffBaseMs: 100,
        backoffMaxMs: 1000,
        now: () => new Date(),
        log: () => undefined,
        handle: (j) => runScanJob(server.repos, settings, parseScanPayload(j.payload_json), () => new Date()),
      });
      try {
        const image = await waitScanned(digest);
        assert.equal(image.scanStatus, "scanned");
        assert.ok((image.findings as { id: string }[]).some((f) => f.id === "CVE-2023-27534"));
        const jobs = await server.repos.jobs.list({ dedupeKey: scanDedupeKey(digest) });
        assert.equal(jobs.length, 1);
        assert.equal(jobs[0]?.status, "done");
        assert.equal(jobs[0]?.attempts, 2);
        assert.equal(jobs[0]?.worker, live.name);
      } finally {
        await live.stop();
      }
    });

    test("health, readiness and the OpenAPI document", async () => {
      assert.deepEqual(await (await fetch(`${server.url}/healthz`)).json(), { status: "ok" });
      assert.deepEqual(await (await fetch(`${server.url}/readyz`)).json(), { status: "ready" });
      const doc = (await (await fetch(`${server.url}/openapi.json`)).json()) as { openapi: string; paths: Record<string, Record<string, unknown>> };
      assert.match(doc.openapi, /^3\./);
      // Every route the app serves is documented, with its method.
      const routes = server.app.printRoutes({ commonPrefix: false });
      for (const [path, method] of [
        ["/healthz", "get"],
        ["/readyz", "get"],
        ["/openapi.json", "get"],
        ["/api/v1/events/registry", "post"],
        ["/api/v1/images/{digest}", "get"],
      ] as const) {
        assert.ok(doc.paths[path]?.[method], `${method} ${path} undocumented`);
        assert.ok(routes.includes(path.replace("{digest}", ":digest").split("/").pop() ?? path), `${path} not served`);
      }
      assert.equal((await getImage("sha256:zz")).status, 400);
      assert.equal((await getImage(`sha256:${"c".repeat(64)}`)).status, 404);
      assert.equal((await getImage(`sha512:${"d".repeat(128)}`)).status, 404);
    });
  });
}

suite("SQLite", async () => undefined);

let pg: TestPostgres | undefined;
after(async () => {
  await pg?.stop();
});
suite("PostgreSQL", async () => {
  pg = await startPostgres();
  return pg.createDatabase("berth_server");
});
