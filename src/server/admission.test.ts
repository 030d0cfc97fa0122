import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import {
  defaultAdmissionLimits,
  evaluateAdmission,
  evaluateImage,
  extractImages,
  parseAdmissionReview,
  reviewAdmission,
  splitImageRef,
  matchesGlob,
} from "./admission.js";
import type { AdmissionPolicy, ComplianceLookup, ImageCompliance } from "./admission.js";
import { BerthError } from "../util/errors.js";

const fixture = (name: string): string => readFileSync(fileURLToPath(new URL(`testdata/admission/${name}`, import.meta.url)), "utf8");

const clean: ImageCompliance = {
  digest: "sha256:aaaa",
  scanned: true,
  fixableBySeverity: { low: 3 },
  signed: true,
  provenanceRepositories: ["github.com/acme/web"],
  owner: "@acme/web-team",
};

const db: Record<string, ImageCompliance> = {
  "registry.acme.test/acme/web:1.4.2": clean,
  "registry.acme.test/acme/web-migrate@sha256:1111111111111111111111111111111111111111111111111111111111111111": { ...clean, owner: "@acme/db-team" },
  "docker.io/library/nginx:1.27": { ...clean, fixableBySeverity: { critical: 1, high: 2, medium: 5 }, provenanceRepositories: [], signed: false, owner: "@acme/platform" },
  "registry.acme.test/acme/api@sha256:2222222222222222222222222222222222222222222222222222222222222222": { ...clean, scanned: false, fixableBySeverity: {}, owner: "@acme/api-team" },
};

const calls: string[] = [];
const lookup: ComplianceLookup = async (ref) => {
  calls.push(ref);
  return db[ref];
};

const strict: AdmissionPolicy = {
  mode: "enforce",
  requireScanned: true,
  denyFixableAtOrAbove: "high",
  requireSignature: true,
  allowedSourceRepositories: ["github.com/acme/*"],
  allowedRegistries: ["registry.acme.test", "docker.io/library/*"],
};

test("parses a real Pod CREATE review and extracts init and regular container images", () => {
  const req = parseAdmissionReview(fixture("pod-create.json"));
  assert.equal(req.uid, "705ab4f5-6393-11e8-b7cc-42010a800002");
  assert.equal(req.operation, "CREATE");
  assert.equal(req.namespace, "shop");
  assert.deepEqual(req.kind, { group: "", version: "v1", kind: "Pod" });
  const images = extractImages(req.kind, req.object);
  assert.deepEqual(
    images.map((i) => `${i.kind}:${i.container}=${i.image}`),
    [
      "initContainer:migrate=registry.acme.test/acme/web-migrate@sha256:1111111111111111111111111111111111111111111111111111111111111111",
      "container:web=registry.acme.test/acme/web:1.4.2",
      "container:proxy=docker.io/library/nginx:1.27",
    ],
  );
});

test("allowed: a pod whose images all comply gets allowed=true with the uid echoed", async () => {
  const body = JSON.parse(fixture("pod-create.json")) as { request: { object: { spec: { containers: unknown[] } } } };
  body.request.object.spec.containers.pop(); // drop the nginx sidecar
  const res = await reviewAdmission(JSON.stringify(body), strict, lookup);
  assert.deepEqual(res, { apiVersion: "admission.k8s.io/v1", kind: "AdmissionReview", response: { uid: "705ab4f5-6393-11e8-b7cc-42010a800002", allowed: true } });
});

test("denied: fixable high/critical, unsigned, no provenance — message names image, rule and owner", async () => {
  const res = await reviewAdmission(fixture("pod-create.json"), strict, lookup);
  const r = res.response;
  assert.equal(r.uid, "705ab4f5-6393-11e8-b7cc-42010a800002");
  assert.equal(r.allowed, false);
  assert.equal(r.status?.code, 403);
  assert.equal(r.status?.reason, "Forbidden");
  const msg = r.status?.message ?? "";
  assert.match(msg, /^Berth denied Pod shop\/web-7d4b9c8f6-x2k9p: /);
  assert.match(msg, /image docker\.io\/library\/nginx:1\.27 \(container proxy\) breaks rule fixable-vulnerabilities: 3 fixable vulnerabilities at or above high \(critical: 1, high: 2\); owner: @acme\/platform/);
  assert.match(msg, /nginx:1\.27 \(container proxy\) breaks rule unsigned/);
  assert.match(msg, /nginx:1\.27 \(container proxy\) breaks rule provenance: image has no verified SLSA provenance \(allowed source repositories: github\.com\/acme\/\*\)/);
  assert.doesNotMatch(msg, /web:1\.4\.2/);
  const annotated = JSON.parse(r.auditAnnotations?.["berth-violations"] ?? "[]") as { rule: string }[];
  assert.deepEqual(annotated.map((a) => a.rule), ["fixable-vulnerabilities", "unsigned", "provenance"]);
  assert.equal(r.warnings, undefined);
});

test("denied: a Deployment's never-scanned image; a CronJob's image from a registry not allowed and unknown", async () => {
  const dep = await reviewAdmission(fixture("deployment-create.json"), strict, lookup);
  assert.equal(dep.response.allowed, false);
  assert.match(dep.response.status?.message ?? "", /Berth denied Deployment shop\/api: image registry\.acme\.test\/acme\/api@sha256:2{64} \(container api\) breaks rule not-scanned: image has not been scanned; owner: @acme\/api-team/);

  const cron = await reviewAdmission(fixture("cronjob-update.json"), strict, lookup);
  assert.equal(cron.response.uid, "9c1d2e3f-4a5b-4c6d-8e7f-0a1b2c3d4e5f");
  assert.equal(cron.response.allowed, false);
  const m = cron.response.status?.message ?? "";
  assert.match(m, /quay\.io\/evil\/miner:latest \(container report\) breaks rule registry: registry quay\.io is not allowed/);
  assert.match(m, /breaks rule not-scanned: image is unknown to Berth/);
  assert.match(m, /owner: unknown/);
});

test("audit mode: allowed=true with warnings and auditAnnotations", async () => {
  const res = await reviewAdmission(fixture("pod-create.json"), { ...strict, mode: "audit" }, lookup);
  const r = res.response;
  assert.equal(r.allowed, true);
  assert.equal(r.status, undefined);
  assert.deepEqual(r.warnings, [
    "berth audit: docker.io/library/nginx:1.27 breaks fixable-vulnerabilities (owner: @acme/platform)",
    "berth audit: docker.io/library/nginx:1.27 breaks unsigned (owner: @acme/platform)",
    "berth audit: docker.io/library/nginx:1.27 breaks provenance (owner: @acme/platform)",
  ]);
  assert.equal(r.auditAnnotations?.["berth-mode"], "audit");
  assert.ok(r.auditAnnotations?.["berth-violations"]?.includes("nginx"));
});

test("DELETE, exempt namespaces and status subresources are not gated", async () => {
  const del = await reviewAdmission(fixture("pod-delete.json"), strict, lookup);
  assert.deepEqual(del.response, { uid: "e911857d-c318-11e8-bbad-025000000001", allowed: true });
  const exempt = await reviewAdmission(fixture("pod-create.json"), { ...strict, exemptNamespaces: ["shop"] }, lookup);
  assert.equal(exempt.response.allowed, true);
  const status = JSON.parse(fixture("pod-create.json")) as { request: Record<string, unknown> };
  status.request["subResource"] = "status";
  status.request["operation"] = "UPDATE";
  assert.equal((await reviewAdmission(status, strict, lookup)).response.allowed, true);
});

test("each distinct image is looked up once; a failing lookup denies (fail closed)", async () => {
  const body = JSON.parse(fixture("deployment-create.json")) as { request: { object: { spec: { template: { spec: { containers: unknown[] } } } } } };
  const c = body.request.object.spec.template.spec.containers;
  c.push({ name: "api2", image: "registry.acme.test/acme/web:1.4.2" }, { name: "api3", image: "registry.acme.test/acme/web:1.4.2" });
  calls.length = 0;
  const d = await evaluateAdmission(parseAdmissionReview(body), strict, lookup);
  assert.equal(d.images.length, 3);
  assert.equal(calls.length, 2);
  const failing: ComplianceLookup = () => Promise.reject(new Error("database is locked"));
  const res = await reviewAdmission(fixture("deployment-create.json"), strict, failing);
  assert.equal(res.response.allowed, false);
  assert.match(res.response.status?.message ?? "", /breaks rule lookup-failed: compliance lookup failed: database is locked/);
});

test("unparseable or wrong-shaped bodies are refused with a clear error", async () => {
  const cases: [unknown, RegExp][] = [
    [fixture("truncated.json"), /AdmissionReview: body is not valid JSON/],
    ["[]", /body must be a JSON object/],
    [JSON.stringify({ apiVersion: "admission.k8s.io/v1beta1", kind: "AdmissionReview", request: {} }), /apiVersion must be "admission\.k8s\.io\/v1", got "admission\.k8s\.io\/v1beta1"/],
    [JSON.stringify({ apiVersion: "admission.k8s.io/v1", kind: "AdmissionReview" }), /request is missing/],
    [JSON.stringify({ apiVersion: "admission.k8s.io/v1", kind: "AdmissionReview", request: { uid: "", kind: { group: "", version: "v1", kind: "Pod" }, operation: "CREATE" } }), /request\.uid/],
    [JSON.stringify({ apiVersion: "admission.k8s.io/v1", kind: "AdmissionReview", request: { uid: "u", kind: { group: "", version: "v1", kind: "Pod" }, operation: "PATCH" } }), /request\.operation must be one of/],
  ];
  for (const [body, re] of cases) {
    await assert.rejects(reviewAdmission(body, strict, lookup), (e: unknown) => e instanceof BerthError && e.code === "input" && re.test(e.message));
  }
  // a valid review whose object is malformed: a denying response naming the problem
  const noImage = JSON.parse(fixture("pod-create.json")) as { request: { object: { spec: { containers: Record<string, unknown>[] } } } };
  delete noImage.request.object.spec.containers[0]!["image"];
  const r1 = await reviewAdmission(noImage, strict, lookup);
  assert.equal(r1.response.allowed, false);
  assert.equal(r1.response.status?.code, 400);
  assert.match(r1.response.status?.message ?? "", /object\.spec\.containers\[0\] \(web\) has no image/);
  const svc = JSON.parse(fixture("pod-create.json")) as { request: { kind: Record<string, string> } };
  svc.request.kind = { group: "", version: "v1", kind: "Service" };
  assert.match((await reviewAdmission(svc, strict, lookup)).response.status?.message ?? "", /kind v1\/Service is not gated \(supported: Pod, ReplicationController, apps\/Deployment/);
});

test("bounds: oversized body and too many containers", async () => {
  const limits = { ...defaultAdmissionLimits, maxBodyBytes: 1000, maxContainers: 4 };
  await assert.rejects(reviewAdmission(fixture("pod-create.json"), strict, lookup, limits), (e: unknown) => e instanceof BerthError && e.code === "limit" && /maxBodyBytes=1000/.test(e.message));
  const many = JSON.parse(fixture("pod-create.json")) as { request: { object: { spec: { containers: unknown[] } } } };
  many.request.object.spec.containers = Array.from({ length: 300 }, (_, i) => ({ name: `c${i}`, image: `registry.acme.test/acme/x:${i}` }));
  calls.length = 0;
  const r = await reviewAdmission(many, strict, lookup);
  assert.equal(r.response.allowed, false);
  assert.equal(r.response.status?.code, 413);
  assert.match(r.response.status?.message ?? "", /exceeds limit maxContainers=256/);
  assert.equal(calls.length, 0, "nothing looked up");
  const longRef = JSON.parse(fixture("pod-create.json")) as { request: { object: { spec: { containers: { image: string }[] } } } };
  longRef.request.object.spec.containers[0]!.image = `registry.acme.test/${"a".repeat(2000)}`;
  assert.match((await reviewAdmission(longRef, strict, lookup)).response.status?.message ?? "", /maxImageRefLength=1024/);
});

test("image references and globs", () => {
  assert.deepEqual(splitImageRef("nginx"), { registry: "docker.io", repository: "library/nginx" });
  assert.deepEqual(splitImageRef("acme/web:1"), { registry: "docker.io", repository: "acme/web" });
  assert.deepEqual(splitImageRef("localhost:5000/x/y:t@sha256:ab"), { registry: "localhost:5000", repository: "x/y" });
  assert.deepEqual(splitImageRef("ghcr.io/acme/web@sha256:ab"), { registry: "ghcr.io", repository: "acme/web" });
  assert.ok(matchesGlob("github.com/acme/web", "github.com/acme/*"));
  assert.ok(!matchesGlob("github.com/acme/web/sub", "github.com/acme/*"));
  assert.ok(matchesGlob("github.com/acme/web/sub", "github.com/acme/**"));
  assert.ok(!matchesGlob("github.com/acmex/web", "github.com/acme/*"));
});

test("evaluateImage: signature and provenance rules say what was found (unverified signatures, a repository not allowed)", () => {
  const policy: AdmissionPolicy = { mode: "enforce", requireScanned: true, requireSignature: true, allowedSourceRepositories: ["github.com/acme/*"] };
  const ref = "registry.acme.test/acme/web:1.4.2";
  assert.deepEqual(evaluateImage(ref, { ...clean, signed: false, unverifiedSignatures: 2, provenanceRepositories: ["github.com/evil/web"] }, policy), [
    { rule: "unsigned", detail: "image has no signature by a trusted key (2 signatures found, none verifies)" },
    { rule: "provenance", detail: "provenance names source repository github.com/evil/web, not an allowed one (github.com/acme/*)" },
  ]);
  assert.deepEqual(evaluateImage(ref, { ...clean, signed: false, provenanceRepositories: [] }, policy), [
    { rule: "unsigned", detail: "image has no signature by a trusted key (none found)" },
    { rule: "provenance", detail: "image has no verified SLSA provenance (allowed source repositories: github.com/acme/*)" },
  ]);
  // one allowed repository among several is enough; globs do not cross "/"
  assert.deepEqual(evaluateImage(ref, { ...clean, provenanceRepositories: ["github.com/evil/web", "github.com/acme/web"] }, policy), []);
  assert.equal(evaluateImage(ref, { ...clean, provenanceRepositories: ["github.com/acme/web/sub"] }, policy)[0]?.rule, "provenance");
  // rules off: nothing asked
  assert.deepEqual(evaluateImage(ref, { ...clean, signed: false, provenanceRepositories: [] }, { mode: "enforce", requireScanned: true }), []);
});
