// Golden files for the report formats: testdata/golden/<name>.golden, rewritten only when
// UPDATE_GOLDEN=1 (then reviewed like code).
import assert from "node:assert/strict";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const dir = join(dirname(fileURLToPath(import.meta.url)), "golden");

export function assertGolden(name: string, actual: string): void {
  const path = join(dir, `${name}.golden`);
  if (process.env.UPDATE_GOLDEN === "1") {
    writeFileSync(path, actual);
    return;
  }
  assert.ok(existsSync(path), `missing golden file ${path}: create it with UPDATE_GOLDEN=1 node scripts/test.mjs src/report`);
  assert.equal(actual, readFileSync(path, "utf8"), `output differs from ${path}; if the change is intended, regenerate with UPDATE_GOLDEN=1 and review the diff`);
}
