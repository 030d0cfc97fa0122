import { test } from "node:test";
import assert from "node:assert/strict";
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { withLimits } from "../../../util/limits.js";
import { catalogDir, tool, withTempDir } from "../binary/testdata/testkit.js";
import { goModCataloger, parseGoMod } from "./gomod.js";
import { goFixtures } from "./testdata/fixtures.js";

const FIXTURE = join(import.meta.dirname, "testdata", "gomod", "go.mod");
const list = [goModCataloger];
const limits = withLimits();

interface EditJson {
  Module: { Path: string };
  Go: string;
  Require: { Path: string; Version: string; Indirect?: boolean }[];
  Replace: { Old: { Path: string; Version?: string }; New: { Path: string; Version?: string } }[];
}

function goModEditJson(file: string): EditJson {
  return JSON.parse(tool("go", ["mod", "edit", "-json", file], { aptPackage: "golang-go" }).stdout) as EditJson;
}

test("go.mod: directives read as `go mod edit -json` reads them", () => {
  const truth = goModEditJson(FIXTURE);
  const mod = parseGoMod(readFileSync(FIXTURE, "utf8"));
  assert.equal(mod.module, truth.Module.Path);
  assert.equal(mod.go, truth.Go);
  assert.deepEqual(
    mod.requires.map((r) => ({ Path: r.path, Version: r.version, ...(r.indirect ? { Indirect: true } : {}) })),
    truth.Require,
  );
  assert.deepEqual(
    mod.replaces.map((r) => ({ Old: { Path: r.oldPath, ...(r.oldVersion ? { Version: r.oldVersion } : {}) }, New: { Path: r.newPath, ...(r.newVersion ? { Version: r.newVersion } : {}) } })),
    truth.Replace,
  );
});

test("go.mod: requirements become packages, replacements applied, // indirect is direct: false", async () => {
  await withTempDir(async (root) => {
    mkdirSync(join(root, "src/app"), { recursive: true });
    copyFileSync(FIXTURE, join(root, "src/app/go.mod"));
    const inv = await catalogDir(root, list, limits);
    assert.deepEqual(inv.unknowns, []);
    const rows = inv.packages.map((p) => [p.purl, p.direct, p.metadata ?? {}]);
    assert.deepEqual(rows, [
      ["pkg:golang/example.com/local@v0.0.0-00010101000000-000000000000", true, { replacedBy: "../local" }],
      ["pkg:golang/github.com/BurntSushi/toml@v1.3.2", true, {}],
      ["pkg:golang/github.com/docker/distribution@v2.8.2+incompatible", true, {}],
      ["pkg:golang/github.com/google/uuid@v1.4.0", true, { replaces: "github.com/google/uuid@v1.3.0" }],
      ["pkg:golang/github.com/pkg/errors@v0.9.1", false, {}],
      ["pkg:golang/github.com/someone/forked@v1.0.1-0.20240101000000-abcdefabcdef", true, { replaces: "example.com/forked@v1.0.0" }],
      ["pkg:golang/golang.org/x/sys@v0.15.0", false, {}],
      ["pkg:golang/golang.org/x/text@v0.14.0", false, {}],
      ["pkg:golang/gopkg.in/yaml.v3@v3.0.1", true, {}],
    ]);
    for (const p of inv.packages) assert.deepEqual([p.evidence, p.foundBy, p.locations], ["manifest", "go-mod", [{ path: "/src/app/go.mod" }]]);
  });
});

test("go.mod: h1 checksums come from the go.sum beside it (real go.mod/go.sum written by the go command)", async () => {
  const go = goFixtures();
  await withTempDir(async (root) => {
    copyFileSync(join(go.src, "go.mod"), join(root, "go.mod"));
    copyFileSync(join(go.src, "go.sum"), join(root, "go.sum"));
    const sum = readFileSync(join(go.src, "go.sum"), "utf8");
    const inv = await catalogDir(root, list, limits);
    const byName = new Map(inv.packages.map((p) => [p.name, p]));
    assert.deepEqual([...byName.keys()].sort(), ["example.com/dep", "example.net/fork", "example.net/liba"]);
    for (const name of ["example.net/liba", "example.net/fork"]) {
      const p = byName.get(name)!;
      assert.ok(sum.includes(`${name} ${p.version} ${p.metadata?.h1}\n`), `${name}: h1 from go.sum`);
    }
    assert.equal(byName.get("example.com/dep")?.metadata?.replacedBy, "./dep");
  });
});

test("go.mod: go.sum alone and module-cache go.mod files are not sources of packages", async () => {
  const go = goFixtures();
  await withTempDir(async (root) => {
    copyFileSync(join(go.src, "go.sum"), join(root, "go.sum"));
    mkdirSync(join(root, "root/go/pkg/mod/github.com/x/y@v1.2.3"), { recursive: true });
    copyFileSync(FIXTURE, join(root, "root/go/pkg/mod/github.com/x/y@v1.2.3/go.mod"));
    const inv = await catalogDir(root, list, limits);
    assert.deepEqual(inv.packages, []);
  });
});

test("go.mod: malformed files become unknowns naming the file (and the go command refuses them too)", async () => {
  const cases: [string, string, RegExp][] = [
    ["unclosed", "module x\n\nrequire (\n\tgithub.com/a/b v1.0.0\n", /line 3: "require \(" block is never closed/],
    ["arity", "module x\n\nrequire github.com/a/b\n", /line 3: usage: require/],
    ["quote", 'module x\n\nrequire "github.com/a/b v1.0.0\n', /line 3: malformed quoted string/],
    ["replace", "module x\n\nreplace a => \n", /line 3: usage: replace/],
  ];
  await withTempDir(async (root) => {
    for (const [name, text] of cases) {
      mkdirSync(join(root, name));
      writeFileSync(join(root, name, "go.mod"), text);
      assert.notEqual(tool("go", ["mod", "edit", "-json", join(root, name, "go.mod")], { aptPackage: "golang-go", allowFail: true }).status, 0, `go refuses ${name}`);
    }
    const inv = await catalogDir(root, list, limits);
    assert.deepEqual(inv.packages, []);
    assert.equal(inv.unknowns.length, cases.length);
    for (const [name, , message] of cases) {
      const u = inv.unknowns.find((x) => x.path === `/${name}/go.mod`);
      assert.ok(u, name);
      assert.equal(u.cataloger, "go-mod");
      assert.match(u.message, message, name);
    }
  });
});

test("go.mod: newer directives (toolchain, godebug, tool) are read or skipped", () => {
  const mod = parseGoMod("module x\ngo 1.23.0\ntoolchain go1.23.4\ngodebug default=go1.21\ntool golang.org/x/tools/cmd/stringer\nrequire golang.org/x/tools v0.28.0\n");
  assert.equal(mod.toolchain, "go1.23.4");
  assert.deepEqual(mod.requires.map((r) => r.path), ["golang.org/x/tools"]);
});
