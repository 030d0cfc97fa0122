// The acceptance round trip on a real registry (Distribution 2.8: no referrers API, so the
// referrers tag schema is what is exercised): build → push (skopeo) → berth sign → berth attest
// slsa + sbom → discover → verify; then a moved tag, an untrusted key, tampered and mislabelled
// envelopes, an oversized referrers index and a wrong passphrase must each fail clearly.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { startRegistry, type TestRegistry } from "../../test/support/registry.js";
import { buildTinyImage, pushTinyImage, tinyLayout, tool } from "../../test/support/tiny-image.js";
import { runAttestCli } from "../../test/support/attest-cli.js";
import { dsse as sigstoreDsse } from "@sigstore/core";
import { signEnvelope } from "../attest/dsse.js";
import { pemSigner } from "../attest/signer.js";

const here = dirname(fileURLToPath(import.meta.url));
const fixture = (f: string): string => join(here, "testdata", "attest", f);
const PW = { BERTH_PASSWORD: "s3cret pass" };

let reg: TestRegistry;
let layout: { dir: string; cleanup(): Promise<void> };
let work: string;
let d1: string; // app:1 as built first
let d2: string; // a different image (app:other, later app:1)
let img: string; // host/app

async function skopeoRaw(ref: string): Promise<Record<string, unknown>> {
  return JSON.parse(await tool("skopeo", ["inspect", "--raw", "--tls-verify=false", `docker://${ref}`], { env: { ...process.env, HOME: work } })) as Record<string, unknown>;
}

const cli = (args: string[], env: NodeJS.ProcessEnv = {}) => runAttestCli(args, { ...PW, ...env });

before(async () => {
  reg = await startRegistry();
  layout = await tinyLayout();
  work = await mkdtemp(join(tmpdir(), "berth-verify-"));
  await buildTinyImage(layout.dir, { tag: "v1", layers: [{ "app/hello": "v1\n" }] });
  await buildTinyImage(layout.dir, { tag: "v2", layers: [{ "app/hello": "v2\n" }] });
  img = `${reg.host}/app`;
  d1 = await pushTinyImage(layout.dir, "v1", `${img}:1`);
  d2 = await pushTinyImage(layout.dir, "v2", `${img}:other`);
  for (const [prefix, alg] of [["berth", "ecdsa-p256"], ["evil", "ed25519"]] as const) {
    const r = await cli(["key", "generate", "--algorithm", alg, "--output-prefix", join(work, prefix)]);
    assert.equal(r.code, 0, r.stderr);
  }
});

after(async () => {
  await reg?.stop();
  await layout?.cleanup();
  if (work) await rm(work, { recursive: true, force: true });
});

test("sign a tag: resolved to the digest first, stored as a referrer (tag schema) and in cosign's .sig tag; skopeo reads it back", async () => {
  const r = await cli(["sign", `${img}:1`, "--key", join(work, "berth.key"), "--tag-scheme", "cosign", "--insecure"]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, new RegExp(`resolved tag 1 to ${img}@${d1}`));
  const sigDigest = r.stdout.trim().split("@")[1]!;
  const sig = await skopeoRaw(`${img}@${sigDigest}`);
  assert.equal(sig.artifactType, "application/vnd.dev.cosign.artifact.sig.v1+json");
  assert.deepEqual((sig.config as Record<string, unknown>).mediaType, "application/vnd.oci.empty.v1+json");
  assert.equal((sig.subject as Record<string, unknown>).digest, d1);
  const layer = (sig.layers as Record<string, unknown>[])[0]!;
  assert.equal(layer.mediaType, "application/vnd.dev.cosign.simplesigning.v1+json");
  assert.match(String((layer.annotations as Record<string, string>)["dev.cosignproject.cosign/signature"]), /^[A-Za-z0-9+/]+=*$/);
  // the referrers tag schema index, as the distribution spec defines it
  const index = await skopeoRaw(`${img}:${d1.replace(":", "-")}`);
  assert.equal(index.mediaType, "application/vnd.oci.image.index.v1+json");
  assert.deepEqual(
    (index.manifests as Record<string, unknown>[]).map((m) => [m.digest, m.artifactType]),
    [[sigDigest, "application/vnd.dev.cosign.artifact.sig.v1+json"]],
  );
  // cosign's legacy tag: one simple signing layer with the signature annotation
  const legacy = await skopeoRaw(`${img}:${d1.replace(":", "-")}.sig`);
  assert.equal((legacy.layers as Record<string, unknown>[])[0]!.digest, layer.digest);
  // the signed payload: cosign's simple signing format over the manifest digest
  const payload = (await (await fetch(`${reg.url}/v2/app/blobs/${String(layer.digest)}`)).json()) as { critical: Record<string, Record<string, string> | string> };
  assert.deepEqual(payload.critical, { identity: { "docker-reference": img }, image: { "docker-manifest-digest": d1 }, type: "cosign container image signature" });
});

test("attest slsa (provenance from the CI environment) and sbom; discover lists signature and both attestations", async () => {
  const prov = await runAttestCli(["provenance"], JSON.parse(await readFile(fixture("github.env.json"), "utf8")) as NodeJS.ProcessEnv);
  assert.equal(prov.code, 0, prov.stderr);
  await writeFile(join(work, "provenance.json"), prov.stdout);
  const slsa = await cli(["attest", `${img}@${d1}`, "--key", join(work, "berth.key"), "--type", "slsa", "--predicate", join(work, "provenance.json"), "--insecure"]);
  assert.equal(slsa.code, 0, slsa.stderr);
  const sbom = await cli(["attest", `${img}@${d1}`, "--key", join(work, "berth.key"), "--type", "sbom", "--predicate", fixture("sbom.cdx.json"), "--insecure"]);
  assert.equal(sbom.code, 0, sbom.stderr);
  const att = await skopeoRaw(`${img}@${slsa.stdout.trim().split("@")[1]!}`);
  assert.equal(att.artifactType, "application/vnd.dsse.envelope.v1+json");
  assert.equal((att.annotations as Record<string, string>)["in-toto.io/predicate-type"], "https://slsa.dev/provenance/v1");

  const tree = await cli(["discover", `${img}:1`, "--insecure", "--key", join(work, "berth.pub")]);
  assert.equal(tree.code, 0, tree.stderr);
  assert.match(tree.stdout, new RegExp(`^${img}@${d1}  \\(tag 1\\)`));
  assert.match(tree.stdout, /application\/vnd\.dev\.cosign\.artifact\.sig\.v1\+json\n.*sha256:[a-f0-9]{64} signed by sha256:[a-f0-9]{12} ✓/);
  assert.match(tree.stdout, /application\/vnd\.dsse\.envelope\.v1\+json\n(.*\n)*.*\[https:\/\/slsa\.dev\/provenance\/v1\] signed by sha256:[a-f0-9]{12} ✓/);
  assert.match(tree.stdout, /\[https:\/\/cyclonedx\.org\/bom\] signed by/);
  assert.match(tree.stdout, /cosign tag sha256-[a-f0-9]{64}\.sig/);
  const json = JSON.parse((await cli(["discover", `${img}@${d1}`, "--insecure", "--format", "json"])).stdout) as { source: string; referrers: { artifactType: string }[] };
  assert.equal(json.source, "tag-schema");
  assert.deepEqual(json.referrers.map((r) => r.artifactType).sort(), ["application/vnd.dev.cosign.artifact.sig.v1+json", "application/vnd.dsse.envelope.v1+json", "application/vnd.dsse.envelope.v1+json"]);
});

test("verify passes with the key (simple mode) and with a trust policy requiring SLSA provenance from the repository", async () => {
  const simple = await cli(["verify", `${img}:1`, "--insecure", "--key", join(work, "berth.pub"), "--require-attestation", "slsa", "--source-repository", "https://github.com/example/app", "--require-attestation", "sbom"]);
  assert.equal(simple.code, 0, simple.stderr + simple.stdout);
  assert.match(simple.stdout, /: verified — trusted keys from --key, level strict, referrers via tag-schema/);
  assert.match(simple.stdout, /✓ signature: referrer sha256:/);
  assert.match(simple.stdout, /✓ slsa attestation: referrer sha256:/);
  assert.match(simple.stdout, /✓ sbom attestation: referrer sha256:/);

  const policy = {
    version: "1.0",
    keyStores: { release: ["berth.pub"] },
    trustPolicies: [
      { name: "app", registryScopes: [img], signatureVerification: { level: "strict" }, trustStores: ["key:release"], trustedIdentities: ["*"], requiredAttestations: [{ type: "slsa", sourceRepository: "github.com/example/app", builderId: "https://github.com/actions/runner/github-hosted" }] },
      { name: "wrong-repo", registryScopes: [`${reg.host}/strict-elsewhere`], signatureVerification: { level: "strict" }, trustStores: ["key:release"], trustedIdentities: ["*"], requiredAttestations: [{ type: "slsa", sourceRepository: "github.com/example/other" }] },
    ],
  };
  await writeFile(join(work, "trustpolicy.json"), JSON.stringify(policy));
  const byPolicy = await cli(["verify", `${img}@${d1}`, "--insecure", "--policy", join(work, "trustpolicy.json"), "--format", "json"]);
  assert.equal(byPolicy.code, 0, byPolicy.stderr + byPolicy.stdout);
  const report = JSON.parse(byPolicy.stdout) as { passed: boolean; policy: string; requirements: { ok: boolean }[] };
  assert.equal(report.passed, true);
  assert.equal(report.policy, "app");
  assert.deepEqual(report.requirements.map((q) => q.ok), [true]);
  // a repository no policy scopes (and no "*" policy): fails, naming why
  await pushTinyImage(layout.dir, "v1", `${reg.host}/unlisted:1`);
  const unscoped = await cli(["verify", `${reg.host}/unlisted@${d1}`, "--insecure", "--policy", join(work, "trustpolicy.json")]);
  assert.equal(unscoped.code, 1, unscoped.stderr);
  assert.match(unscoped.stderr, new RegExp(`berth: no trust policy in .*trustpolicy.json applies to ${reg.host}/unlisted \\(add its registry scope, or a "\\*" policy\\)`));
  // provenance from another repository: fails
  const wrong = await cli(["verify", `${img}@${d1}`, "--insecure", "--key", join(work, "berth.pub"), "--require-attestation", "slsa", "--source-repository", "https://github.com/example/other"]);
  assert.equal(wrong.code, 1);
  assert.match(wrong.stdout, /✗ required slsa from https:\/\/github.com\/example\/other attestation: referrer sha256:[a-f0-9]+: provenance source is github.com\/example\/app, the policy requires github.com\/example\/other/);
});

test("after the tag moves to a different image, verify of the tag fails", async () => {
  await pushTinyImage(layout.dir, "v2", `${img}:1`);
  const r = await cli(["verify", `${img}:1`, "--insecure", "--key", join(work, "berth.pub")]);
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, new RegExp(`resolved tag 1 to ${img}@${d2}`));
  assert.match(r.stdout, new RegExp(`✗ no signature found for ${d2} \\(tag 1 resolves to ${d2}\\)`));
  assert.match(r.stderr, /berth: verification failed: no signature found/);
  // the digest that was signed still verifies
  assert.equal((await cli(["verify", `${img}@${d1}`, "--insecure", "--key", join(work, "berth.pub")])).code, 0);
});

test("a signature by an untrusted key fails", async () => {
  const s = await cli(["sign", `${img}@${d2}`, "--key", join(work, "evil.key"), "--insecure"]);
  assert.equal(s.code, 0, s.stderr);
  const r = await cli(["verify", `${img}@${d2}`, "--insecure", "--key", join(work, "berth.pub")]);
  assert.equal(r.code, 1);
  assert.match(r.stdout, /✗ no signature by a trusted key: 1 signature found \(claiming key sha256:[a-f0-9]{12}\), none verifies with the trusted keys/);
  assert.equal((await cli(["verify", `${img}@${d2}`, "--insecure", "--key", join(work, "evil.pub")])).code, 0);
});

test("tampered, replayed and mislabelled envelopes fail, each with its reason", async () => {
  // the trusted key signs d2 so only the attestations are in question
  assert.equal((await cli(["sign", `${img}@${d2}`, "--key", join(work, "berth.key"), "--insecure"])).code, 0);
  const pulled = await cli(["pull-attestation", `${img}@${d1}`, "--insecure", "--type", "slsa", "--key", join(work, "berth.pub")]);
  assert.equal(pulled.code, 0, pulled.stderr);
  const env = JSON.parse(pulled.stdout.trim()) as { payloadType: string; payload: string; signatures: { keyid: string; sig: string }[] };
  const statement = JSON.parse(Buffer.from(env.payload, "base64").toString()) as { subject: { digest: { sha256: string } }[] };
  // the envelope as stored in the registry verifies independently: @sigstore/core's PAE, openssl's ECDSA
  await writeFile(join(work, "pae.bin"), sigstoreDsse.preAuthEncoding(env.payloadType, Buffer.from(env.payload, "base64")));
  await writeFile(join(work, "sig.bin"), Buffer.from(env.signatures[0]!.sig, "base64"));
  assert.match(await tool("openssl", ["dgst", "-sha256", "-verify", join(work, "berth.pub"), "-signature", join(work, "sig.bin"), join(work, "pae.bin")]), /Verified OK/);
  const attachEnvelope = async (name: string, envelope: object): Promise<void> => {
    await writeFile(join(work, name), JSON.stringify(envelope));
    const a = await cli(["attach", `${img}@${d2}`, "--insecure", "--artifact-type", "application/vnd.dsse.envelope.v1+json", "-a", "in-toto.io/predicate-type=https://slsa.dev/provenance/v1", `${join(work, name)}:application/vnd.dsse.envelope.v1+json`]);
    assert.equal(a.code, 0, a.stderr);
  };
  const verifySlsa = () => cli(["verify", `${img}@${d2}`, "--insecure", "--key", join(work, "berth.pub"), "--require-attestation", "slsa"]);

  // 1. replayed: d1's genuine envelope attached to d2 — signature valid, statement about d1
  await attachEnvelope("replayed.json", env);
  let r = await verifySlsa();
  assert.equal(r.code, 1);
  assert.match(r.stdout, new RegExp(`its statement is about sha256:${d1.slice(7)}, not this image \\(${d2}\\)`));

  // 2. tampered: the statement re-pointed at d2, the old signature kept
  statement.subject[0]!.digest.sha256 = d2.slice(7);
  await attachEnvelope("tampered.json", { ...env, payload: Buffer.from(JSON.stringify(statement)).toString("base64") });
  r = await verifySlsa();
  assert.equal(r.code, 1);
  assert.match(r.stdout, /envelope: no signature verifies with a trusted key \(1 signature by sha256:[a-f0-9]{64}\)/);

  // 3. a wrong payload type, correctly signed by the trusted key
  const signer = pemSigner(await readFile(join(work, "berth.key"), "utf8"), PW.BERTH_PASSWORD, "berth.key");
  await attachEnvelope("wrongtype.json", await signEnvelope("application/json", Buffer.from(JSON.stringify(statement)), signer));
  r = await verifySlsa();
  assert.equal(r.code, 1);
  assert.match(r.stdout, /envelope: payloadType is "application\/json", expected "application\/vnd.in-toto\+json"/);

  // 4. garbage in the envelope layer
  await attachEnvelope("garbage.json", { hello: "world" });
  r = await verifySlsa();
  assert.match(r.stdout, /invalid DSSE envelope: payloadType is missing; payload is missing; signatures is missing or empty/);
  // and the image's signature still verifies without the attestation requirement
  assert.equal((await cli(["verify", `${img}@${d2}`, "--insecure", "--key", join(work, "berth.pub")])).code, 0);
});

test("an oversized referrers index and a wrong passphrase are clear input errors", async () => {
  // 1001 entries, all naming one manifest the repository has, so the registry accepts the index
  const d3 = await pushTinyImage(layout.dir, "v1", `${reg.host}/big:1`);
  const raw = await tool("skopeo", ["inspect", "--raw", "--tls-verify=false", `docker://${reg.host}/big@${d3}`], { env: { ...process.env, HOME: work } });
  const entry = { mediaType: "application/vnd.oci.image.manifest.v1+json", digest: d3, size: Buffer.byteLength(raw), artifactType: "application/example" };
  const big = { schemaVersion: 2, mediaType: "application/vnd.oci.image.index.v1+json", manifests: Array.from({ length: 1001 }, () => entry) };
  const res = await fetch(`${reg.url}/v2/big/manifests/${d3.replace(":", "-")}`, { method: "PUT", headers: { "content-type": "application/vnd.oci.image.index.v1+json" }, body: JSON.stringify(big) });
  assert.equal(res.status, 201, await res.text());
  const r = await cli(["verify", `${reg.host}/big@${d3}`, "--insecure", "--key", join(work, "berth.pub")]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /berth: referrers index big:sha256-[a-f0-9]{64}: 1001 referrers: exceeds limit maxReferrers=1000/);

  const bad = await cli(["sign", `${img}@${d1}`, "--key", join(work, "berth.key"), "--insecure"], { BERTH_PASSWORD: "wrong" });
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /berth: .*berth.key: cannot decrypt the private key: wrong passphrase \(BERTH_PASSWORD\)\?/);
});
