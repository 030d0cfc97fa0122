import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openStore, repositories, storeLocation, type Repositories } from "../store/index.js";
import { createMetrics } from "./metrics.js";

const dir = mkdtempSync(join(tmpdir(), "berth-metrics-"));
let repos: Repositories;
before(async () => {
  repos = repositories(await openStore(storeLocation(join(dir, "data"))));
});
after(async () => {
  await repos?.store.close();
  rmSync(dir, { recursive: true, force: true });
});

function sample(text: string, series: string): string | undefined {
  return text.split("\n").find((l) => l.startsWith(`${series} `))?.slice(series.length + 1);
}

test("store gauges are cached for cacheMs, then re-read; no vulnerability DB reads as infinitely old", async () => {
  let t = 0;
  const m = createMetrics({ repos, vulnDbPath: join(dir, "no-such.db"), now: () => new Date(t), cacheMs: 5000, processMetrics: false });
  assert.equal(sample(await m.render(), "berth_vulndb_age_seconds"), "+Inf");
  assert.equal(sample(await m.render(), 'berth_jobs{kind="scan-image",status="queued"}'), undefined);
  await repos.jobs.enqueue({ kind: "scan-image", dedupeKey: "scan:x", payload: {} }, new Date(0));
  t = 4999;
  assert.equal(sample(await m.render(), 'berth_jobs{kind="scan-image",status="queued"}'), undefined, "still the cached read");
  t = 5000;
  assert.equal(sample(await m.render(), 'berth_jobs{kind="scan-image",status="queued"}'), "1");
});

test("counters: requests, events by source and action (skipped as other), scan outcomes", async () => {
  const m = createMetrics({ repos, processMetrics: false });
  m.observeRequest("/api/v1/images/:digest", "GET", 200, 0.02);
  m.registryEvents("harbor", ["push", "push", "pull"], 2);
  await m.timeScan(async () => undefined);
  await assert.rejects(m.timeScan(async () => Promise.reject(new Error("registry down"))));
  m.scanFailed(false);
  m.scanFailed(true);
  const text = await m.render();
  assert.equal(sample(text, 'berth_http_requests_total{route="/api/v1/images/:digest",method="GET",status="200"}'), "1");
  assert.equal(sample(text, 'berth_registry_events_received_total{source="harbor",action="push"}'), "2");
  assert.equal(sample(text, 'berth_registry_events_received_total{source="harbor",action="other"}'), "2");
  assert.equal(sample(text, 'berth_scans_total{outcome="completed"}'), "1");
  assert.equal(sample(text, 'berth_scans_total{outcome="retried"}'), "1");
  assert.equal(sample(text, 'berth_scans_total{outcome="failed"}'), "1");
  assert.equal(sample(text, 'berth_scan_duration_seconds_count{result="error"}'), "1");
  assert.equal(text.includes("process_"), false, "process metrics off");
});
