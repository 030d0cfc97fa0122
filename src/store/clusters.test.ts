// The cluster repository on embedded SQLite and on a real PostgreSQL: snapshots replace a cluster's
// inventory, workloads age out and come back, diffs apply, and applying twice changes nothing.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startPostgres, type TestPostgres } from "../../test/support/postgres.js";
import type { ClusterSnapshot, Exposure, Workload } from "../model/cluster.js";
import { openStore, repositories, type Repositories, type StoreLocation } from "./index.js";

const T0 = new Date("2026-11-01T10:00:00.000Z");
const at = (ms: number): Date => new Date(T0.getTime() + ms);
const dg = (c: string): string => `sha256:${c.repeat(64)}`;

function workload(namespace: string, kind: string, name: string, digests: readonly string[], exposures: readonly Exposure[] = []): Workload {
  return {
    id: `${namespace}/${kind}/${name}`,
    namespace,
    kind,
    name,
    uid: `uid-${name}`,
    labels: { app: name },
    podCount: digests.length === 0 ? 0 : 1,
    containers: [
      {
        name: "main",
        init: false,
        image: `registry.example.com/${name}:1`,
        resolved: digests.map((d) => ({ digest: d, repository: `registry.example.com/${name}`, imageID: `registry.example.com/${name}@${d}`, kind: "repo-digest" as const })),
      },
    ],
    internetExposed: exposures.some((e) => e.internet),
    exposures,
  };
}

const lb: Exposure = {
  via: "loadBalancer",
  internet: true,
  service: "shop/api-lb",
  route: "198.51.100.7:443/TCP → service shop/api-lb (LoadBalancer) → Deployment shop/api",
  addresses: ["198.51.100.7"],
  ports: [{ protocol: "TCP", port: 443 }],
  internal: false,
};
const ing: Exposure = {
  via: "ingress",
  internet: true,
  service: "shop/web",
  route: "https://shop.example.com/ → ingress shop/shop → service shop/web:80 → Deployment shop/web",
  ingress: "shop/shop",
  host: "shop.example.com",
  path: "/",
  tls: true,
  servicePort: "80",
  addresses: ["203.0.113.10"],
};

function snapshot(cluster: string, workloads: readonly Workload[], collectedAt = T0): ClusterSnapshot {
  return {
    cluster,
    collectedAt: collectedAt.toISOString(),
    resourceVersions: { pods: "100" },
    namespaces: [
      { name: "shop", labels: {} },
      { name: "batch", labels: { team: "data" } },
    ],
    workloads,
    services: [
      { namespace: "shop", name: "api-lb", type: "LoadBalancer", selector: { app: "api" }, ports: [{ protocol: "TCP", port: 443 }], loadBalancerAddresses: ["198.51.100.7"], workloads: ["shop/Deployment/api"] },
      { namespace: "shop", name: "web", type: "ClusterIP", selector: { app: "web" }, ports: [{ protocol: "TCP", port: 80 }], loadBalancerAddresses: [], workloads: ["shop/Deployment/web"] },
      { namespace: "shop", name: "db", type: "ClusterIP", selector: { app: "db" }, ports: [{ protocol: "TCP", port: 5432 }], loadBalancerAddresses: [], workloads: [] },
    ],
    ingresses: [{ namespace: "shop", name: "shop", rules: [{ host: "shop.example.com", path: "/", service: "web", servicePort: "80", tls: true }], tlsHosts: ["shop.example.com"], addresses: ["203.0.113.10"] }],
    warnings: ["pods: one odd pod skipped"],
  };
}

const api = (d = dg("a")): Workload => workload("shop", "Deployment", "api", [d], [lb]);
const web = (): Workload => workload("shop", "Deployment", "web", [dg("b")], [ing]);
const db = (): Workload => workload("shop", "StatefulSet", "db", [dg("c")]);
const report = (): Workload => workload("batch", "CronJob", "report", []);

function suite(name: string, location: () => Promise<StoreLocation>): void {
  describe(`clusters on ${name}`, () => {
    let r: Repositories;
    before(async () => {
      r = repositories(await openStore(await location()));
    });
    after(async () => {
      await r?.store.close();
    });

    test("a snapshot stores workloads, images, exposure, namespaces, services and ingresses", async () => {
      const out = await r.clusters.applySnapshot(snapshot("prod", [api(), web(), db(), report()]), "kubeconfig", T0);
      assert.equal(out.upserted, 4);
      assert.equal(out.removed, 0);
      assert.deepEqual(out.images.map((i) => i.digest).sort(), [dg("a"), dg("b"), dg("c")]);
      assert.equal(out.images.find((i) => i.digest === dg("a"))?.repository, "registry.example.com/api");

      const ws = await r.clusters.workloads("prod");
      assert.deepEqual(ws.map((w) => `${w.namespace}/${w.kind}/${w.name}`), ["batch/CronJob/report", "shop/Deployment/api", "shop/Deployment/web", "shop/StatefulSet/db"]);
      const a = ws.find((w) => w.name === "api");
      assert.ok(a);
      assert.equal(a.internetExposed, true);
      assert.deepEqual(a.labels, { app: "api" });
      assert.equal(a.firstSeen, T0.toISOString());
      assert.deepEqual(a.images, [{ container: "main", init: false, imageRef: "registry.example.com/api:1", digest: dg("a"), digestKind: "repo-digest", repository: "registry.example.com/api" }]);
      assert.deepEqual(a.exposures.map((e) => [e.via, e.service, e.internet]), [["loadBalancer", "shop/api-lb", true]]);
      const w = ws.find((x) => x.name === "web");
      assert.deepEqual(w?.exposures.map((e) => [e.via, e.ingress, e.host, e.path]), [["ingress", "shop/shop", "shop.example.com", "/"]]);
      // A container that has not started yet keeps its spec reference with no digest.
      assert.deepEqual(ws.find((x) => x.name === "report")?.images.map((i) => [i.imageRef, i.digest]), [["registry.example.com/report:1", null]]);

      const svc = await r.store.db.selectFrom("services").select(["name", "internet_exposed"]).orderBy("name").execute();
      assert.deepEqual(svc, [
        { name: "api-lb", internet_exposed: 1 },
        { name: "db", internet_exposed: 0 },
        { name: "web", internet_exposed: 1 },
      ]);
      const ingRow = await r.store.db.selectFrom("ingresses").select(["name", "internet_exposed"]).executeTakeFirst();
      assert.deepEqual(ingRow, { name: "shop", internet_exposed: 1 });

      const [c] = await r.clusters.list();
      assert.ok(c);
      assert.equal(c.name, "prod");
      assert.equal(c.source, "kubeconfig");
      assert.equal(c.lastSeenAt, T0.toISOString());
      assert.deepEqual([c.namespaces, c.workloads, c.removedWorkloads, c.internetExposedWorkloads, c.images, c.services, c.ingresses], [2, 4, 0, 2, 3, 3, 1]);
      assert.deepEqual(c.warnings, ["pods: one odd pod skipped"]);
      assert.deepEqual(await r.clusters.runningDigests(), [dg("a"), dg("b"), dg("c")]);
    });

    test("applying the same snapshot again changes nothing but last_seen", async () => {
      const rows = async () => ({
        workloads: (await r.store.db.selectFrom("workloads").select("id").execute()).length,
        images: (await r.store.db.selectFrom("workload_images").select("workload_id").execute()).length,
        exposures: (await r.store.db.selectFrom("workload_exposures").select("workload_id").execute()).length,
        namespaces: (await r.store.db.selectFrom("namespaces").select("name").execute()).length,
      });
      const before = await rows();
      await r.clusters.applySnapshot(snapshot("prod", [api(), web(), db(), report()], at(60_000)), "kubeconfig", at(60_000));
      assert.deepEqual(await rows(), before);
      const a = (await r.clusters.workloads("prod")).find((w) => w.name === "api");
      assert.equal(a?.firstSeen, T0.toISOString());
      assert.equal(a?.lastSeen, at(60_000).toISOString());
      assert.equal((await r.clusters.get("prod"))?.lastSeenAt, at(60_000).toISOString());
    });

    test("a workload absent from the next snapshot ages out, and comes back when seen again", async () => {
      const out = await r.clusters.applySnapshot(snapshot("prod", [api(), web(), report()]), "kubeconfig", at(120_000));
      assert.equal(out.removed, 1);
      assert.deepEqual((await r.clusters.workloads("prod")).map((w) => w.name), ["report", "api", "web"]);
      const all = await r.clusters.workloads("prod", { includeRemoved: true });
      assert.equal(all.find((w) => w.name === "db")?.removedAt, at(120_000).toISOString());
      assert.deepEqual(await r.clusters.runningDigests(), [dg("a"), dg("b")], "an aged-out workload runs nothing");
      assert.equal((await r.clusters.get("prod"))?.removedWorkloads, 1);

      // Again without db: already aged out, its removed_at stays.
      assert.equal((await r.clusters.applySnapshot(snapshot("prod", [api(), web(), report()]), "kubeconfig", at(180_000))).removed, 0);
      assert.equal((await r.clusters.workloads("prod", { includeRemoved: true })).find((w) => w.name === "db")?.removedAt, at(120_000).toISOString());

      await r.clusters.applySnapshot(snapshot("prod", [api(), web(), db(), report()]), "kubeconfig", at(240_000));
      const back = (await r.clusters.workloads("prod")).find((w) => w.name === "db");
      assert.equal(back?.removedAt, null);
      assert.equal(back?.firstSeen, T0.toISOString(), "first seen survives the absence");
      assert.deepEqual(await r.clusters.runningDigests(), [dg("a"), dg("b"), dg("c")]);
    });

    test("diffs: added and modified upserted (images replaced), removed aged out, re-added in one diff stays", async () => {
      const canary = workload("shop", "Pod", "canary", [dg("d")]);
      const out = await r.clusters.applyDiff(
        { cluster: "prod", collectedAt: at(300_000).toISOString(), added: [canary], modified: [api(dg("e"))], removed: [{ id: "shop/StatefulSet/db", namespace: "shop", kind: "StatefulSet", name: "db" }] },
        at(300_000),
      );
      assert.deepEqual([out.upserted, out.removed], [2, 1]);
      assert.deepEqual(out.images.map((i) => i.digest), [dg("d"), dg("e")]);
      const ws = await r.clusters.workloads("prod");
      assert.deepEqual(ws.map((w) => w.name), ["report", "api", "web", "canary"]);
      assert.deepEqual(ws.find((w) => w.name === "api")?.images.map((i) => i.digest), [dg("e")], "the old digest no longer listed");
      assert.deepEqual(await r.clusters.runningDigests(), [dg("b"), dg("d"), dg("e")]);
      assert.equal((await r.clusters.get("prod"))?.lastSeenAt, at(300_000).toISOString());

      const ref = { id: "shop/Pod/canary", namespace: "shop", kind: "Pod", name: "canary" };
      const again = await r.clusters.applyDiff({ cluster: "prod", collectedAt: at(301_000).toISOString(), added: [canary], modified: [], removed: [ref] }, at(301_000));
      assert.equal(again.removed, 0);
      // A removal of a workload never stored, or already aged out, changes nothing.
      const none = await r.clusters.applyDiff(
        { cluster: "prod", collectedAt: at(302_000).toISOString(), added: [], modified: [], removed: [{ id: "x/Pod/ghost", namespace: "x", kind: "Pod", name: "ghost" }, { id: "shop/StatefulSet/db", namespace: "shop", kind: "StatefulSet", name: "db" }] },
        at(302_000),
      );
      assert.equal(none.removed, 0);
      assert.equal((await r.clusters.workloads("prod", { includeRemoved: true })).find((w) => w.name === "db")?.removedAt, at(300_000).toISOString());
      // Applying the same diff twice: same state.
      const diff = { cluster: "prod", collectedAt: at(303_000).toISOString(), added: [], modified: [api(dg("e"))], removed: [ref] };
      await r.clusters.applyDiff(diff, at(303_000));
      const once = await r.clusters.workloads("prod", { includeRemoved: true });
      await r.clusters.applyDiff(diff, at(303_000));
      assert.deepEqual(await r.clusters.workloads("prod", { includeRemoved: true }), once);
    });

    test("clusters are separate; a pushed snapshot names its source; duplicates in a snapshot do not fail", async () => {
      const dup = snapshot("edge", [db(), db(), workload("shop", "Deployment", "api", [dg("f")])]);
      const out = await r.clusters.applySnapshot({ ...dup, namespaces: [...dup.namespaces, { name: "shop", labels: {} }], services: [], ingresses: [] }, "push", T0);
      assert.equal(out.upserted, 2);
      const clusters = await r.clusters.list();
      assert.deepEqual(clusters.map((c) => [c.name, c.source, c.workloads]), [["edge", "push", 2], ["prod", "kubeconfig", 3]]);
      assert.equal((await r.clusters.workloads("prod")).length, 3, "a snapshot of edge ages nothing out in prod");
      assert.deepEqual(await r.clusters.workloads("nowhere"), []);
      assert.equal(await r.clusters.get("nowhere"), undefined);
      // An empty snapshot ages out everything of that cluster and clears its inventory.
      const empty = await r.clusters.applySnapshot({ ...snapshot("edge", []), namespaces: [], services: [], ingresses: [], warnings: [] }, "push", at(1000));
      assert.equal(empty.removed, 2);
      const edge = await r.clusters.get("edge");
      assert.deepEqual([edge?.workloads, edge?.namespaces, edge?.removedWorkloads, edge?.images], [0, 0, 2, 0]);
    });

    test("a diff for a cluster never snapshotted creates it", async () => {
      await r.clusters.applyDiff({ cluster: "late", collectedAt: T0.toISOString(), added: [report()], modified: [], removed: [] }, T0);
      assert.equal((await r.clusters.get("late"))?.workloads, 1);
    });
  });
}

const dir = mkdtempSync(join(tmpdir(), "berth-clusters-"));
after(() => rmSync(dir, { recursive: true, force: true }));
suite("SQLite", async () => ({ kind: "sqlite", path: join(dir, "berth.sqlite") }));

let pg: TestPostgres | undefined;
after(async () => {
  await pg?.stop();
});
suite("PostgreSQL", async () => {
  pg = await startPostgres();
  return { kind: "postgres", url: await pg.createDatabase("berth_clusters") };
});
