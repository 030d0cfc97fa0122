import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { BerthError } from "../../util/errors.js";
import { isBdbHash, readBdbPackages } from "./rpm-bdb.js";
import { readPackageHeader } from "./rpm-header.js";
import { patchedCopy, refused } from "./testdata/rpm/testkit.js";

// The fixture (RHEL 8 libuuid, from knqyf263/go-rpmdb): 23 pages of 4096 bytes, little-endian.
// Page 1 holds record 0 (rpm's counter), page 2 the pair (hnum 1 → off-page item: pgno 3,
// 80880 bytes), pages 3…22 the overflow chain.
const fixture = readFileSync(new URL("./testdata/rpm/bdb-libuuid/Packages", import.meta.url));
const PAGE = 4096;

const patched = (edit: (b: Buffer) => void): Buffer => patchedCopy(fixture, edit);


test("reads the one header of a real RHEL 8 Packages database", () => {
  assert.ok(isBdbHash(fixture));
  const db = readBdbPackages(fixture);
  assert.deepEqual(db.problems, []);
  assert.deepEqual(
    db.records.map((r) => [r.key, r.blob.length]),
    [[1, 80880]],
  );
  const record = db.records[0];
  assert.ok(record);
  assert.equal(readPackageHeader(record.blob).name, "libuuid");
});

/** Rewrites the little-endian fixture in big-endian byte order (as on s390x / ppc64). */
function toBigEndian(src: Buffer): Buffer {
  const b = Buffer.from(src);
  const swap32 = (at: number): void => void b.writeUInt32BE(src.readUInt32LE(at), at);
  const swap16 = (at: number): void => void b.writeUInt16BE(src.readUInt16LE(at), at);
  for (const at of [8, 12, 16, 20, 28, 32, 36, 40, 44, 48]) swap32(at);
  for (let p = 1; p < src.length / PAGE; p++) {
    const base = p * PAGE;
    for (const at of [8, 12, 16]) swap32(base + at);
    swap16(base + 20);
    swap16(base + 22);
    const type = src[base + 25];
    if (type !== 13 && type !== 2) continue;
    const entries = src.readUInt16LE(base + 20);
    for (let i = 0; i < entries; i++) {
      const off = src.readUInt16LE(base + 26 + i * 2);
      swap16(base + 26 + i * 2);
      if (src[base + off] === 3) {
        swap32(base + off + 4);
        swap32(base + off + 8);
      } else if (i % 2 === 0) swap32(base + off + 1); // a 4-byte hnum key
    }
  }
  return b;
}

test("reads a big-endian database the same way", () => {
  const be = toBigEndian(fixture);
  assert.ok(isBdbHash(be));
  assert.notDeepEqual(be.subarray(12, 16), fixture.subarray(12, 16));
  assert.deepEqual(readBdbPackages(be), readBdbPackages(fixture));
});

test("a bogus page size is refused", () => {
  for (const size of [0, 1000, 256, 131072, 0xffffffff]) {
    assert.throws(() => readBdbPackages(patched((b) => b.writeUInt32LE(size, 20))), refused("corrupt", new RegExp(`bogus page size ${size}`)));
  }
});

test("truncated files and foreign formats are refused", () => {
  assert.throws(() => readBdbPackages(fixture.subarray(0, 10 * PAGE)), refused("corrupt", /truncated: last page 22 but the file holds 10 pages/));
  assert.throws(() => readBdbPackages(fixture.subarray(0, 100)), refused("corrupt", /truncated: 100 bytes/));
  assert.throws(() => readBdbPackages(Buffer.alloc(PAGE)), refused("corrupt", /bad magic/));
  assert.throws(() => readBdbPackages(patched((b) => b.writeUInt32LE(0x053162, 12))), refused("unsupported", /btree/));
  assert.throws(() => readBdbPackages(patched((b) => (b[24] = 1))), refused("unsupported", /encrypted/));
  assert.throws(() => readBdbPackages(patched((b) => b.writeUInt32LE(7, 16))), refused("unsupported", /hash version 7/));
  assert.throws(() => readBdbPackages(patched((b) => (b[25] = 9))), refused("corrupt", /not hash metadata/));
});

test("a looping overflow chain is a per-record problem, not a hang", () => {
  const loop = readBdbPackages(patched((b) => b.writeUInt32LE(3, 22 * PAGE + 16)));
  assert.deepEqual(loop.records, []);
  assert.match(loop.problems.join("\n"), /hash page 2 pair 0: overflow chain loops at page 3/);
  const early = readBdbPackages(patched((b) => b.writeUInt32LE(4, 5 * PAGE + 16)));
  assert.match(early.problems.join("\n"), /overflow chain loops at page 4/);
});

test("two records may not share overflow pages", () => {
  // Rewrite page 1's pair (record 0 → counter) as hnum 2 → the off-page chain record 1 uses.
  const shared = patched((b) => {
    const base = PAGE;
    b.writeUInt16LE(4079, base + 26 + 2); // value item now at 4079, 12 bytes
    b.writeUInt16LE(4079, base + 22);
    b.writeUInt32LE(2, base + 4091 + 1); // key: hnum 2
    b[base + 4079] = 3; // H_OFFPAGE
    b.writeUInt32LE(3, base + 4079 + 4);
    b.writeUInt32LE(80880, base + 4079 + 8);
  });
  const db = readBdbPackages(shared);
  assert.deepEqual(
    db.records.map((r) => [r.key, r.blob.length]),
    [[2, 80880]],
  );
  assert.deepEqual(db.problems, ["hash page 2 pair 0: overflow page 3 already belongs to another record"]);
});

test("damaged overflow references are per-record problems", () => {
  const cases: [(b: Buffer) => void, RegExp][] = [
    [(b) => b.writeUInt32LE(999_999, 3 * PAGE + 16), /overflow page 999999 outside 23 pages/],
    [(b) => (b[10 * PAGE + 25] = 5), /page 10 is not an overflow page/],
    [(b) => b.writeUInt16LE(5000, 7 * PAGE + 22), /overflow page 7 claims 5000 bytes/],
    [(b) => b.writeUInt32LE(80881, 2 * PAGE + 4079 + 8), /holds 80880 of its declared 80881 bytes/],
    [(b) => b.writeUInt32LE(80000, 2 * PAGE + 4079 + 8), /longer than its declared 80000 bytes/],
    [(b) => b.writeUInt32LE(0x7fffffff, 2 * PAGE + 4079 + 8), /declared length 2147483647 exceeds the file/],
    [(b) => b.writeUInt16LE(60000, 2 * PAGE + 20), /hash page 2 claims 60000 entries/],
    [(b) => b.writeUInt16LE(10, 2 * PAGE + 26), /hash page 2 item 0 at bad offset 10/],
    [(b) => (b[2 * PAGE + 4079] = 4), /unsupported value item type 4/],
  ];
  for (const [edit, pattern] of cases) {
    const db = readBdbPackages(patched(edit));
    assert.deepEqual(db.records, [], String(pattern));
    assert.match(db.problems.join("\n"), pattern);
  }
});

test("random damage never escapes as anything but a BerthError", () => {
  let seed = 42;
  const rand = (n: number): number => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };
  for (let i = 0; i < 300; i++) {
    const b = Buffer.from(fixture);
    // page headers, hash items and the metadata page are where trust decisions are made
    for (let k = 0; k < 3; k++) {
      const page = rand(23);
      b[page * PAGE + (rand(2) === 0 ? rand(40) : PAGE - 1 - rand(32))] = rand(256);
    }
    try {
      readBdbPackages(b);
    } catch (e) {
      assert.ok(e instanceof BerthError, `iteration ${i}: ${String(e)}`);
    }
  }
});
