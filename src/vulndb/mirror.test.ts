// The acceptance import: the whole offline mirror in ../shared/vulndata (beside the repository), when
// it exists. Counts per ecosystem must equal the files in each all.zip, minus reported rejects.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import yauzl from "yauzl";
import { openVulnDb } from "./store.js";
import { parseEcosystemList } from "./sources.js";
import { tempDir } from "./testutil/mirror.js";
import { updateDb } from "./update.js";
import { readFileSync } from "node:fs";

const REPO = fileURLToPath(new URL("../../", import.meta.url));
const MIRROR = join(REPO, "..", "shared", "vulndata");

async function jsonEntries(zipPath: string): Promise<number> {
  const zip = await yauzl.openPromise(zipPath, { lazyEntries: true });
  let n = 0;
  for await (const e of zip.eachEntry()) if (!e.fileName.endsWith("/")) n += 1;
  return n;
}

test("the full ../shared/vulndata mirror imports offline with per-ecosystem counts equal to the zips", { timeout: 120_000 }, async (t) => {
  if (!existsSync(join(MIRROR, "ecosystems.txt"))) {
    console.log(`SKIP full-mirror import: ${MIRROR} not found`);
    t.skip(`${MIRROR} not found`);
    return;
  }
  const tmp = tempDir("mirror");
  try {
    const r = await updateDb({ cacheDir: tmp.path, source: MIRROR });
    const ecosystems = parseEcosystemList(readFileSync(join(MIRROR, "ecosystems.txt"), "utf8"));
    for (const eco of ecosystems) {
      const files = await jsonEntries(join(MIRROR, eco, "all.zip"));
      const s = r.sources.find((x) => x.name === eco);
      assert.equal(s?.status, "imported", eco);
      assert.equal(s?.files, files, `${eco}: files`);
      assert.equal((s?.records ?? 0) + (s?.rejected ?? 0), files, `${eco}: records + rejects = files`);
    }
    assert.deepEqual(r.rejects, [], "the mirror has no documented rejects");
    const db = openVulnDb(r.dbPath);
    try {
      const m = db.metadata();
      assert.ok(m.counts.kev > 1000);
      for (const e of ["PyPI", "npm", "crates.io", "Bitnami", "Debian:10", "Debian:11", "Debian:12"]) assert.ok((m.ecosystems[e] ?? 0) > 0, e);
      assert.ok(db.lookup("PyPI", "Django").length > 50);
      assert.ok(db.lookupFamily("Debian", "openssl").length > 0);
      assert.ok(db.lookup("npm", "NSWG-test-nothing").length === 0);
    } finally {
      db.close();
    }
  } finally {
    tmp.remove();
  }
});
