import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { BerthError } from "../../util/errors.js";
import { readBdbPackages } from "./rpm-bdb.js";
import {
  HEADER_MAX_ARRAY,
  headerInts,
  headerString,
  headerStrings,
  parseHeaderBlob,
  readPackageHeader,
  RpmTag,
  RpmType,
} from "./rpm-header.js";
import { buildHeaderBlob, int32, packageEntries, str, strs, type BuildEntry } from "./testdata/rpm/testkit.js";

const testdata = new URL("./testdata/rpm/", import.meta.url);

function isCorrupt(pattern: RegExp): (e: unknown) => boolean {
  return (e: unknown) => {
    assert.ok(e instanceof BerthError, `expected a BerthError, got ${String(e)}`);
    assert.equal(e.code, "corrupt");
    assert.match(e.message, pattern);
    return true;
  };
}

const files: BuildEntry[] = [
  strs(RpmTag.BASENAMES, ["bash", "sh", "bash.1.gz"]),
  strs(RpmTag.DIRNAMES, ["/usr/bin/", "/usr/share/man/man1/"]),
  int32(RpmTag.DIRINDEXES, [0, 0, 1]),
];

test("reads the package fields and the file list of a header", () => {
  const blob = buildHeaderBlob(
    packageEntries("bash", "5.1.8", "9.el9", [
      int32(RpmTag.EPOCH, [3]),
      str(RpmTag.VENDOR, "Red Hat, Inc."),
      int32(RpmTag.SIZE, [123]),
      { tag: RpmTag.LONGSIZE, v: { type: RpmType.INT64, value: [2 ** 40] } },
      str(RpmTag.MODULARITYLABEL, "perl:5.30:8030020200901:466e6a37"),
      ...files,
    ]),
  );
  assert.deepEqual(readPackageHeader(blob), {
    name: "bash",
    version: "5.1.8",
    release: "9.el9",
    epoch: 3,
    arch: "x86_64",
    sourceRpm: "bash-5.1.8-9.el9.src.rpm",
    license: "MIT",
    vendor: "Red Hat, Inc.",
    size: 2 ** 40,
    modularityLabel: "perl:5.30:8030020200901:466e6a37",
    files: ["/usr/bin/bash", "/usr/bin/sh", "/usr/share/man/man1/bash.1.gz"],
  });
});

test("absent optional tags stay absent; OLDFILENAMES is the legacy file list", () => {
  const blob = buildHeaderBlob([
    str(RpmTag.NAME, "old"),
    str(RpmTag.VERSION, "1"),
    str(RpmTag.RELEASE, "1"),
    strs(RpmTag.OLDFILENAMES, ["/etc/old.conf", "/usr/bin/old"]),
  ]);
  assert.deepEqual(readPackageHeader(blob), { name: "old", version: "1", release: "1", files: ["/etc/old.conf", "/usr/bin/old"] });
});

test("decodes every integer width, I18N strings and the last of duplicate tags", () => {
  const blob = buildHeaderBlob([
    { tag: 5000, v: { type: RpmType.INT8, value: [7, 255] } },
    { tag: 5001, v: { type: RpmType.INT16, value: [65535, 2] } },
    { tag: 5002, v: { type: RpmType.INT64, value: [2 ** 50] } },
    { tag: RpmTag.LICENSE, v: { type: RpmType.I18NSTRING, value: ["GPL", "GPL (de)"] } },
    str(RpmTag.NAME, "first"),
    str(RpmTag.NAME, "second"),
  ]);
  const h = parseHeaderBlob(blob);
  assert.deepEqual(headerInts(h, 5000), [7, 255]);
  assert.deepEqual(headerInts(h, 5001), [65535, 2]);
  assert.deepEqual(headerInts(h, 5002), [2 ** 50]);
  assert.equal(headerString(h, RpmTag.LICENSE), "GPL");
  assert.deepEqual(headerStrings(h, RpmTag.LICENSE), ["GPL", "GPL (de)"]);
  assert.equal(headerString(h, RpmTag.NAME), "second");
  assert.equal(headerString(h, RpmTag.VENDOR), undefined);
});

test("reads a real header blob (libuuid from a RHEL 8 Berkeley DB)", () => {
  const db = readBdbPackages(readFileSync(new URL("bdb-libuuid/Packages", testdata)));
  const record = db.records[0];
  assert.ok(record);
  const h = readPackageHeader(record.blob);
  assert.deepEqual(
    { ...h, files: h.files.length },
    {
      name: "libuuid",
      version: "2.32.1",
      release: "42.el8_8",
      arch: "x86_64",
      sourceRpm: "util-linux-2.32.1-42.el8_8.src.rpm",
      license: "BSD",
      vendor: "Red Hat, Inc.",
      size: 35104,
      files: 7,
    },
  );
  assert.ok(h.files.includes("/usr/lib64/libuuid.so.1"), h.files.join(" "));
});

// ---- hostile input: every one a BerthError("corrupt"), never a RangeError or a hang ----

const good = buildHeaderBlob(packageEntries("pkg", "1.0", "1", files));

test("every truncation of a header blob is refused", () => {
  for (let n = 0; n < good.length; n++) {
    assert.throws(() => readPackageHeader(good.subarray(0, n)), isCorrupt(/truncated/), `length ${n}`);
  }
  assert.throws(() => readPackageHeader(Buffer.concat([good, Buffer.alloc(3)])), isCorrupt(/unexpected bytes/));
});

function patched(edit: (b: Buffer) => void): Buffer {
  const b = Buffer.from(good);
  edit(b);
  return b;
}

test("a huge or zero index count is refused before anything is allocated", () => {
  assert.throws(() => parseHeaderBlob(patched((b) => b.writeUInt32BE(0xffffffff, 0))), isCorrupt(/index entry count 4294967295/));
  assert.throws(() => parseHeaderBlob(patched((b) => b.writeUInt32BE(0x10000, 0))), isCorrupt(/index entry count/));
  assert.throws(() => parseHeaderBlob(patched((b) => b.writeUInt32BE(0, 0))), isCorrupt(/index entry count 0/));
  assert.throws(() => parseHeaderBlob(patched((b) => b.writeUInt32BE(0x7fffffff, 4))), isCorrupt(/data length/));
});

// Index entry i starts at 8 + 16*i: tag, type, offset, count.
test("offsets and counts pointing outside the data store are refused", () => {
  assert.throws(() => parseHeaderBlob(patched((b) => b.writeInt32BE(1_000_000, 8 + 8))), isCorrupt(/offset 1000000 outside/));
  assert.throws(() => parseHeaderBlob(patched((b) => b.writeInt32BE(-16, 8 + 8))), isCorrupt(/offset -16 outside/));
  // DIRINDEXES (the last entry, INT32 × 3): a count that runs past the end
  const last = 8 + 16 * (packageEntries("pkg", "1.0", "1", files).length - 1);
  assert.throws(() => parseHeaderBlob(patched((b) => b.writeUInt32BE(4096, last + 12))), isCorrupt(/count 4096 outside|extends past/));
  assert.throws(() => parseHeaderBlob(patched((b) => b.writeUInt32BE(3 + 1, last + 12))), isCorrupt(/extends past/));
  assert.throws(() => parseHeaderBlob(patched((b) => b.writeUInt32BE(0, last + 12))), isCorrupt(/count 0/));
  assert.throws(() => parseHeaderBlob(patched((b) => b.writeInt32BE(b.readInt32BE(last + 8) + 1, last + 8))), isCorrupt(/aligned/));
  assert.throws(() => parseHeaderBlob(patched((b) => b.writeUInt32BE(42, 8 + 4))), isCorrupt(/unknown type 42/));
  assert.throws(() => parseHeaderBlob(patched((b) => b.writeUInt32BE(2, 8 + 12))), isCorrupt(/STRING with count 2/));
});

test("a string that runs off the end of the data store is refused", () => {
  const blob = buildHeaderBlob([str(RpmTag.VERSION, "1"), str(RpmTag.RELEASE, "1"), str(RpmTag.NAME, "unterminated")]);
  blob[blob.length - 1] = 0x41; // overwrite the final NUL
  assert.throws(() => readPackageHeader(blob), isCorrupt(/not NUL-terminated/));
  const arr = buildHeaderBlob(packageEntries("p", "1", "1", [strs(RpmTag.BASENAMES, ["a", "b"])]));
  arr.writeUInt32BE(30, 8 + 16 * 6 + 12); // BASENAMES claims 30 strings; the data store holds fewer
  assert.throws(() => readPackageHeader(arr), isCorrupt(/not NUL-terminated/));
});

test("inconsistent file tags and missing identity are refused", () => {
  const outside = buildHeaderBlob(packageEntries("p", "1", "1", [strs(RpmTag.BASENAMES, ["a"]), strs(RpmTag.DIRNAMES, ["/"]), int32(RpmTag.DIRINDEXES, [5])]));
  assert.throws(() => readPackageHeader(outside), isCorrupt(/DIRINDEXES\[0\] = 5 outside 1 DIRNAMES/));
  const mismatch = buildHeaderBlob(packageEntries("p", "1", "1", [strs(RpmTag.BASENAMES, ["a", "b"]), strs(RpmTag.DIRNAMES, ["/"]), int32(RpmTag.DIRINDEXES, [0])]));
  assert.throws(() => readPackageHeader(mismatch), isCorrupt(/2 BASENAMES but 1 DIRINDEXES/));
  assert.throws(() => readPackageHeader(buildHeaderBlob([str(RpmTag.VERSION, "1"), str(RpmTag.RELEASE, "1")])), isCorrupt(/no NAME/));
  const wrongType = buildHeaderBlob([int32(RpmTag.NAME, [1]), str(RpmTag.VERSION, "1"), str(RpmTag.RELEASE, "1")]);
  assert.throws(() => readPackageHeader(wrongType), isCorrupt(/tag 1000 has unexpected type 4/));
});

test("an array longer than Berth decodes is refused naming the bound", () => {
  const entries = packageEntries("p", "1", "1", [
    { tag: 5555, v: { type: RpmType.BIN, value: Buffer.alloc(HEADER_MAX_ARRAY + 1) } },
    strs(RpmTag.BASENAMES, ["x"]),
  ]);
  const blob = buildHeaderBlob(entries);
  const bin = 8 + 16 * (entries.length - 2);
  const basenames = bin + 16;
  blob.writeInt32BE(blob.readInt32BE(bin + 8), basenames + 8); // point BASENAMES at a million NULs
  blob.writeUInt32BE(HEADER_MAX_ARRAY + 1, basenames + 12);
  assert.throws(
    () => readPackageHeader(blob),
    (e: unknown) => e instanceof BerthError && e.code === "limit" && /tag 1117 holds 1048577 elements, over the 1048576/.test(e.message),
  );
});

test("random damage to a real header never escapes as anything but a BerthError", () => {
  const db = readBdbPackages(readFileSync(new URL("bdb-libuuid/Packages", testdata)));
  const real = db.records[0]?.blob;
  assert.ok(real);
  let seed = 12345;
  const rand = (n: number): number => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };
  for (let i = 0; i < 500; i++) {
    const b = Buffer.from(real);
    // damage the index (where the parser's trust decisions are) more often than the data
    for (let k = 0; k < 4; k++) b[rand(4) === 0 ? rand(b.length) : rand(Math.min(b.length, 8 + 16 * 40))] = rand(256);
    try {
      readPackageHeader(b);
    } catch (e) {
      assert.ok(e instanceof BerthError, `iteration ${i}: ${String(e)}`);
    }
  }
});
