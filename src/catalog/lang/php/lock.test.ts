import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { catalogSources, fileOf, memoryEnv } from "../python/testkit.js";
import { composerLockCataloger } from "./lock.js";
import { composerTruth } from "./truth.js";

const read = (p: string) => readFileSync(new URL(`./testdata/composer2/${p}`, import.meta.url));

test("composer.lock matches composer show --locked: versions, direct, packages-dev", async () => {
  const truth = composerTruth(fileURLToPath(new URL("./testdata/composer2/", import.meta.url)), "locked");
  const inv = await catalogSources([{ "app/composer.lock": read("composer.lock"), "app/composer.json": read("composer.json") }], [composerLockCataloger]);
  assert.deepEqual(inv.unknowns, []);
  assert.deepEqual(inv.packages.map((p) => [p.name, p.version]).sort(), truth.locked.map((s) => [s.name, s.version]).sort());
  for (const s of truth.locked) {
    const p = inv.packages.find((q) => q.name === s.name)!;
    assert.equal(p.direct, s["direct-dependency"]);
    assert.equal(p.dev ?? false, !truth.lockedNoDev.includes(s.name));
    assert.equal(p.evidence, "lockfile");
  }
  assert.deepEqual(inv.packages.find((p) => p.name === "acme/testkit")!.dependsOn, ["pkg:composer/acme/http@v1.2.0"]);
});

test("hostile composer.lock: truncated, not an object, absurd entries", async () => {
  const env = memoryEnv();
  await assert.rejects(composerLockCataloger.parse(fileOf("composer.lock", read("composer.lock").subarray(0, 1000)), env), /not a valid composer\.lock/);
  const arr = await composerLockCataloger.parse(fileOf("composer.lock", "[]"), env);
  assert.equal(arr.unknowns.length, 1);
  const big = await composerLockCataloger.parse(fileOf("composer.lock", JSON.stringify({ packages: [{ name: `a/${"b".repeat(10_000)}`, version: "1" }], "packages-dev": [{ name: "x/y", version: "2" }] })), env);
  assert.deepEqual(big.packages.map((p) => [p.name, p.dev]), [["x/y", true]]);
  const bin = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 13) % 256));
  await assert.rejects(composerLockCataloger.parse(fileOf("composer.lock", bin), env), /not a valid composer\.lock/);
});
