import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openStore, repositories } from "../store/index.js";
import { backoffMs, startWorker } from "./worker.js";

test("backoff doubles per attempt up to the maximum", () => {
  assert.deepEqual(
    [1, 2, 3, 4, 10].map((a) => backoffMs(a, 1000, 5000)),
    [1000, 2000, 4000, 5000, 5000],
  );
});

test("the worker runs jobs with bounded concurrency, retries failures and completes", async () => {
  const dir = mkdtempSync(join(tmpdir(), "berth-worker-"));
  const store = await openStore({ kind: "sqlite", path: join(dir, "db.sqlite") });
  try {
    const repos = repositories(store);
    for (const k of ["a", "b", "c", "d"]) await repos.jobs.enqueue({ kind: "t", dedupeKey: k, payload: { k } }, new Date());
    let running = 0;
    let peak = 0;
    const tries = new Map<string, number>();
    let finish: () => void = () => undefined;
    const allDone = new Promise<void>((res) => (finish = res));
    let done = 0;
    const worker = startWorker({
      jobs: repos.jobs,
      concurrency: 2,
      leaseMs: 10_000,
      pollMs: 20,
      backoffBaseMs: 1,
      backoffMaxMs: 1,
      now: () => new Date(),
      log: () => undefined,
      handle: async (job) => {
        running++;
        peak = Math.max(peak, running);
        await new Promise((res) => setTimeout(res, 20));
        running--;
        const n = (tries.get(job.dedupe_key) ?? 0) + 1;
        tries.set(job.dedupe_key, n);
        if (job.dedupe_key === "c" && n === 1) throw new Error("transient registry error");
        if (++done === 4) finish();
      },
    });
    await allDone;
    await worker.stop();
    assert.ok(peak <= 2, `peak concurrency ${peak}`);
    assert.equal(tries.get("c"), 2);
    const jobs = await repos.jobs.list();
    assert.deepEqual(
      jobs.map((j) => j.status),
      ["done", "done", "done", "done"],
    );
    assert.equal(jobs.find((j) => j.dedupe_key === "c")?.attempts, 2);
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
