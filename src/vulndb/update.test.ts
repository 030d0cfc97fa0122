import { test } from "node:test";
import assert from "node:assert/strict";
import { copyFileSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { BerthError } from "../util/errors.js";
import { dbPath } from "./paths.js";
import { openVulnDb } from "./store.js";
import { badEntries, fixtureCount, fixtureEntries, FIXTURE_ECOSYSTEMS, TESTDATA, tempDir, writeMirror } from "./testutil/mirror.js";
import { buildZip } from "./testutil/zipwriter.js";
import { updateDb } from "./update.js";

const fixed = (): Date => new Date("2026-11-22T00:00:00Z");

test("a directory mirror imports every ecosystem; bad files are reported by file and skipped", async () => {
  const t = tempDir("upd");
  try {
    const mirror = join(t.path, "mirror");
    writeMirror(mirror, { extra: { npm: badEntries() }, epss: true });
    const r = await updateDb({ cacheDir: join(t.path, "cache"), source: mirror, now: fixed });
    for (const eco of FIXTURE_ECOSYSTEMS) {
      const s = r.sources.find((x) => x.name === eco);
      const bad = eco === "npm" ? badEntries().length : 0;
      assert.deepEqual([s?.status, s?.files, s?.records, s?.rejected], ["imported", fixtureCount(eco) + bad, fixtureCount(eco), bad], eco);
    }
    const rejected = r.rejects.map((x) => x.file).filter((f) => f.startsWith("npm/")).sort();
    assert.ok(r.rejects.some((x) => x.file.endsWith("epss_scores-current.csv:7") && /malformed EPSS row/.test(x.reason)));
    assert.deepEqual(rejected, ["npm/all.zip:NSWG-ECO-90001.json", "npm/all.zip:NSWG-ECO-90002.json", "npm/all.zip:NSWG-ECO-90003.json", "npm/all.zip:package.json"]);
    assert.match(r.rejects.find((x) => x.file.endsWith("90001.json"))?.reason ?? "", /unknown ecosystem "Nosuch"/);
    assert.match(r.rejects.find((x) => x.file.endsWith("90002.json"))?.reason ?? "", /malformed range/);
    assert.match(r.rejects.find((x) => x.file.endsWith("90003.json"))?.reason ?? "", /not JSON/);
    assert.match(r.rejects.find((x) => x.file.endsWith("package.json"))?.reason ?? "", /not an OSV record/);

    const db = openVulnDb(r.dbPath);
    try {
      // lookups: exact ecosystem, normalised names, families, withdrawn records
      assert.deepEqual(db.lookup("PyPI", "JW_Util").map((x) => x.advisoryId), ["PYSEC-2020-341"]);
      assert.deepEqual(db.lookup("crates.io", "serde-yaml").map((x) => x.advisoryId), ["RUSTSEC-2018-0005"]);
      assert.deepEqual(db.lookup("npm", "lodash").map((x) => x.advisoryId).sort(), ["GHSA-29mw-wpgm-hmr9", "GHSA-p6mc-m468-83gw"]);
      assert.deepEqual(db.lookup("npm", "Lodash"), []);
      assert.deepEqual(db.lookup("Debian:12", "curl").map((x) => x.advisoryId), ["DEBIAN-CVE-2023-27534"]);
      assert.deepEqual(db.lookup("Debian:11", "curl"), []);
      assert.deepEqual(db.lookupFamily("Debian", "xorg-server").map((x) => [x.advisoryId, x.ecosystem]), [["DSA-5380-1", "Debian:11"]]);
      assert.deepEqual(db.lookupFamily("Debian:1", "xorg-server"), [], "a prefix matches whole release names only");
      assert.deepEqual(db.lookup("crates.io", "spin"), [], "withdrawn advisories yield nothing by default");
      assert.deepEqual(db.lookup("crates.io", "spin", { includeWithdrawn: true }).map((x) => x.advisoryId), ["RUSTSEC-2019-0031"]);
      // the raw affected entry is kept for the matcher
      const curl = db.lookup("Debian:12", "curl")[0];
      assert.deepEqual(curl?.affected.ranges?.[0]?.events, [{ introduced: "0" }, { fixed: "7.88.1-7" }]);
      assert.equal(curl?.purl, "pkg:deb/debian/curl?arch=source");
      // aliases across ecosystems: PYSEC ↔ CVE ↔ GHSA ↔ BIT
      assert.deepEqual(db.aliasesOf("PYSEC-2020-14"), ["BIT-airflow-2020-11978", "CVE-2020-11978", "GHSA-rvmq-4x66-q7j3"]);
      assert.deepEqual(db.aliasesOf("CVE-2020-11978"), ["BIT-airflow-2020-11978", "GHSA-rvmq-4x66-q7j3", "PYSEC-2020-14"]);
      assert.deepEqual(db.relations("DLA-3087-1").upstream, ["CVE-2022-32893"]);
      // KEV: direct alias and Debian upstream; EPSS: max over the advisory's CVEs
      assert.equal(db.lookup("Debian:10", "webkit2gtk")[0]?.kev, true);
      assert.equal(db.lookup("Bitnami", "airflow")[0]?.kev, true);
      assert.equal(db.lookup("npm", "bassmaster")[0]?.kev, false);
      assert.equal(db.kev("CVE-2023-44487")?.vendorProject, "IETF");
      assert.equal(db.kev("CVE-2014-7205"), undefined);
      assert.equal(db.epss("CVE-2023-44487")?.score, 0.94443);
      assert.equal(db.lookup("Debian:12", "nghttp2")[0]?.epss, 0.94443);
      assert.equal(db.advisory("PYSEC-2020-14")?.epss, 0.9);
      // severity per row; full record and sources per advisory
      const bit = db.lookup("Bitnami", "activemq").find((x) => x.advisoryId === "BIT-activemq-2025-27533");
      assert.ok(bit?.severity.cvss.some((c) => c.version === "4.0"));
      assert.equal(db.advisory("NSWG-ECO-1")?.severity.score, 6.5);
      assert.deepEqual(db.advisory("NSWG-ECO-1")?.sources, ["npm"]);
      assert.equal(db.advisory("NSWG-ECO-1")?.record.summary, "Arbitrary JavaScript Execution");
      assert.equal(db.advisory("NOPE-1"), undefined);
      // metadata
      const m = db.metadata();
      assert.equal(m.builtAt, "2026-11-22T00:00:00.000Z");
      assert.equal(m.counts.kev, 6);
      assert.equal(m.counts.epss, 4);
      assert.equal(m.ecosystems["Debian:12"], 2);
      assert.equal(m.ecosystems["Debian:10"], 1);
      assert.equal(m.sources.find((s) => s.name === "kev")?.snapshot, "2025-08-25T17:04:19.9796Z");
      assert.equal(m.sources.find((s) => s.name === "epss")?.rejected, 1);
      assert.equal(m.sources.find((s) => s.name === "npm")?.rejects.length, 4);
      assert.match(m.sources.find((s) => s.name === "PyPI")?.sha256 ?? "", /^[0-9a-f]{64}$/);
    } finally {
      db.close();
    }
  } finally {
    t.remove();
  }
});

test("incremental: unchanged sources keep their rows, a changed one is re-imported, a corrupt one keeps the old data", async () => {
  const t = tempDir("inc");
  try {
    const mirror = join(t.path, "mirror");
    const cacheDir = join(t.path, "cache");
    writeMirror(mirror);
    await updateDb({ cacheDir, source: mirror });

    const again = await updateDb({ cacheDir, source: mirror });
    assert.ok(again.sources.every((s) => s.status === "unchanged"), JSON.stringify(again.sources));

    // add one advisory to npm (a real one from another ecosystem's folder, as OSV does for multi-ecosystem records)
    const extra = { name: "PYSEC-2020-14.json", data: readFileSync(join(TESTDATA, "osv/PyPI/PYSEC-2020-14.json")) };
    writeFileSync(join(mirror, "npm", "all.zip"), buildZip([...fixtureEntries("npm"), extra]));
    const inc = await updateDb({ cacheDir, source: mirror });
    assert.deepEqual(inc.sources.filter((s) => s.status === "imported").map((s) => s.name), ["npm"]);
    let db = openVulnDb(dbPath(cacheDir));
    assert.deepEqual(db.advisory("PYSEC-2020-14")?.sources, ["PyPI", "npm"]);
    assert.equal(db.lookup("PyPI", "apache-airflow").length, 1, "a record in two zips is stored once");
    db.close();

    // npm's zip becomes garbage: reported, its previous rows stay
    writeFileSync(join(mirror, "npm", "all.zip"), "PK\u0003\u0004 truncated garbage");
    const broken = await updateDb({ cacheDir, source: mirror });
    assert.equal(broken.sources.find((s) => s.name === "npm")?.status, "failed");
    assert.match(broken.failed.find((f) => f.name === "npm")?.message ?? "", /npm\/all\.zip|not a readable zip/);
    db = openVulnDb(dbPath(cacheDir));
    assert.equal(db.lookup("npm", "bassmaster").length, 1);
    assert.deepEqual(db.advisory("PYSEC-2020-14")?.sources, ["PyPI", "npm"]);
    db.close();

    // PyPI disappears from the mirror: its rows go, the copy carried by npm stays
    writeMirror(mirror, { extra: { npm: [extra] } });
    writeFileSync(join(mirror, "ecosystems.txt"), "Bitnami\nDebian\ncrates.io\nnpm\n");
    const removed = await updateDb({ cacheDir, source: mirror });
    assert.equal(removed.sources.find((s) => s.name === "PyPI")?.status, "removed");
    db = openVulnDb(dbPath(cacheDir));
    assert.deepEqual(db.lookup("PyPI", "jw.util"), []);
    assert.deepEqual(db.advisory("PYSEC-2020-14")?.sources, ["npm"]);
    assert.equal(db.metadata().sources.some((s) => s.name === "PyPI"), false);
    db.close();
  } finally {
    t.remove();
  }
});

test("zip sources: a single all.zip and a zip of the whole layout", async () => {
  const t = tempDir("zipsrc");
  try {
    const mirror = join(t.path, "mirror");
    writeMirror(mirror);
    const one = await updateDb({ cacheDir: join(t.path, "c1"), source: join(mirror, "PyPI", "all.zip"), kev: false });
    assert.deepEqual(one.sources.map((s) => [s.name, s.records]), [["PyPI", fixtureCount("PyPI")]]);

    const inner = FIXTURE_ECOSYSTEMS.map((e) => ({ name: `${e}/all.zip`, data: readFileSync(join(mirror, e, "all.zip")), store: true }));
    const layout = join(t.path, "osv-mirror.zip");
    writeFileSync(layout, buildZip([...inner, { name: "kev/known_exploited_vulnerabilities.json", data: readFileSync(join(TESTDATA, "kev.json")) }]));
    const all = await updateDb({ cacheDir: join(t.path, "c2"), source: layout, ecosystems: ["Debian", "npm"] });
    assert.deepEqual(all.sources.map((s) => s.name), ["Debian", "npm", "kev"]);
    assert.equal(all.counts.kev, 6);
    assert.deepEqual(readdirSync(join(t.path, "c2", "db")).filter((n) => n.startsWith("work")), [], "extracted files are removed");
  } finally {
    t.remove();
  }
});

test("an unreadable source is a one-line input error and leaves the database as it was", async () => {
  const t = tempDir("bad");
  try {
    const mirror = join(t.path, "mirror");
    const cacheDir = join(t.path, "cache");
    writeMirror(mirror);
    await updateDb({ cacheDir, source: mirror });
    const before = readFileSync(dbPath(cacheDir));
    await assert.rejects(updateDb({ cacheDir, source: join(t.path, "nope") }), (e: unknown) => e instanceof BerthError && e.code === "not-found");
    const empty = join(t.path, "empty");
    writeMirror(empty);
    writeFileSync(join(empty, "ecosystems.txt"), "Go\n");
    await assert.rejects(updateDb({ cacheDir, source: empty }), (e: unknown) => e instanceof BerthError && /no advisory source could be read/.test(e.message));
    assert.ok(readFileSync(dbPath(cacheDir)).equals(before));
    copyFileSync(dbPath(cacheDir), join(t.path, "copy.sqlite"));
  } finally {
    t.remove();
  }
});
