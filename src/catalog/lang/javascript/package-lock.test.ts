import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { npmLockCataloger } from "./package-lock.js";
import { MAX_ENTRIES } from "./common.js";
import { catalogDir, devSet, nv, projectTruth, PROJECT_DEV, testdata, workspaceTruth, assertMatchesTruth } from "./testdata/testkit.js";
import type { CatalogEnv } from "../../cataloger.js";
import { withLimits } from "../../../util/limits.js";

const list = [npmLockCataloger];
const env: CatalogEnv = { limits: withLimits(), read: () => undefined, list: () => [] };
const parse = (text: string, path = "package-lock.json") => npmLockCataloger.parse({ path, data: Buffer.from(text) }, env);

for (const [dir, file, version] of [
  ["project", "package-lock.json", 3],
  ["lock-v2", "package-lock.json", 2],
  ["lock-v1", "package-lock.json", 1],
  ["shrinkwrap", "npm-shrinkwrap.json", 3],
] as const) {
  test(`${dir}/${file} (lockfileVersion ${version}) equals npm ls: packages, edges, direct, dev`, async () => {
    const lock = JSON.parse(readFileSync(testdata(`${dir}/${file}`), "utf8")) as { lockfileVersion: number };
    assert.equal(lock.lockfileVersion, version);
    const truth = projectTruth();
    const r = await catalogDir(testdata(dir), list);
    assert.deepEqual(r.parsed, [file]);
    assert.deepEqual(r.unknowns, []);
    assert.equal(r.packages.length, 79); // one per purl: the two nested debug@4.4.3 entries are one package
    assertMatchesTruth(r.packages, truth);
    assert.deepEqual(devSet(r.packages), PROJECT_DEV);
    assert.ok(r.packages.every((p) => p.evidence === "lockfile" && p.foundBy === "npm-lock" && p.locations[0]!.path === `/${file}`));
    const types = r.packages.find((p) => p.name === "@types/node")!;
    assert.equal(types.purl, "pkg:npm/%40types/node@20.11.0");
    // v2/v3 record each package's licence; v1 does not.
    assert.deepEqual(types.licenses, version === 1 ? [] : ["MIT"]);
  });
}

test("npm workspaces lockfile: links, workspace folders and file: directories are not packages; alias → real name", async () => {
  const truth = workspaceTruth();
  const r = await catalogDir(testdata("workspace"), list);
  assert.deepEqual(r.unknowns, []);
  assertMatchesTruth(r.packages, truth);
  assert.deepEqual(devSet(r.packages), ["is-number@7.0.0"]);
  assert.equal(r.packages.find((p) => p.version === "2.1.2")!.purl, "pkg:npm/ms@2.1.2");
});

test("a v1 lockfile without package.json beside it: dev from the lockfile, direct unknown", async () => {
  const r = await parse(readFileSync(testdata("lock-v1/package-lock.json"), "utf8"));
  assert.equal(r.packages.length, 79);
  assert.ok(r.packages.every((p) => p.direct === undefined));
  assert.deepEqual(devSet(r.packages), PROJECT_DEV);
});

test("lockfiles inside node_modules are not read (they describe a dependency's own development)", () => {
  assert.ok(npmLockCataloger.primary("app/package-lock.json"));
  assert.ok(npmLockCataloger.primary("npm-shrinkwrap.json"));
  assert.ok(!npmLockCataloger.primary("app/node_modules/x/package-lock.json"));
  assert.ok(!npmLockCataloger.primary("app/node_modules/.package-lock.json"));
  assert.ok(!npmLockCataloger.primary("app/package.json"));
});

test("malformed package-locks: truncated, wrong shape, unsupported version → errors naming the file", async () => {
  const text = readFileSync(testdata("project/package-lock.json"), "utf8");
  await assert.rejects(parse(text.slice(0, text.length / 2)), (e: Error) => e.name === "BerthError" && /package-lock.json: invalid JSON/.test(e.message));
  await assert.rejects(parse("[]"), /not a JSON object/);
  await assert.rejects(parse('{"lockfileVersion": 99, "packages": {}}'), /lockfileVersion 99 is not 1, 2 or 3/);
  await assert.rejects(parse('{"name": "x"}'), /not a package-lock/);
});

test("invalid entries become unknowns; valid ones are still reported", async () => {
  const r = await parse(
    JSON.stringify({
      lockfileVersion: 3,
      packages: {
        "": { dependencies: { ok: "1" } },
        "node_modules/ok": { version: "1.0.0", dependencies: { nover: "*" } },
        "node_modules/nover": {},
        "node_modules/bad name": { version: "1.0.0" },
        "node_modules/str": "nope",
        "node_modules/ctl": { version: "1.0.0\u0000" },
      },
    }),
  );
  assert.deepEqual(r.packages.map((p) => [nv(p), p.direct, p.dependsOn]), [["ok@1.0.0", true, []]]);
  assert.deepEqual(r.unknowns.map((u) => u.message).sort(), [
    'entry "node_modules/bad name": invalid package name',
    'entry "node_modules/ctl": missing or invalid version',
    'entry "node_modules/nover": missing or invalid version',
    'entry "node_modules/str" is not an object',
  ]);
  assert.ok(r.unknowns.every((u) => u.path === "/package-lock.json" && u.cataloger === "npm-lock"));
});

test("bounds: too many entries and too deep v1 nesting are refused", async () => {
  const packages: Record<string, unknown> = {};
  for (let i = 0; i <= MAX_ENTRIES + 1; i++) packages[`node_modules/p${i}`] = { version: "1.0.0" };
  await assert.rejects(parse(JSON.stringify({ lockfileVersion: 3, packages })), /more than 200000 entries/);
  let deep: Record<string, unknown> = { version: "1.0.0" };
  for (let i = 0; i < 100; i++) deep = { version: "1.0.0", dependencies: { x: deep } };
  await assert.rejects(parse(JSON.stringify({ lockfileVersion: 1, dependencies: { x: deep } })), /more than 64 nested dependency levels/);
});
