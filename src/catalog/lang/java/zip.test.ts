import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { isBerthError } from "../../../util/errors.js";
import { debianPackage } from "../../../../test/support/debian-debs.js";
import { tool, toolBytes, withTempDir } from "../binary/testdata/testkit.js";
import { listZip, readZipEntry } from "./zip.js";

const BOUNDS = { maxBytes: 64 * 1024 * 1024, maxRatio: 200 };
const LANG3 = () => join(debianPackage("libcommons-lang3-java").root, "usr/share/java/commons-lang3.jar");

/** unzip's listing and bytes of every file entry, compared with ours. */
function assertSameAsUnzip(file: string) {
  const buf = readFileSync(file);
  const names = tool("unzip", ["-Z1", file], { aptPackage: "unzip" }).stdout.split("\n").filter(Boolean);
  const entries = listZip(buf, 1_000_000);
  assert.deepEqual(entries.map((e) => e.name), names, `${file}: names`);
  for (const e of entries.filter((x) => !x.name.endsWith("/")).slice(0, 40)) {
    const want = toolBytes("unzip", ["-p", file, e.name.replace(/([[\]*?\\])/g, "\\$1")], "unzip");
    assert.ok(readZipEntry(buf, e, BOUNDS).equals(want), `${file}: ${e.name}`);
  }
}

test("zip: entries and contents of a real jar equal unzip's", () => {
  const buf = readFileSync(LANG3());
  const names = tool("unzip", ["-Z1", LANG3()], { aptPackage: "unzip" }).stdout.split("\n").filter(Boolean);
  assert.deepEqual(listZip(buf, 1_000_000).map((e) => e.name), names);
  for (const name of ["META-INF/MANIFEST.MF", "META-INF/maven/org.apache.commons/commons-lang3/pom.properties", "META-INF/maven/org.apache.commons/commons-lang3/pom.xml"]) {
    const e = listZip(buf, 1_000_000).find((x) => x.name === name)!;
    assert.equal(readZipEntry(buf, e, BOUNDS).toString("utf8"), tool("unzip", ["-p", LANG3(), name], { aptPackage: "unzip" }).stdout, name);
  }
});

test("zip: stored entries, ZIP64 records and bytes prepended to the archive read as unzip reads them", async () => {
  await withTempDir(async (dir) => {
    writeFileSync(join(dir, "a.txt"), "alpha\n".repeat(1000));
    writeFileSync(join(dir, "b.properties"), "groupId=g\nartifactId=a\nversion=1\n");
    tool("zip", ["-q", "-0", join(dir, "stored.zip"), "a.txt", "b.properties"], { aptPackage: "zip", cwd: dir });
    tool("zip", ["-q", "-fz", join(dir, "zip64.zip"), "a.txt", "b.properties"], { aptPackage: "zip", cwd: dir });
    // A "fully executable" jar: a launcher script before the zip, offsets not adjusted…
    const script = Buffer.from('#!/bin/sh\nexec java -jar "$0" "$@"\n');
    writeFileSync(join(dir, "exec.jar"), Buffer.concat([script, readFileSync(LANG3())]));
    // …and the same with offsets adjusted by zip -A, as Spring Boot's build does.
    writeFileSync(join(dir, "exec-adjusted.jar"), Buffer.concat([script, readFileSync(LANG3())]));
    tool("zip", ["-q", "-A", join(dir, "exec-adjusted.jar")], { aptPackage: "zip" });
    for (const f of ["stored.zip", "zip64.zip", "exec-adjusted.jar"]) assertSameAsUnzip(join(dir, f));
    const exec = readFileSync(join(dir, "exec.jar"));
    const e = listZip(exec, 1_000_000).find((x) => x.name === "META-INF/MANIFEST.MF")!;
    assert.match(readZipEntry(exec, e, BOUNDS).toString(), /Implementation-Version: 3\.12\.0/);
  });
});

test("zip: bounds on entries, size and ratio are named; damaged archives are corrupt, never a crash", async () => {
  const buf = readFileSync(LANG3());
  assert.throws(() => listZip(buf, 10), /declares \d+ entries, more than the bound of 10/);
  const entries = listZip(buf, 1_000_000);
  const big = entries.reduce((a, b) => (b.uncompressedSize > a.uncompressedSize ? b : a));
  assert.throws(() => readZipEntry(buf, big, { maxBytes: 100, maxRatio: 200 }), /more than the 100 left in the bound/);
  await withTempDir(async (dir) => {
    writeFileSync(join(dir, "zeros"), Buffer.alloc(8 * 1024 * 1024));
    tool("zip", ["-q", join(dir, "bomb.zip"), "zeros"], { aptPackage: "zip", cwd: dir });
    const bomb = readFileSync(join(dir, "bomb.zip"));
    assert.throws(() => readZipEntry(bomb, listZip(bomb, 10)[0]!, BOUNDS), /above the ratio bound of 200:1 \(possible zip bomb\)/);
  });
  // A declared size smaller than the real data: inflation stops at the declared size.
  const manifest = entries.find((x) => x.name === "META-INF/MANIFEST.MF")!;
  assert.throws(() => readZipEntry(buf, { ...manifest, uncompressedSize: 10 }, BOUNDS), /expands past its declared 10 bytes/);
  assert.throws(() => readZipEntry(buf, { ...manifest, crc32: manifest.crc32 ^ 1 }, BOUNDS), /CRC-32/);
  let refused = 0;
  const check = (b: Buffer) => {
    try {
      for (const e of listZip(b, 1_000_000).slice(0, 5)) readZipEntry(b, e, BOUNDS);
    } catch (e) {
      assert.ok(isBerthError(e), `unexpected ${String(e)}`);
      refused++;
    }
  };
  for (const len of [0, 21, 100, buf.length - 100, buf.length - 22, buf.length - 1]) check(buf.subarray(0, len));
  // Overwrite words of the end record and of the first central directory entry.
  const eocd = buf.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  const cen = buf.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
  for (const base of [eocd, cen]) {
    for (let at = base; at < Math.min(base + 46, buf.length - 2); at += 2) {
      for (const v of [0xffff, 0x7fff, 0]) {
        const m = Buffer.from(buf);
        m.writeUInt16LE(v, at);
        check(m);
      }
    }
  }
  assert.ok(refused > 20, `damaged archives refused (${refused})`);
});
