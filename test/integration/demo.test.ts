// The README's first command: `npm start` runs scripts/demo.mjs on the build (npm ci builds it).
// It must work offline on the bundled data: real Debian 12 advisories and the demo image.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const repo = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

test("npm start's demo scans the bundled image against the bundled advisories", { skip: !existsSync(join(repo, "dist/src/cli/main.js")) && "no build (npm ci runs it)" }, () => {
  const cache = mkdtempSync(join(tmpdir(), "berth-demo-"));
  const r = spawnSync(process.execPath, ["scripts/demo.mjs"], { cwd: repo, env: { ...process.env, BERTH_CACHE_DIR: cache }, encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /Debian GNU\/Linux 12/);
  assert.match(r.stdout, /^Total: \d+/m);
  assert.match(r.stdout, /libssl3|openssl/);
});
