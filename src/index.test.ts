// The package's public entry point exposes the stages by name (what library users import).
import { test } from "node:test";
import assert from "node:assert/strict";
import * as berth from "./index.js";

test("compareVersions is part of the public API and orders per scheme", () => {
  assert.equal(berth.compareVersions("dpkg", "1:1.0-1", "2.0-1"), 1);
  assert.equal(berth.compareVersions("pep440", "1.0rc1", "1.0"), -1);
  assert.equal(berth.compareVersions("semver", "1.2.3", "1.2.3"), 0);
});

test("the pipeline entry points are exported", () => {
  for (const name of ["inventoryTarget", "scanTarget", "scanInventory", "matchPackages", "renderSbom", "renderReport", "readSbom", "openVulnDb", "updateDb"] as const) {
    assert.equal(typeof berth[name], "function", name);
  }
});
