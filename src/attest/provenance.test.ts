import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import Ajv from "ajv";
import addFormats from "ajv-formats";
import { detectCi, localContext, LOCAL_BUILDER_ID } from "./ci-env.js";
import { imageStatement, PredicateType } from "./intoto.js";
import { buildProvenance, BuildType } from "./provenance.js";
import { normalizeRepository, provenanceBuilderId, provenanceRepositories, validateProvenance } from "./slsa.js";

const here = dirname(fileURLToPath(import.meta.url));
const env = (name: string): Record<string, string> => JSON.parse(readFileSync(join(here, "testdata", "provenance", `${name}.env.json`), "utf8")) as Record<string, string>;
const ajv = new Ajv.default({ allErrors: true, strict: false });
addFormats.default(ajv);
const validateSchema = ajv.compile(JSON.parse(readFileSync(join(here, "testdata", "in-toto-slsa-v1.schema.json"), "utf8")) as object);
const DIGEST = `sha256:${"ab".repeat(32)}`;
const WHEN = new Date("2026-03-01T10:05:00Z");

function statementErrors(predicate: object): string[] {
  const st = imageStatement("registry.example.com/app", DIGEST, PredicateType.slsaProvenanceV1, predicate as Record<string, unknown>);
  const ok = validateSchema(JSON.parse(JSON.stringify(st)));
  return [...(ok ? [] : (validateSchema.errors ?? []).map((e) => `${e.instancePath} ${e.message ?? ""}`)), ...validateProvenance(predicate)];
}

test("GitHub Actions: repository, commit, ref, workflow, run id and URL, builder, trigger, actor", () => {
  const ci = detectCi(env("github"));
  assert.ok(ci);
  const p = buildProvenance({ ci, finishedOn: WHEN, berthVersion: "0.1.0" });
  assert.deepEqual(statementErrors(p), []);
  assert.equal(p.buildDefinition.buildType, "https://actions.github.io/buildtypes/workflow/v1");
  assert.deepEqual(p.buildDefinition.externalParameters, { workflow: { ref: "refs/heads/main", repository: "https://github.com/example/app", path: ".github/workflows/build.yml" } });
  assert.deepEqual(p.buildDefinition.resolvedDependencies, [{ uri: "git+https://github.com/example/app@refs/heads/main", digest: { gitCommit: "0f7c2b4a1e9d8c7b6a5f4e3d2c1b0a9f8e7d6c5b" } }]);
  assert.equal(p.runDetails.builder.id, "https://github.com/actions/runner/github-hosted");
  assert.equal(p.runDetails.metadata?.invocationId, "https://github.com/example/app/actions/runs/9876543210/attempts/2");
  assert.equal(p.runDetails.metadata?.finishedOn, "2026-03-01T10:05:00Z");
  const gh = p.buildDefinition.internalParameters?.github as Record<string, string>;
  assert.equal(gh.event_name, "push");
  assert.equal(gh.actor, "octocat");
  assert.equal(gh.trigger, "push");
  assert.deepEqual(provenanceRepositories(p as unknown as Record<string, unknown>), ["github.com/example/app"]);
});

test("Azure Pipelines: the build's repository, branch, pipeline, run URL and requester", () => {
  const ci = detectCi(env("azure"));
  assert.ok(ci);
  assert.equal(ci.platform, "azure-pipelines");
  const p = buildProvenance({ ci, finishedOn: WHEN, berthVersion: "0.1.0" });
  assert.deepEqual(statementErrors(p), []);
  assert.equal(p.buildDefinition.buildType, BuildType["azure-pipelines"]);
  assert.deepEqual(p.buildDefinition.externalParameters, {
    repository: "https://dev.azure.com/contoso/Shop%20Platform/_git/app",
    ref: "refs/heads/release/2.1",
    pipeline: { definition: "https://dev.azure.com/contoso/Shop%20Platform/_build?definitionId=42", name: "app-ci" },
  });
  assert.equal(p.runDetails.builder.id, "https://dev.azure.com/contoso/");
  assert.equal(p.runDetails.metadata?.invocationId, "https://dev.azure.com/contoso/Shop%20Platform/_build/results?buildId=5150");
  const az = p.buildDefinition.internalParameters?.azurePipelines as Record<string, string>;
  assert.equal(az.trigger, "IndividualCI");
  assert.equal(az.actor, "Ada Lovelace");
});

test("GitLab CI: project, commit, ref, pipeline, job URL, runner as builder, pipeline source and user", () => {
  const ci = detectCi(env("gitlab"));
  assert.ok(ci);
  const p = buildProvenance({ ci, finishedOn: WHEN, berthVersion: "0.1.0" });
  assert.deepEqual(statementErrors(p), []);
  assert.equal(p.runDetails.builder.id, "https://gitlab.example.com/platform/app/-/runners/12");
  assert.equal(p.runDetails.metadata?.invocationId, "https://gitlab.example.com/platform/app/-/jobs/424242");
  assert.equal(p.runDetails.metadata?.startedOn, "2026-03-01T10:00:00Z");
  assert.deepEqual(p.buildDefinition.resolvedDependencies, [{ uri: "git+https://gitlab.example.com/platform/app@refs/heads/main", digest: { gitCommit: "9f8e7d6c5b4a39281706f5e4d3c2b1a098765432" } }]);
  const gl = p.buildDefinition.internalParameters?.gitlab as Record<string, string>;
  assert.equal(gl.trigger, "push");
  assert.equal(gl.actor, "grace");
});

test("detectCi: none outside CI; BERTH_BUILDER_ID overrides the builder; --local uses git and the host", () => {
  assert.equal(detectCi({ PATH: "/bin" }), undefined);
  assert.equal(detectCi({ ...env("github"), BERTH_BUILDER_ID: "https://builders.example.com/hardened" })?.builderId, "https://builders.example.com/hardened");
  const local = localContext({ remote: "git@github.com:example/app.git", commit: "c0ffee", ref: "refs/heads/dev" }, {}, { hostname: "laptop", user: "ada" });
  const p = buildProvenance({ ci: local, finishedOn: WHEN, berthVersion: "0.1.0" });
  assert.deepEqual(statementErrors(p), []);
  assert.equal(provenanceBuilderId(p as unknown as Record<string, unknown>), LOCAL_BUILDER_ID);
  assert.deepEqual(provenanceRepositories(p as unknown as Record<string, unknown>), ["github.com/example/app"]);
  // nothing known at all still makes a valid predicate
  assert.deepEqual(statementErrors(buildProvenance({ ci: localContext({}, {}, { hostname: "h" }), finishedOn: WHEN, berthVersion: "x" })), []);
});

test("validateProvenance: names each departure from the v1 shape (and the JSON schema agrees)", () => {
  assert.deepEqual(validateProvenance({}), ["buildDefinition is missing", "runDetails is missing"]);
  const bad = {
    buildDefinition: { buildType: "not a uri", externalParameters: [], resolvedDependencies: [{ name: "x" }, { uri: "git+https://h/r", digest: { sha1: 5 } }] },
    runDetails: { builder: { id: 7, version: { a: 1 } }, metadata: { startedOn: "yesterday" }, byproducts: {} },
  };
  assert.deepEqual(validateProvenance(bad), [
    "buildDefinition.buildType must be a URI",
    "buildDefinition.externalParameters must be an object",
    "buildDefinition.resolvedDependencies[0] needs one of uri, digest or content",
    "buildDefinition.resolvedDependencies[1].digest.sha1 is not a string",
    "runDetails.builder.id must be a URI",
    "runDetails.builder.version must map names to strings",
    "runDetails.metadata.startedOn must be an RFC 3339 timestamp",
    "runDetails.byproducts is not an array",
  ]);
  assert.notDeepEqual(statementErrors(bad).length, 0);
  assert.equal(validateSchema(JSON.parse(JSON.stringify(imageStatement("r/a", DIGEST, PredicateType.slsaProvenanceV1, bad)))), false);
});

test("normalizeRepository: the forms a provenance and a policy write compare equal", () => {
  const cases: [string, string][] = [
    ["https://github.com/Example/App", "github.com/Example/App"],
    ["git+https://GitHub.com/Example/App.git@refs/heads/main", "github.com/Example/App"],
    ["git@github.com:Example/App.git", "github.com/Example/App"],
    ["ssh://git@gitlab.example.com:2222/platform/app.git", "gitlab.example.com:2222/platform/app"],
    ["github.com/example/app/", "github.com/example/app"],
    ["https://dev.azure.com/contoso/Shop%20Platform/_git/app?path=/", "dev.azure.com/contoso/Shop%20Platform/_git/app"],
  ];
  for (const [input, want] of cases) assert.equal(normalizeRepository(input), want, input);
});
