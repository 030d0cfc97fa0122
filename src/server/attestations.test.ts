// The pure half of server/attestations.ts: evidence (as attest/evidence.ts collects it) → rows of
// the attestations table, what a SLSA provenance says about its source, the referrers-tag subject,
// and which keys count for an image under `--trust-key` plus a trust policy.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { AttestationEvidence, Evidence, SignatureEvidence } from "../attest/evidence.js";
import { generateKeyPair } from "../attest/keys.js";
import { buildProvenance } from "../attest/provenance.js";
import { loadServerTrust, provenanceSource, referrersTagSubject, rowsFromEvidence, verifiersFor } from "./attestations.js";

const D = `sha256:${"d".repeat(64)}`;
const KEY = `sha256:${"1".repeat(64)}`;
const OTHER = `sha256:${"2".repeat(64)}`;

const provenance = buildProvenance({
  ci: {
    platform: "github-actions",
    repository: "https://github.com/example/app",
    ref: "refs/heads/main",
    commit: "0f7c2b4a1e9d8c7b6a5f4e3d2c1b0a9f8e7d6c5b",
    runId: "9876543210",
    runUrl: "https://github.com/example/app/actions/runs/9876543210/attempts/1",
    builderId: "https://github.com/actions/runner/github-hosted",
    workflow: ".github/workflows/build.yml",
    details: {},
  },
  finishedOn: new Date("2026-11-01T10:00:00Z"),
  berthVersion: "0.0.0",
});

function sig(over: Partial<SignatureEvidence>): SignatureEvidence {
  return { location: "referrer sha256:aaa", layerDigest: `sha256:${"5".repeat(64)}`, verified: false, ...over };
}

function att(over: Partial<AttestationEvidence>): AttestationEvidence {
  return { location: "referrer sha256:bbb", layerDigest: `sha256:${"6".repeat(64)}`, claimedKeyIds: [KEY], verified: false, ...over };
}

const statement = (predicateType: string, predicate: Record<string, unknown>) => ({ _type: "https://in-toto.io/Statement/v1", subject: [{ name: "r/app", digest: { sha256: "d".repeat(64) } }], predicateType, predicate });

test("rows: a signature found as a referrer and under cosign's .sig tag is one verified row with both locations", () => {
  const ev: Evidence = {
    source: "tag-schema",
    signatures: [
      sig({ location: "referrer sha256:aaa", verified: true, keyId: KEY, keySource: "berth.pub", signedDigest: D, claimedKeyId: KEY }),
      sig({ location: `tag ${D.replace(":", "-")}.sig`, verified: true, keyId: KEY, keySource: "berth.pub", signedDigest: D }),
      sig({ layerDigest: `sha256:${"7".repeat(64)}`, location: "referrer sha256:ccc", claimedKeyId: OTHER, problem: "not signed by a trusted key" }),
    ],
    attestations: [],
    unreadable: [],
  };
  const { rows, truncated } = rowsFromEvidence(ev);
  assert.equal(truncated, false);
  assert.equal(rows.length, 2);
  const [good, bad] = rows;
  assert.equal(good?.kind, "signature");
  assert.equal(good?.verified, true);
  assert.equal(good?.signer, KEY);
  assert.deepEqual(good?.detail.locations, ["referrer sha256:aaa", `tag ${D.replace(":", "-")}.sig`]);
  assert.equal(bad?.verified, false);
  assert.equal(bad?.signer, OTHER, "an unverified signature names the key it claims");
  assert.equal(bad?.detail.problem, "not signed by a trusted key");
});

test("rows: a verified signature about another digest does not count", () => {
  const { rows } = rowsFromEvidence({ source: "referrers-api", signatures: [sig({ verified: true, keyId: KEY, signedDigest: OTHER, problem: `it signs ${OTHER}, not this image` })], attestations: [], unreadable: [] });
  assert.equal(rows[0]?.verified, false);
});

test("rows: verified SLSA provenance → kind provenance with its source repository, commit and run; SBOM → sbom; unverified → no repository", () => {
  const ev: Evidence = {
    source: "tag-schema",
    signatures: [],
    attestations: [
      att({ verified: true, keyId: KEY, statement: statement("https://slsa.dev/provenance/v1", provenance as unknown as Record<string, unknown>), claimedPredicateType: "https://slsa.dev/provenance/v1" }),
      att({ layerDigest: `sha256:${"8".repeat(64)}`, verified: true, keyId: KEY, statement: statement("https://cyclonedx.org/bom", { bomFormat: "CycloneDX" }) }),
      att({ layerDigest: `sha256:${"9".repeat(64)}`, claimedPredicateType: "https://slsa.dev/provenance/v1", claimedKeyIds: [OTHER], problem: "envelope: no signature by a trusted key" }),
    ],
    unreadable: ["referrer sha256:eee: manifest of r/app: exceeds limit maxManifestBytes=4194304"],
  };
  const { rows } = rowsFromEvidence(ev);
  const prov = rows.filter((r) => r.kind === "provenance");
  assert.equal(prov.length, 2);
  const ok = prov.find((r) => r.verified);
  assert.equal(ok?.sourceRepository, "github.com/example/app");
  assert.equal(ok?.predicateType, "https://slsa.dev/provenance/v1");
  assert.deepEqual(ok?.detail.source, {
    repository: "github.com/example/app",
    commit: "0f7c2b4a1e9d8c7b6a5f4e3d2c1b0a9f8e7d6c5b",
    invocationId: "https://github.com/example/app/actions/runs/9876543210/attempts/1",
    builderId: "https://github.com/actions/runner/github-hosted",
  });
  const forged = prov.find((r) => !r.verified);
  assert.equal(forged?.sourceRepository, undefined, "an unverified provenance names no repository");
  assert.equal(forged?.signer, OTHER);
  assert.equal(rows.find((r) => r.kind === "sbom")?.verified, true);
  const unreadable = rows.find((r) => r.kind === "unreadable");
  assert.equal(unreadable?.digest, "sha256:eee");
  assert.match(String(unreadable?.detail.problem), /maxManifestBytes/);
});

test("rows: capped at maxReferrers, saying so", () => {
  const many = Array.from({ length: 5 }, (_, i) => sig({ layerDigest: `sha256:${String(i).repeat(64)}` }));
  const { rows, truncated } = rowsFromEvidence({ source: "tag-schema", signatures: many, attestations: [], unreadable: [] }, { maxReferrers: 3 });
  assert.equal(rows.length, 3);
  assert.equal(truncated, true);
});

test("provenanceSource reads SLSA v0.2 materials and buildInvocationId", () => {
  const v02 = {
    builder: { id: "https://github.com/slsa-framework/slsa-github-generator/.github/workflows/generator_container_slsa3.yml@refs/tags/v1.9.0" },
    buildType: "https://github.com/slsa-framework/slsa-github-generator/container@v1",
    invocation: { configSource: { uri: "git+https://github.com/acme/web@refs/heads/main", digest: { sha1: "ABCDEF1234567" }, entryPoint: ".github/workflows/build.yml" } },
    metadata: { buildInvocationId: "https://github.com/acme/web/actions/runs/42/attempts/1" },
    materials: [{ uri: "git+https://github.com/acme/web@refs/heads/main", digest: { sha1: "abcdef1234567" } }],
  };
  assert.deepEqual(provenanceSource(v02), {
    repository: "github.com/acme/web",
    commit: "abcdef1234567",
    invocationId: "https://github.com/acme/web/actions/runs/42/attempts/1",
    builderId: v02.builder.id,
  });
  assert.equal(provenanceSource({ buildDefinition: { buildType: "x:y", externalParameters: {} }, runDetails: { builder: { id: "x:b" } } }), undefined);
});

test("referrersTagSubject: the referrers tag schema and cosign's tags name their subject", () => {
  const hex = "ab".repeat(32);
  assert.equal(referrersTagSubject(`sha256-${hex}`), `sha256:${hex}`);
  assert.equal(referrersTagSubject(`sha256-${hex}.sig`), `sha256:${hex}`);
  assert.equal(referrersTagSubject(`sha256-${hex}.att`), `sha256:${hex}`);
  assert.equal(referrersTagSubject("latest"), undefined);
  assert.equal(referrersTagSubject(`sha256-${hex}.sbom`), undefined);
  assert.equal(referrersTagSubject(undefined), undefined);
});

test("verifiersFor: --trust-key keys count everywhere; a policy's keys only in its scopes; skip scopes add none", async () => {
  const dir = await mkdtemp(join(tmpdir(), "berth-trust-"));
  try {
    const a = generateKeyPair("ecdsa-p256", "pw");
    const b = generateKeyPair("ed25519", "pw");
    await writeFile(join(dir, "a.pub"), a.publicKeyPem);
    await writeFile(join(dir, "b.pub"), b.publicKeyPem);
    const policy = {
      version: "1.0",
      keyStores: { team: ["b.pub"] },
      trustPolicies: [
        { name: "team", registryScopes: ["registry.acme.test/team/app"], signatureVerification: { level: "strict" }, trustStores: ["key:team"], trustedIdentities: ["*"] },
        { name: "rest", registryScopes: ["*"], signatureVerification: { level: "skip" } },
      ],
    };
    const trust = await loadServerTrust([join(dir, "a.pub")], { path: join(dir, "policy.json"), bytes: Buffer.from(JSON.stringify(policy)) });
    const team = verifiersFor(trust, "registry.acme.test/team/app");
    assert.equal(team.policy, "team");
    assert.deepEqual(team.verifiers.map((v) => v.algorithm).sort(), ["ecdsa-p256", "ed25519"]);
    const other = verifiersFor(trust, "registry.acme.test/other");
    assert.equal(other.policy, "rest");
    assert.deepEqual(other.verifiers.map((v) => v.algorithm), ["ecdsa-p256"]);
    await assert.rejects(loadServerTrust([join(dir, "missing.pub")]), /cannot read key/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
