import { test } from "node:test";
import assert from "node:assert/strict";
import { chmodSync, copyFileSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { deflateSync, inflateSync } from "node:zlib";
import type { Package } from "../../../model/package.js";
import { withLimits } from "../../../util/limits.js";
import { buildElf } from "../binary/testdata/synth.js";
import { catalogDir, readLayerWith, tool, withTempDir } from "../binary/testdata/testkit.js";
import { goFixtures } from "../go/testdata/fixtures.js";
import { goBinaryCataloger } from "../go/binary.js";
import { cargoAuditableCataloger, readAuditable } from "./auditable.js";

const DIR = join(import.meta.dirname, "testdata", "auditable");
const BIN = join(DIR, "hello-auditable");
const list = [cargoAuditableCataloger];
const limits = withLimits();

interface Metadata {
  packages: { id: string; name: string; version: string; source: string | null }[];
  resolve: { root: string; nodes: { id: string; deps: { pkg: string; dep_kinds: { kind: string | null }[] }[] }[] };
}

test("cargo-auditable: the section objcopy extracts decompresses to what the reader returns", async () => {
  await withTempDir(async (dir) => {
    tool("objcopy", ["--dump-section", `.dep-v0=${join(dir, "dep")}`, BIN, join(dir, "scratch")], { aptPackage: "binutils" });
    const json = JSON.parse(inflateSync(readFileSync(join(dir, "dep"))).toString("utf8")) as { packages: { name: string; version: string }[] };
    assert.deepEqual(readAuditable(readFileSync(BIN))?.map((c) => `${c.name}@${c.version}`), json.packages.map((p) => `${p.name}@${p.version}`));
  });
});

test("cargo-auditable: crates, direct/transitive, build-only and edges agree with cargo metadata", async () => {
  const meta = JSON.parse(readFileSync(join(DIR, "cargo-metadata.json"), "utf8")) as Metadata;
  await withTempDir(async (root) => {
    copyFileSync(BIN, join(root, "hello"));
    chmodSync(join(root, "hello"), 0o755);
    const inv = await catalogDir(root, list, limits);
    assert.deepEqual(inv.unknowns, []);
    const byName = new Map<string, Package>(inv.packages.map((p) => [p.name, p]));
    const nameOf = (id: string) => meta.packages.find((p) => p.id === id)!.name;
    const rootNode = meta.resolve.nodes.find((n) => n.id === meta.resolve.root)!;
    // cargo metadata: which of the root's dependencies are dev-only (not in the binary).
    const devOnly = rootNode.deps.filter((d) => d.dep_kinds.every((k) => k.kind === "dev")).map((d) => nameOf(d.pkg));
    const runtimeOrBuild = rootNode.deps.filter((d) => !d.dep_kinds.every((k) => k.kind === "dev")).map((d) => nameOf(d.pkg));
    assert.deepEqual(devOnly, ["test-helper"]);
    const expected = meta.packages.filter((p) => !devOnly.includes(p.name)).map((p) => `${p.name}@${p.version}`).sort();
    assert.deepEqual(inv.packages.map((p) => `${p.name}@${p.version}`).sort(), expected);
    for (const p of inv.packages) {
      assert.equal(p.purl, `pkg:cargo/${p.name}@${p.version}`);
      assert.deepEqual([p.evidence, p.foundBy, p.locations], ["binary", "rust-cargo-auditable", [{ path: "/hello" }]]);
      assert.equal(p.metadata?.source, "local", "path dependencies");
      const node = meta.resolve.nodes.find((n) => nameOf(n.id) === p.name)!;
      const deps = node.deps.filter((d) => !d.dep_kinds.every((k) => k.kind === "dev")).map((d) => nameOf(d.pkg));
      assert.deepEqual((p.dependsOn ?? []).map((x) => x.replace(/^pkg:cargo\/|@.*$/g, "")).sort(), deps.sort(), `${p.name}: edges`);
    }
    const rootPkg = byName.get(nameOf(meta.resolve.root))!;
    assert.equal(rootPkg.metadata?.root, "true");
    assert.equal(rootPkg.direct, undefined);
    for (const n of runtimeOrBuild) assert.equal(byName.get(n)?.direct, true, n);
    assert.equal(byName.get("util-c")?.direct, false);
    // build-helper is only a build-dependency; util-c is reached at runtime through util-a too.
    assert.equal(byName.get("build-helper")?.metadata?.kind, "build");
    assert.equal(byName.get("util-c")?.metadata?.kind, undefined);
  });
});

test("cargo-auditable: found in a PE file too (section added by objcopy), and only a summary is kept in a layer", async () => {
  const go = goFixtures();
  await withTempDir(async (dir) => {
    tool("objcopy", ["--dump-section", `.dep-v0=${join(dir, "dep")}`, BIN, join(dir, "scratch")], { aptPackage: "binutils" });
    tool("objcopy", ["--add-section", `.dep-v0=${join(dir, "dep")}`, go.windows, join(dir, "app.exe")], { aptPackage: "binutils" });
    const entries = [
      { path: "usr/bin/hello", data: readFileSync(BIN), mode: 0o755 },
      { path: "app/app.exe", data: readFileSync(join(dir, "app.exe")), mode: 0o644 },
    ];
    // Both binary catalogers, in registration order: the Go one summarises the Go-built PE.
    const layer = await readLayerWith(entries, [goBinaryCataloger, ...list], limits);
    assert.deepEqual([...layer.files.keys()].sort(), ["app/app.exe", "usr/bin/hello"]);
    for (const [k, v] of layer.files) assert.ok(v.length < 2048, `${k}: ${v.length} bytes kept`);
    const rust = await readLayerWith(entries, list, limits);
    assert.ok(rust.files.get("app/app.exe")?.toString().includes('"hello-auditable"'));
  });
});

function depElf(section: Buffer): Buffer {
  return buildElf({ bits: 64, littleEndian: true, sections: [{ name: ".text", size: 4096, data: () => Buffer.alloc(4096, 0x90) }, { name: ".dep-v0", size: section.length, data: () => section }] });
}

test("cargo-auditable: damaged or hostile sections are skipped with an unknown naming the file", async () => {
  const cases: [string, Buffer, RegExp][] = [
    ["not-zlib", Buffer.from("plain text, not compressed"), /not zlib data/],
    ["not-json", deflateSync("{packages: nope"), /not JSON/],
    ["bad-index", deflateSync(JSON.stringify({ packages: [{ name: "a", version: "1.0.0", source: "crates.io", dependencies: [7] }] })), /dependencies are not indices/],
    ["no-version", deflateSync(JSON.stringify({ packages: [{ name: "a", source: "crates.io" }] })), /package 0 \(a\) has no version/],
    ["bomb", deflateSync(Buffer.alloc(40 * 1024 * 1024, 0x20)), /expands past 33554432 bytes/],
  ];
  await withTempDir(async (root) => {
    for (const [name, section] of cases) {
      writeFileSync(join(root, name), depElf(section));
      chmodSync(join(root, name), 0o755);
    }
    writeFileSync(join(root, "no-section"), buildElf({ bits: 64, littleEndian: true, sections: [{ name: ".text", size: 8192, data: () => Buffer.alloc(8192) }] }));
    chmodSync(join(root, "no-section"), 0o755);
    const inv = await catalogDir(root, list, limits);
    assert.deepEqual(inv.packages, []);
    assert.equal(inv.unknowns.length, cases.length, "no unknown for a binary without the section");
    for (const [name, , message] of cases) {
      const u = inv.unknowns.find((x) => x.path === `/${name}`);
      assert.ok(u, name);
      assert.equal(u.cataloger, "rust-cargo-auditable");
      assert.match(u.message, /^unreadable cargo-auditable data, binary skipped: /);
      assert.match(u.message, message, name);
    }
  });
});

test("cargo-auditable: crates.io, git and registry origins; root dependencies are direct", () => {
  const json = {
    packages: [
      { name: "app", version: "1.0.0", source: "local", dependencies: [1, 3], root: true },
      { name: "serde", version: "1.0.200", source: "crates.io", dependencies: [2] },
      { name: "serde_derive", version: "1.0.200", source: "crates.io", kind: "build" },
      { name: "patched", version: "0.4.0", source: "git" },
    ],
    format: 1,
  };
  const crates = readAuditable(depElf(deflateSync(JSON.stringify(json))))!;
  assert.deepEqual(
    crates.map((c) => [c.name, c.source, c.kind, c.root]),
    [
      ["app", "local", "runtime", true],
      ["serde", "crates.io", "runtime", false],
      ["serde_derive", "crates.io", "build", false],
      ["patched", "git", "runtime", false],
    ],
  );
});
