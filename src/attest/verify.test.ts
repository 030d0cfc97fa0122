import { test } from "node:test";
import assert from "node:assert/strict";
import { parseReference } from "../image/registry/reference.js";
import type { AttestationEvidence, Evidence, SignatureEvidence } from "./evidence.js";
import { PredicateType, STATEMENT_V1 } from "./intoto.js";
import type { SubjectImage } from "./subject.js";
import { levelActions, type AttestationRequirement, type VerificationLevel } from "./trust-policy.js";
import { evaluate, requirementCheck } from "./verify.js";

const D = `sha256:${"1".repeat(64)}`;
const subject: SubjectImage = { ref: parseReference(`r.example/app:1`), name: "r.example/app", digest: D, mediaType: "application/vnd.oci.image.manifest.v1+json", size: 1, resolvedFromTag: "1" };
const KEY = `sha256:${"f".repeat(64)}`;

const goodSig: SignatureEvidence = { location: "referrer sha256:aa", layerDigest: "sha256:bb", verified: true, keyId: KEY, keySource: "k.pub", signedDigest: D };
const untrustedSig: SignatureEvidence = { location: "referrer sha256:cc", layerDigest: "sha256:dd", claimedKeyId: `sha256:${"e".repeat(64)}`, verified: false, problem: "not signed by a trusted key" };
const provenance = (repo: string): AttestationEvidence => ({
  location: "referrer sha256:ee",
  claimedKeyIds: [KEY],
  claimedKind: "slsa",
  verified: true,
  keyId: KEY,
  statement: {
    _type: STATEMENT_V1,
    subject: [{ digest: { sha256: "1".repeat(64) } }],
    predicateType: PredicateType.slsaProvenanceV1,
    predicate: { buildDefinition: { buildType: "https://x.example/t", externalParameters: {}, resolvedDependencies: [{ uri: `git+${repo}@refs/heads/main`, digest: { gitCommit: "abc" } }] }, runDetails: { builder: { id: "https://b.example/1" } } },
  },
});
const ev = (signatures: SignatureEvidence[], attestations: AttestationEvidence[] = []): Evidence => ({ source: "tag-schema", signatures, attestations, unreadable: [] });
const settings = (level: VerificationLevel, requirements: AttestationRequirement[] = []) => ({ policyName: "p", level, actions: levelActions[level], verifiers: [], requirements });

test("evaluate: a trusted signature over this digest passes; none, untrusted or another digest fail with reasons", () => {
  assert.equal(evaluate(subject, settings("strict"), ev([goodSig, untrustedSig])).passed, true);
  const none = evaluate(subject, settings("strict"), ev([]));
  assert.deepEqual(none.failures, [`no signature found for ${D} (tag 1 resolves to ${D})`]);
  const untrusted = evaluate(subject, settings("strict"), ev([untrustedSig]));
  assert.match(untrusted.failures[0]!, /^no signature by a trusted key \(tag 1 resolves to .*\): 1 signature found \(claiming key sha256:eeeeeeeeeeee\), none verifies with the trusted keys$/);
  const other = evaluate(subject, settings("strict"), ev([{ ...goodSig, signedDigest: `sha256:${"2".repeat(64)}`, problem: `it signs sha256:${"2".repeat(64)}, not this image (${D})` }]));
  assert.match(other.failures[0]!, /is by a trusted key but it signs sha256:2+, not this image/);
});

test("evaluate: levels decide what fails and what is logged", () => {
  const req: AttestationRequirement[] = [{ type: "slsa" }];
  const strict = evaluate(subject, settings("strict", req), ev([goodSig]));
  assert.deepEqual(strict.failures, ["required slsa attestation: none found"]);
  const permissive = evaluate(subject, settings("permissive", req), ev([goodSig]));
  assert.equal(permissive.passed, true);
  assert.deepEqual(permissive.warnings, ["required slsa attestation: none found (attestations is only logged at this level)"]);
  assert.equal(evaluate(subject, settings("permissive", req), ev([])).passed, false);
  const audit = evaluate(subject, settings("audit", req), ev([untrustedSig]));
  assert.equal(audit.passed, true);
  assert.equal(audit.warnings.length, 2);
  const skip = evaluate(subject, settings("skip", req), undefined);
  assert.equal(skip.passed, true);
  assert.deepEqual(skip.warnings, ['trust policy "p" skips verification']);
});

test("requirementCheck: SLSA source repository and builder constraints, and why a candidate did not count", () => {
  const ok = requirementCheck({ type: "slsa", sourceRepository: "https://github.com/example/app", builderId: "https://b.example/1" }, [provenance("https://github.com/example/app")]);
  assert.equal(ok.ok, true);
  const wrongRepo = requirementCheck({ type: "slsa", sourceRepository: "github.com/example/app" }, [provenance("https://github.com/evil/app")]);
  assert.equal(wrongRepo.reason, "required slsa from github.com/example/app attestation: referrer sha256:ee: provenance source is github.com/evil/app, the policy requires github.com/example/app");
  const wrongBuilder = requirementCheck({ type: "slsa", builderId: "https://b.example/2" }, [provenance("https://github.com/example/app")]);
  assert.match(wrongBuilder.reason!, /builder is https:\/\/b.example\/1, the policy requires https:\/\/b.example\/2/);
  const tampered = requirementCheck({ type: "slsa" }, [{ location: "referrer sha256:99", claimedKind: "slsa", claimedKeyIds: [], verified: false, problem: "envelope: no signature verifies with a trusted key (1 signature)" }]);
  assert.equal(tampered.reason, "required slsa attestation: referrer sha256:99: envelope: no signature verifies with a trusted key (1 signature)");
  const byType = requirementCheck({ type: "custom", predicateType: "https://example.com/p" }, [{ ...provenance("x"), statement: { ...provenance("x").statement!, predicateType: "https://example.com/p" } }]);
  assert.equal(byType.ok, true);
});
