import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { debianPackage } from "../../../../test/support/debian-debs.js";
import type { Package } from "../../../model/package.js";
import { catalogSources, fileOf, memoryEnv, runTool } from "../python/testkit.js";
import { gemfileLockCataloger, parseGemfileLock } from "./gemfile-lock.js";
import { bundleCommand, bundlerParse, type BundlerLock } from "./truth.js";

const list = [gemfileLockCataloger];

function compareWithBundler(pkgs: readonly Package[], truth: BundlerLock): void {
  const purlOf = (s: BundlerLock["specs"][number]) => `pkg:gem/${s.name}@${s.version}${s.platform !== "ruby" ? `?platform=${s.platform}` : ""}`;
  assert.deepEqual(pkgs.map((p) => p.purl).sort(), truth.specs.map(purlOf).sort());
  for (const s of truth.specs) {
    const p = pkgs.find((q) => q.purl === purlOf(s))!;
    assert.equal(p.direct, truth.dependencies.includes(s.name), `direct ${s.name}`);
    const want = truth.specs.filter((t) => s.deps.includes(t.name)).map(purlOf);
    assert.deepEqual([...(p.dependsOn ?? [])].sort(), want.sort(), `edges of ${s.name}`);
  }
}

test("a Gemfile.lock written by Bundler (bundle lock --local over real Debian gems) matches Bundler's parser", async () => {
  const debs = ["ruby-rack", "ruby-rack-test", "ruby-sinatra", "ruby-tilt", "ruby-mustermann", "ruby-rack-protection", "ruby-ruby2-keywords"].map((d) => debianPackage(d).root);
  const dir = mkdtempSync(join(tmpdir(), "berth-bundle-"));
  try {
    writeFileSync(join(dir, "Gemfile"), 'source "https://rubygems.org"\ngem "sinatra", "~> 3.0"\ngroup :test do\n  gem "rack-test"\nend\n');
    const gemPath = debs.map((r) => join(r, "usr/share/rubygems-integration/all")).join(":");
    runTool(bundleCommand(), ["lock", "--local"], { cwd: dir, env: { ...process.env, GEM_PATH: gemPath, GEM_HOME: join(dir, "home"), BUNDLE_USER_HOME: join(dir, "bh"), BUNDLE_FROZEN: "false", BUNDLE_GEMFILE: join(dir, "Gemfile") } });
    const lock = readFileSync(join(dir, "Gemfile.lock"));
    const inv = await catalogSources([{ "srv/app/Gemfile.lock": lock }], list, { layerDigest: "sha256:" + "d".repeat(64) });
    assert.deepEqual(inv.unknowns, []);
    compareWithBundler(inv.packages, bundlerParse(join(dir, "Gemfile.lock")));
    const sinatra = inv.packages.find((p) => p.name === "sinatra")!;
    assert.equal(sinatra.direct, true);
    assert.equal(sinatra.evidence, "lockfile");
    assert.deepEqual(sinatra.locations, [{ path: "/srv/app/Gemfile.lock", layerDigest: "sha256:" + "d".repeat(64) }]);
    assert.equal(inv.packages.find((p) => p.name === "rack")!.direct, false);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("GIT, PATH and platform-specific specs match Bundler's parser", async () => {
  const path = fileURLToPath(new URL("./testdata/platforms.Gemfile.lock", import.meta.url));
  const inv = await catalogSources([{ "Gemfile.lock": readFileSync(path) }], list);
  assert.deepEqual(inv.unknowns, []);
  compareWithBundler(inv.packages, bundlerParse(path));
  const toolbox = inv.packages.find((p) => p.name === "toolbox")!;
  assert.deepEqual(toolbox.metadata, { source: "git" });
  assert.equal(inv.packages.filter((p) => p.name === "nokogiri").length, 3);
});

test("hostile Gemfile.lock: truncated, garbage, absurd lines", async () => {
  const env = memoryEnv();
  const text = readFileSync(new URL("./testdata/platforms.Gemfile.lock", import.meta.url), "utf8");
  const cut = await gemfileLockCataloger.parse(fileOf("Gemfile.lock", text.slice(0, 400)), env);
  assert.ok(cut.packages.length > 0);
  const garbage = Buffer.from(Array.from({ length: 8192 }, (_, i) => (i * 77 + 1) % 256));
  const g = await gemfileLockCataloger.parse(fileOf("Gemfile.lock", garbage), env);
  assert.equal(g.packages.length, 0);
  assert.match(g.unknowns[0]!.message, /not a Gemfile\.lock/);
  const weird = parseGemfileLock(`GEM\n  specs:\n    ${"a".repeat(500)} (1.0)\n    ok (1.0)\n    bad (1.0 ; rm)\n      ${"x ".repeat(1000)}\n    ok2 ()\n`);
  assert.deepEqual(weird.specs.map((s) => s.name), ["ok"]);
  assert.equal(weird.invalid, 4);
  const many = `GEM\n  specs:\n${"    a (1)\n".repeat(100_001)}`;
  await assert.rejects(gemfileLockCataloger.parse(fileOf("app/Gemfile.lock", many), env), /\/app\/Gemfile\.lock: more than 100000 specs/);
});
