import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { lockTruth } from "./lockfile-truth.js";
import { pdmLockCataloger } from "./pdm.js";
import { catalogSources, fileOf, memoryEnv } from "./testkit.js";

const read = (p: string) => readFileSync(new URL(`./testdata/pdm/${p}`, import.meta.url));

test("pdm.lock: packages match tomllib; extras entries merge; groups give dev; pyproject gives direct", async () => {
  const inv = await catalogSources([{ "pdm.lock": read("pdm.lock"), "pyproject.toml": read("pyproject.toml") }], [pdmLockCataloger]);
  assert.deepEqual(inv.unknowns, []);
  assert.deepEqual(inv.packages.map((p) => [p.name, p.version]).sort(), lockTruth("pdm", fileURLToPath(new URL("./testdata/pdm/pdm.lock", import.meta.url))));
  const flags = Object.fromEntries(inv.packages.map((p) => [p.name, [p.direct, p.dev ?? false]]));
  assert.deepEqual(flags, {
    certifi: [false, false],
    "charset-normalizer": [false, false],
    colorama: [false, true],
    idna: [false, false],
    iniconfig: [false, true],
    packaging: [false, true],
    pluggy: [false, true],
    pysocks: [false, false],
    pytest: [true, true],
    requests: [true, false],
    ruff: [true, true],
    urllib3: [false, false],
  });
  const requests = inv.packages.find((p) => p.name === "requests")!;
  // the [socks] entry adds PySocks (and a self edge, dropped) to the plain entry's edges
  assert.deepEqual([...requests.dependsOn!].sort(), ["pkg:pypi/certifi@2025.4.26", "pkg:pypi/charset-normalizer@3.4.2", "pkg:pypi/idna@3.10", "pkg:pypi/pysocks@1.7.1", "pkg:pypi/urllib3@2.4.0"]);
});

test("hostile pdm.lock: truncated and absurd", async () => {
  const env = memoryEnv();
  await assert.rejects(pdmLockCataloger.parse(fileOf("pdm.lock", read("pdm.lock").subarray(0, 300)), env), /not a valid pdm\.lock/);
  const r = await pdmLockCataloger.parse(fileOf("pdm.lock", `package = "not a list"\n[metadata]\ngroups = 5\n`), env);
  assert.deepEqual(r, { packages: [], unknowns: [] });
  const bin = Buffer.from(Array.from({ length: 2048 }, (_, i) => (i * 97) % 256));
  await assert.rejects(pdmLockCataloger.parse(fileOf("pdm.lock", bin), env), /not a valid pdm\.lock/);
});
