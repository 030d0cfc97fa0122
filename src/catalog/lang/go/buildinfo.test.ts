import { test } from "node:test";
import assert from "node:assert/strict";
import { chmodSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { isBerthError } from "../../../util/errors.js";
import { debianPackage } from "../../../../test/support/debian-debs.js";
import { tool, withTempDir } from "../binary/testdata/testkit.js";
import { readBuildInfo } from "./buildinfo.js";
import { parseModInfo, toolchainSemver, unquoteGo, type GoModInfo } from "./modinfo.js";
import { goFixtures, goVersionM, pointerBuildInfoElf } from "./testdata/fixtures.js";

/** Our reading, written back as `go version -m` records, build values unquoted. */
function records(mi: GoModInfo): string[][] {
  const out: string[][] = [];
  if (mi.path !== undefined) out.push(["path", mi.path]);
  const mod = (kind: string, m: { path: string; version: string; sum?: string; replace?: { path: string; version: string; sum?: string } }) => {
    out.push([kind, m.path, m.version, ...(m.sum !== undefined || (kind === "mod" && !m.replace) ? [m.sum ?? ""] : [])]);
    if (m.replace) out.push(["=>", m.replace.path, m.replace.version, m.replace.sum ?? ""]);
  };
  if (mi.main) mod("mod", mi.main);
  for (const d of mi.deps) mod("dep", d);
  for (const [k, v] of mi.settings) out.push(["build", `${k}=${v}`]);
  return out;
}

/** The truth's records with build values unquoted (JSON and Go quoting agree on these ASCII values). */
function truthRecords(recs: string[][]): string[][] {
  return recs.map((r) => {
    if (r[0] !== "build") return r;
    const s = r.slice(1).join("\t");
    const eq = s.indexOf("=");
    const v = s.slice(eq + 1);
    return ["build", `${s.slice(0, eq)}=${v.startsWith('"') ? (JSON.parse(v) as string) : v}`];
  });
}

function assertMatchesGo(file: string) {
  const truth = goVersionM(file);
  assert.ok(!("error" in truth), `go version -m ${file}: ${"error" in truth ? truth.error : ""}`);
  const info = readBuildInfo(readFileSync(file));
  assert.ok(info, `${file}: build information found`);
  assert.equal(info.goVersion, truth.goVersion, `${file}: toolchain`);
  assert.deepEqual(records(parseModInfo(info.modinfo)), truthRecords(truth.records), `${file}: records`);
  return info;
}

test("buildinfo: equals `go version -m` on real Go binaries (ELF, Mach-O, PE; module and GOPATH builds)", () => {
  const go = goFixtures();
  const registry = join(debianPackage("docker-registry").root, "usr/bin/docker-registry");
  const goroot = tool("go", ["env", "GOROOT"], { aptPackage: "golang-go" }).stdout.trim();
  const formats = [go.linux, go.linuxDevel, go.darwin, go.windows, registry, join(goroot, "bin", "go")].map((f) => {
    const info = assertMatchesGo(f);
    assert.equal(info.format, "inline");
    return info.executable;
  });
  assert.deepEqual(formats, ["elf", "elf", "macho", "pe", "elf", "elf"]);
  // Debian builds in GOPATH mode: a package path and build settings, no module lines.
  const reg = parseModInfo(readBuildInfo(readFileSync(registry))!.modinfo);
  assert.equal(reg.path, "github.com/docker/distribution/cmd/registry");
  assert.equal(reg.main, undefined);
  assert.equal(reg.deps.length, 0);
});

test("buildinfo: the Go < 1.18 pointer layout (64-bit little-endian, 32-bit big-endian) equals `go version -m`", async () => {
  const modinfo = "path\texample.com/old/cmd/tool\nmod\texample.com/old\t(devel)\t\ndep\tgolang.org/x/text\tv0.3.7\th1:olpwvP2KacW1ZWvsR7uQhoyTYvKAupfQrRGBFM352Gk=\ndep\tgithub.com/a/b\tv1.0.0\n=>\tgithub.com/c/b\tv1.0.1\th1:xyz=\n";
  await withTempDir(async (dir) => {
    for (const [bits, le] of [
      [64, true],
      [32, false],
    ] as const) {
      const f = join(dir, `old-${bits}`);
      writeFileSync(f, pointerBuildInfoElf(bits, le, "go1.16.15", modinfo));
      chmodSync(f, 0o755);
      const info = assertMatchesGo(f);
      assert.equal(info.format, "pointer");
    }
  });
});

test("buildinfo: found without a section table (stripped headers), as `go version -m` finds it", async () => {
  const go = goFixtures();
  await withTempDir(async (dir) => {
    const b = readFileSync(go.linux);
    b.writeBigUInt64LE(0n, 0x28); // e_shoff
    b.writeUInt16LE(0, 0x3c); // e_shnum
    b.writeUInt16LE(0, 0x3e); // e_shstrndx
    const f = join(dir, "stripped");
    writeFileSync(f, b);
    chmodSync(f, 0o755);
    assertMatchesGo(f);
  });
});

test("buildinfo: binaries not built by Go have none", () => {
  assert.equal(readBuildInfo(readFileSync("/bin/ls")), undefined);
  assert.equal(readBuildInfo(Buffer.from("#!/bin/sh\nexec true\n".repeat(300))), undefined);
});

test("buildinfo: damaged headers are refused as corrupt (and `go version -m` refuses them too)", async () => {
  const go = goFixtures();
  const orig = readFileSync(go.linux);
  const at = orig.indexOf(Buffer.from("\xff Go buildinf:", "latin1"));
  const cases: [string, (b: Buffer) => void, RegExp][] = [
    ["huge version length", (b) => b.fill(0xff, at + 32, at + 42), /varint is too long|overflows|exceeds/],
    ["module information past the end", (b) => Buffer.from([0xff, 0xff, 0xff, 0x7f]).copy(b, at + 32 + 1 + orig[at + 32]!), /exceeds|past the end/],
    ["pointer size", (b) => ((b[at + 14] = 3), (b[at + 15] = 0)), /pointer size 3/],
    ["magic overwritten", (b) => b.write("XXXX", at, "latin1"), /does not start with the build information header/],
    ["version not a Go version", (b) => b.write("zz", at + 33, "latin1"), /is not a Go version/],
  ];
  await withTempDir(async (dir) => {
    for (const [name, damage, message] of cases) {
      const b = Buffer.from(orig);
      damage(b);
      assert.throws(() => readBuildInfo(b), (e: unknown) => isBerthError(e) && e.code === "corrupt" && message.test(e.message), name);
      // Go 1.19 reads an out-of-range module-information length as "no module information" and
      // prints only the version; Berth reports the damage instead of an empty inventory.
      if (name !== "version not a Go version" && name !== "module information past the end") {
        const f = join(dir, name.replace(/ /g, "-"));
        writeFileSync(f, b);
        chmodSync(f, 0o755);
        assert.ok("error" in goVersionM(f), `go version -m also refuses: ${name}`);
      }
    }
  });
});

test("modinfo: record syntax, quoting and malformed lines", () => {
  const mi = parseModInfo('path\tx/cmd\nmod\tx\tv1.0.0\th1:m=\ndep\ty\tv2.0.0+incompatible\n=>\tz\tv2.1.0\th1:z=\n\nbuild\t-tags=netgo,osusergo\nbuild\t"we=ird"="a \\"b\\"\\tc"\nbuild\tvcs.modified=false\ngo\tgo1.21.0\nfuture\tignored\n');
  assert.equal(mi.path, "x/cmd");
  assert.deepEqual(mi.main, { path: "x", version: "v1.0.0", sum: "h1:m=" });
  assert.deepEqual(mi.deps, [{ path: "y", version: "v2.0.0+incompatible", replace: { path: "z", version: "v2.1.0", sum: "h1:z=" } }]);
  assert.deepEqual(mi.settings, [
    ["-tags", "netgo,osusergo"],
    ["we=ird", 'a "b"\tc'],
    ["vcs.modified", "false"],
  ]);
  for (const bad of ["dep\tonly-path", "dep\ta\tb\tc\td", "=>\tx\tv1", "=>\tx\tv1\th1:", "build\tnoequals", 'build\tk="unterminated', "dep\t\tv1.0.0"]) {
    assert.throws(() => parseModInfo(bad), (e: unknown) => isBerthError(e) && e.code === "corrupt", bad);
  }
  assert.deepEqual(unquoteGo('"\\x41\\u00e9\\U0001F600\\101\\a"', 0), { value: "A\u00e9\u{1F600}A\x07", end: 28 });
});

test("toolchainSemver: Go release tags as module versions", () => {
  const rows: [string, string | undefined][] = [
    ["go1.21.5", "v1.21.5"],
    ["go1.21.0", "v1.21.0"],
    ["go1.20", "v1.20.0"],
    ["go1.21rc2", "v1.21.0-rc.2"],
    ["go1.19beta1", "v1.19.0-beta.1"],
    ["go1.22.0 X:boringcrypto", "v1.22.0"],
    ["go1", "v1.0.0"],
    ["devel go1.23-4e9c2c6e Tue Jan 2 2024", undefined],
    ["gccgo", undefined],
  ];
  for (const [raw, want] of rows) assert.equal(toolchainSemver(raw), want, raw);
});
