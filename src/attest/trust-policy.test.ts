import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generateKeyPair } from "./keys.js";
import { parseTrustPolicy, policyFor, scopeName, trustedVerifiers } from "./trust-policy.js";

const doc = (o: unknown): Uint8Array => Buffer.from(JSON.stringify(o));

const good = {
  version: "1.0",
  keyStores: { release: ["keys/release.pub"] },
  trustPolicies: [
    {
      name: "production",
      registryScopes: ["registry.example.com/team/app", "registry.example.com:5000/team/api"],
      signatureVerification: { level: "strict" },
      trustStores: ["key:release"],
      trustedIdentities: ["*"],
      requiredAttestations: [{ type: "slsa", sourceRepository: "https://github.com/example/app" }, { type: "sbom" }],
    },
    { name: "staging", registryScopes: ["registry.example.com/team/staging"], signatureVerification: { level: "permissive", override: { attestations: "enforce", revocation: "log" } }, trustStores: ["key:release"], trustedIdentities: ["*"] },
    { name: "everything-else", registryScopes: ["*"], signatureVerification: { level: "skip" } },
  ],
  baseImages: { allowedRegistries: ["registry.example.com/base"] },
};

test("parseTrustPolicy: the Notation shape with key stores, levels, overrides and requirements", () => {
  const p = parseTrustPolicy(doc(good), "/etc/berth/trustpolicy.json");
  assert.deepEqual(p.keyStores, { release: ["/etc/berth/keys/release.pub"] });
  assert.deepEqual(p.baseImages, { allowedRegistries: ["registry.example.com/base"] });
  const [prod, staging, rest] = p.trustPolicies;
  assert.deepEqual(prod!.actions, { authenticity: "enforce", attestations: "enforce" });
  assert.deepEqual(prod!.requiredAttestations, [{ type: "slsa", sourceRepository: "https://github.com/example/app" }, { type: "sbom" }]);
  assert.deepEqual(staging!.actions, { authenticity: "enforce", attestations: "enforce" });
  assert.equal(rest!.level, "skip");
  assert.equal(policyFor(p, "registry.example.com/team/app")?.name, "production");
  assert.equal(policyFor(p, "registry.example.com:5000/team/api")?.name, "production");
  assert.equal(policyFor(p, "registry.example.com/team/app2")?.name, "everything-else");
  assert.equal(policyFor({ ...p, trustPolicies: [prod!] }, "docker.io/library/alpine"), undefined);
});

test("parseTrustPolicy: every problem is named at once", () => {
  const bad = {
    version: "2",
    extra: 1,
    trustPolicies: [
      { name: "a", registryScopes: ["*", "registry.example.com/x"], signatureVerification: { level: "lenient" }, trustStores: ["ca:acme"], trustedIdentities: ["x509.subject: CN=x"] },
      { name: "a", registryScopes: ["registry.example.com/x:1.0"], signatureVerification: { level: "skip", override: {} }, trustStores: ["key:k"] },
      { name: "b", registryScopes: ["app"], signatureVerification: { level: "strict", override: { integrity: "log", bogus: "log" } }, trustStores: [], trustedIdentities: [], requiredAttestations: [{ type: "sbom", sourceRepository: "x" }, { type: "nope" }] },
    ],
  };
  let msg = "";
  try {
    parseTrustPolicy(doc(bad), "tp.json");
  } catch (e) {
    msg = (e as Error).message;
  }
  for (const want of [
    /^tp.json: invalid trust policy: /,
    /document: unknown field "extra"/,
    /version must be "1.0"/,
    /trust policy "a": the wildcard scope "\*" must be the only scope of its policy/,
    /signatureVerification.level must be one of strict, permissive, audit, skip/,
    /trust store "ca:acme": X.509 trust stores are not supported yet/,
    /trusted identity "x509.subject: CN=x" must be "\*" or "keyid:sha256:<64 hex>"/,
    /registry scope "registry.example.com\/x:1.0" is not "\*" or host\/repository/,
    /level "skip" takes no override/,
    /level "skip" takes no trustStores or trustedIdentities/,
    /registry scope "app" is not/,
    /integrity cannot be overridden/,
    /override: unknown check "bogus"/,
    /trustStores must name at least one store/,
    /requiredAttestations\[0\]: sourceRepository and builderId apply to type "slsa" only/,
    /requiredAttestations\[1\].type must be one of slsa, sbom, vuln, custom/,
    /trust policy name "a" is used twice/,
  ])
    assert.match(msg, want);
  assert.throws(() => parseTrustPolicy(Buffer.from("{"), "tp.json"), /tp.json: not valid JSON/);
  assert.throws(() => parseTrustPolicy(doc({ version: "1.0", trustPolicies: [{ name: "x", registryScopes: ["r.io/a"], signatureVerification: { level: "audit" }, trustStores: ["key:k"], trustedIdentities: ["*"] }, { name: "y", registryScopes: ["r.io/a"], signatureVerification: { level: "skip" } }] }), "tp.json"), /registry scope "r.io\/a" appears in both "x" and "y"/);
});

test("scopeName: host/repository only", () => {
  assert.equal(scopeName("registry.example.com/team/app"), "registry.example.com/team/app");
  assert.equal(scopeName("localhost:5000/app"), "localhost:5000/app");
  assert.equal(scopeName("docker.io/library/alpine"), "docker.io/library/alpine");
  for (const bad of ["alpine", "team/app", "r.io/app:1", "r.io/app@sha256:" + "a".repeat(64), "R.io/App"]) assert.equal(scopeName(bad), undefined, bad);
});

test("trustedVerifiers: keyStores entries or the truststore/key/<name>/ directory; identities narrow them", async () => {
  const dir = await mkdtemp(join(tmpdir(), "berth-tp-"));
  try {
    const a = generateKeyPair("ecdsa-p256", "x");
    const b = generateKeyPair("ed25519", "x");
    await mkdir(join(dir, "truststore", "key", "team"), { recursive: true });
    await writeFile(join(dir, "truststore", "key", "team", "a.pub"), a.publicKeyPem);
    await writeFile(join(dir, "truststore", "key", "team", "b.pub"), b.publicKeyPem);
    await writeFile(join(dir, "truststore", "key", "team", "README"), "not a key");
    const base = { name: "p", registryScopes: ["*"], signatureVerification: { level: "strict" }, trustStores: ["key:team"] };
    const all = parseTrustPolicy(doc({ version: "1.0", trustPolicies: [{ ...base, trustedIdentities: ["*"] }] }), join(dir, "tp.json"));
    assert.deepEqual((await trustedVerifiers(all, all.trustPolicies[0]!)).map((v) => v.keyId), [a.keyId, b.keyId]);
    const one = parseTrustPolicy(doc({ version: "1.0", trustPolicies: [{ ...base, trustedIdentities: [`keyid:${b.keyId}`] }] }), join(dir, "tp.json"));
    assert.deepEqual((await trustedVerifiers(one, one.trustPolicies[0]!)).map((v) => v.keyId), [b.keyId]);
    const empty = parseTrustPolicy(doc({ version: "1.0", trustPolicies: [{ ...base, trustStores: ["key:none"], trustedIdentities: ["*"] }] }), join(dir, "tp.json"));
    await assert.rejects(trustedVerifiers(empty, empty.trustPolicies[0]!), /trust store "key:none" has no keys/);
    await writeFile(join(dir, "priv.pem"), a.privateKeyPem);
    const wrong = parseTrustPolicy(doc({ version: "1.0", keyStores: { k: ["priv.pem"] }, trustPolicies: [{ ...base, trustStores: ["key:k"], trustedIdentities: ["*"] }] }), join(dir, "tp.json"));
    await assert.rejects(trustedVerifiers(wrong, wrong.trustPolicies[0]!), /trust store "key:k": .*priv.pem: this is a private key/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
