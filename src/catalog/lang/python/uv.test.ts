import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { lockTruth } from "./lockfile-truth.js";
import { catalogSources, fileOf, memoryEnv } from "./testkit.js";
import { uvLockCataloger } from "./uv.js";

const lock = readFileSync(new URL("./testdata/uv/uv.lock", import.meta.url));

test("uv.lock: packages match tomllib; the editable project is not a package; direct/dev by reachability", async () => {
  const inv = await catalogSources([{ "svc/uv.lock": lock }], [uvLockCataloger]);
  assert.deepEqual(inv.unknowns, []);
  assert.deepEqual(inv.packages.map((p) => [p.name, p.version]).sort(), lockTruth("uv", fileURLToPath(new URL("./testdata/uv/uv.lock", import.meta.url))));
  const flags = Object.fromEntries(inv.packages.map((p) => [`${p.name}@${p.version}`, [p.direct, p.dev ?? false]]));
  assert.deepEqual(flags, {
    "anyio@4.9.0": [true, false],
    "exceptiongroup@1.3.0": [false, false], // reached from anyio (runtime) and pytest (dev): runtime
    "idna@3.10": [false, false],
    "iniconfig@2.1.0": [false, true],
    "numpy@2.2.6": [true, false], // forked resolution: both versions, each resolved by version
    "numpy@2.3.1": [true, false],
    "packaging@25.0": [false, true],
    "pluggy@1.6.0": [false, true],
    "pytest@8.4.1": [true, true],
    "sniffio@1.3.1": [false, false],
    "tomli@2.2.1": [false, true],
    "typing-extensions@4.14.0": [false, false],
    "uvloop@0.21.0": [true, false], // an optional extra of the project: direct, not dev
  });
  const anyio = inv.packages.find((p) => p.name === "anyio")!;
  assert.deepEqual(anyio.dependsOn, ["pkg:pypi/exceptiongroup@1.3.0", "pkg:pypi/idna@3.10", "pkg:pypi/sniffio@1.3.1", "pkg:pypi/typing-extensions@4.14.0"]);
  assert.deepEqual(anyio.locations, [{ path: "/svc/uv.lock" }]);
});

test("uv.lock without a project member: direct and dev unset", async () => {
  const r = await uvLockCataloger.parse(fileOf("uv.lock", 'version = 1\n[[package]]\nname = "idna"\nversion = "3.10"\nsource = { registry = "https://pypi.org/simple" }\n'), memoryEnv());
  assert.equal(r.packages.length, 1);
  assert.equal(r.packages[0]!.direct, undefined);
  assert.equal(r.packages[0]!.dev, undefined);
});

test("hostile uv.lock: truncated, nested inline tables, dependency cycles", async () => {
  const env = memoryEnv();
  await assert.rejects(uvLockCataloger.parse(fileOf("uv.lock", lock.subarray(0, 700)), env), /not a valid uv\.lock/);
  await assert.rejects(uvLockCataloger.parse(fileOf("uv.lock", `a = ${"{ b = ".repeat(5000)}1${" }".repeat(5000)}`), env), /not a valid uv\.lock/);
  const cycle = '[[package]]\nname = "a"\nversion = "1"\ndependencies = [{ name = "b" }]\n[[package]]\nname = "b"\nversion = "1"\ndependencies = [{ name = "a" }, { name = 7 }, "x"]\n[[package]]\nname = "root"\nsource = { virtual = "." }\ndependencies = [{ name = "a" }]\n';
  const r = await uvLockCataloger.parse(fileOf("uv.lock", cycle), env);
  assert.deepEqual(r.packages.map((p) => [p.name, p.direct, p.dependsOn]), [["a", true, ["pkg:pypi/b@1"]], ["b", false, ["pkg:pypi/a@1"]]]);
});
