import { test } from "node:test";
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { runAttestCli } from "../../test/support/attest-cli.js";
import { validateProvenance } from "../attest/slsa.js";

const here = dirname(fileURLToPath(import.meta.url));

test("provenance in GitHub Actions prints a SLSA v1 predicate; SOURCE_DATE_EPOCH fixes the time", async () => {
  const env = JSON.parse(await readFile(join(here, "testdata", "attest", "github.env.json"), "utf8")) as NodeJS.ProcessEnv;
  const r = await runAttestCli(["provenance"], { ...env, SOURCE_DATE_EPOCH: "1767225600" });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /provenance from github-actions: https:\/\/github.com\/example\/app@0f7c2b4a1e9d \(https:\/\/github.com\/example\/app\/actions\/runs\/9876543210\/attempts\/1\)/);
  const p = JSON.parse(r.stdout) as Record<string, unknown> & { runDetails: { metadata: { finishedOn: string } } };
  assert.deepEqual(validateProvenance(p), []);
  assert.equal(p.runDetails.metadata.finishedOn, "2026-01-01T00:00:00Z");
});

test("provenance --local reads git (injected here); outside CI without --local is a usage error", async () => {
  const r = await runAttestCli(["provenance", "--local"], { USER: "ada" }, { localGit: async () => ({ remote: "https://token@github.com/example/app.git", commit: "abc123", ref: "refs/heads/dev" }) });
  assert.equal(r.code, 0, r.stderr);
  const p = JSON.parse(r.stdout) as { buildDefinition: { resolvedDependencies: { uri: string }[]; internalParameters: { local: Record<string, string> } }; runDetails: { builder: { id: string } } };
  assert.equal(p.buildDefinition.resolvedDependencies[0]!.uri, "git+https://github.com/example/app.git@refs/heads/dev");
  assert.equal(p.buildDefinition.internalParameters.local.actor, "ada");
  assert.equal(p.runDetails.builder.id, "https://berth.dev/builders/local/v1");
  const none = await runAttestCli(["provenance"]);
  assert.equal(none.code, 2);
  assert.match(none.stderr, /no CI environment detected \(GitHub Actions, Azure Pipelines, GitLab CI\); use --local/);
  const noImage = await runAttestCli(["provenance", "--local", "--key", "berth.key"], {}, { localGit: async () => ({}) });
  assert.equal(noImage.code, 2);
  assert.match(noImage.stderr, /--key needs the image to attach the provenance to/);
});
