import { test } from "node:test";
import assert from "node:assert/strict";
import { canonicalRepositoryUrl } from "../../store/records.js";
import { bodyRepositoryUrl, looksLikeJwt, parseRecordBody } from "./records.js";

const D = `sha256:${"d".repeat(64)}`;

test("a valid body is normalised; numbers are accepted for run ids", () => {
  const b = parseRecordBody({ provider: "github", repository: "acme/web", commit: "ABCDEF1", runId: 12, runAttempt: 1, images: [{ reference: `r.test/a:1@${D}`, digest: D }], extra: "ignored" });
  assert.deepEqual(b, { provider: "github", repository: "acme/web", commit: "abcdef1", runId: "12", runAttempt: "1", images: [{ reference: `r.test/a:1@${D}`, digest: D }] });
});

test("each bad field is named", () => {
  assert.throws(() => parseRecordBody([]), /JSON object/);
  assert.throws(
    () => parseRecordBody({ provider: "github", repository: "x".repeat(600), commit: SHAish(), runId: "1", runUrl: "javascript:alert(1)", images: [{ reference: `r.test/a@sha256:${"e".repeat(64)}`, digest: D }] }),
    (e: Error) => /repository: longer than 512/.test(e.message) && /runUrl: invalid/.test(e.message) && /images\[0\]\.reference: names digest/.test(e.message),
  );
});

function SHAish(): string {
  return "0".repeat(40);
}

test("repository URLs and paths", () => {
  assert.equal(canonicalRepositoryUrl("https://GitHub.com/Acme/Web.git/"), "https://github.com/acme/web");
  assert.equal(canonicalRepositoryUrl("git@github.com:acme/web.git"), "https://github.com/acme/web");
  assert.equal(canonicalRepositoryUrl("https://org@dev.azure.com/org/proj/_git/repo"), "https://dev.azure.com/org/proj/repo");
  assert.equal(canonicalRepositoryUrl("acme/web"), undefined);
  assert.equal(canonicalRepositoryUrl("not a url"), undefined);
  assert.equal(bodyRepositoryUrl("acme/web", "github"), "https://github.com/acme/web");
  assert.equal(bodyRepositoryUrl("group/sub/proj", "gitlab"), "https://gitlab.com/group/sub/proj");
  assert.equal(bodyRepositoryUrl("https://gitlab.example.com/g/p", "gitlab"), "https://gitlab.example.com/g/p");
});

test("JWTs are told apart from API tokens", () => {
  assert.ok(looksLikeJwt("eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln"));
  assert.ok(!looksLikeJwt("berth_0123456789abcdef"));
});
