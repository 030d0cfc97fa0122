import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { detectCi } from "../attest/ci-env.js";
import { ciOidcToken, parseRecordImage, readCodeowners, recordPayload } from "./record.js";

const D = `sha256:${"c".repeat(64)}`;
const IMG = [{ reference: `r.test/a@${D}`, digest: D }];

test("image arguments must carry a digest", () => {
  assert.deepEqual(parseRecordImage(`r.test/team/app:1@${D}`), { reference: `r.test/team/app:1@${D}`, digest: D });
  assert.throws(() => parseRecordImage("r.test/team/app:1"), /by digest/);
});

test("GitHub Actions environment → record body", () => {
  const ci = detectCi({ GITHUB_ACTIONS: "true", GITHUB_REPOSITORY: "acme/web", GITHUB_SHA: "abc1234", GITHUB_REF: "refs/heads/main", GITHUB_WORKFLOW: "build", GITHUB_RUN_ID: "9", GITHUB_RUN_ATTEMPT: "2", GITHUB_ACTOR: "octo" });
  assert.ok(ci);
  assert.deepEqual(recordPayload(ci, IMG, "* @a\n"), {
    provider: "github",
    repository: "https://github.com/acme/web",
    commit: "abc1234",
    ref: "refs/heads/main",
    workflow: "build",
    runId: "9",
    runAttempt: "2",
    runUrl: "https://github.com/acme/web/actions/runs/9/attempts/2",
    actor: "octo",
    codeowners: "* @a\n",
    images: IMG,
  });
});

test("Azure Pipelines and GitLab CI environments → record body", () => {
  const az = detectCi({
    TF_BUILD: "True",
    BUILD_REPOSITORY_URI: "https://dev.azure.com/org/proj/_git/repo",
    BUILD_SOURCEVERSION: "abc1234",
    BUILD_SOURCEBRANCH: "refs/heads/main",
    BUILD_DEFINITIONNAME: "ci",
    BUILD_BUILDID: "55",
    SYSTEM_COLLECTIONURI: "https://dev.azure.com/org/",
    SYSTEM_TEAMPROJECT: "proj",
    BUILD_REQUESTEDFOR: "Ann",
  });
  assert.ok(az);
  const a = recordPayload(az, IMG);
  assert.equal(a.provider, "azure");
  assert.equal(a.workflow, "ci");
  assert.equal(a.runUrl, "https://dev.azure.com/org/proj/_build/results?buildId=55");
  assert.equal(a.actor, "Ann");
  const gl = detectCi({ GITLAB_CI: "true", CI_SERVER_URL: "https://gitlab.com", CI_PROJECT_PATH: "g/p", CI_COMMIT_SHA: "abc1234", CI_COMMIT_REF_NAME: "main", CI_PIPELINE_ID: "7", GITLAB_USER_LOGIN: "gl" });
  assert.ok(gl);
  const g = recordPayload(gl, IMG);
  assert.deepEqual([g.provider, g.repository, g.ref, g.runId, g.runUrl, g.actor], ["gitlab", "https://gitlab.com/g/p", "refs/heads/main", "7", "https://gitlab.com/g/p/-/pipelines/7", "gl"]);
});

test("CODEOWNERS is read from .github/, the root, then docs/", () => {
  const dir = mkdtempSync(join(tmpdir(), "berth-codeowners-"));
  try {
    assert.equal(readCodeowners(dir), undefined);
    mkdirSync(join(dir, "docs"));
    writeFileSync(join(dir, "docs", "CODEOWNERS"), "* @docs\n");
    assert.equal(readCodeowners(dir), "* @docs\n");
    writeFileSync(join(dir, "CODEOWNERS"), "* @root\n");
    assert.equal(readCodeowners(dir), "* @root\n");
    mkdirSync(join(dir, ".github"));
    writeFileSync(join(dir, ".github", "CODEOWNERS"), "* @gh\n");
    assert.equal(readCodeowners(dir), "* @gh\n");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("OIDC tokens: GitLab from the named variable, Azure from SYSTEM_OIDCREQUESTURI", async () => {
  const gl = detectCi({ GITLAB_CI: "true" });
  assert.ok(gl);
  assert.equal(await ciOidcToken(gl, { BERTH_ID_TOKEN: "gl-jwt" }, "berth", "BERTH_ID_TOKEN"), "gl-jwt");
  assert.equal(await ciOidcToken(gl, {}, "berth", "BERTH_ID_TOKEN"), undefined);
  const seen: { method?: string; url?: string; auth?: string }[] = [];
  const srv = createServer((req, res) => {
    seen.push({ method: req.method, url: req.url, auth: req.headers.authorization });
    res.setHeader("content-type", "application/json");
    res.end(JSON.stringify({ oidcToken: "az-jwt" }));
  });
  await new Promise<void>((r) => srv.listen(0, "127.0.0.1", r));
  try {
    const base = `http://127.0.0.1:${(srv.address() as AddressInfo).port}`;
    const az = detectCi({ TF_BUILD: "True" });
    assert.ok(az);
    const env = { SYSTEM_OIDCREQUESTURI: `${base}/org/_apis/distributedtask/hubs/build/plans/p/jobs/j/oidctoken`, SYSTEM_ACCESSTOKEN: "sys-token" };
    assert.equal(await ciOidcToken(az, env, "berth", "X"), "az-jwt");
    assert.equal(seen[0]?.method, "POST");
    assert.equal(seen[0]?.auth, "Bearer sys-token");
    assert.match(seen[0]?.url ?? "", /api-version=7\.1.*audience=berth/);
    assert.equal(await ciOidcToken(az, {}, "berth", "X"), undefined);
  } finally {
    srv.closeAllConnections();
    await new Promise<void>((r) => srv.close(() => r()));
  }
});
