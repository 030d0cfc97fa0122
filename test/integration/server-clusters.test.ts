// Kubernetes inventory through the real server (in process, SQLite and PostgreSQL): `startServer`
// with a kubeconfig (`--kubeconfig prod=PATH`) for a loopback Kubernetes API double replaying
// recorded real-shape responses (test/support/kube-api.ts) through @kubernetes/client-node. The
// snapshot lands in the store (workloads, image digests, exposure), running images never seen are
// queued for scanning from allowed registries, watch events change the store (a deleted pod ages its
// workload out). Then the push route: `berth cluster snapshot --server`, good, bad and
// unauthenticated snapshots.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ClusterSnapshot } from "../../src/model/cluster.js";
import { listCluster } from "../../src/server/ingest/kubernetes.js";
import { scanDedupeKey } from "../../src/server/ingest/registry-events.js";
import { startServer, type RunningServer } from "../../src/server/index.js";
import { openStore, repositories, storeLocation } from "../../src/store/index.js";
import { defaultLimits } from "../../src/util/limits.js";
import { runCli } from "../support/cli.js";
import { fakeApiServer, kubeconfig, recordedLists, recordedPod, watchLines, writeKubeconfig, type FakeApi } from "../support/kube-api.js";
import { startPostgres, type TestPostgres } from "../support/postgres.js";

const sha = (hex: string): string => `sha256:${hex}`;
const D = {
  web: sha("4315c8fd5a82533f56a83922bc1d5a2cff2b1f1e76117f66673abbcffd6c9fff"),
  web2: sha("f9c02351f0f0c5862e79aefdf18e73cf37ebbeeafb8a73361641499d814211f7"),
  migrate: sha("e8dc853ffea13301ebd745abbf587fefc1a771a40dff3f00808ee7c74d37a46a"),
  api: sha("0a76eaad56a967890765eae8eecbf0d33172b36eaa4a38be434ac14e0817a82c"),
  admin: sha("3ccf63b1e3478c7504e0abc8420a15d580842f2a714ebfc2ad335acd6b71f90e"),
  db: sha("7b120488d11ce4756ba06a3f6cf29dc448c09a9c92bb855f082722be7b48ec46"),
  nodeExporter: sha("4d4d2dd71507d5875999f5c7d5b820846c82e3fd437b9a373e22a412fa7dfc56"),
  debug: sha("3c26c8e5e75a2132ce9abb95283e5c64be547749decb3106a6a1ed32fe64d43f"),
};
const clock = (): Date => new Date("2026-11-22T06:00:00Z");

async function until<T>(what: string, probe: () => Promise<T | undefined>): Promise<T> {
  for (let i = 0; i < 500; i++) {
    const v = await probe();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`timed out waiting for ${what}`);
}

function suite(label: string, databaseUrl: () => Promise<string | undefined>): void {
  describe(`Kubernetes inventory on ${label}`, () => {
    const work = mkdtempSync(join(tmpdir(), "berth-clusters-it-"));
    let api: FakeApi;
    let server: RunningServer;
    let openWatch!: () => void;
    const logs: string[] = [];
    let ingest: string;
    let read: string;

    before(async () => {
      const gate = new Promise<void>((r) => (openWatch = r));
      // After the first list: web's pod restarts on a new digest, and the bare pod is deleted.
      const webPod = recordedPod(0, "481300") as { status: { containerStatuses: Record<string, unknown>[] } };
      const [main] = webPod.status.containerStatuses;
      webPod.status.containerStatuses = [{ ...main, imageID: `registry.example.com/shop/web@${D.web2}` }];
      const lines = watchLines([
        { type: "MODIFIED", object: webPod },
        { type: "DELETED", object: recordedPod(6, "481301") },
      ]);
      api = await fakeApiServer(recordedLists(), { "/api/v1/pods": [{ lines, gate }] });
      const dataDir = join(work, "data");
      const dbUrl = await databaseUrl();
      // Before the server starts: ghcr.io is a registry that notifies this server, and the admin image is known.
      const store = await openStore(storeLocation(dataDir, dbUrl));
      const seed = repositories(store);
      await seed.registry.repositoryId("ghcr.io", "example/other", clock());
      await seed.images.ensure({ digest: D.admin }, clock());
      await store.close();

      server = await startServer({
        dataDir,
        ...(dbUrl ? { databaseUrl: dbUrl } : {}),
        host: "127.0.0.1",
        port: 0,
        insecureRegistries: [],
        cacheDir: join(work, "cache"),
        platform: { os: "linux", architecture: "amd64" },
        limits: defaultLimits,
        concurrency: 0,
        log: (m) => logs.push(m),
        now: clock,
        kubeconfigs: [{ name: "prod", kubeconfig: writeKubeconfig(work, api.url), context: "test" }],
        scanRegistries: ["registry.example.com"],
        clusterCoalesceMs: 20,
      });
      ingest = (await server.repos.tokens.create("ingest", "cluster test", clock())).token;
      read = (await server.repos.tokens.create("read", "cluster test", clock())).token;
    });
    after(async () => {
      await server?.close();
      await api?.close();
      rmSync(work, { recursive: true, force: true });
    });

    test("the watched cluster's snapshot lands in the store: workloads, digests, exposure", async () => {
      await server.clusters?.ready;
      const ws = await server.repos.clusters.workloads("prod");
      assert.deepEqual(
        ws.map((w) => `${w.namespace}/${w.kind}/${w.name}`),
        ["batch/CronJob/report", "default/Pod/debug", "kube-system/DaemonSet/node-exporter", "shop/Deployment/admin", "shop/Deployment/api", "shop/Deployment/web", "shop/Deployment/worker", "shop/StatefulSet/db"],
      );
      const web = ws.find((w) => w.name === "web");
      assert.ok(web);
      assert.equal(web.podCount, 2);
      assert.deepEqual(
        web.images.map((i) => [i.container, i.init, i.digest, i.digestKind, i.repository]),
        [
          ["migrate", true, D.migrate, "repo-digest", "registry.example.com/shop/migrate"],
          ["web", false, D.web, "repo-digest", "registry.example.com/shop/web"],
        ],
      );
      assert.equal(web.internetExposed, true);
      assert.deepEqual(web.exposures.map((e) => [e.via, e.ingress, e.host, e.internet, e.route]), [
        ["ingress", "shop/shop", "shop.example.com", true, "https://shop.example.com/ → ingress shop/shop → service shop/web:80 → Deployment shop/web"],
      ]);
      assert.deepEqual(ws.find((w) => w.name === "api")?.exposures.map((e) => [e.via, e.service, e.internet]), [["loadBalancer", "shop/api-lb", true]]);
      assert.equal(ws.find((w) => w.name === "admin")?.internetExposed, false, "an internal load balancer does not expose");
      assert.equal(ws.find((w) => w.name === "node-exporter")?.internetExposed, false, "NodePort is not exposed without --nodeport-exposed");
      assert.deepEqual(ws.find((w) => w.name === "report")?.images.map((i) => [i.digest, i.digestKind]), [[sha("17f0249d79ff8669fc1479a97a6c7b2abbc4dcd3fca2fd6de18c358800f74f9c"), "image-id"]]);

      const res = await fetch(`${server.url}/api/v1/clusters`, { headers: { authorization: `Bearer ${read}` } });
      assert.equal(res.status, 200);
      const body = (await res.json()) as { clusters: { name: string; source: string; workloads: number; internetExposedWorkloads: number; namespaces: number; services: number; ingresses: number }[] };
      assert.deepEqual(
        body.clusters.map((c) => [c.name, c.source, c.workloads, c.internetExposedWorkloads, c.namespaces]),
        [["prod", "kubeconfig", 8, 2, 4]],
      );
      assert.ok(logs.some((l) => l.startsWith("cluster prod: snapshot: 8 workloads stored")), logs.join("\n"));
    });

    test("running images never seen are queued for scanning, only from allowed registries", async () => {
      await server.clusters?.ready;
      const queued = async (digest: string) => (await server.repos.jobs.list({ dedupeKey: scanDedupeKey(digest) })).map((j) => JSON.parse(j.payload_json) as unknown);
      // --scan-registry registry.example.com, and ghcr.io notifies the server: queued.
      assert.deepEqual(await queued(D.web), [{ digest: D.web, host: "registry.example.com", repository: "shop/web" }]);
      assert.deepEqual(await queued(D.migrate), [{ digest: D.migrate, host: "registry.example.com", repository: "shop/migrate" }]);
      assert.deepEqual(await queued(D.api), [{ digest: D.api, host: "ghcr.io", repository: "example/api" }]);
      assert.equal((await server.repos.images.get(D.api))?.scan_status, "pending");
      // Known already: not queued again. Docker Hub and quay.io are not allowed here; image IDs are no manifest digests.
      for (const d of [D.admin, D.db, D.nodeExporter, D.debug]) assert.deepEqual(await queued(d), [], d);
      assert.equal(await server.repos.images.get(D.db), undefined);
      assert.ok(logs.some((l) => l.includes("3 new running images queued for scanning, 2 not (registry not allowed")), logs.join("\n"));
    });

    test("watch events change the store: a new digest is queued, a deleted pod ages its workload out", async () => {
      await server.clusters?.ready;
      openWatch();
      const debug = await until("debug aged out", async () => {
        const w = (await server.repos.clusters.workloads("prod", { includeRemoved: true })).find((x) => x.name === "debug");
        return w?.removedAt ? w : undefined;
      });
      assert.equal(debug.removedAt, clock().toISOString());
      assert.ok(!(await server.repos.clusters.workloads("prod")).some((w) => w.name === "debug"));
      const web = await until("web's new digest", async () => {
        const w = (await server.repos.clusters.workloads("prod")).find((x) => x.name === "web");
        return w?.images.some((i) => i.digest === D.web2) ? w : undefined;
      });
      assert.deepEqual(web.images.filter((i) => i.container === "web").map((i) => i.digest).sort(), [D.web, D.web2].sort(), "the other pod still runs the old digest");
      assert.equal((await server.repos.jobs.list({ dedupeKey: scanDedupeKey(D.web2) })).length, 1);
      assert.ok(!(await server.repos.clusters.runningDigests({ includeImageIds: true })).includes(D.debug));
    });

    test("POST a snapshot: berth cluster snapshot --server stores a cluster the server cannot reach", async () => {
      const r = await runCli(["cluster", "snapshot", "--kubeconfig", writeKubeconfig(work, api.url), "--name", "edge", "--server", server.url, "--token", ingest]);
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(JSON.parse(r.stdout), { cluster: "edge", upserted: 8, removed: 0, enqueued: 0, skipped: 2 });
      assert.match(r.stderr, /edge: 8 workloads, 4 namespaces/);
      const clusters = await server.repos.clusters.list();
      assert.deepEqual(clusters.map((c) => [c.name, c.source, c.workloads]), [["edge", "push", 8], ["prod", "kubeconfig", 7]]);
      const audit = await server.repos.audit.recent(5);
      assert.ok(audit.some((a) => a.action === "cluster.snapshot" && a.subject === "cluster:edge"));

      // Without --server: the snapshot JSON on stdout, as the route takes it.
      const printed = await runCli(["cluster", "snapshot", "--kubeconfig", writeKubeconfig(work, api.url)]);
      assert.equal(printed.code, 0, printed.stderr);
      const snap = JSON.parse(printed.stdout) as ClusterSnapshot;
      assert.equal(snap.cluster, "test-cluster");
      assert.equal(snap.workloads.length, 8);
    });

    test("POST a snapshot: bad bodies are refused with 400 naming the field; credentials and roles are checked", async () => {
      const snap = JSON.parse(JSON.stringify(await listCluster({ kubeconfig: kubeconfig(api.url), clusterName: "edge", clock }))) as Record<string, unknown>;
      const post = (name: string, body: unknown, token = ingest) =>
        fetch(`${server.url}/api/v1/clusters/${name}/snapshot`, {
          method: "POST",
          headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
          body: JSON.stringify(body),
        });
      const refused = async (res: Response, status: number, pattern?: RegExp) => {
        assert.equal(res.status, status);
        const b = (await res.json()) as { error: string; message: string };
        if (pattern) assert.match(b.message, pattern);
        assert.ok(!("stack" in b));
      };
      assert.equal((await post("edge", snap)).status, 200, "the good one, again (idempotent)");

      const workloads = snap.workloads as Record<string, unknown>[];
      const tamper = (i: number, patch: (w: Record<string, unknown>) => void) => {
        const copy = JSON.parse(JSON.stringify(snap)) as { workloads: Record<string, unknown>[] };
        patch(copy.workloads[i]!);
        return copy;
      };
      const webIndex = workloads.findIndex((w) => w.name === "web");
      await refused(
        await post("edge", tamper(webIndex, (w) => ((w.containers as { resolved: { digest: string }[] }[])[1]!.resolved[0]!.digest = D.db))),
        400,
        new RegExp(`workloads\\[${webIndex}\\]\\.containers\\[1\\]\\.resolved\\[0\\]\\.digest: disagrees with imageID`),
      );
      await refused(await post("edge", tamper(0, (w) => (w.podCount = -1))), 400, /workloads\[0\]\.podCount: must be a whole number/);
      await refused(await post("edge", tamper(0, (w) => (w.namespace = "Not A Namespace"))), 400, /workloads\[0\]\.namespace: invalid value/);
      await refused(await post("edge", tamper(0, (w) => (w.exposures = [{ via: "wormhole" }]))), 400, /workloads\[0\]\.exposures\[0\]/);
      await refused(await post("edge", { ...snap, cluster: "other" }), 400, /cluster: must be "edge"/);
      await refused(await post("edge", { ...snap, collectedAt: "yesterday" }), 400, /collectedAt/);
      await refused(await post("edge", { ...snap, workloads: "many" }), 400, /workloads: must be an array/);
      await refused(await post("edge", []), 400, /JSON object/);
      await refused(await post("bad%20name", snap), 400, /invalid cluster name/);
      await refused(await post("prod", { ...snap, cluster: "prod" }), 409, /watched by this server/);
      await refused(await post("edge", snap, ""), 401);
      await refused(await post("edge", snap, "berth_not-a-token"), 401);
      await refused(await post("edge", snap, read), 403, /needs admin or ingest/);
      const res = await fetch(`${server.url}/api/v1/clusters`);
      assert.equal(res.status, 401);
      // Nothing of the refused bodies was stored: edge is as the good snapshot left it.
      assert.deepEqual((await server.repos.clusters.get("edge"))?.workloads, 8);
    });

    test("the routes are in the OpenAPI document", async () => {
      const doc = (await (await fetch(`${server.url}/openapi.json`)).json()) as { paths: Record<string, Record<string, unknown>> };
      assert.ok(doc.paths["/api/v1/clusters"]?.get);
      assert.ok(doc.paths["/api/v1/clusters/{name}/snapshot"]?.post);
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
  return pg.createDatabase("berth_clusters_it");
});
