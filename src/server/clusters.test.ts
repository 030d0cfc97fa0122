// Cluster sync against a cluster that is not there yet: the first list is retried with backoff and
// logged, stop() ends it cleanly; once the API answers, the snapshot is stored.
import { after, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fakeApiServer, recordedLists, writeKubeconfig } from "../../test/support/kube-api.js";
import { openStore, repositories } from "../store/index.js";
import { BerthError } from "../util/errors.js";
import { startClusterSync } from "./clusters.js";

const work = mkdtempSync(join(tmpdir(), "berth-cluster-sync-"));
after(() => rmSync(work, { recursive: true, force: true }));

async function unusedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

test("an unreachable cluster is retried and logged; the snapshot is stored once it answers", async () => {
  const repos = repositories(await openStore({ kind: "sqlite", path: join(work, "berth.sqlite") }));
  const port = await unusedPort();
  const logs: string[] = [];
  const sync = startClusterSync({
    repos,
    now: () => new Date("2026-11-22T06:00:00Z"),
    scanRegistries: [],
    clusters: [{ name: "late", kubeconfig: writeKubeconfig(work, `http://127.0.0.1:${port}`) }],
    nodePortExposed: false,
    log: (m) => logs.push(m),
    retryMaxMs: 200,
  });
  let api: Awaited<ReturnType<typeof fakeApiServer>> | undefined;
  try {
    while (!logs.some((l) => l.includes("cannot list"))) await new Promise((r) => setTimeout(r, 20));
    assert.match(logs.find((l) => l.includes("cannot list")) ?? "", /^cluster late: cannot list: kubernetes: list pods: .*ECONNREFUSED.*; retrying in 1 s$/);
    assert.equal(await repos.clusters.get("late"), undefined);
    // The API comes up on that port.
    api = await fakeApiServer(recordedLists(), {}, port);
    await sync.ready;
    assert.equal((await repos.clusters.get("late"))?.workloads, 8);
  } finally {
    await sync.stop();
    await api?.close();
    await repos.store.close();
  }
});

test("a bad kubeconfig fails at start, not later", () => {
  assert.throws(
    () => startClusterSync({ repos: {} as never, now: () => new Date(), scanRegistries: [], clusters: [{ name: "x", kubeconfig: join(work, "missing.yaml") }], nodePortExposed: false, log: () => undefined }),
    (e: unknown) => e instanceof BerthError && e.code === "input",
  );
});
