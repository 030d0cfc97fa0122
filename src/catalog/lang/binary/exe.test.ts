import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { isBerthError } from "../../../util/errors.js";
import { debianPackage } from "../../../../test/support/debian-debs.js";
import { exeFormat, parseExecutables, readVirtual, sectionData } from "./exe.js";
import { buildElf } from "./testdata/synth.js";
import { goSections } from "./testdata/oracle.js";
import { withTempDir } from "./testdata/testkit.js";
import { goFixtures } from "../go/testdata/fixtures.js";

function only(buf: Buffer) {
  const exes = parseExecutables(buf);
  assert.ok(exes && exes.length === 1, "one executable");
  return exes[0]!;
}

test("exe: section tables of real ELF, Mach-O and PE files equal Go's debug/elf, debug/macho and debug/pe", async () => {
  const go = goFixtures();
  const registry = join(debianPackage("docker-registry").root, "usr/bin/docker-registry");
  await withTempDir(async (dir) => {
    const be32 = join(dir, "be32");
    writeFileSync(be32, buildElf({ bits: 32, littleEndian: false, sections: [{ name: ".data", size: 5, writable: true, data: () => Buffer.from("hello") }, { name: ".rodata", size: 3, data: () => Buffer.from("abc") }] }));
    const files = [registry, go.linux, go.darwin, go.windows, be32];
    const truth = goSections(files);
    for (const f of files) {
      const buf = readFileSync(f);
      const { exe } = only(buf);
      const want = truth[f]!;
      assert.ok(want.length > 2, `${f}: oracle saw sections`);
      assert.equal(exe.sections.length, want.length, `${f}: section count`);
      for (const [i, w] of want.entries()) {
        const s = exe.sections[i]!;
        assert.equal(s.name, w.Name, `${f} section ${i} name`);
        assert.equal(s.addr, BigInt(w.Addr), `${f} ${w.Name} addr`);
        if (w.Seg) assert.equal(s.segment, w.Seg, `${f} ${w.Name} segment`);
        // Sections that occupy no file space (.bss, zerofill) have offset/size 0 here.
        if (s.size > 0) {
          assert.equal(s.offset, w.Offset, `${f} ${w.Name} offset`);
          assert.equal(s.size, w.Size, `${f} ${w.Name} size`);
        }
      }
    }
    assert.equal(only(readFileSync(registry)).exe.format, "elf");
    assert.equal(only(readFileSync(go.darwin)).exe.format, "macho");
    assert.equal(only(readFileSync(go.windows)).exe.format, "pe");
    const b = only(readFileSync(be32));
    assert.deepEqual([b.exe.bits, b.exe.littleEndian], [32, false]);
    assert.equal(sectionData(b.data, b.exe, ".data")?.toString(), "hello");
  });
});

test("exe: virtual addresses map to the bytes of the section at that address", () => {
  const go = goFixtures();
  for (const f of [go.linux, go.darwin, go.windows]) {
    const { data, exe } = only(readFileSync(f));
    const mapped = exe.sections.filter((s) => s.size > 64 && exe.mappings.some((m) => s.addr >= m.addr && s.addr < m.addr + BigInt(m.size)));
    assert.ok(mapped.length > 0, `${f}: some mapped sections`);
    for (const s of mapped) {
      assert.deepEqual(readVirtual(data, exe, s.addr, 64), data.subarray(s.offset, s.offset + 64), `${f} ${s.name}`);
    }
    assert.equal(readVirtual(data, exe, 1n, 8), undefined, "unmapped address");
  }
});

test("exe: files that are not executables are not parsed", () => {
  const jar = readFileSync(join(debianPackage("libcommons-lang3-java").root, "usr/share/java/commons-lang3.jar"));
  assert.equal(exeFormat(jar), undefined);
  // A Java class file starts with 0xCAFEBABE too, followed by its version (>= 45), not a slice count.
  const cls = Buffer.concat([Buffer.from([0xca, 0xfe, 0xba, 0xbe, 0x00, 0x00, 0x00, 0x3d]), Buffer.alloc(100)]);
  assert.equal(parseExecutables(cls), undefined);
  assert.equal(parseExecutables(Buffer.from("#!/bin/sh\necho hello\n".repeat(10))), undefined);
  assert.equal(parseExecutables(Buffer.alloc(10)), undefined);
});

test("exe: malformed tables are refused as corrupt, never read out of bounds", () => {
  const go = goFixtures();
  const samples = [readFileSync(go.linux), readFileSync(go.darwin), readFileSync(go.windows), buildElf({ bits: 32, littleEndian: false, sections: [{ name: ".x", size: 4, data: () => Buffer.from("abcd") }] })];
  let corrupt = 0;
  const check = (buf: Buffer) => {
    try {
      parseExecutables(buf);
    } catch (e) {
      assert.ok(isBerthError(e) && e.code === "corrupt", `unexpected ${String(e)}`);
      corrupt++;
    }
  };
  for (const s of samples) {
    // Truncations cut the tables off.
    for (const len of [64, 200, 1024, 4096, Math.floor(s.length / 2), s.length - 1]) check(s.subarray(0, len));
    // Header words overwritten with extreme values (deterministic positions in the first 512 bytes).
    for (let at = 0; at < Math.min(512, s.length - 4); at += 4) {
      for (const v of [0xffffffff, 0x7fffffff, 0x10000]) {
        const m = Buffer.from(s.subarray(0, Math.min(s.length, 1 << 20)));
        m.writeUInt32LE(v, at);
        check(m);
      }
    }
  }
  assert.ok(corrupt > 50, `many mutations were refused (${corrupt})`);
  // A section table whose count is absurd is refused before any loop.
  const elf = buildElf({ bits: 64, littleEndian: true, sections: [] });
  elf.writeUInt16LE(0, 60); // e_shnum 0: the real count is in section 0's size
  elf.writeBigUInt64LE(10_000_000n, elf.readUInt32LE(40) + 32);
  assert.throws(() => parseExecutables(elf), /count 10000000 exceeds/);
});
