// Registry webhooks beyond the Distribution envelope, against a real registry and a real server (on
// SQLite and on PostgreSQL): a Harbor 2.x PUSH_ARTIFACT webhook (its real payload shape, its
// verbatim auth header) for an image pushed to a real docker-registry is scanned; the generic form
// signed with an HMAC over the raw body; redeliveries change nothing; missing, wrong and forged
// credentials are refused; /metrics parses as Prometheus text and its counters and gauges move
// with the events; the API answers 429 with Retry-After past its rate limit while health,
// readiness and metrics stay open.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startServer, type RunningServer, type ServerConfig } from "../../src/server/index.js";
import { signBody } from "../../src/server/auth/hmac.js";
import { scanDedupeKey } from "../../src/server/ingest/registry-events.js";
import { updateDb } from "../../src/vulndb/index.js";
import { writeMirror } from "../../src/vulndb/testutil/mirror.js";
import { defaultLimits } from "../../src/util/limits.js";
import { startPostgres, type TestPostgres } from "../support/postgres.js";
import { startRegistry, type TestRegistry } from "../support/registry.js";
import { tarBytes, writeLayout } from "../support/oci-builder.js";
import { pushTinyImage } from "../support/tiny-image.js";

const SECRET = "harbor-auth-header-value";
const HMAC = "hmac-secret-for-tests";
const METRICS_TOKEN = "metrics-token-for-tests";
const work = mkdtempSync(join(tmpdir(), "berth-webhooks-it-"));
const cacheDir = join(work, "cache");

let reg: TestRegistry;
let digest = "";

before(async () => {
  writeMirror(join(work, "mirror"));
  await updateDb({ cacheDir, source: join(work, "mirror") });
  reg = await startRegistry();
  // A Debian image with libcurl4 7.88.1-6 (CVE-2023-27534, fixed later), built without an engine.
  const layout = join(work, "image");
  const osRelease = 'ID=debian\nVERSION_ID="12"\nPRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\n';
  const dpkg = "Package: libcurl4\nStatus: install ok installed\nArchitecture: amd64\nSource: curl\nVersion: 7.88.1-6\nDescription: curl\n\n";
  writeLayout(layout, [{ tar: await tarBytes([{ name: "etc/os-release", data: osRelease }, { name: "var/lib/dpkg/status", data: dpkg }]) }]);
  digest = await pushTinyImage(layout, "latest", `${reg.host}/library/app:1.0`);
});
after(async () => {
  await reg?.stop();
  rmSync(work, { recursive: true, force: true });
});

/** Prometheus text exposition 0.0.4 → samples keyed `name{label="value",…}` (labels sorted). */
function parseMetrics(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    assert.ok(m, `not an exposition line: ${line}`);
    const labels = [...(m[2] ?? "").matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)].map((l) => `${l[1]}="${l[2]}"`).sort();
    out.set(labels.length ? `${m[1]}{${labels.join(",")}}` : (m[1] as string), Number(m[3]));
  }
  return out;
}

function suite(label: string, databaseUrl: () => Promise<string | undefined>): void {
  describe(`webhooks on ${label}`, () => {
    let server: RunningServer;
    let readToken: string;
    let ingestToken: string;

    before(async () => {
      const dbUrl = await databaseUrl();
      server = await startServer({
        dataDir: join(work, label, "data"),
        ...(dbUrl ? { databaseUrl: dbUrl } : {}),
        host: "127.0.0.1",
        port: 0,
        registrySecret: SECRET,
        registryHmacSecret: HMAC,
        metricsToken: METRICS_TOKEN,
        metricsCacheMs: 0,
        insecureRegistries: [reg.host],
        cacheDir,
        platform: { os: "linux", architecture: "amd64" },
        limits: defaultLimits,
        concurrency: 2,
        leaseMs: 30_000,
        pollMs: 200,
        rescan: false,
        log: () => undefined,
      } satisfies ServerConfig);
      readToken = (await server.repos.tokens.create("read", "test", new Date())).token;
      ingestToken = (await server.repos.tokens.create("ingest", "test", new Date())).token;
    });
    after(async () => {
      await server?.close();
    });

    function post(body: unknown, headers: Record<string, string>, contentType = "application/json"): Promise<Response> {
      return fetch(`${server.url}/api/v1/events/registry`, { method: "POST", headers: { "content-type": contentType, ...headers }, body: typeof body === "string" ? body : JSON.stringify(body) });
    }

    async function metrics(): Promise<Map<string, number>> {
      const r = await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
      assert.equal(r.status, 200);
      assert.equal(r.headers.get("content-type"), "text/plain; version=0.0.4; charset=utf-8");
      return parseMetrics(await r.text());
    }

    async function waitScanned(d: string): Promise<Record<string, unknown>> {
      let last: unknown;
      for (let i = 0; i < 300; i++) {
        const r = await fetch(`${server.url}/api/v1/images/${d}`, { headers: { authorization: `Bearer ${readToken}` } });
        const body = (await r.json()) as Record<string, unknown>;
        last = body;
        // Settled: the image has its result and its job is finished (counted in the metrics).
        const job = body.job as { status: string } | null | undefined;
        if (r.status === 200 && (body.scanStatus === "scanned" || body.scanStatus === "failed") && (job?.status === "done" || job?.status === "failed")) return body;
        await new Promise((res) => setTimeout(res, 100));
      }
      throw new Error(`not scanned: ${JSON.stringify(last)}`);
    }

    const harborPush = () => ({
      type: "PUSH_ARTIFACT",
      occur_at: 1763632800,
      operator: "admin",
      event_data: {
        resources: [{ digest, tag: "1.0", resource_url: `${reg.host}/library/app:1.0` }],
        repository: { date_created: 1763600000, name: "app", namespace: "library", repo_full_name: "library/app", repo_type: "private" },
      },
    });

    test("a Harbor push webhook, authenticated by Harbor's verbatim auth header, is scanned", async () => {
      const before = await metrics();
      const r = await post(harborPush(), { authorization: SECRET });
      assert.equal(r.status, 200, await r.clone().text());
      assert.deepEqual(await r.json(), { accepted: 1, duplicates: 0, ignored: 0, enqueued: 1 });
      const image = await waitScanned(digest);
      assert.equal(image.scanStatus, "scanned", JSON.stringify(image));
      const findings = image.findings as { id: string; package: { name: string } }[];
      assert.ok(findings.some((f) => f.id === "CVE-2023-27534" && f.package.name === "libcurl4"), findings.map((f) => f.id).join(", "));
      assert.deepEqual(
        (image.locations as { host: string; repository: string; tag: string }[]).map((l) => [l.host, l.repository, l.tag]),
        [[reg.host, "library/app", "1.0"]],
      );
      const m = await metrics();
      const received = 'berth_registry_events_received_total{action="push",source="harbor"}';
      assert.equal((m.get(received) ?? 0) - (before.get(received) ?? 0), 1);
      assert.ok((m.get('berth_scans_total{outcome="completed"}') ?? 0) >= 1);
      assert.ok((m.get('berth_scan_duration_seconds_count{result="completed"}') ?? 0) >= 1);
      assert.equal(m.get('berth_jobs{kind="scan-image",status="done"}'), 1);
      assert.equal(m.get('berth_images{scan_status="scanned"}'), 1);
      const open = [...m].filter(([k]) => k.startsWith("berth_findings_open{")).reduce((n, [, v]) => n + v, 0);
      assert.equal(open, findings.length, "open findings by severity add up to the image's");
      assert.ok((m.get("berth_vulndb_age_seconds") ?? -1) >= 0);
    });

    test("a Harbor redelivery (and the same event in CloudEvents form) changes nothing", async () => {
      const again = await post(harborPush(), { authorization: `Bearer ${SECRET}` });
      assert.deepEqual(await again.json(), { accepted: 0, duplicates: 1, ignored: 0, enqueued: 0 });
      const p = harborPush();
      const cloud = { specversion: "1.0", id: "4b2f89a6-548d-4c12-9993-a1f5790b97d2", source: "/projects/1/webhook/policies/3", type: "harbor.artifact.pushed", time: new Date(p.occur_at * 1000).toISOString(), operator: p.operator, data: p.event_data };
      const ce = await post(cloud, { authorization: SECRET }, "application/cloudevents+json");
      assert.deepEqual(await ce.json(), { accepted: 0, duplicates: 1, ignored: 0, enqueued: 0 });
      assert.equal((await server.repos.jobs.list({ dedupeKey: scanDedupeKey(digest) })).length, 1);
      // A scan-result notification is accepted and ignored.
      const scanDone = await post({ ...p, type: "SCANNING_COMPLETED" }, { authorization: SECRET });
      assert.deepEqual(await scanDone.json(), { accepted: 0, duplicates: 0, ignored: 1, enqueued: 0 });
    });

    test("the generic form signed with X-Berth-Signature: good HMAC accepted, replay idempotent, bad HMAC 401", async () => {
      const body = JSON.stringify({ events: [{ action: "pull", registry: reg.host, repository: "library/app", digest, tag: "1.0", at: "2026-11-20T11:00:00Z", actor: "kubelet" }] });
      const signed = await post(body, { "x-berth-signature": signBody(HMAC, body) });
      assert.equal(signed.status, 200);
      assert.deepEqual(await signed.json(), { accepted: 1, duplicates: 0, ignored: 0, enqueued: 0 });
      const locs = await server.repos.registry.locations(digest);
      assert.equal(locs[0]?.lastPulledAt, "2026-11-20T11:00:00.000Z");
      const replay = await post(body, { "x-berth-signature": signBody(HMAC, body) });
      assert.deepEqual(await replay.json(), { accepted: 0, duplicates: 1, ignored: 0, enqueued: 0 });
      // The signature covers the exact bytes: the same JSON re-serialised differently is refused.
      const reformatted = JSON.stringify(JSON.parse(body), null, 1);
      assert.equal((await post(reformatted, { "x-berth-signature": signBody(HMAC, body) })).status, 401);
      assert.equal((await post(body, { "x-berth-signature": signBody("wrong-secret", body) })).status, 401);
      assert.equal((await post(body, { "x-berth-signature": "sha256=zz" })).status, 401);
      // A wrong signature is refused even with a good bearer alongside.
      assert.equal((await post(body, { "x-berth-signature": signBody("wrong-secret", body), authorization: `Bearer ${SECRET}` })).status, 401);
      const m = await metrics();
      assert.ok((m.get('berth_registry_events_received_total{action="pull",source="generic"}') ?? 0) >= 2);
    });

    test("webhooks without or with wrong credentials are refused; tokens need the ingest role", async () => {
      const body = { events: [{ action: "push", registry: reg.host, repository: "library/other", digest: `sha256:${"0".repeat(64)}` }] };
      const before = await metrics();
      const attempts: Record<string, string>[] = [{}, { authorization: "wrong" }, { authorization: "Bearer wrong" }, { authorization: `Basic ${SECRET}` }, { authorization: `${SECRET}x` }];
      for (const headers of attempts) {
        const r = await post(body, headers);
        assert.equal(r.status, 401, JSON.stringify(headers));
        assert.equal(((await r.json()) as { error: string }).error, "unauthorized");
      }
      assert.equal((await post(body, { authorization: `Bearer ${readToken}` })).status, 403);
      const ok = await post(body, { authorization: `Bearer ${ingestToken}` });
      assert.equal(ok.status, 200);
      assert.deepEqual(await ok.json(), { accepted: 1, duplicates: 0, ignored: 0, enqueued: 1 });
      // Nothing the refused requests carried was recorded.
      assert.equal((await server.repos.jobs.list({ dedupeKey: scanDedupeKey(`sha256:${"0".repeat(64)}`) })).length, 1);
      const m = await metrics();
      const unauthorized = 'berth_http_requests_total{method="POST",route="/api/v1/events/registry",status="401"}';
      assert.equal((m.get(unauthorized) ?? 0) - (before.get(unauthorized) ?? 0), 5);
    });

    test("hostile bodies: not JSON, wrong shape, over the size limit", async () => {
      assert.equal((await post("{not json", { authorization: SECRET })).status, 400);
      const shape = await post({ hello: "world" }, { authorization: SECRET });
      assert.equal(shape.status, 400);
      assert.match(((await shape.json()) as { message: string }).message, /not a registry notification/);
      const harborBad = await post({ type: "PUSH_ARTIFACT", occur_at: 1, event_data: { resources: [{ digest: "sha256:1" }], repository: { repo_full_name: "a" } } }, { authorization: SECRET });
      assert.equal(harborBad.status, 400);
      assert.match(((await harborBad.json()) as { message: string }).message, /^invalid Harbor webhook: event_data\.resources\[0\]\.digest/);
      const big = JSON.stringify({ events: [], pad: "x".repeat(1024 * 1024 + 10) });
      assert.equal((await post(big, { "x-berth-signature": signBody(HMAC, big) })).status, 413);
    });

    test("GET /metrics needs the metrics token when one is set", async () => {
      assert.equal((await fetch(`${server.url}/metrics`)).status, 401);
      assert.equal((await fetch(`${server.url}/metrics`, { headers: { authorization: "Bearer nope" } })).status, 401);
      const m = await metrics();
      assert.ok((m.get('berth_http_requests_total{method="GET",route="/metrics",status="401"}') ?? 0) >= 2);
      assert.ok(m.has("process_resident_memory_bytes"));
      const doc = (await (await fetch(`${server.url}/openapi.json`)).json()) as { paths: Record<string, Record<string, unknown>> };
      assert.ok(doc.paths["/metrics"]?.get, "GET /metrics is in the OpenAPI document");
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
  return pg.url;
});

describe("rate limits on a real server", () => {
  let server: RunningServer;
  before(async () => {
    server = await startServer({
      dataDir: join(work, "ratelimit"),
      host: "127.0.0.1",
      port: 0,
      registrySecret: SECRET,
      insecureRegistries: [],
      cacheDir,
      platform: { os: "linux", architecture: "amd64" },
      limits: defaultLimits,
      concurrency: 0,
      rescan: false,
      rateLimit: { api: { perMinute: 60, burst: 3 }, events: { perMinute: 60, burst: 2 } },
      log: () => undefined,
    });
  });
  after(async () => {
    await server?.close();
  });

  test("past the burst: 429 with Retry-After; health, readiness and metrics are exempt", async () => {
    const { token } = await server.repos.tokens.create("read", "test", new Date());
    const get = () => fetch(`${server.url}/api/v1/images/sha256:${"1".repeat(64)}`, { headers: { authorization: `Bearer ${token}` } });
    for (let i = 0; i < 3; i++) assert.equal((await get()).status, 404);
    const limited = await get();
    assert.equal(limited.status, 429);
    assert.match(limited.headers.get("retry-after") ?? "", /^[1-9]\d*$/);
    assert.equal(((await limited.json()) as { error: string }).error, "rate-limited");
    for (let i = 0; i < 10; i++) {
      for (const path of ["/healthz", "/readyz", "/metrics"]) assert.equal((await fetch(`${server.url}${path}`)).status, 200, path);
    }
    // The registry's own bucket is apart from the API token's.
    const ev = () => fetch(`${server.url}/api/v1/events/registry`, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${SECRET}` }, body: '{"events":[]}' });
    assert.equal((await ev()).status, 200);
    assert.equal((await ev()).status, 200);
    assert.equal((await ev()).status, 429);
  });
});
