import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { yarnLockCataloger } from "./yarn-lock.js";
import { berthSets, catalogDir, devSet, nv, projectTruth, PROJECT_DEV, sorted, testdata, workspaceTruth, assertMatchesTruth } from "./testdata/testkit.js";
import type { CatalogEnv } from "../../cataloger.js";
import { withLimits } from "../../../util/limits.js";

const list = [yarnLockCataloger];
const env: CatalogEnv = { limits: withLimits(), read: () => undefined, list: () => [] };
const parse = (text: string) => yarnLockCataloger.parse({ path: "app/yarn.lock", data: Buffer.from(text) }, env);

for (const dir of ["yarn-v1", "yarn-berry"]) {
  test(`${dir}/yarn.lock equals npm ls for the same project: packages, edges, direct, dev`, async () => {
    const truth = projectTruth();
    const r = await catalogDir(testdata(dir), list);
    assert.deepEqual(r.parsed, ["yarn.lock"]);
    assert.deepEqual(r.unknowns, []);
    assert.equal(r.packages.length, 79);
    assertMatchesTruth(r.packages, truth);
    assert.deepEqual(devSet(r.packages), PROJECT_DEV);
    assert.ok(r.packages.every((p) => p.evidence === "lockfile" && p.foundBy === "yarn-lock" && p.locations[0]!.path === "/yarn.lock"));
    assert.equal(r.packages.find((p) => p.name === "@types/node")!.purl, "pkg:npm/%40types/node@20.11.0");
  });
}

for (const dir of ["workspace-yarn-v1", "workspace-yarn-berry"]) {
  test(`${dir}: workspaces and file: directories are not packages, alias resolves to the real name`, async () => {
    const truth = workspaceTruth();
    const r = await catalogDir(testdata(dir), list);
    assert.deepEqual(r.unknowns, []);
    assertMatchesTruth(r.packages, truth);
    assert.deepEqual(devSet(r.packages), ["is-number@7.0.0"]);
  });
}

test("without package.json beside it: yarn v1 cannot tell direct or dev; berry knows direct from its workspace entries", async () => {
  const v1 = await parse(readFileSync(testdata("yarn-v1/yarn.lock"), "utf8"));
  assert.equal(v1.packages.length, 79);
  assert.ok(v1.packages.every((p) => p.direct === undefined && p.dev === undefined));
  const berry = await parse(readFileSync(testdata("yarn-berry/yarn.lock"), "utf8"));
  assert.equal(berry.packages.length, 79);
  assert.deepEqual(sorted(berthSets(berry.packages).direct), sorted(projectTruth().direct));
  assert.ok(berry.packages.every((p) => p.dev === undefined)); // berry merges devDependencies into dependencies
});

test("yarn v1 syntax: quoted keys, several descriptors, aliases, CRLF and comments", async () => {
  const text = [
    "# yarn lockfile v1",
    "",
    '"@s/a@^1.0.0", "@s/a@^1.1.0":',
    '  version "1.2.0"',
    '  resolved "https://registry.yarnpkg.com/@s/a/-/a-1.2.0.tgz#abc"',
    "  dependencies:",
    '    b "^2.0.0"',
    '    "my-b" "npm:b@2.0.0"',
    "",
    "b@^2.0.0, b@npm:2.0.0:",
    '  version "2.0.0"',
    "",
    '"my-b@npm:b@2.0.0":',
    '  version "2.0.0"',
    "",
  ].join("\r\n");
  const r = await parse(text);
  assert.deepEqual(r.unknowns, []);
  assert.deepEqual(r.packages.map((p) => [p.purl, p.dependsOn]), [
    ["pkg:npm/%40s/a@1.2.0", ["pkg:npm/b@2.0.0"]],
    ["pkg:npm/b@2.0.0", []],
  ]);
});

test("malformed yarn.lock files: errors and unknowns name the file and line", async () => {
  await assert.rejects(parse('a@^1:\n  version "1.0.0\n'), /app\/yarn.lock: line 2: unterminated string/);
  await assert.rejects(parse("a@^1\n"), /line 1: entry line does not end with ':'/);
  await assert.rejects(parse('   version "1"\n'), /unexpected indentation 3/);
  await assert.rejects(parse('  version "1"\n'), /field outside an entry/);
  const r = await parse('a@^1:\n  resolved "x"\n\n"bad name@1":\n  version "1.0.0"\n\nok@1:\n  version "1.0.0"\n');
  assert.deepEqual(r.packages.map(nv), ["ok@1.0.0"]);
  assert.deepEqual(r.unknowns.map((u) => u.message), ['line 1: entry "a@^1" has no valid name and version', 'line 4: invalid descriptor "bad name@1"']);
  // Berry: not YAML, or a YAML bomb.
  await assert.rejects(parse("__metadata:\n  version: 6\n\"a@npm:1\": [\n"), /invalid YAML/);
  let bomb = "__metadata:\n  version: 6\na0: &a0 [x, x, x, x, x, x, x, x, x, x]\n";
  for (let i = 1; i < 10; i++) bomb += `a${i}: &a${i} [${Array(10).fill(`*a${i - 1}`).join(", ")}]\n`;
  await assert.rejects(parse(bomb), /invalid YAML \(Excessive alias count/);
  const bad = await parse('__metadata:\n  version: 6\n"a@npm:1":\n  version: 1.0.0\n"b@npm:1":\n  resolution: "b@npm:1.0.0"\n');
  assert.deepEqual(bad.unknowns.map((u) => u.message), ['entry "a@npm:1": no valid "resolution"', 'entry "b@npm:1": no valid name and version']);
});

test("berry builtin patches are the same package as the unpatched entry", async () => {
  const r = await parse(
    [
      "__metadata:",
      "  version: 8",
      '"resolve@npm:^1.22.1":',
      "  version: 1.22.8",
      '  resolution: "resolve@npm:1.22.8"',
      '"resolve@patch:resolve@npm%3A^1.22.1#~builtin<compat/resolve>":',
      "  version: 1.22.8",
      '  resolution: "resolve@patch:resolve@npm%3A1.22.8#~builtin<compat/resolve>::version=1.22.8&hash=c3c19d"',
      "",
    ].join("\n"),
  );
  assert.deepEqual(r.packages.map((p) => p.purl), ["pkg:npm/resolve@1.22.8"]);
});
