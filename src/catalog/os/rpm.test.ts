import { test } from "node:test";
import assert from "node:assert/strict";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import type { Distro } from "../../model/package.js";
import { defaultLimits, withLimits } from "../../util/limits.js";
import { catalogDirectory } from "../catalog.js";
import type { CatalogEnv, CatalogFile } from "../cataloger.js";
import { RpmTag } from "./rpm-header.js";
import { readNdbPackages } from "./rpm-ndb.js";
import { catalogRpmDatabase, parseSourceRpm, rpmCataloger, rpmNamespace } from "./rpm.js";
import { berthRows, buildHeaderBlob, int32, packageEntries, rpmRows, runRpm, str } from "./testdata/rpm/testkit.js";

const testdata = new URL("./testdata/rpm/", import.meta.url);
const LAYER = "sha256:1111111111111111111111111111111111111111111111111111111111111111";

function envWith(opts: { distro?: Distro; files?: Record<string, Buffer>; limits?: CatalogEnv["limits"] } = {}): CatalogEnv {
  const files = opts.files ?? {};
  return {
    limits: opts.limits ?? defaultLimits,
    ...(opts.distro ? { distro: opts.distro } : {}),
    read: (path) => (files[path] ? { path, data: files[path] } : undefined),
    list: (prefix) => Object.keys(files).filter((p) => p.startsWith(prefix)).sort(),
  };
}

function fixtureFile(fixture: string, path: string): CatalogFile {
  return { path, layerDigest: LAYER, data: readFileSync(new URL(fixture, testdata)) };
}

test("claims exactly the rpm database paths", () => {
  for (const p of [
    "var/lib/rpm/Packages",
    "var/lib/rpm/rpmdb.sqlite",
    "var/lib/rpm/Packages.db",
    "usr/lib/sysimage/rpm/Packages",
    "usr/lib/sysimage/rpm/Packages.db",
    "usr/lib/sysimage/rpm/rpmdb.sqlite",
  ]) {
    assert.ok(rpmCataloger.claims(p, { mode: 0o644, size: 1 }), p);
    assert.ok(rpmCataloger.primary(p), p);
  }
  for (const p of ["/var/lib/rpm/Packages", "var/lib/rpm/Name", "var/lib/rpm/rpmdb.sqlite-wal", "var/lib/rpm/Packages.bak", "x/var/lib/rpm/Packages"]) {
    assert.ok(!rpmCataloger.claims(p, { mode: 0o644, size: 1 }), p);
  }
  assert.equal(rpmCataloger.id, "rpm-db");
  assert.equal(rpmCataloger.version, 1);
});

for (const [fixture, path] of [
  ["bdb-libuuid/Packages", "var/lib/rpm/Packages"],
  ["ndb-sle15-bci/Packages.db", "usr/lib/sysimage/rpm/Packages.db"],
  ["sqlite-berth/rpmdb.sqlite", "var/lib/rpm/rpmdb.sqlite"],
] as const) {
  test(`catalogs ${fixture} exactly as expected.tsv lists it`, async () => {
    const r = await rpmCataloger.parse(fixtureFile(fixture, path), envWith());
    assert.deepEqual(r.unknowns, []);
    const expected = readFileSync(new URL(`${fixture.split("/")[0]}/expected.tsv`, testdata), "utf8");
    assert.equal(r.packages.map((p) => `${p.name}\t${p.version}\n`).join(""), expected);
  });
}

// rpm itself as the oracle for every field and file. Debian's rpm 4.18 reads Berkeley DB through
// its read-only bdb_ro backend, but has no ndb backend: for ndb, the header blobs Berth extracts
// are put into a bare SQLite Packages table and `rpm --rebuilddb` re-imports (and so re-checks)
// every one before rpm lists them.
function withScratch(run: (dir: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), "berth-rpm-"));
  try {
    run(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test("matches rpm itself on the Berkeley DB fixture (rpm's bdb_ro backend)", () => {
  withScratch((dir) => {
    mkdirSync(join(dir, "db"));
    copyFileSync(new URL("bdb-libuuid/Packages", testdata), join(dir, "db", "Packages"));
    const expected = rpmRows(dir, ["--dbpath", join(dir, "db"), "--define", "_db_backend bdb_ro"]);
    const r = catalogRpmDatabase(fixtureFile("bdb-libuuid/Packages", "var/lib/rpm/Packages"), envWith());
    assert.deepEqual(berthRows(r.packages), expected);
  });
});

test("matches rpm itself on every header of the ndb fixture (re-imported by rpm --rebuilddb)", () => {
  withScratch((dir) => {
    const file = fixtureFile("ndb-sle15-bci/Packages.db", "usr/lib/sysimage/rpm/Packages.db");
    const dbpath = join(dir, "db");
    mkdirSync(dbpath);
    const db = new Database(join(dbpath, "rpmdb.sqlite"));
    db.exec("CREATE TABLE Packages (hnum INTEGER PRIMARY KEY AUTOINCREMENT, blob BLOB NOT NULL)");
    const insert = db.prepare("INSERT INTO Packages (hnum, blob) VALUES (?, ?)");
    for (const record of readNdbPackages(file.data).records) insert.run(record.key, record.blob);
    db.close();
    runRpm("rpm", ["--dbpath", dbpath, "--rebuilddb"], dir);
    const expected = rpmRows(dir, ["--dbpath", dbpath]);
    assert.equal(expected.length, 35);
    const r = catalogRpmDatabase(file, envWith());
    assert.deepEqual(berthRows(r.packages), expected);
  });
});

test("a package carries purl, source, licenses, files and its location", async () => {
  const distro: Distro = { id: "rhel", versionId: "8.8" };
  const r = await rpmCataloger.parse(fixtureFile("bdb-libuuid/Packages", "var/lib/rpm/Packages"), envWith({ distro }));
  assert.deepEqual(r.packages, [
    {
      type: "rpm",
      name: "libuuid",
      version: "2.32.1-42.el8_8",
      purl: "pkg:rpm/redhat/libuuid@2.32.1-42.el8_8?arch=x86_64&distro=rhel-8.8",
      arch: "x86_64",
      sourceName: "util-linux",
      sourceVersion: "2.32.1-42.el8_8",
      licenses: ["BSD"],
      locations: [{ path: "/var/lib/rpm/Packages", layerDigest: LAYER }],
      foundBy: "rpm-db",
      files: [
        // as `rpm --define '_db_backend bdb_ro' -ql libuuid` lists them
        "usr/lib/.build-id",
        "usr/lib/.build-id/df/ef6a880adac817216ab9866779a0725e017647",
        "usr/lib64/libuuid.so.1",
        "usr/lib64/libuuid.so.1.3.0",
        "usr/share/licenses/libuuid",
        "usr/share/licenses/libuuid/COPYING",
        "usr/share/licenses/libuuid/COPYING.BSD-3",
      ],
      metadata: { vendor: "Red Hat, Inc.", sourceRpm: "util-linux-2.32.1-42.el8_8.src.rpm", size: "35104" },
    },
  ]);
});

test("epochs reach version, sourceVersion and the purl", async () => {
  const r = await rpmCataloger.parse(fixtureFile("sqlite-berth/rpmdb.sqlite", "var/lib/rpm/rpmdb.sqlite"), envWith({ distro: { id: "fedora", versionId: "40" } }));
  const byName = new Map(r.packages.map((p) => [p.name, p]));
  const alpha = byName.get("berth-alpha");
  assert.equal(alpha?.version, "2:1.2.3-4.test");
  assert.equal(alpha?.epoch, 2);
  assert.equal(alpha?.sourceVersion, "2:1.2.3-4.test");
  assert.equal(alpha?.purl, "pkg:rpm/fedora/berth-alpha@1.2.3-4.test?arch=noarch&distro=fedora-40&epoch=2");
  const gamma = byName.get("berth-gamma");
  assert.equal(gamma?.version, "0:0.9~rc1-7");
  assert.equal(gamma?.sourceName, "berth-beta");
  assert.equal(gamma?.sourceVersion, "0:0.9~rc1-7");
  assert.deepEqual(gamma?.files, ["usr/lib/berth-gamma/data"]);
  assert.deepEqual(byName.get("berth-beta")?.files, []);
});

test("the purl namespace comes from the distro, else from the vendor", () => {
  assert.equal(rpmNamespace({ id: "rhel" }, undefined), "redhat");
  assert.equal(rpmNamespace({ id: "sles" }, undefined), "suse");
  assert.equal(rpmNamespace({ id: "opensuse-leap" }, undefined), "opensuse");
  assert.equal(rpmNamespace({ id: "ol" }, "Oracle America"), "oracle");
  assert.equal(rpmNamespace({ id: "amzn" }, undefined), "amazon");
  assert.equal(rpmNamespace({ id: "rocky" }, undefined), "rocky");
  assert.equal(rpmNamespace({ id: "almalinux" }, undefined), "almalinux");
  assert.equal(rpmNamespace({ id: "centos" }, "CentOS"), "centos");
  assert.equal(rpmNamespace({ id: "NewDistro" }, undefined), "newdistro");
  assert.equal(rpmNamespace(undefined, "Red Hat, Inc."), "redhat");
  assert.equal(rpmNamespace(undefined, "SUSE LLC <https://www.suse.com/>"), "suse");
  assert.equal(rpmNamespace(undefined, "openSUSE"), "opensuse");
  assert.equal(rpmNamespace(undefined, "Berth Test"), undefined);
  assert.equal(rpmNamespace(undefined, undefined), undefined);
});

test("source RPM names split into name, version and release", () => {
  assert.deepEqual(parseSourceRpm("util-linux-2.32.1-42.el8_8.src.rpm"), { name: "util-linux", version: "2.32.1", release: "42.el8_8" });
  assert.deepEqual(parseSourceRpm("gcc11-11.2.1+git610-1.3.9.src.rpm"), { name: "gcc11", version: "11.2.1+git610", release: "1.3.9" });
  assert.deepEqual(parseSourceRpm("kernel-5.14.0-1.nosrc.rpm"), { name: "kernel", version: "5.14.0", release: "1" });
  assert.equal(parseSourceRpm("(none)"), undefined);
  assert.equal(parseSourceRpm("noversion.src.rpm"), undefined);
  assert.equal(parseSourceRpm("name-1.src.rpm"), undefined);
});

function sqliteDb(blobs: readonly Buffer[]): Buffer {
  const db = new Database(":memory:");
  db.exec("CREATE TABLE Packages (hnum INTEGER PRIMARY KEY AUTOINCREMENT, blob BLOB NOT NULL)");
  const insert = db.prepare("INSERT INTO Packages (blob) VALUES (?)");
  for (const b of blobs) insert.run(b);
  const bytes = db.serialize();
  db.close();
  return bytes;
}

test("gpg-pubkey pseudo packages are skipped; no distro and no vendor means no namespace", () => {
  const data = sqliteDb([
    buildHeaderBlob([str(RpmTag.NAME, "gpg-pubkey"), str(RpmTag.VERSION, "fd431d51"), str(RpmTag.RELEASE, "4ae0493b"), str(RpmTag.LICENSE, "pubkey")]),
    buildHeaderBlob(packageEntries("zlib", "1.2.13", "1", [int32(RpmTag.EPOCH, [0])])),
  ]);
  const r = catalogRpmDatabase({ path: "var/lib/rpm/rpmdb.sqlite", data }, envWith());
  assert.deepEqual(r.unknowns, []);
  assert.deepEqual(
    r.packages.map((p) => [p.name, p.version, p.purl]),
    [["zlib", "0:1.2.13-1", "pkg:rpm/zlib@1.2.13-1?arch=x86_64&epoch=0"]],
  );
});

test("a newer-format sibling database supersedes an older one", async () => {
  const bdb = fixtureFile("bdb-libuuid/Packages", "var/lib/rpm/Packages");
  const sqlite = readFileSync(new URL("sqlite-berth/rpmdb.sqlite", testdata));
  const both = envWith({ files: { "var/lib/rpm/rpmdb.sqlite": sqlite, "var/lib/rpm/Packages": bdb.data } });
  assert.deepEqual(await rpmCataloger.parse(bdb, both), { packages: [], unknowns: [] });
  const fromSqlite = await rpmCataloger.parse({ path: "var/lib/rpm/rpmdb.sqlite", data: sqlite }, both);
  assert.equal(fromSqlite.packages.length, 3);
  // an empty newer file does not hide the real database
  const empty = envWith({ files: { "var/lib/rpm/rpmdb.sqlite": Buffer.alloc(0), "var/lib/rpm/Packages": bdb.data } });
  assert.equal((await rpmCataloger.parse(bdb, empty)).packages.length, 1);
  // another directory's database is not a sibling
  const elsewhere = envWith({ files: { "usr/lib/sysimage/rpm/rpmdb.sqlite": sqlite } });
  assert.equal((await rpmCataloger.parse(bdb, elsewhere)).packages.length, 1);
});

test("damaged records become one located unknown; the rest are still catalogued", () => {
  const ndb = fixtureFile("ndb-sle15-bci/Packages.db", "usr/lib/sysimage/rpm/Packages.db");
  const data = Buffer.from(ndb.data);
  data.writeUInt8(data.readUInt8(4096 + 100) ^ 0xff, 4096 + 100); // inside package 1's blob: its checksum no longer matches
  const r = catalogRpmDatabase({ ...ndb, data }, envWith());
  assert.equal(r.packages.length, 34);
  assert.equal(r.unknowns.length, 1);
  assert.deepEqual({ ...r.unknowns[0], message: "" }, { path: "/usr/lib/sysimage/rpm/Packages.db", layerDigest: LAYER, cataloger: "rpm-db", message: "" });
  assert.match(r.unknowns[0]?.message ?? "", /^1 unreadable rpm database record\(s\): package 1 \(slot at byte 32\): blob checksum mismatch$/);

  const bad = Buffer.from(buildHeaderBlob(packageEntries("x", "1", "1")));
  bad.writeUInt32BE(0xffff_ffff, 0);
  const many = catalogRpmDatabase({ path: "var/lib/rpm/rpmdb.sqlite", data: sqliteDb([bad, bad, bad, bad, bad, buildHeaderBlob(packageEntries("ok", "1", "1"))]) }, envWith());
  assert.deepEqual(many.packages.map((p) => p.name), ["ok"]);
  assert.match(many.unknowns[0]?.message ?? "", /^5 unreadable rpm database record\(s\): package 1: rpm header: index entry count 4294967295 .*; package 3: .* \(and 2 more\)$/);
});

test("an unreadable file is an unknown, never a thrown error", () => {
  const cases: [Buffer, RegExp][] = [
    [Buffer.from("hello"), /not an rpm database in any known format/],
    [Buffer.alloc(0), /not an rpm database in any known format/],
    [readFileSync(new URL("bdb-libuuid/Packages", testdata)).subarray(0, 8192), /rpm Berkeley DB: truncated/],
    [readFileSync(new URL("ndb-sle15-bci/Packages.db", testdata)).subarray(0, 1000), /rpm ndb: truncated or damaged/],
    [Buffer.concat([Buffer.from("SQLite format 3\0", "latin1"), Buffer.alloc(200)]), /rpm sqlite: /],
  ];
  for (const [data, pattern] of cases) {
    const r = catalogRpmDatabase({ path: "var/lib/rpm/Packages", data }, envWith());
    assert.deepEqual(r.packages, []);
    assert.equal(r.unknowns.length, 1);
    assert.equal(r.unknowns[0]?.path, "/var/lib/rpm/Packages");
    assert.match(r.unknowns[0]?.message ?? "", pattern);
  }
});

test("a database over maxFileBytes is refused naming the limit", () => {
  const r = catalogRpmDatabase(fixtureFile("bdb-libuuid/Packages", "var/lib/rpm/Packages"), envWith({ limits: withLimits({ maxFileBytes: 1000 }) }));
  assert.deepEqual(r.packages, []);
  assert.match(r.unknowns[0]?.message ?? "", /exceeds limit maxFileBytes=1000/);
});

test("in the catalog stage: a Fedora-style root with /var/lib/rpm linked to /usr/lib/sysimage/rpm", async () => {
  const root = mkdtempSync(join(tmpdir(), "berth-rpm-root-"));
  try {
    mkdirSync(join(root, "usr/lib/sysimage/rpm"), { recursive: true });
    mkdirSync(join(root, "var/lib"), { recursive: true });
    mkdirSync(join(root, "etc"));
    writeFileSync(join(root, "etc/os-release"), 'NAME="Fedora Linux"\nID=fedora\nVERSION_ID=40\n');
    copyFileSync(new URL("sqlite-berth/rpmdb.sqlite", testdata), join(root, "usr/lib/sysimage/rpm/rpmdb.sqlite"));
    symlinkSync("../../usr/lib/sysimage/rpm", join(root, "var/lib/rpm"));
    const inv = await catalogDirectory(root, defaultLimits);
    assert.deepEqual(inv.unknowns, []);
    assert.deepEqual(
      inv.packages.map((p) => [p.purl, p.locations.map((l) => l.path).join(",")]),
      [
        ["pkg:rpm/fedora/berth-alpha@1.2.3-4.test?arch=noarch&distro=fedora-40&epoch=2", "/usr/lib/sysimage/rpm/rpmdb.sqlite"],
        ["pkg:rpm/fedora/berth-beta@0.9~rc1-7?arch=x86_64&distro=fedora-40&epoch=0", "/usr/lib/sysimage/rpm/rpmdb.sqlite"],
        ["pkg:rpm/fedora/berth-gamma@0.9~rc1-7?arch=x86_64&distro=fedora-40&epoch=0", "/usr/lib/sysimage/rpm/rpmdb.sqlite"],
      ],
    );
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
