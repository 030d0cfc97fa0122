import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { lockTruth } from "./lockfile-truth.js";
import { pipfileLockCataloger } from "./pipfile.js";
import { catalogSources, fileOf, memoryEnv } from "./testkit.js";

const read = (p: string) => readFileSync(new URL(`./testdata/pipfile/${p}`, import.meta.url));

test("Pipfile.lock: default vs develop, Pipfile gives direct, git entries counted as one unknown", async () => {
  const inv = await catalogSources([{ "web/Pipfile.lock": read("Pipfile.lock"), "web/Pipfile": read("Pipfile") }], [pipfileLockCataloger]);
  assert.deepEqual(inv.packages.map((p) => [p.name, p.version]).sort(), lockTruth("pipfile", fileURLToPath(new URL("./testdata/pipfile/Pipfile.lock", import.meta.url))));
  const flags = Object.fromEntries(inv.packages.map((p) => [p.name, [p.direct, p.dev ?? false]]));
  assert.deepEqual(flags, {
    blinker: [false, false],
    click: [false, false],
    flask: [true, false], // in default and develop: runtime
    iniconfig: [false, true],
    itsdangerous: [false, false],
    jinja2: [false, false],
    markupsafe: [false, false],
    packaging: [false, true],
    pluggy: [false, true],
    pytest: [true, true],
    werkzeug: [false, false],
  });
  assert.equal(inv.unknowns.length, 1);
  assert.match(inv.unknowns[0]!.message, /1 entries without an exact version .*: toolbox/);
  assert.equal(inv.unknowns[0]!.path, "/web/Pipfile.lock");
});

test("hostile Pipfile.lock: truncated JSON, wrong shapes, deep nesting", async () => {
  const env = memoryEnv();
  await assert.rejects(pipfileLockCataloger.parse(fileOf("Pipfile.lock", read("Pipfile.lock").subarray(0, 500)), env), /not a valid Pipfile\.lock \(JSON/);
  const r1 = await pipfileLockCataloger.parse(fileOf("Pipfile.lock", "[1,2,3]"), env);
  assert.equal(r1.packages.length, 0);
  assert.equal(r1.unknowns.length, 1);
  const r2 = await pipfileLockCataloger.parse(fileOf("Pipfile.lock", JSON.stringify({ default: { a: "==1", b: { version: 12 }, c: { version: "==1 ; rm -rf" }, "../x": { version: "==1" }, ok: { version: "==2.0" } }, develop: [] })), env);
  assert.deepEqual(r2.packages.map((p) => p.name), ["ok"]);
  assert.match(r2.unknowns[0]!.message, /^4 entries/);
  const deep = "[".repeat(200_000) + "]".repeat(200_000);
  const r3 = await pipfileLockCataloger.parse(fileOf("Pipfile.lock", deep), env).catch((e: Error) => e);
  assert.ok(r3 instanceof Error ? /Pipfile\.lock/.test(r3.message) : r3.packages.length === 0);
});
