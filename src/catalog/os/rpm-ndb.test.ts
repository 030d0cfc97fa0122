import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { BerthError } from "../../util/errors.js";
import { readPackageHeader } from "./rpm-header.js";
import { adler32, isNdb, readNdbPackages } from "./rpm-ndb.js";
import { patchedCopy, refused } from "./testdata/rpm/testkit.js";

// The fixture (SUSE BCI 15, from knqyf263/go-rpmdb): one slot page; slot 1 (byte 32) is package 1
// at block 256 (byte 4096), 260 blocks long.
const fixture = readFileSync(new URL("./testdata/rpm/ndb-sle15-bci/Packages.db", import.meta.url));

const patched = (edit: (b: Buffer) => void): Buffer => patchedCopy(fixture, edit);


test("adler32 matches RFC 1950's check value", () => {
  const b = Buffer.from("Wikipedia");
  assert.equal(adler32(b, 0, b.length), 0x11e60398);
  const big = Buffer.alloc(100_000, 0xff);
  // reference value computed with zlib.adler32 semantics: modular sums over 100000 × 0xff
  let a = 1;
  let s = 0;
  for (const byte of big) {
    a = (a + byte) % 65521;
    s = (s + a) % 65521;
  }
  assert.equal(adler32(big, 0, big.length), ((s << 16) | a) >>> 0);
});

test("reads all 35 headers of a real SUSE Packages.db", () => {
  assert.ok(isNdb(fixture));
  const db = readNdbPackages(fixture);
  assert.deepEqual(db.problems, []);
  assert.equal(db.records.length, 35);
  assert.deepEqual(
    db.records.map((r) => r.key),
    [...db.records.map((r) => r.key)].sort((a, b) => a - b),
  );
  const names = db.records.map((r) => readPackageHeader(r.blob).name);
  assert.ok(names.includes("bash") && names.includes("rpm-ndb"), names.join(" "));
});

test("a truncated database yields what survives plus located problems", () => {
  const half = readNdbPackages(fixture.subarray(0, Math.floor(fixture.length / 2)));
  assert.ok(half.records.length > 0 && half.records.length < 35, `${half.records.length} records`);
  assert.equal(half.records.length + half.problems.length, 35);
  assert.match(half.problems[0] ?? "", /lies past the end of the file \(truncated\?\)/);
  assert.throws(() => readNdbPackages(fixture.subarray(0, 20)), refused("corrupt", /truncated: 20 bytes/));
  assert.throws(() => readNdbPackages(fixture.subarray(0, 2000)), refused("corrupt", /1 slot pages but the file holds 0/));
});

test("a damaged file header or slot table is refused", () => {
  assert.throws(() => readNdbPackages(Buffer.alloc(8192)), refused("corrupt", /bad magic/));
  assert.throws(() => readNdbPackages(patched((b) => b.writeUInt32LE(1, 4))), refused("unsupported", /version 1/));
  assert.throws(() => readNdbPackages(patched((b) => b.writeUInt32LE(0xffffffff, 12))), refused("corrupt", /4294967295 slot pages/));
  assert.throws(() => readNdbPackages(patched((b) => b.writeUInt32LE(0, 12))), refused("corrupt", /0 slot pages/));
  assert.throws(() => readNdbPackages(patched((b) => b.write("Slop", 48, "latin1"))), refused("corrupt", /slot at byte 48 has a bad magic/));
});

test("a damaged blob or slot is a per-record problem", () => {
  const cases: [(b: Buffer) => void, RegExp][] = [
    [(b) => b.writeUInt8(b.readUInt8(4096 + 100) ^ 0xff, 4096 + 100), /package 1 \(slot at byte 32\): blob checksum mismatch/],
    [(b) => b.write("BlbX", 4096, "latin1"), /package 1 .*bad blob head magic/],
    [(b) => b.writeUInt32LE(77, 4096 + 4), /package 1 .*blob belongs to package 77/],
    [(b) => b.writeUInt32LE(10, 4096 + 12), /package 1 .*blob length 10 does not fit its 260 blocks/],
    [(b) => b.writeUInt32LE(1, 32 + 12), /package 1 .*bad slot \(blkoff 256, blkcnt 1\)/],
    [(b) => b.writeUInt32LE(3, 32 + 8), /package 1 .*bad slot \(blkoff 3,/],
    [(b) => b.writeUInt32LE(0xfffffff0, 32 + 12), /package 1 .*past the end of the file/],
    [(b) => b.writeUInt32LE(2, 32 + 4), /package 2 \(slot at byte 48\): duplicate package index|blob belongs to package 1/],
  ];
  for (const [edit, pattern] of cases) {
    const db = readNdbPackages(patched(edit));
    assert.equal(db.records.length, 34, String(pattern));
    assert.equal(db.problems.length, 1, db.problems.join("\n"));
    assert.match(db.problems[0] ?? "", pattern);
  }
});

test("overlapping blobs are refused; a badly framed slot does not hide its neighbours", () => {
  const overlap = readNdbPackages(patched((b) => b.writeUInt32LE(257, 48 + 8)));
  assert.equal(overlap.records.length, 34);
  assert.deepEqual(overlap.problems, ["package 2 (slot at byte 48): blob at block 257 overlaps the previous blob"]);
  const wide = readNdbPackages(patched((b) => b.writeUInt32LE(b.length / 16 - 256, 32 + 12)));
  assert.equal(wide.records.length, 34);
  assert.match(wide.problems.join("\n"), /^package 1 \(slot at byte 32\): blob length \d+ does not fit its \d+ blocks$/);
});

test("random damage never escapes as anything but a BerthError", () => {
  let seed = 7;
  const rand = (n: number): number => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };
  for (let i = 0; i < 150; i++) {
    const b = Buffer.from(fixture);
    // slots, blob heads and tails
    for (let k = 0; k < 3; k++) b[rand(3) === 0 ? rand(48 * 16) : 4096 + rand(32)] = rand(256);
    try {
      readNdbPackages(b);
    } catch (e) {
      assert.ok(e instanceof BerthError, `iteration ${i}: ${String(e)}`);
    }
  }
});
