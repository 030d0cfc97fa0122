// The GitHub Action's scan step, run as the runner would run it (bash, GITHUB_OUTPUT, inputs
// substituted), against a real image and the real advisories in src/vulndb/testdata: it writes a
// schema-valid SARIF file, exposes its path and category, and fails the step on policy.
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";
import { tarBytes, writeLayout } from "../support/oci-builder.js";
import { validateSarif } from "../support/schemas.js";
import { writeMirror } from "../../src/vulndb/testutil/mirror.js";
import { updateDb } from "../../src/vulndb/index.js";

const repo = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const work = mkdtempSync(join(tmpdir(), "berth-action-"));
const cacheDir = join(work, "cache");
const layout = join(work, "image");

interface ActionStep {
  id?: string;
  run?: string;
}
const action = parse(readFileSync(join(repo, "action.yml"), "utf8")) as { inputs: Record<string, { default?: string }>; runs: { steps: ActionStep[] } };
const scanStep = action.runs.steps.find((s) => s.id === "scan")!;

before(async () => {
  writeMirror(join(work, "mirror"));
  await updateDb({ cacheDir, source: join(work, "mirror") });
  writeLayout(layout, [{ tar: await tarBytes([{ name: "srv/app/requirements.txt", data: "apache-atlas==0.8.0\n" }]) }]);
  // The action runs `node <action_path>/bin/berth.js`; point it at the sources.
  mkdirSync(join(work, "action", "bin"), { recursive: true });
  writeFileSync(
    join(work, "action", "bin", "berth.js"),
    `import { spawnSync } from "node:child_process";\nconst r = spawnSync(process.execPath, ["--import", ${JSON.stringify(import.meta.resolve("tsx"))}, ${JSON.stringify(join(repo, "scripts/berth-dev.ts"))}, ...process.argv.slice(2)], { stdio: "inherit", cwd: process.cwd() });\nprocess.exit(r.status ?? 1);\n`,
  );
  writeFileSync(join(work, "action", "package.json"), JSON.stringify({ type: "module" }));
});

function runStep(inputs: Record<string, string>): { code: number; outputs: Record<string, string>; stderr: string } {
  const values: Record<string, string> = {};
  for (const [k, v] of Object.entries(action.inputs)) values[k] = v.default ?? "";
  Object.assign(values, inputs);
  const script = scanStep.run!.replace(/\$\{\{\s*inputs\.([a-z-]+)\s*\}\}/g, (_, k: string) => values[k] ?? "").replace(/\$\{\{\s*github\.action_path\s*\}\}/g, join(work, "action"));
  const out = join(work, `out-${Math.random().toString(36).slice(2)}`);
  writeFileSync(out, "");
  const r = spawnSync("bash", ["-c", script], {
    cwd: work,
    env: { ...process.env, NODE_PATH: join(repo, "node_modules"), BERTH_ACTION: values.action, BERTH_TARGET: values.target, GITHUB_OUTPUT: out, BERTH_CACHE_DIR: cacheDir },
    encoding: "utf8",
  });
  const outputs = Object.fromEntries(readFileSync(out, "utf8").trim().split("\n").filter(Boolean).map((l) => l.split(/=(.*)/s).slice(0, 2) as [string, string]));
  return { code: r.status ?? 1, outputs, stderr: r.stderr };
}

test("the action writes SARIF, exposes its path and category, and passes without a policy", () => {
  const r = runStep({ action: "image", target: `oci:${layout}:latest`, "db-source": join(work, "mirror") });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.outputs.sarif, "berth-results.sarif");
  assert.match(r.outputs.category ?? "", /^berth\/image\//);
  const log = JSON.parse(readFileSync(join(work, r.outputs.sarif!), "utf8"));
  assert.deepEqual(validateSarif(log), []);
  assert.equal(log.runs[0].results[0].locations[0].physicalLocation.artifactLocation.uri, "Dockerfile");
});

test("the action fails the step with the chosen exit code when fail-on is breached", () => {
  const r = runStep({ action: "image", target: `oci:${layout}:latest`, "fail-on": "high", "exit-code": "3", "db-source": join(work, "mirror") });
  assert.equal(r.code, 3, r.stderr);
});
