import { test } from "node:test";
import assert from "node:assert/strict";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import type { Package } from "../../model/package.js";
import { BerthError } from "../../util/errors.js";
import { defaultLimits } from "../../util/limits.js";
import type { CatalogEnv } from "../cataloger.js";
import { readPackageHeader } from "./rpm-header.js";
import { readSqlitePackages } from "./rpm-sqlite.js";
import { catalogRpmDatabase } from "./rpm.js";
import { berthRows, buildHeaderBlob, packageEntries, rpmRows, runRpm } from "./testdata/rpm/testkit.js";

// The committed fixture was made by Debian's rpm 4.18 from the specs below (UPDATE_GOLDEN=1
// regenerates it, with its rpm-qa.tsv, from the live test).
const fixtureDir = new URL("./testdata/rpm/sqlite-berth/", import.meta.url);
const fixture = readFileSync(new URL("rpmdb.sqlite", fixtureDir));

const env: CatalogEnv = { limits: defaultLimits, read: () => undefined, list: () => [] };

function catalog(data: Buffer): Package[] {
  const r = catalogRpmDatabase({ path: "var/lib/rpm/rpmdb.sqlite", data }, env);
  assert.deepEqual(r.unknowns, []);
  return [...r.packages];
}

test("reads the committed rpmdb.sqlite as rpm listed it", () => {
  const db = readSqlitePackages(fixture);
  assert.deepEqual(db.problems, []);
  assert.deepEqual(db.records.map((r) => readPackageHeader(r.blob).name).sort(), ["berth-alpha", "berth-beta", "berth-gamma"]);
  const expected = readFileSync(new URL("rpm-qa.tsv", fixtureDir), "utf8").trimEnd().split("\n").sort();
  assert.deepEqual(berthRows(catalog(fixture)), expected);
});

function refusedCorrupt(pattern: RegExp): (e: unknown) => boolean {
  return (e: unknown) => {
    assert.ok(e instanceof BerthError, `expected a BerthError, got ${String(e)}`);
    assert.equal(e.code, "corrupt");
    assert.match(e.message, pattern);
    return true;
  };
}

function sqliteWith(sql: string, rows: readonly (readonly unknown[])[] = []): Buffer {
  const db = new Database(":memory:");
  db.exec(sql);
  if (rows.length > 0) {
    const insert = db.prepare("INSERT INTO Packages (hnum, blob) VALUES (?, ?)");
    for (const row of rows) insert.run(...row);
  }
  const bytes = db.serialize();
  db.close();
  return bytes;
}

test("a file that is not a usable rpm SQLite database is refused", () => {
  assert.throws(() => readSqlitePackages(Buffer.from("not sqlite at all")), refusedCorrupt(/bad magic/));
  const garbage = Buffer.concat([Buffer.from("SQLite format 3\0", "latin1"), Buffer.alloc(4080, 0xa5)]);
  assert.throws(() => readSqlitePackages(garbage), refusedCorrupt(/rpm sqlite: /));
  assert.throws(() => readSqlitePackages(sqliteWith("CREATE TABLE Other (x)")), refusedCorrupt(/no such table: Packages/));
  assert.throws(() => readSqlitePackages(fixture.subarray(0, 60)), refusedCorrupt(/truncated: 60 bytes/));
});

test("a truncated rpmdb.sqlite is refused or partly read, never a crash", () => {
  for (const n of [4096, 8192, 12288, 50_000, Math.floor(fixture.length / 2), fixture.length - 4096]) {
    try {
      readSqlitePackages(fixture.subarray(0, n));
    } catch (e) {
      assert.ok(e instanceof BerthError && e.code === "corrupt", `length ${n}: ${String(e)}`);
    }
  }
});

test("rows whose blob is not a BLOB are per-record problems", () => {
  const good = buildHeaderBlob(packageEntries("ok", "1", "1"));
  const db = readSqlitePackages(
    sqliteWith("CREATE TABLE Packages (hnum INTEGER PRIMARY KEY AUTOINCREMENT, blob BLOB NOT NULL)", [
      [1, good],
      [2, "text, not a blob"],
    ]),
  );
  assert.deepEqual(db.records, [{ key: 1, blob: good }]);
  assert.deepEqual(db.problems, ["package 2: blob is not a BLOB"]);
});

// ---- the real tool: build packages with rpmbuild, install them into a fresh SQLite rpmdb ----

const SPECS: Record<string, string> = {
  // an epoch, noarch, a vendor, owned files and a directory
  "berth-alpha.spec": `Name: berth-alpha
Version: 1.2.3
Release: 4.test
Epoch: 2
Summary: Berth test package alpha
License: MIT
Vendor: Berth Test
BuildArch: noarch
%description
alpha
%install
mkdir -p %{buildroot}/usr/share/berth-alpha %{buildroot}/etc
echo hi > %{buildroot}/usr/share/berth-alpha/readme.txt
echo conf > %{buildroot}/etc/berth-alpha.conf
%files
/usr/share/berth-alpha
%config /etc/berth-alpha.conf
`,
  // an explicit Epoch 0, a tilde version, no files, and a subpackage with another name
  "berth-beta.spec": `%global debug_package %{nil}
Name: berth-beta
Version: 0.9~rc1
Release: 7
Epoch: 0
Summary: Berth test package beta
License: GPL-2.0-or-later
%description
beta
%package -n berth-gamma
Summary: Berth test package gamma
License: Apache-2.0
%description -n berth-gamma
gamma
%install
mkdir -p %{buildroot}/usr/lib/berth-gamma
echo x > %{buildroot}/usr/lib/berth-gamma/data
%files
%files -n berth-gamma
/usr/lib/berth-gamma/data
`,
};

test("matches rpm itself on a real rpmdb.sqlite built with rpmbuild and rpm -i --justdb", () => {
  const tmp = mkdtempSync(join(tmpdir(), "berth-rpm-"));
  try {
    const top = join(tmp, "top");
    const dbpath = join(tmp, "db");
    for (const d of ["SPECS", "RPMS", "BUILD", "BUILDROOT", "SOURCES", "SRPMS"]) mkdirSync(join(top, d), { recursive: true });
    mkdirSync(dbpath);
    for (const [name, text] of Object.entries(SPECS)) {
      writeFileSync(join(top, "SPECS", name), text);
      runRpm("rpmbuild", ["--define", `_topdir ${top}`, "--quiet", "-bb", join(top, "SPECS", name)], tmp);
    }
    const rpms = readdirSync(join(top, "RPMS"), { recursive: true, encoding: "utf8" })
      .filter((f) => f.endsWith(".rpm"))
      .map((f) => join(top, "RPMS", f));
    assert.equal(rpms.length, 3, rpms.join(" "));
    runRpm("rpm", ["--dbpath", dbpath, "--initdb"], tmp);
    runRpm("rpm", ["--dbpath", dbpath, "-i", "--justdb", "--nodeps", "--noscripts", ...rpms], tmp);

    const expected = rpmRows(tmp, ["--dbpath", dbpath]);
    const data = readFileSync(join(dbpath, "rpmdb.sqlite"));
    assert.deepEqual(berthRows(catalog(data)), expected);
    // and the brief's own comparison: epoch as a number, always
    const epochs = runRpm("rpm", ["--dbpath", dbpath, "-qa", "--qf", "%{NAME}\\t%{EPOCHNUM}\\n"], tmp).trimEnd().split("\n").sort();
    assert.deepEqual(catalog(data).map((p) => `${p.name}\t${p.epoch ?? 0}`), epochs);

    if (process.env.UPDATE_GOLDEN === "1") {
      copyFileSync(join(dbpath, "rpmdb.sqlite"), new URL("rpmdb.sqlite", fixtureDir));
      writeFileSync(new URL("rpm-qa.tsv", fixtureDir), `${expected.join("\n")}\n`);
      const names = runRpm("rpm", ["--dbpath", dbpath, "-qa", "--qf", "%{NAME}\\t%{EVR}\\n"], tmp).trimEnd().split("\n").sort();
      writeFileSync(new URL("expected.tsv", fixtureDir), `${names.join("\n")}\n`);
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});
