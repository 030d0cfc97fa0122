import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { BerthError } from "../util/errors.js";
import { tempDir, writeMirror } from "../vulndb/testutil/mirror.js";
import { dbCommand, type DbCommandIo } from "./db.js";

function capture(env: Record<string, string | undefined> = {}): DbCommandIo & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, stdout: (s) => out.push(s), stderr: (s) => err.push(s), env };
}

async function run(io: DbCommandIo, args: string[]): Promise<void> {
  const cmd = dbCommand(io);
  cmd.exitOverride();
  await cmd.parseAsync(args, { from: "user" });
}

test("berth db update / status / bundle / import", async () => {
  const t = tempDir("cli");
  try {
    const mirror = join(t.path, "mirror");
    writeMirror(mirror);
    const io = capture({ BERTH_CACHE_DIR: join(t.path, "cache") });
    await run(io, ["update", "--source", mirror]);
    assert.match(io.out.join(""), /vulndb\.sqlite: 21 advisories/);
    assert.match(io.err.join(""), /imported npm: 4 advisories/);

    io.out.length = 0;
    await run(io, ["status", "--json", "--max-age", "1h"]);
    const s = JSON.parse(io.out.join("")) as { metadata: { counts: { advisories: number } }; stale: boolean };
    assert.equal(s.metadata.counts.advisories, 21);
    assert.equal(s.stale, false);

    io.out.length = 0;
    const bundle = join(t.path, "db.tar.zst");
    await run(io, ["bundle", bundle]);
    await run(io, ["import", bundle, "--cache-dir", join(t.path, "other")]);
    assert.match(io.out.join(""), /imported 21 advisories/);
    io.out.length = 0;
    await run(io, ["status", "--cache-dir", join(t.path, "other")]);
    assert.match(io.out.join(""), /advisories: +21/);
  } finally {
    t.remove();
  }
});

test("input errors surface as BerthError for the main CLI to map to exit 2", async () => {
  const t = tempDir("clierr");
  try {
    const io = capture({ BERTH_CACHE_DIR: join(t.path, "cache") });
    await assert.rejects(run(io, ["status"]), (e: unknown) => e instanceof BerthError && e.code === "not-found");
    await assert.rejects(run(io, ["status", "--max-age", "soon"]), (e: unknown) => e instanceof BerthError && e.code === "usage");
    await assert.rejects(run(io, ["update", "--source", join(t.path, "missing")]), (e: unknown) => e instanceof BerthError && e.code === "not-found");
    const mirror = join(t.path, "mirror");
    writeMirror(mirror, { extra: { npm: [{ name: "broken.json", data: "{" }] } });
    await assert.rejects(run(io, ["update", "--source", mirror, "--strict"]), (e: unknown) => e instanceof BerthError && /1 advisory file/.test(e.message));
    assert.match(io.err.join(""), /warning: rejected npm\/all\.zip:broken\.json: not JSON/);
  } finally {
    t.remove();
  }
});
