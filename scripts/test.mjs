#!/usr/bin/env node
// The whole test suite, as CI runs it (`npm test`):
//   1. install the real components the tests use (Debian packages, when missing),
//   2. build/cache the real Debian 12 test image,
//   3. typecheck, 4. lint, 5. every *.test.ts under src/ and test/ with Node's test runner.
// `node scripts/test.mjs <substring>…` runs only the matching test files and skips 1–4.
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { spawnSync } from "node:child_process";

function walk(dir, out, keep = (name) => name.endsWith(".test.ts")) {
  for (const name of readdirSync(dir)) {
    if (name === "node_modules" || name === "testdata" || name.startsWith(".")) continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out, keep);
    else if (keep(name)) out.push(p);
  }
  return out;
}

function step(title, cmd, args) {
  process.stderr.write(`\n== ${title}\n`);
  const r = spawnSync(cmd, args, { stdio: "inherit" });
  if (r.status !== 0) {
    process.stderr.write(`\n== ${title}: failed (exit ${r.status ?? r.signal})\n`);
    process.exit(r.status || 1);
  }
}

/** dist/web is older than a file of web/ or of the shared schema (the UI tests serve it). */
function webBuildStale() {
  let built;
  try {
    built = statSync("dist/web/index.html").mtimeMs;
  } catch {
    return true;
  }
  const sources = [...walk("web", [], () => true), "src/server/explore/schema.ts", "package-lock.json"];
  return sources.some((f) => statSync(f).mtimeMs > built);
}

const filters = process.argv.slice(2);
const files = walk("src", walk("test", [])).filter((f) => filters.length === 0 || filters.some((s) => f.includes(s))).sort();
if (files.length === 0) {
  console.error("no test files matched");
  process.exit(2);
}
const tsx = ["--import", "tsx"];
if (filters.length === 0) {
  step("setup: Debian packages the tests use", "bash", ["scripts/setup-test-env.sh"]);
  step("setup: real Debian 12 test image (cached)", process.execPath, [...tsx, "test/support/debian-image.ts"]);
  step("setup: real Debian packages the language tests extract (cached)", process.execPath, [...tsx, "test/support/debian-debs.ts", "--all"]);
  step("setup: mixed real image (cached)", process.execPath, [...tsx, "test/support/mixed-image.ts", "src/catalog/lang/javascript/testdata/project"]);
  if (webBuildStale()) step("setup: web UI build (vite, dist/web)", process.execPath, ["node_modules/vite/bin/vite.js", "build", "--config", "web/vite.config.ts", "--logLevel", "warn"]);
  step("typecheck", process.execPath, ["node_modules/typescript/bin/tsc", "-p", "tsconfig.json", "--noEmit"]);
  step("typecheck: web UI", process.execPath, ["node_modules/typescript/bin/tsc", "-p", "web/tsconfig.json"]);
  step("lint", process.execPath, ["node_modules/eslint/bin/eslint.js", "--max-warnings=0", "."]);
}
process.stderr.write(`\n== tests (${files.length} files)\n`);
const r = spawnSync(process.execPath, [...tsx, "--test", "--test-reporter=spec", "--test-concurrency=2", ...files], { stdio: "inherit" });
process.exit(r.status ?? 1);
