// The referrers API path: the same registry behind a test double that adds the OCI 1.1 referrers
// API (test/support/referrers-proxy.ts says why it is a double). Attach, sign, attest, provenance,
// discover (with pagination, filters and nested referrers), pull-attestation and verify.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { startRegistry, type TestRegistry } from "../../test/support/registry.js";
import { startReferrersProxy, type ReferrersProxy } from "../../test/support/referrers-proxy.js";
import { buildTinyImage, pushTinyImage, tinyLayout } from "../../test/support/tiny-image.js";
import { runAttestCli } from "../../test/support/attest-cli.js";
import { parseFileArg } from "./attach.js";

const here = dirname(fileURLToPath(import.meta.url));
const fixture = (f: string): string => join(here, "testdata", "attest", f);
const PW = { BERTH_PASSWORD: "pw" };

let reg: TestRegistry;
let proxy: ReferrersProxy;
let layout: { dir: string; cleanup(): Promise<void> };
let work: string;
let digest: string;
let img: string;

const cli = (args: string[], env: NodeJS.ProcessEnv = {}) => runAttestCli(args, { ...PW, ...env });

before(async () => {
  reg = await startRegistry();
  proxy = await startReferrersProxy(reg.url, { pageSize: 2 });
  layout = await tinyLayout();
  work = await mkdtemp(join(tmpdir(), "berth-attach-"));
  await buildTinyImage(layout.dir, { tag: "v1" });
  digest = await pushTinyImage(layout.dir, "v1", `${reg.host}/app:1`);
  img = `${proxy.host}/app`;
  const k = await cli(["key", "generate", "--output-prefix", join(work, "berth")]);
  assert.equal(k.code, 0, k.stderr);
});

after(async () => {
  await proxy?.stop();
  await reg?.stop();
  await layout?.cleanup();
  if (work) await rm(work, { recursive: true, force: true });
});

test("parseFileArg: FILE[:MEDIA_TYPE]", () => {
  assert.deepEqual(parseFileArg("sbom.json:application/spdx+json"), { path: "sbom.json", mediaType: "application/spdx+json" });
  assert.deepEqual(parseFileArg("C:notes.txt"), { path: "C:notes.txt", mediaType: "application/octet-stream" });
  assert.deepEqual(parseFileArg("plain.bin"), { path: "plain.bin", mediaType: "application/octet-stream" });
});

test("attach, sign and attest go through the referrers API: no tag-schema index is written", async () => {
  const a = await cli(["attach", `${img}:1`, "--insecure", "--artifact-type", "application/spdx+json", "-a", "org.example/team=platform", `${fixture("sbom.spdx.json")}:application/spdx+json`]);
  assert.equal(a.code, 0, a.stderr);
  assert.match(a.stderr, /attached 1 file to .*: sha256:[a-f0-9]{64} \(referrers API\)/);
  const s = await cli(["sign", `${img}@${digest}`, "--key", join(work, "berth.key"), "--insecure"]);
  assert.equal(s.code, 0, s.stderr);
  assert.match(s.stderr, /\(referrers API\)/);
  const p = await cli(["provenance", `${img}@${digest}`, "--key", join(work, "berth.key"), "--insecure"], JSON.parse(await readFile(fixture("github.env.json"), "utf8")) as NodeJS.ProcessEnv);
  assert.equal(p.code, 0, p.stderr);
  assert.match(p.stderr, /attested SLSA provenance/);
  const res = await fetch(`${reg.url}/v2/app/manifests/${digest.replace(":", "-")}`, { headers: { accept: "application/vnd.oci.image.index.v1+json" } });
  assert.equal(res.status, 404);
  // with an image and no key: the statement about the image's digest
  const st = await cli(["provenance", `${img}:1`, "--insecure"], { GITLAB_CI: "true", CI_PROJECT_URL: "https://gitlab.example.com/platform/app", CI_COMMIT_SHA: "abc", CI_PIPELINE_ID: "7" });
  assert.equal(st.code, 0, st.stderr);
  const statement = JSON.parse(st.stdout) as { subject: { digest: { sha256: string } }[]; predicateType: string; predicate: { buildDefinition: { buildType: string } } };
  assert.deepEqual(statement.subject[0]!.digest, { sha256: digest.slice(7) });
  assert.equal(statement.predicate.buildDefinition.buildType, "https://berth.dev/buildtypes/gitlab-ci/v1");
});

test("discover: every page of the API, grouped by type, files named; --artifact-type filters at the registry", async () => {
  const r = await cli(["discover", `${img}@${digest}`, "--insecure", "--key", join(work, "berth.pub")]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /├── application\/spdx\+json\n│ {3}└── sha256:[a-f0-9]{64} {2}\[sbom\.spdx\.json\]/);
  assert.match(r.stdout, /application\/vnd\.dev\.cosign\.artifact\.sig\.v1\+json\n.*signed by sha256:[a-f0-9]{12} ✓/);
  assert.match(r.stdout, /\[https:\/\/slsa\.dev\/provenance\/v1\] signed by sha256:[a-f0-9]{12} ✓/);
  assert.ok(proxy.referrersRequests.some((q) => q.includes("page=1")), "the second page was fetched");
  const json = JSON.parse((await cli(["discover", `${img}@${digest}`, "--insecure", "--format", "json", "--artifact-type", "application/spdx+json"])).stdout) as { source: string; referrers: { artifactType: string; annotations: Record<string, string> }[] };
  assert.equal(json.source, "referrers-api");
  assert.deepEqual(json.referrers.map((x) => x.artifactType), ["application/spdx+json"]);
  assert.equal(json.referrers[0]!.annotations["org.example/team"], "platform");
  assert.ok(proxy.referrersRequests.some((q) => q.includes("artifactType=application%2Fspdx%2Bjson")));
});

test("nested referrers: a signature on the attached SBOM shows under it", async () => {
  const json = JSON.parse((await cli(["discover", `${img}@${digest}`, "--insecure", "--format", "json", "--artifact-type", "application/spdx+json"])).stdout) as { referrers: { digest: string }[] };
  const sbom = json.referrers[0]!.digest;
  assert.equal((await cli(["sign", `${img}@${sbom}`, "--key", join(work, "berth.key"), "--insecure"])).code, 0);
  const r = await cli(["discover", `${img}@${digest}`, "--insecure"]);
  assert.match(r.stdout, /│ {3}└── sha256:[a-f0-9]{64} {2}\[sbom\.spdx\.json\]\n│ {7}└── application\/vnd\.dev\.cosign\.artifact\.sig\.v1\+json\n│ {11}└── sha256:[a-f0-9]{64} signed by sha256:[a-f0-9]{12}\n/);
});

test("pull-attestation: verified statements and predicates; nothing verified is exit 1", async () => {
  const st = await cli(["pull-attestation", `${img}@${digest}`, "--insecure", "--type", "slsa", "--key", join(work, "berth.pub"), "--show", "statement"]);
  assert.equal(st.code, 0, st.stderr);
  const statement = JSON.parse(st.stdout) as { _type: string; predicateType: string; subject: { name: string; digest: { sha256: string } }[] };
  assert.equal(statement._type, "https://in-toto.io/Statement/v1");
  assert.equal(statement.predicateType, "https://slsa.dev/provenance/v1");
  assert.deepEqual(statement.subject, [{ name: img, digest: { sha256: digest.slice(7) } }]);
  const pred = JSON.parse((await cli(["pull-attestation", `${img}@${digest}`, "--insecure", "--show", "predicate"])).stdout) as { runDetails: { builder: { id: string } } };
  assert.equal(pred.runDetails.builder.id, "https://github.com/actions/runner/github-hosted");
  const none = await cli(["pull-attestation", `${img}@${digest}`, "--insecure", "--type", "vuln", "--key", join(work, "berth.pub")]);
  assert.equal(none.code, 1);
  assert.match(none.stderr, /berth: no verified vuln attestation for/);
});

test("verify through the referrers API; --referrers tag-schema also keeps the tag index", async () => {
  const v = await cli(["verify", `${img}:1`, "--insecure", "--key", join(work, "berth.pub"), "--require-attestation", "slsa", "--source-repository", "github.com/example/app"]);
  assert.equal(v.code, 0, v.stderr + v.stdout);
  assert.match(v.stdout, /referrers via referrers-api/);
  const s = await cli(["sign", `${img}@${digest}`, "--key", join(work, "berth.key"), "--insecure", "--referrers", "tag-schema"]);
  assert.equal(s.code, 0, s.stderr);
  const res = await fetch(`${reg.url}/v2/app/manifests/${digest.replace(":", "-")}`, { headers: { accept: "application/vnd.oci.image.index.v1+json" } });
  assert.equal(res.status, 200);
});
