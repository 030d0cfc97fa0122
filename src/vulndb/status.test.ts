import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { BerthError } from "../util/errors.js";
import { dbPath } from "./paths.js";
import { resolveCacheDir } from "./paths.js";
import { dbStatus, formatStatus, freshnessWarning, parseDuration } from "./status.js";
import { tempDir, writeMirror } from "./testutil/mirror.js";
import { updateDb } from "./update.js";

test("durations", () => {
  assert.equal(parseDuration("3d"), 3 * 86_400_000);
  assert.equal(parseDuration("12h"), 12 * 3_600_000);
  assert.equal(parseDuration("90m"), 90 * 60_000);
  assert.equal(parseDuration("1w"), 7 * 86_400_000);
  assert.throws(() => parseDuration("3 days"), (e: unknown) => e instanceof BerthError && e.code === "usage");
});

test("an old database warns, a fresh one does not; neither refuses", () => {
  const now = new Date("2026-11-22T00:00:00Z");
  assert.equal(freshnessWarning({ updatedAt: "2026-11-20T00:00:00Z" }, parseDuration("3d"), now), undefined);
  assert.match(freshnessWarning({ updatedAt: "2026-11-10T00:00:00Z" }, parseDuration("3d"), now) ?? "", /12\.0d old .*berth db update/);
});

test("status shows build time, sources with snapshot times and counts", async () => {
  const t = tempDir("status");
  try {
    const mirror = join(t.path, "mirror");
    writeMirror(mirror);
    const cacheDir = join(t.path, "cache");
    await updateDb({ cacheDir, source: mirror, now: () => new Date("2026-11-01T00:00:00Z") });
    const s = dbStatus(dbPath(cacheDir), { now: new Date("2026-11-22T00:00:00Z") });
    assert.equal(s.stale, true);
    const text = formatStatus(s);
    assert.match(text, /built: +2026-11-01T00:00:00\.000Z/);
    assert.match(text, /Debian +4 records, snapshot 2026-11-19T21:02:23\.000Z/);
    assert.match(text, /kev +6 records, snapshot 2025-08-25T17:04:19\.9796Z/);
    assert.match(text, /Debian:12 +2 advisories/);
    const fresh = dbStatus(dbPath(cacheDir), { now: new Date("2026-11-02T00:00:00Z") });
    assert.equal(fresh.warning, undefined);
    assert.throws(() => dbStatus(join(t.path, "none.sqlite")), (e: unknown) => e instanceof BerthError && e.code === "not-found");
  } finally {
    t.remove();
  }
});

test("cache directory: flag, then BERTH_CACHE_DIR, then XDG_CACHE_HOME, then ~/.cache", () => {
  assert.equal(resolveCacheDir({ cacheDir: "/x/c", env: { BERTH_CACHE_DIR: "/y" } }), "/x/c");
  assert.equal(resolveCacheDir({ env: { BERTH_CACHE_DIR: "/y", XDG_CACHE_HOME: "/z" } }), "/y");
  assert.equal(resolveCacheDir({ env: { XDG_CACHE_HOME: "/z" } }), "/z/berth");
  assert.equal(resolveCacheDir({ env: { XDG_CACHE_HOME: "relative" }, home: "/home/u" }), "/home/u/.cache/berth");
  assert.equal(resolveCacheDir({ env: {}, home: "/home/u" }), "/home/u/.cache/berth");
});
