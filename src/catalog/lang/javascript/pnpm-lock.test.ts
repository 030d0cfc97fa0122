import { test } from "node:test";
import assert from "node:assert/strict";
import { pnpmLockCataloger } from "./pnpm-lock.js";
import { nameVersionFromKey } from "./pnpm-lock.js";
import { checkYamlShape } from "./safe-yaml.js";
import { catalogDir, devSet, nv, projectTruth, PROJECT_DEV, testdata, workspaceTruth, assertMatchesTruth } from "./testdata/testkit.js";
import type { CatalogEnv } from "../../cataloger.js";
import { withLimits } from "../../../util/limits.js";

const list = [pnpmLockCataloger];
const env: CatalogEnv = { limits: withLimits(), read: () => undefined, list: () => [] };
const parse = (text: string) => pnpmLockCataloger.parse({ path: "pnpm-lock.yaml", data: Buffer.from(text) }, env);

for (const [dir, version] of [
  ["pnpm-v5", "5.4"],
  ["pnpm-v6", "'6.0'"],
  ["pnpm-v9", "'9.0'"],
] as const) {
  test(`${dir}/pnpm-lock.yaml (lockfileVersion ${version}) equals npm ls: packages, edges, direct, dev`, async () => {
    const truth = projectTruth();
    const r = await catalogDir(testdata(dir), list);
    assert.deepEqual(r.parsed, ["pnpm-lock.yaml"]);
    assert.deepEqual(r.unknowns, []);
    assert.equal(r.packages.length, 79);
    assertMatchesTruth(r.packages, truth);
    assert.deepEqual(devSet(r.packages), PROJECT_DEV);
    assert.ok(r.packages.every((p) => p.evidence === "lockfile" && p.foundBy === "pnpm-lock"));
  });
}

test("pnpm workspace (9.0): importers, link: and directory dependencies, alias", async () => {
  const truth = workspaceTruth();
  const r = await catalogDir(testdata("workspace-pnpm-v9"), list);
  assert.deepEqual(r.unknowns, []);
  assertMatchesTruth(r.packages, truth);
  assert.deepEqual(devSet(r.packages), ["is-number@7.0.0"]);
});

test("package keys of each layout, peer suffixes removed", () => {
  assert.deepEqual(nameVersionFromKey("/@types/node/20.11.0", 5), ["@types/node", "20.11.0"]);
  assert.deepEqual(nameVersionFromKey("/react-dom/18.2.0_react@18.2.0", 5), ["react-dom", "18.2.0"]);
  assert.deepEqual(nameVersionFromKey("/@s/x@1.0.0(react@18.2.0)(b@1.0.0)", 6), ["@s/x", "1.0.0"]);
  assert.deepEqual(nameVersionFromKey("x@1.0.0-rc.1(react@18.2.0)", 9), ["x", "1.0.0-rc.1"]);
  assert.equal(nameVersionFromKey("github.com/a/b/abcdef", 5), undefined);
});

test("peer-resolved variants of one version are one package", async () => {
  const r = await parse(
    [
      "lockfileVersion: '9.0'",
      "importers:",
      "  .:",
      "    dependencies:",
      "      a: {specifier: 1.0.0, version: 1.0.0(p@1.0.0)}",
      "      b: {specifier: 1.0.0, version: 1.0.0(p@2.0.0)}",
      "packages:",
      "  a@1.0.0: {resolution: {integrity: sha512-x}}",
      "  b@1.0.0: {resolution: {integrity: sha512-x}}",
      "  c@1.0.0: {resolution: {integrity: sha512-x}}",
      "snapshots:",
      "  a@1.0.0(p@1.0.0): {dependencies: {c: 1.0.0}}",
      "  a@1.0.0(p@2.0.0): {}",
      "  b@1.0.0(p@2.0.0): {dependencies: {a: 1.0.0(p@2.0.0)}}",
      "  c@1.0.0: {}",
    ].join("\n"),
  );
  assert.deepEqual(r.unknowns, []);
  assert.deepEqual(r.packages.map((p) => [nv(p), p.direct, p.dependsOn]), [
    ["a@1.0.0", true, ["pkg:npm/c@1.0.0"]],
    ["b@1.0.0", true, ["pkg:npm/a@1.0.0"]],
    ["c@1.0.0", false, []],
  ]);
});

test("malformed pnpm-lock.yaml: unsupported version, bad YAML, bombs, deep nesting, invalid entries", async () => {
  await assert.rejects(parse("lockfileVersion: '4.0'\n"), /lockfileVersion "4.0" is not 5.x, 6.x or 9.x/);
  await assert.rejects(parse("- a\n- b\n"), /not a YAML mapping/);
  await assert.rejects(parse("lockfileVersion: '9.0'\npackages: {a: [\n"), /invalid YAML/);
  await assert.rejects(parse(`lockfileVersion: '9.0'\nx: ${"[".repeat(100_000)}`), /flow collections nested deeper than 64/);
  await assert.rejects(parse(`lockfileVersion: '9.0'\nx:\n  ${"- ".repeat(10_000)}a`), /more than 16 nested/);
  await assert.rejects(parse(`lockfileVersion: '9.0'\n${Array.from({ length: 300 }, (_, i) => `${" ".repeat(i)}k:`).join("\n")}`), /indentation deeper than 256 columns/);
  let bomb = "lockfileVersion: '9.0'\na0: &a0 [x, x, x, x, x, x, x, x, x, x]\n";
  for (let i = 1; i < 12; i++) bomb += `a${i}: &a${i} [${Array(10).fill(`*a${i - 1}`).join(", ")}]\n`;
  await assert.rejects(parse(bomb), /Excessive alias count/);
  const r = await parse(
    ["lockfileVersion: '9.0'", "importers:", "  .:", "    dependencies:", "      ok: {specifier: 1.0.0, version: 1.0.0}", "packages:", "  ok@1.0.0: {}", "snapshots:", "  ok@1.0.0: {}", "  'bad name@1.0.0': {}", "  nover: {}", "  list: [1]"].join("\n"),
  );
  assert.deepEqual(r.packages.map(nv), ["ok@1.0.0"]);
  assert.deepEqual(r.unknowns.map((u) => u.message).sort(), ['entry "bad name@1.0.0": no valid name and version', 'entry "list" is not a mapping', 'entry "nover": no valid name and version']);
});

test("the YAML pre-scan bounds mapping lines before parsing", () => {
  assert.throws(() => checkYamlShape("a: 1\nb: 2\nc: 3\n", "f.yaml", { maxKeyLines: 2 }), /f.yaml: more than 2 mapping entries/);
  assert.doesNotThrow(() => checkYamlShape("a: 1\nb: [x, {y: z}]\n# c: d\n", "f.yaml", { maxKeyLines: 3 }));
});
