import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import tar from "tar-stream";
import { BerthError } from "../util/errors.js";
import { createBundle, importBundle } from "./bundle.js";
import { dbPath } from "./paths.js";
import { openVulnDb } from "./store.js";
import { tempDir, writeMirror } from "./testutil/mirror.js";
import { updateDb } from "./update.js";

function requireZstd(): void {
  const r = spawnSync("zstd", ["--version"]);
  if (r.error) assert.fail('the zstd program is required (Debian package "zstd"): install it with apt-get install -y zstd');
}

/** tar + zstd with the real tools, for hand-made (hostile) bundles. */
async function makeBundle(path: string, files: Array<[string, Buffer]>): Promise<void> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  pack.on("data", (c: unknown) => {
    chunks.push(c as Buffer);
  });
  const done = new Promise<void>((r) => pack.on("end", () => r()));
  for (const [name, data] of files) pack.entry({ name, size: data.length }, data);
  pack.finalize();
  await done;
  writeFileSync(path, execFileSync("zstd", ["-q", "-c"], { input: Buffer.concat(chunks) }));
}

test("bundle → import round trip on another cache directory", async () => {
  requireZstd();
  const t = tempDir("bundle");
  try {
    const mirror = join(t.path, "mirror");
    writeMirror(mirror);
    const online = join(t.path, "online");
    const built = await updateDb({ cacheDir: online, source: mirror });
    const out = join(t.path, "out", "berth-db.tar.zst");
    const b = await createBundle({ cacheDir: online, out });
    assert.equal(b.manifest.counts.advisories, built.counts.advisories);
    assert.ok(readFileSync(out).subarray(0, 4).equals(Buffer.from([0x28, 0xb5, 0x2f, 0xfd])), "zstd magic");

    const airgap = join(t.path, "airgap");
    const r = await importBundle({ cacheDir: airgap, bundle: out });
    assert.ok(readFileSync(r.dbPath).equals(readFileSync(dbPath(online))));
    const db = openVulnDb(dbPath(airgap));
    assert.equal(db.lookup("npm", "bassmaster").length, 1);
    db.close();
  } finally {
    t.remove();
  }
});

test("a tampered, foreign or damaged bundle is refused and the live database stays", async () => {
  requireZstd();
  const t = tempDir("badbundle");
  try {
    const mirror = join(t.path, "mirror");
    writeMirror(mirror);
    const cacheDir = join(t.path, "cache");
    await updateDb({ cacheDir, source: mirror });
    const live = readFileSync(dbPath(cacheDir));
    const good = { format: "berth-vulndb-bundle", version: 1, schemaVersion: 1, sha256: "0".repeat(64), bytes: live.length };

    const cases: Array<[string, Array<[string, Buffer]> | Buffer, RegExp]> = [
      ["digest mismatch", [["manifest.json", Buffer.from(JSON.stringify(good))], ["vulndb.sqlite", live]], /does not match the manifest/],
      ["not a bundle", [["manifest.json", Buffer.from('{"format":"other"}')], ["vulndb.sqlite", live]], /not a berth database bundle/],
      ["extra entry", [["manifest.json", Buffer.from(JSON.stringify(good))], ["../evil", Buffer.from("x")]], /unexpected entry/],
      ["no database", [["manifest.json", Buffer.from(JSON.stringify(good))]], /no vulndb\.sqlite/],
      ["not zstd", Buffer.from("plain text, not zstd"), /not a zstd-compressed bundle/],
    ];
    for (const [what, content, expect] of cases) {
      const p = join(t.path, `${what.replace(/ /g, "-")}.tar.zst`);
      if (Buffer.isBuffer(content)) writeFileSync(p, content);
      else await makeBundle(p, content);
      await assert.rejects(importBundle({ cacheDir, bundle: p }), (e: unknown) => e instanceof BerthError && expect.test(e.message), what);
      assert.ok(readFileSync(dbPath(cacheDir)).equals(live), `${what}: live database unchanged`);
    }
    // a manifest that matches a file that is not a database
    const junk = Buffer.from("SQLite format 3\u0000 but not really");
    const fake = { ...good, sha256: createHash("sha256").update(junk).digest("hex"), bytes: junk.length };
    const p = join(t.path, "junk.tar.zst");
    await makeBundle(p, [["manifest.json", Buffer.from(JSON.stringify(fake))], ["vulndb.sqlite", junk]]);
    await assert.rejects(importBundle({ cacheDir, bundle: p }), (e: unknown) => e instanceof BerthError && e.code === "corrupt");
    assert.ok(readFileSync(dbPath(cacheDir)).equals(live));
  } finally {
    t.remove();
  }
});
