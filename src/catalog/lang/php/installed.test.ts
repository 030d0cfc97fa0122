import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { catalogSources, fileOf, memoryEnv } from "../python/testkit.js";
import { composerInstalledCataloger } from "./installed.js";
import { composerTruth } from "./truth.js";

const fixture = (d: string) => fileURLToPath(new URL(`./testdata/${d}/`, import.meta.url));
const read = (p: string) => readFileSync(new URL(`./testdata/${p}`, import.meta.url));
const list = [composerInstalledCataloger];

test("Composer 2 installed.json matches composer show / licenses: versions, direct, dev, licences, requires", async () => {
  const truth = composerTruth(fixture("composer2"), "installed");
  const inv = await catalogSources([{ "var/www/composer.json": read("composer2/composer.json"), "var/www/vendor/composer/installed.json": read("composer2/vendor/composer/installed.json") }], list);
  assert.deepEqual(inv.unknowns, []);
  assert.deepEqual(inv.packages.map((p) => [p.name, p.version]).sort(), truth.installed.map((s) => [s.name, s.version]).sort());
  for (const s of truth.installed) {
    const p = inv.packages.find((q) => q.name === s.name)!;
    assert.equal(p.direct, s["direct-dependency"], `direct ${s.name}`);
    assert.equal(p.dev ?? false, !truth.installedNoDev.includes(s.name), `dev ${s.name}`);
    assert.deepEqual(p.licenses, truth.licenses[s.name]!.license);
    const requires = (truth.tree.find((t) => t.name === s.name)!.requires ?? []).map((r) => r.name).filter((n) => truth.installed.some((i) => i.name === n));
    assert.deepEqual((p.dependsOn ?? []).map((d) => d.replace(/^pkg:composer\/(.*)@.*$/, "$1")).sort(), requires.sort(), `requires of ${s.name}`);
    assert.equal(p.evidence, "installed");
  }
  const http = inv.packages.find((p) => p.name === "acme/http")!;
  assert.equal(http.purl, "pkg:composer/acme/http@v1.2.0");
  assert.deepEqual(http.locations, [{ path: "/var/www/vendor/composer/installed.json" }]);
});

test("Composer 1 installed.json (a plain list) gives the same packages; dev unknown", async () => {
  const truth = composerTruth(fixture("composer1"), "installed");
  const inv = await catalogSources([{ "composer.json": read("composer1/composer.json"), "vendor/composer/installed.json": read("composer1/vendor/composer/installed.json") }], list);
  assert.deepEqual(inv.packages.map((p) => [p.name, p.version]).sort(), truth.installed.map((s) => [s.name, s.version]).sort());
  assert.ok(inv.packages.every((p) => p.dev === undefined));
  assert.ok(inv.packages.every((p) => p.direct === true));
});

test("without the root composer.json direct is unset; provide/replace resolve virtual requirements", async () => {
  const doc = {
    packages: [
      { name: "monolog/monolog", version: "3.5.0", license: "MIT", require: { php: ">=8.1", "psr/log": "^2.0 || ^3.0" }, provide: { "psr/log-implementation": "3.0.0" } },
      { name: "psr/log", version: "3.0.0", license: "MIT" },
      { name: "acme/logger-user", version: "dev-main", require: { "psr/log-implementation": "*", "ext-json": "*" } },
    ],
    dev: false,
    "dev-package-names": [],
  };
  const inv = await catalogSources([{ "app/vendor/composer/installed.json": JSON.stringify(doc) }], list);
  assert.ok(inv.packages.every((p) => p.direct === undefined));
  assert.deepEqual(inv.packages.find((p) => p.name === "acme/logger-user")!.dependsOn, ["pkg:composer/monolog/monolog@3.5.0"]);
});

test("claims: any <vendor-dir>/composer/installed.json; root composer.json only outside vendor/", () => {
  const info = { mode: 0o644, size: 1 };
  assert.ok(composerInstalledCataloger.claims("srv/app/vendor/composer/installed.json", info));
  assert.ok(composerInstalledCataloger.claims("srv/app/composer.json", info));
  assert.ok(!composerInstalledCataloger.claims("srv/app/vendor/psr/log/composer.json", info));
  assert.ok(!composerInstalledCataloger.primary("srv/app/composer.json"));
});

test("hostile installed.json: truncated, wrong shapes, bad names, deep nesting", async () => {
  const env = memoryEnv();
  const p = "vendor/composer/installed.json";
  await assert.rejects(composerInstalledCataloger.parse(fileOf(p, read("composer2/vendor/composer/installed.json").subarray(0, 900)), env), /\/vendor\/composer\/installed\.json: not a valid installed\.json/);
  const shape = await composerInstalledCataloger.parse(fileOf(p, '{"packages": "nope"}'), env);
  assert.match(shape.unknowns[0]!.message, /neither a package list/);
  const bad = await composerInstalledCataloger.parse(fileOf(p, JSON.stringify([{ name: "../../etc", version: "1" }, { name: "a/b", version: "1 0" }, 5, { name: "ok/ok", version: "1.0.0", license: [{ evil: 1 }, "MIT"], require: "x" }])), env);
  assert.deepEqual(bad.packages.map((x) => [x.name, x.licenses]), [["ok/ok", ["MIT"]]]);
  assert.equal(bad.unknowns.length, 2);
  const deep = await composerInstalledCataloger.parse(fileOf(p, "[".repeat(100_000) + "]".repeat(100_000)), env).catch((e: Error) => e);
  assert.ok(deep instanceof Error || deep.packages.length === 0);
  const many = JSON.stringify(Array.from({ length: 100_001 }, () => ({ name: "a/b", version: "1" })));
  await assert.rejects(composerInstalledCataloger.parse(fileOf(p, many), env), /more than 100000 packages/);
});
