// Validation of pushed cluster snapshots: what the connector produces passes unchanged; hostile
// bodies are refused naming the field, counts over a bound as limit errors.
import { test } from "node:test";
import assert from "node:assert/strict";
import type { ClusterSnapshot } from "../model/cluster.js";
import { BerthError } from "../util/errors.js";
import { fakeApiServer, kubeconfig, recordedLists } from "../../test/support/kube-api.js";
import { parseKubeconfigFlags } from "../cli/cluster.js";
import { defaultSnapshotBounds, parseClusterSnapshot } from "./clusters-snapshot.js";
import { listCluster } from "./ingest/kubernetes.js";

const clock = (): Date => new Date("2026-11-22T06:00:00Z");

async function recorded(): Promise<ClusterSnapshot> {
  const api = await fakeApiServer(recordedLists());
  try {
    return await listCluster({ kubeconfig: kubeconfig(api.url), clusterName: "edge", clock, nodePortExposed: true });
  } finally {
    await api.close();
  }
}

const refused = (code: string, pattern: RegExp) => (e: unknown) => e instanceof BerthError && e.code === code && pattern.test(e.message);

test("the connector's snapshot, through JSON, validates to itself", async () => {
  const snap = await recorded();
  const back = parseClusterSnapshot(JSON.parse(JSON.stringify(snap)), "edge");
  assert.deepEqual(back, JSON.parse(JSON.stringify(snap)));
});

test("hostile snapshots: each problem named by path, at most 20; bounds are limit errors", async () => {
  const snap = JSON.parse(JSON.stringify(await recorded())) as Record<string, unknown> & { workloads: Record<string, unknown>[] };
  assert.throws(() => parseClusterSnapshot(null, "edge"), refused("input", /must be a JSON object/));
  assert.throws(() => parseClusterSnapshot({ ...snap, resourceVersions: { secrets: "1" } }, "edge"), refused("input", /resourceVersions\.secrets: unknown resource kind/));
  assert.throws(() => parseClusterSnapshot({ ...snap, warnings: [7] }, "edge"), refused("input", /warnings\[0\]: must be a string/));
  const w = snap.workloads[0]!;
  assert.throws(() => parseClusterSnapshot({ ...snap, workloads: [{ ...w, id: "x/y/z" }] }, "edge"), refused("input", /workloads\[0\]\.id: must be/));
  assert.throws(() => parseClusterSnapshot({ ...snap, workloads: [{ ...w, internetExposed: !w.internetExposed }] }, "edge"), refused("input", /internetExposed: disagrees with its exposures/));
  assert.throws(() => parseClusterSnapshot({ ...snap, workloads: [{ ...w, labels: { a: 1 } }] }, "edge"), refused("input", /labels\.a: must be a string/));
  assert.throws(
    () => parseClusterSnapshot({ ...snap, workloads: [{ ...w, containers: [{ name: "c", init: false, image: "x", resolved: [{ imageID: "garbage", digest: "sha256:1", kind: "repo-digest" }] }] }] }, "edge"),
    refused("input", /resolved\[0\]\.imageID: not an image ID/),
  );
  const many = Array.from({ length: 50 }, () => ({ ...w, podCount: "lots" }));
  assert.throws(() => parseClusterSnapshot({ ...snap, workloads: many }, "edge"), (e: unknown) => e instanceof BerthError && e.message.split("; ").length === 20);
  assert.throws(() => parseClusterSnapshot(snap, "edge", { ...defaultSnapshotBounds, maxWorkloads: 3 }), refused("limit", /workloads: more than 3 items \(limit maxWorkloads\)/));
  assert.throws(() => parseClusterSnapshot({ ...snap, workloads: [{ ...w, labels: Object.fromEntries(Array.from({ length: 1001 }, (_, i) => [`k${i}`, "v"])) }] }, "edge"), refused("limit", /maxEntries/));
});

test("--kubeconfig NAME=PATH with --kube-context NAME=CONTEXT", () => {
  assert.deepEqual(parseKubeconfigFlags(["prod=/etc/berth/prod.yaml", "edge=/k/edge=1.yaml"], ["prod=admin@prod"]), [
    { name: "prod", kubeconfig: "/etc/berth/prod.yaml", context: "admin@prod" },
    { name: "edge", kubeconfig: "/k/edge=1.yaml" },
  ]);
  assert.throws(() => parseKubeconfigFlags(["/etc/kubeconfig"], []), refused("usage", /expected NAME=PATH/));
  assert.throws(() => parseKubeconfigFlags(["a=/x", "a=/y"], []), refused("usage", /given twice/));
  assert.throws(() => parseKubeconfigFlags(["a=/x"], ["b=ctx"]), refused("usage", /no --kubeconfig b=PATH/));
  assert.throws(() => parseKubeconfigFlags(["bad name=/x"], []), refused("usage", /NAME/));
});
