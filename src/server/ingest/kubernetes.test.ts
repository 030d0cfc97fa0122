// The connector through the real @kubernetes/client-node against a loopback HTTP server that replays
// recorded-shape API responses (testdata/k8s/README.md; the double is test/support/kube-api.ts):
// list with limit/continue, watch streams.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ClusterDiff, ClusterSnapshot, Workload } from "../../model/cluster.js";
import { BerthError } from "../../util/errors.js";
import { fakeApiServer, fixture, k8sFixtureDir as dir, kubeconfig, kubeToken as token, recordedLists, type WatchScript } from "../../../test/support/kube-api.js";
import { KubernetesConnector, listCluster, loadKubeConfig } from "./kubernetes.js";

const clock = (): Date => new Date("2026-11-22T06:00:00Z");

function byId(s: ClusterSnapshot, id: string): Workload {
  const w = s.workloads.find((x) => x.id === id);
  assert.ok(w, `workload ${id} in ${s.workloads.map((x) => x.id).join(", ")}`);
  return w;
}

const digest = (d: string): string => `sha256:${d}`;
const D = {
  web: "4315c8fd5a82533f56a83922bc1d5a2cff2b1f1e76117f66673abbcffd6c9fff",
  web2: "f9c02351f0f0c5862e79aefdf18e73cf37ebbeeafb8a73361641499d814211f7",
  migrate: "e8dc853ffea13301ebd745abbf587fefc1a771a40dff3f00808ee7c74d37a46a",
  api: "0a76eaad56a967890765eae8eecbf0d33172b36eaa4a38be434ac14e0817a82c",
  db: "7b120488d11ce4756ba06a3f6cf29dc448c09a9c92bb855f082722be7b48ec46",
  report: "17f0249d79ff8669fc1479a97a6c7b2abbc4dcd3fca2fd6de18c358800f74f9c",
  debug: "3c26c8e5e75a2132ce9abb95283e5c64be547749decb3106a6a1ed32fe64d43f",
};

test("list: recorded cluster → workloads, owners, images, digests and exposure", async () => {
  const api = await fakeApiServer(recordedLists());
  try {
    const s = await listCluster({ kubeconfig: kubeconfig(api.url), clock, limits: { pageSize: 3 } });
    assert.equal(s.cluster, "test-cluster");
    assert.equal(s.collectedAt, "2026-11-22T06:00:00.000Z");
    assert.deepEqual(s.namespaces.map((n) => n.name), ["batch", "default", "kube-system", "shop"]);
    assert.equal(s.resourceVersions.pods, "481231");
    assert.deepEqual(s.warnings, []);
    assert.deepEqual(s.workloads.map((w) => w.id), [
      "batch/CronJob/report",
      "default/Pod/debug",
      "kube-system/DaemonSet/node-exporter",
      "shop/Deployment/admin",
      "shop/Deployment/api",
      "shop/Deployment/web",
      "shop/Deployment/worker",
      "shop/StatefulSet/db",
    ]);

    // Deployment ← ReplicaSet ← Pod, init container included, ingress → service → deployment.
    const web = byId(s, "shop/Deployment/web");
    assert.equal(web.podCount, 2);
    assert.deepEqual(
      web.containers.map((c) => [c.name, c.init, c.image, c.resolved.map((r) => [r.repository, r.digest, r.kind])]),
      [
        ["migrate", true, "registry.example.com/shop/migrate:1.4.2", [["registry.example.com/shop/migrate", digest(D.migrate), "repo-digest"]]],
        ["web", false, "registry.example.com/shop/web:1.4.2", [["registry.example.com/shop/web", digest(D.web), "repo-digest"]]],
      ],
    );
    assert.equal(web.internetExposed, true);
    assert.equal(web.exposures.length, 1);
    const ing = web.exposures[0];
    assert.ok(ing !== undefined && ing.via === "ingress");
    assert.equal(ing.host, "shop.example.com");
    assert.equal(ing.tls, true);
    assert.equal(ing.service, "shop/web");
    assert.equal(ing.route, "https://shop.example.com/ → ingress shop/shop → service shop/web:80 → Deployment shop/web");

    // LoadBalancer with a public IP exposes; an internal-annotated one does not.
    const apiW = byId(s, "shop/Deployment/api");
    assert.equal(apiW.internetExposed, true);
    assert.deepEqual(apiW.exposures.map((e) => [e.via, e.internet, e.route]), [
      ["loadBalancer", true, "198.51.100.7:443/TCP → service shop/api-lb (LoadBalancer) → Deployment shop/api"],
    ]);
    assert.equal(apiW.containers[0]?.resolved[0]?.digest, digest(D.api));
    const admin = byId(s, "shop/Deployment/admin");
    assert.equal(admin.internetExposed, false);
    assert.deepEqual(admin.exposures.map((e) => [e.via, e.internet]), [["loadBalancer", false]]);

    // StatefulSet behind a headless ClusterIP service: not exposed.
    const db = byId(s, "shop/StatefulSet/db");
    assert.equal(db.podCount, 1);
    assert.equal(db.internetExposed, false);
    assert.deepEqual(db.exposures, []);
    assert.equal(db.containers[0]?.resolved[0]?.repository, "postgres");
    assert.deepEqual(s.services.find((x) => x.name === "db")?.workloads, ["shop/StatefulSet/db"]);

    // CronJob ← Job ← Pod; containerd's bare sha256 imageID is an image ID, not a repo digest.
    const report = byId(s, "batch/CronJob/report");
    assert.equal(report.podCount, 1);
    assert.deepEqual(report.containers[0]?.resolved.map((r) => [r.digest, r.kind, r.repository]), [[digest(D.report), "image-id", undefined]]);

    // Bare pod is its own workload (labels from the pod).
    const debug = byId(s, "default/Pod/debug");
    assert.deepEqual(debug.labels, { run: "debug" });
    assert.equal(debug.containers[0]?.resolved[0]?.digest, digest(D.debug));

    // DaemonSet behind NodePort: recorded, not internet-exposed by default.
    const ne = byId(s, "kube-system/DaemonSet/node-exporter");
    assert.deepEqual(ne.exposures.map((e) => [e.via, e.internet]), [["nodePort", false]]);

    // Deployment scaled to zero: a workload with its template's images and no digests.
    const worker = byId(s, "shop/Deployment/worker");
    assert.equal(worker.podCount, 0);
    assert.deepEqual(worker.containers.map((c) => [c.image, c.resolved.length]), [["registry.example.com/shop/worker:1.0", 0]]);

    // Through the client library: bearer token sent, pods paged with limit/continue.
    assert.ok(api.requests.every((r) => r.auth === `Bearer ${token}`));
    const podPages = api.requests.filter((r) => r.path === "/api/v1/pods");
    assert.equal(podPages.length, 3);
    assert.deepEqual(podPages.map((r) => [r.query.get("limit"), r.query.get("continue")]), [["3", null], ["3", "3"], ["3", "6"]]);
  } finally {
    await api.close();
  }
});

test("list: NodePort counts as exposed when configured; kubeconfig from a file", async () => {
  const api = await fakeApiServer(recordedLists());
  const tmp = mkdtempSync(join(tmpdir(), "berth-k8s-"));
  try {
    const file = join(tmp, "kubeconfig.yaml");
    writeFileSync(
      file,
      [
        "apiVersion: v1",
        "kind: Config",
        "clusters:",
        "- name: prod-eu",
        "  cluster:",
        `    server: ${api.url}`,
        "    insecure-skip-tls-verify: true",
        "users:",
        "- name: berth",
        "  user:",
        `    token: ${token}`,
        "contexts:",
        "- name: prod",
        "  context: {cluster: prod-eu, user: berth}",
        "current-context: prod",
        "",
      ].join("\n"),
    );
    const s = await listCluster({ kubeconfig: file, nodePortExposed: true, clusterName: "prod", clock });
    assert.equal(s.cluster, "prod");
    assert.equal(byId(s, "kube-system/DaemonSet/node-exporter").internetExposed, true);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
    await api.close();
  }
});

test("kubeconfig: exec plugins refused by default, unknown context and bad credentials are input/auth errors", async () => {
  const withExec = {
    ...kubeconfig("http://127.0.0.1:9"),
    users: [{ name: "berth", user: { exec: { apiVersion: "client.authentication.k8s.io/v1", command: "/bin/sh", args: ["-c", "id"] } } }],
  };
  assert.throws(() => loadKubeConfig(withExec), (e: unknown) => e instanceof BerthError && e.code === "auth");
  assert.throws(() => loadKubeConfig(kubeconfig("http://127.0.0.1:9"), "nope"), (e: unknown) => e instanceof BerthError && e.code === "input");
  assert.throws(() => loadKubeConfig(join(dir, "does-not-exist.yaml")), (e: unknown) => e instanceof BerthError && e.code === "input");

  const api = await fakeApiServer(recordedLists());
  try {
    const cfg = kubeconfig(api.url);
    const bad = { ...cfg, users: [{ name: "berth", user: { token: "wrong" } }] };
    await assert.rejects(listCluster({ kubeconfig: bad }), (e: unknown) => e instanceof BerthError && e.code === "auth");
  } finally {
    await api.close();
  }
});

function waitFor(diffs: ClusterDiff[], pred: (all: ClusterDiff[]) => boolean): Promise<void> {
  return new Promise((resolve, reject) => {
    const t = setInterval(() => {
      if (pred(diffs)) {
        clearInterval(t);
        clearTimeout(guard);
        resolve();
      }
    }, 10);
    const guard = setTimeout(() => {
      clearInterval(t);
      reject(new Error(`timed out waiting; diffs so far: ${JSON.stringify(diffs.map(summary))}`));
    }, 10_000);
  });
}

function summary(d: ClusterDiff): Record<string, string[]> {
  return { added: d.added.map((w) => w.id), modified: d.modified.map((w) => w.id), removed: d.removed.map((w) => w.id) };
}

test("watch: modified and deleted pods become diffs; 410 Gone re-lists; resourceVersion carried", async () => {
  const lists = recordedLists();
  lists["/api/v1/pods"] = [fixture("pods.json"), fixture("pods-relist.json")];
  let open!: () => void;
  const gate = new Promise<void>((r) => (open = r));
  const watches: Record<string, WatchScript[]> = {
    "/api/v1/pods": [
      { lines: readFileSync(join(dir, "watch-pods-1.jsonl"), "utf8") },
      { lines: readFileSync(join(dir, "watch-pods-2.jsonl"), "utf8"), gate },
    ],
  };
  const api = await fakeApiServer(lists, watches);
  const connector = new KubernetesConnector({ kubeconfig: kubeconfig(api.url), clock, coalesceMs: 20 });
  const diffs: ClusterDiff[] = [];
  const errors: BerthError[] = [];
  try {
    const base = await connector.watch({ onDiff: (d) => diffs.push(d), onError: (e) => errors.push(e) });
    assert.ok(base.workloads.some((w) => w.id === "default/Pod/debug"));

    const ids = (k: "added" | "modified" | "removed"): string[] => diffs.flatMap((d) => (d[k] as readonly { id: string }[]).map((w) => w.id));
    // Stream 1: web's pod now runs a new digest, the bare pod is deleted, then 410 → re-list finds "canary".
    await waitFor(diffs, () => ids("removed").includes("default/Pod/debug") && ids("added").includes("default/Pod/canary") && ids("modified").includes("shop/Deployment/web"));
    const webNow = connector.snapshot().workloads.find((w) => w.id === "shop/Deployment/web");
    assert.deepEqual(webNow?.containers.find((c) => c.name === "web")?.resolved.map((r) => r.digest), [digest(D.web), digest(D.web2)]);
    assert.equal(connector.snapshot().resourceVersions.pods, "481245");

    // Stream 2 (from the re-list's resourceVersion): the StatefulSet pod and the canary pod go away.
    open();
    await waitFor(diffs, () => ids("removed").includes("default/Pod/canary") && ids("modified").includes("shop/StatefulSet/db"));
    const last = connector.snapshot();
    assert.equal(last.workloads.find((w) => w.id === "shop/StatefulSet/db")?.podCount, 0, "the StatefulSet stays, with no pod");
    assert.ok(!last.workloads.some((w) => w.id === "default/Pod/canary"));
    assert.ok(!ids("removed").includes("shop/StatefulSet/db"));

    const podWatches = api.requests.filter((r) => r.path === "/api/v1/pods" && r.query.get("watch") === "true");
    assert.deepEqual(podWatches.map((r) => [r.query.get("resourceVersion"), r.query.get("allowWatchBookmarks")]), [
      ["481231", "true"],
      ["481245", "true"],
    ]);
    assert.equal(api.requests.filter((r) => r.path === "/api/v1/pods" && r.query.get("watch") === null).length, 2, "listed, then re-listed once after 410");
    assert.deepEqual(errors, []);
  } finally {
    await connector.stop();
    await api.close();
  }
});

test("watch: an HTTP 410 on connect re-lists too", async () => {
  const lists = recordedLists();
  lists["/api/v1/pods"] = [fixture("pods.json"), fixture("pods-relist.json")];
  const api = await fakeApiServer(lists, { "/api/v1/pods": [{ status: 410 }] });
  const connector = new KubernetesConnector({ kubeconfig: kubeconfig(api.url), clock, coalesceMs: 20 });
  const diffs: ClusterDiff[] = [];
  try {
    await connector.watch({ onDiff: (d) => diffs.push(d) });
    await waitFor(diffs, (all) => all.some((d) => d.removed.some((w) => w.id === "default/Pod/debug")));
    assert.ok(diffs.some((d) => d.added.some((w) => w.id === "default/Pod/canary")));
  } finally {
    await connector.stop();
    await api.close();
  }
});

function manyPods(n: number): Record<string, unknown> {
  const items = [];
  for (let i = 0; i < n; i++) {
    items.push({
      metadata: { name: `p-${i}`, namespace: "load", uid: `uid-${i}`, resourceVersion: String(1000 + i) },
      spec: { containers: [{ name: "c", image: "busybox:1.36" }] },
      status: { phase: "Running" },
    });
  }
  return { kind: "PodList", apiVersion: "v1", metadata: { resourceVersion: "99999" }, items };
}

test("hostile: a huge list hits maxObjectsPerKind after a few pages, as a limit error", async () => {
  const lists = recordedLists();
  lists["/api/v1/pods"] = [manyPods(5000)];
  const api = await fakeApiServer(lists);
  try {
    await assert.rejects(
      listCluster({ kubeconfig: kubeconfig(api.url), limits: { maxObjectsPerKind: 1000, pageSize: 400 } }),
      (e: unknown) => e instanceof BerthError && e.code === "limit" && e.message.includes("maxObjectsPerKind=1000"),
    );
    assert.equal(api.requests.filter((r) => r.path === "/api/v1/pods").length, 3, "stopped paging at the bound");
  } finally {
    await api.close();
  }
});

test("hostile: malformed items are skipped with warnings, never a crash; warnings are bounded", async () => {
  const good = (fixture("pods.json").items as unknown[])[6];
  const huge = { metadata: { name: "wide", namespace: "x" }, spec: { containers: Array.from({ length: 300 }, (_, i) => ({ name: `c${i}`, image: "a" })) } };
  const lists = recordedLists();
  lists["/api/v1/pods"] = [
    {
      kind: "PodList",
      apiVersion: "v1",
      metadata: { resourceVersion: "5" },
      items: [
        42,
        "pod",
        null,
        [],
        { metadata: { name: 5, namespace: "x" } },
        { metadata: { name: "no-ns" }, spec: { containers: [{ name: "c", image: "a" }] } },
        { metadata: { name: "no-image", namespace: "x" }, spec: { containers: [{ name: "c" }] } },
        { metadata: { name: "no-containers", namespace: "x" }, spec: {} },
        { metadata: { name: "bad-status", namespace: "x", labels: { a: 1, b: "ok" }, ownerReferences: "nope" }, spec: { containers: [{ name: "c", image: "a" }] }, status: { containerStatuses: [{ name: "c", imageID: { x: 1 } }, 7] } },
        huge,
        good,
      ],
    },
  ];
  lists["/api/v1/services"] = [{ kind: "ServiceList", apiVersion: "v1", metadata: { resourceVersion: "6" }, items: [{ metadata: { name: "s", namespace: "x" }, spec: { type: "LoadBalancer", ports: [{ port: "eighty" }] } }] }];
  lists["/apis/networking.k8s.io/v1/ingresses"] = [{ kind: "IngressList", apiVersion: "v1", metadata: {}, items: { not: "an array" } }];
  const api = await fakeApiServer(lists);
  const seen: string[] = [];
  try {
    const s = await listCluster({ kubeconfig: kubeconfig(api.url), limits: { maxWarnings: 5 }, onWarning: (m) => seen.push(m) });
    const ids = s.workloads.map((w) => w.id);
    assert.ok(ids.includes("default/Pod/debug"));
    assert.ok(ids.includes("x/Pod/bad-status"), "an odd status is not a reason to drop the pod");
    assert.deepEqual(byId(s, "x/Pod/bad-status").labels, { b: "ok" });
    assert.deepEqual(byId(s, "x/Pod/bad-status").containers[0]?.resolved, []);
    for (const gone of ["x/Pod/no-image", "x/Pod/no-containers", "x/Pod/wide", "/Pod/no-ns"]) assert.ok(!ids.includes(gone), gone);
    assert.ok(seen.some((m) => m.includes("maxContainersPerPod")), seen.join("\n"));
    assert.ok(seen.some((m) => m.includes("services x/s")), seen.join("\n"));
    assert.ok(seen.length >= 9);
    // 5 kept for pods + the "more not kept" line + the service warning.
    assert.equal(s.warnings.filter((w) => w.startsWith("skipped malformed pods")).length, 5);
    assert.ok(s.warnings.some((w) => w.includes("more warnings not kept (limit maxWarnings=5)")));
  } finally {
    await api.close();
  }
});

test("hostile: garbage watch lines and malformed events are skipped; later events still apply", async () => {
  const lists = recordedLists();
  const pods = fixture("pods.json").items as Record<string, Record<string, unknown>>[];
  const debug = { kind: "Pod", apiVersion: "v1", ...pods[6], metadata: { ...pods[6]?.metadata, resourceVersion: "481300" } };
  const lines = [
    "this is not json",
    JSON.stringify({ type: "ADDED", object: null }),
    JSON.stringify({ type: "ADDED", object: { kind: "Pod", metadata: { name: "x", namespace: "y" }, spec: { containers: "no" } } }),
    JSON.stringify({ type: "WEIRD", object: { metadata: { name: "x", namespace: "y" } } }),
    JSON.stringify({ type: "DELETED", object: debug }),
  ].join("\n");
  const api = await fakeApiServer(lists, { "/api/v1/pods": [{ lines: lines + "\n" }] });
  const warnings: string[] = [];
  const connector = new KubernetesConnector({ kubeconfig: kubeconfig(api.url), coalesceMs: 20, onWarning: (m) => warnings.push(m) });
  const diffs: ClusterDiff[] = [];
  try {
    await connector.watch({ onDiff: (d) => diffs.push(d) });
    await waitFor(diffs, (all) => all.some((d) => d.removed.some((w) => w.id === "default/Pod/debug")));
    assert.equal(connector.snapshot().resourceVersions.pods, "481300");
    assert.ok(warnings.some((w) => w.includes("unknown type")), warnings.join("\n"));
    assert.ok(warnings.some((w) => w.includes("ADDED event")), warnings.join("\n"));
    assert.ok(warnings.some((w) => w.includes("skipped malformed pods y/x")), warnings.join("\n"));
  } finally {
    await connector.stop();
    await api.close();
  }
});

test("watch: a watch the server ends normally resumes from the last resourceVersion seen (bookmarks too)", async () => {
  const lists = recordedLists();
  const pods = fixture("pods.json").items as Record<string, Record<string, unknown>>[];
  const debug = { kind: "Pod", apiVersion: "v1", ...pods[6], metadata: { ...pods[6]?.metadata, resourceVersion: "481400", labels: { run: "debug", team: "sre" } } };
  const bookmark = { type: "BOOKMARK", object: { kind: "Pod", apiVersion: "v1", metadata: { resourceVersion: "481450" } } };
  const lines = [JSON.stringify({ type: "MODIFIED", object: debug }), JSON.stringify(bookmark)].join("\n") + "\n";
  const api = await fakeApiServer(lists, { "/api/v1/pods": [{ lines, end: true }] });
  const connector = new KubernetesConnector({ kubeconfig: kubeconfig(api.url), coalesceMs: 20 });
  const diffs: ClusterDiff[] = [];
  try {
    await connector.watch({ onDiff: (d) => diffs.push(d) });
    await waitFor(diffs, (all) => all.some((d) => d.modified.some((w) => w.id === "default/Pod/debug" && w.labels.team === "sre")));
    const podWatches = (): (string | null)[] => api.requests.filter((r) => r.path === "/api/v1/pods" && r.query.get("watch") === "true").map((r) => r.query.get("resourceVersion"));
    await waitFor(diffs, () => podWatches().length >= 2);
    assert.deepEqual(podWatches().slice(0, 2), ["481231", "481450"], "resumed from the bookmark after the last event");
    assert.equal(api.requests.filter((r) => r.path === "/api/v1/pods" && r.query.get("watch") === null).length, 1, "no re-list");
  } finally {
    await connector.stop();
    await api.close();
  }
});
