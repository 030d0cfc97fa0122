import { test } from "node:test";
import assert from "node:assert/strict";
import { chmodSync, copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Package } from "../../../model/package.js";
import { withLimits } from "../../../util/limits.js";
import { debianPackage } from "../../../../test/support/debian-debs.js";
import { catalogDir, catalogLayer, readLayerWith, withTempDir } from "../binary/testdata/testkit.js";
import { goBinaryCataloger, ldflagsVersion } from "./binary.js";
import { goFixtures, goVersionM } from "./testdata/fixtures.js";

const list = [goBinaryCataloger];
const limits = withLimits();

function byName(pkgs: readonly Package[]): Map<string, Package> {
  return new Map(pkgs.map((p) => [p.name, p]));
}

test("go-binary: a module build yields its linked modules, main module and standard library, as `go version -m` lists them", async () => {
  const go = goFixtures();
  const truth = goVersionM(go.linux);
  assert.ok(!("error" in truth));
  await withTempDir(async (root) => {
    mkdirSync(join(root, "usr/local/bin"), { recursive: true });
    copyFileSync(go.linux, join(root, "usr/local/bin/hello"));
    chmodSync(join(root, "usr/local/bin/hello"), 0o755);
    const inv = await catalogDir(root, list, limits);
    assert.deepEqual(inv.unknowns, []);
    const p = byName(inv.packages);
    const loc = [{ path: "/usr/local/bin/hello" }];

    assert.equal(truth.goVersion, "go1.19.8");
    assert.deepEqual(p.get("stdlib"), {
      type: "golang",
      name: "stdlib",
      version: "v1.19.8",
      purl: "pkg:golang/stdlib@v1.19.8",
      licenses: ["BSD-3-Clause"],
      locations: loc,
      foundBy: "go-binary",
      evidence: "binary",
      metadata: { goVersion: "go1.19.8", "build:CGO_ENABLED": "0", "build:GOARCH": "amd64", "build:GOOS": "linux" },
    });
    // Every dep record of `go version -m` is a package; replacements by modules are what was linked.
    const deps = truth.records.filter((r) => r[0] === "dep" || r[0] === "=>");
    assert.deepEqual(deps, [
      ["dep", "example.com/dep", "v1.2.3"],
      ["=>", "./dep", "(devel)", ""],
      ["dep", "example.net/liba", "v1.0.0", "h1:DG7yUSMnkhfpYy3mynCLZrWLPhTUK1qWxo3rktbfZTQ="],
      ["dep", "example.net/libb", "v0.3.1"],
      ["=>", "example.net/fork", "v1.1.0", "h1:XMo9smL7TIiGDsHnP1W5LIRZ29bmtkObw48NpWWPpVc="],
    ]);
    assert.deepEqual(p.get("example.com/dep")?.purl, "pkg:golang/example.com/dep@v1.2.3");
    assert.deepEqual(p.get("example.com/dep")?.metadata, { replacedBy: "./dep" });
    assert.deepEqual(p.get("example.net/liba")?.metadata, { h1: "h1:DG7yUSMnkhfpYy3mynCLZrWLPhTUK1qWxo3rktbfZTQ=" });
    assert.equal(p.get("example.net/libb"), undefined, "the replaced module is not what was linked");
    assert.equal(p.get("example.net/fork")?.purl, "pkg:golang/example.net/fork@v1.1.0");
    assert.deepEqual(p.get("example.net/fork")?.metadata, { replaces: "example.net/libb@v0.3.1", h1: "h1:XMo9smL7TIiGDsHnP1W5LIRZ29bmtkObw48NpWWPpVc=" });

    // Main module: "(devel)" in the binary, the -ldflags -X version used.
    assert.deepEqual(truth.records.find((r) => r[0] === "mod"), ["mod", "example.com/berth/hello", "(devel)", ""]);
    const main = p.get("example.com/berth/hello")!;
    assert.equal(main.version, "v1.4.2");
    assert.equal(main.purl, "pkg:golang/example.com/berth/hello@v1.4.2");
    assert.equal(main.metadata?.versionSource, "ldflags");
    assert.equal(main.metadata?.["build:vcs.revision"], go.revision);
    assert.equal(main.metadata?.["build:vcs.time"], "2024-05-06T07:08:09Z");
    assert.equal(main.metadata?.["build:-ldflags"], "-X main.version=1.4.2");
    assert.deepEqual(main.dependsOn, ["pkg:golang/stdlib@v1.19.8", "pkg:golang/example.com/dep@v1.2.3", "pkg:golang/example.net/liba@v1.0.0", "pkg:golang/example.net/fork@v1.1.0"]);
    assert.equal(inv.packages.length, 5);
    for (const q of inv.packages) assert.deepEqual([q.evidence, q.foundBy, q.locations], ["binary", "go-binary", loc]);
  });
});

test("go-binary: a main module without a version stays (devel), with no version in its purl", async () => {
  const go = goFixtures();
  await withTempDir(async (root) => {
    copyFileSync(go.linuxDevel, join(root, "app"));
    chmodSync(join(root, "app"), 0o755);
    const main = byName((await catalogDir(root, list, limits)).packages).get("example.com/berth/hello")!;
    assert.equal(main.version, "(devel)");
    assert.equal(main.purl, "pkg:golang/example.com/berth/hello");
    assert.equal(main.metadata?.versionSource, undefined);
  });
});

test("go-binary: Debian's docker-registry (GOPATH build) yields the standard library of its toolchain", async () => {
  const deb = debianPackage("docker-registry");
  const truth = goVersionM(join(deb.root, "usr/bin/docker-registry"));
  assert.ok(!("error" in truth));
  const inv = await catalogDir(deb.root, list, limits);
  assert.deepEqual(inv.unknowns, []);
  assert.deepEqual(
    inv.packages.map((p) => [p.name, p.version, p.purl, p.locations[0]?.path]),
    [["stdlib", truth.goVersion.replace(/^go/, "v"), `pkg:golang/stdlib@${truth.goVersion.replace(/^go/, "v")}`, "/usr/bin/docker-registry"]],
  );
});

test("go-binary: in an image layer only a small summary of each binary is kept, non-Go executables are dropped", async () => {
  const go = goFixtures();
  const hello = readFileSync(go.linux);
  const entries = [
    { path: "app/hello", data: hello, mode: 0o755 },
    { path: "app/hello.exe", data: readFileSync(go.windows), mode: 0o644 },
    { path: "app/not-executable", data: hello, mode: 0o644 },
    { path: "bin/ls", data: readFileSync("/bin/ls"), mode: 0o755 },
    { path: "bin/script", data: Buffer.from("#!/bin/sh\necho hi\n".repeat(400)), mode: 0o755 },
  ];
  const layer = await readLayerWith(entries, list, limits);
  assert.deepEqual([...layer.files.keys()].sort(), ["app/hello", "app/hello.exe"]);
  for (const [k, v] of layer.files) assert.ok(v.length < 4096, `${k}: summary of ${v.length} bytes kept for a ${hello.length}-byte binary`);
  const inv = await catalogLayer(entries, list, limits);
  const stdlib = inv.packages.find((p) => p.name === "stdlib")!;
  assert.equal(stdlib.locations.length, 2, "one package, two locations");
  assert.ok(stdlib.locations.every((l) => l.layerDigest?.startsWith("sha256:")));
  // The Windows build had no -ldflags version: the same main module, two identities.
  assert.deepEqual(inv.packages.filter((p) => p.name === "example.com/berth/hello").map((p) => [p.purl, p.locations.map((l) => l.path)]), [
    ["pkg:golang/example.com/berth/hello", ["/app/hello.exe"]],
    ["pkg:golang/example.com/berth/hello@v1.4.2", ["/app/hello"]],
  ]);
});

test("go-binary: a binary with corrupt build information is skipped with an unknown naming it", async () => {
  const go = goFixtures();
  await withTempDir(async (root) => {
    const b = readFileSync(go.linux);
    const at = b.indexOf(Buffer.from("\xff Go buildinf:", "latin1"));
    b.fill(0xff, at + 32, at + 42);
    writeFileSync(join(root, "broken"), b);
    chmodSync(join(root, "broken"), 0o755);
    copyFileSync(go.linuxDevel, join(root, "fine"));
    chmodSync(join(root, "fine"), 0o755);
    const inv = await catalogDir(root, list, limits);
    assert.equal(inv.unknowns.length, 1);
    assert.equal(inv.unknowns[0]?.path, "/broken");
    assert.equal(inv.unknowns[0]?.cataloger, "go-binary");
    assert.match(inv.unknowns[0]?.message ?? "", /unreadable Go build information, binary skipped: .*string length/);
    assert.ok(inv.packages.every((p) => p.locations.every((l) => l.path === "/fine")));
    assert.ok(inv.packages.length > 0);
  });
});

test("go-binary: parse ignores files that are not its summary; a summary with bad module text is an error", async () => {
  const env = { limits, read: () => undefined, list: () => [] };
  assert.deepEqual(await goBinaryCataloger.parse({ path: "usr/bin/x", data: Buffer.from("\x7fELF raw bytes") }, env), { packages: [], unknowns: [] });
  const bad = goBinaryCataloger.summarize!("x", Buffer.from("not an executable at all".repeat(300)), limits);
  assert.equal(bad, undefined);
  const forged = Buffer.from('berth-summary/1 go-buildinfo\n{"goVersion":"go1.21.0","modinfo":"dep\\tonly"}');
  await assert.rejects(goBinaryCataloger.parse({ path: "x", data: forged }, env), /Go module information line 1/);
});

test("ldflagsVersion: versions injected into main or the main module's packages", () => {
  const rows: [string, string | undefined][] = [
    ["-X main.version=1.4.2", "v1.4.2"],
    ["-s -w -X 'main.Version=v2.0.0-rc.1'", "v2.0.0-rc.1"],
    ["-X=example.com/app/internal/version.Version=3.1.0", "v3.1.0"],
    ["-X github.com/other/lib.version=9.9.9", undefined],
    ["-X main.commit=abc123 -X main.version=dev", undefined],
    ["-X main.buildTime=2024", undefined],
  ];
  for (const [flags, want] of rows) assert.equal(ldflagsVersion(flags, "example.com/app"), want, flags);
});
