import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { lockTruth } from "./lockfile-truth.js";
import { poetryLockCataloger } from "./poetry.js";
import { catalogSources, fileOf, memoryEnv } from "./testkit.js";

const dir = (d: string) => fileURLToPath(new URL(`./testdata/${d}/`, import.meta.url));
const read = (p: string) => readFileSync(new URL(`./testdata/${p}`, import.meta.url));

test("poetry.lock 2.0 (category) from a public project: packages match tomllib, dev from category, direct from pyproject", async () => {
  const inv = await catalogSources([{ "app/poetry.lock": read("poetry-v1/poetry.lock"), "app/pyproject.toml": read("poetry-v1/pyproject.toml") }], [poetryLockCataloger]);
  assert.deepEqual(inv.unknowns, []);
  assert.deepEqual(inv.packages.map((p) => [p.name, p.version]).sort(), lockTruth("poetry", `${dir("poetry-v1")}poetry.lock`));
  const by = Object.fromEntries(inv.packages.map((p) => [p.name, p]));
  assert.equal(by["flake8"]!.direct, true);
  assert.equal(by["flake8"]!.dev, undefined);
  assert.equal(by["prompt"]!.direct, true);
  assert.equal(by["mccabe"]!.direct, false);
  assert.equal(by["black"]!.dev, true);
  assert.equal(by["black"]!.direct, false);
  assert.equal(by["typing-extensions"]!.purl, "pkg:pypi/typing-extensions@4.4.0");
  assert.deepEqual(by["flake8"]!.dependsOn, ["pkg:pypi/mccabe@0.7.0", "pkg:pypi/pycodestyle@2.10.0", "pkg:pypi/pyflakes@3.0.1"]);
  // markers in a dependency table do not hide the edge
  assert.ok(by["black"]!.dependsOn!.includes("pkg:pypi/tomli@2.0.1"));
  assert.deepEqual(by["black"]!.locations, [{ path: "/app/poetry.lock" }]);
  assert.equal(by["black"]!.evidence, "lockfile");
});

test("poetry.lock 2.1 (groups): dev when no group is main; PEP 621 [project] and group deps are direct", async () => {
  const inv = await catalogSources([{ "srv/poetry.lock": read("poetry-v2/poetry.lock"), "srv/pyproject.toml": read("poetry-v2/pyproject.toml") }], [poetryLockCataloger]);
  assert.deepEqual(inv.packages.map((p) => [p.name, p.version]).sort(), lockTruth("poetry", `${dir("poetry-v2")}poetry.lock`));
  const by = Object.fromEntries(inv.packages.map((p) => [p.name, p]));
  assert.deepEqual(
    Object.fromEntries(inv.packages.map((p) => [p.name, [p.direct, p.dev ?? false]])),
    {
      certifi: [false, false],
      "charset-normalizer": [false, false],
      colorama: [false, true],
      idna: [false, false],
      iniconfig: [false, true],
      packaging: [false, false], // main and dev
      pluggy: [false, true],
      pytest: [true, true],
      requests: [true, false],
      toolbox: [true, false], // a git source is still a locked package
      urllib3: [false, false],
    },
  );
  assert.deepEqual(by["requests"]!.dependsOn, ["pkg:pypi/certifi@2025.4.26", "pkg:pypi/charset-normalizer@3.4.2", "pkg:pypi/idna@3.10", "pkg:pypi/urllib3@2.4.0"]);
});

test("poetry.lock without a pyproject.toml: direct unset; a broken pyproject is its own unknown", async () => {
  const alone = await catalogSources([{ "poetry.lock": read("poetry-v2/poetry.lock") }], [poetryLockCataloger]);
  assert.ok(alone.packages.every((p) => p.direct === undefined));
  const broken = await catalogSources([{ "poetry.lock": read("poetry-v2/poetry.lock"), "pyproject.toml": "[project\nname=" }], [poetryLockCataloger]);
  assert.ok(broken.packages.every((p) => p.direct === undefined));
  assert.equal(broken.unknowns.length, 1);
  assert.equal(broken.unknowns[0]!.path, "/pyproject.toml");
});

test("hostile poetry.lock: truncated, deeply nested, absurd entries", async () => {
  const env = memoryEnv();
  const text = read("poetry-v1/poetry.lock").toString();
  await assert.rejects(poetryLockCataloger.parse(fileOf("poetry.lock", text.slice(0, 1234)), env), (e: Error) => /poetry\.lock: not a valid poetry\.lock \(TOML line/.test(e.message));
  await assert.rejects(poetryLockCataloger.parse(fileOf("poetry.lock", `x = ${"[".repeat(100_000)}`), env), /not a valid poetry\.lock/);
  const weird = `[[package]]\nname = "${"a".repeat(5000)}"\nversion = "1"\n[[package]]\nname = "ok"\nversion = "1 2"\n[[package]]\nname = 3\n[[package]]\nname = "fine"\nversion = "1.0"\n[package.dependencies]\n"__proto__" = "*"\nconstructor = "*"\n`;
  const r = await poetryLockCataloger.parse(fileOf("poetry.lock", weird), env);
  assert.deepEqual(r.packages.map((p) => p.name), ["fine"]);
  assert.match(r.unknowns[0]!.message, /3 \[\[package\]\] entries without a valid name and version/);
  const many = "[[package]]\nname = \"a\"\nversion = \"1\"\n".repeat(100_001);
  await assert.rejects(poetryLockCataloger.parse(fileOf("poetry.lock", many), env), /more than 100000 packages/);
  // through the catalog stage, a broken lock is a located unknown
  const inv = await catalogSources([{ "app/poetry.lock": "[[package]\n" }], [poetryLockCataloger]);
  assert.deepEqual(inv.unknowns.map((u) => [u.path, u.cataloger]), [["/app/poetry.lock", "python-poetry-lock"]]);
});
