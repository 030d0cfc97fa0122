// berth policy check-dockerfile: the base-image cases on fixture Dockerfiles, then verification of
// base images against a real registry (a signed base passes, an unsigned one fails).
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { startRegistry, type TestRegistry } from "../../test/support/registry.js";
import { buildTinyImage, pushTinyImage, tinyLayout } from "../../test/support/tiny-image.js";
import { runAttestCli } from "../../test/support/attest-cli.js";

const here = dirname(fileURLToPath(import.meta.url));
const df = (name: string): string => join(here, "testdata", "dockerfiles", name);
const ALLOW = ["--allowed-registry", "registry.example.com/base"];
const check = (file: string, ...args: string[]) => runAttestCli(["policy", "check-dockerfile", df(file), ...ALLOW, ...args]);

test("untrusted registry: a pinned public image fails on its registry", async () => {
  const r = await check("untrusted.Dockerfile");
  assert.equal(r.code, 1);
  assert.match(r.stdout, /untrusted\.Dockerfile:2: error \[untrusted-registry\] docker\.io\/library\/debian:12@sha256:[a-f0-9]{64}: docker\.io\/library\/debian is not in an allowed registry \(registry\.example\.com\/base\)/);
  assert.match(r.stdout, /untrusted\.Dockerfile:2: advice \[not-minimal\]/);
  assert.doesNotMatch(r.stdout, /not-pinned/);
  assert.match(r.stderr, /berth: base-image policy failed: 1 problem in .*untrusted\.Dockerfile/);
});

test("tag-only FROM: not pinned by digest", async () => {
  const r = await check("tag-only.Dockerfile");
  assert.equal(r.code, 1);
  assert.match(r.stdout, /tag-only\.Dockerfile:1: error \[not-pinned\] registry\.example\.com\/base\/static:1: registry\.example\.com\/base\/static:1 is not pinned by digest \(pin it: registry\.example\.com\/base\/static:1@sha256:<digest>\)/);
  assert.doesNotMatch(r.stdout, /untrusted-registry|not-minimal/);
});

test("ARG-templated FROM: unresolved without the build arg, checked after substitution with it", async () => {
  const missing = await check("arg.Dockerfile");
  assert.equal(missing.code, 1);
  assert.match(missing.stdout, /arg\.Dockerfile:3: error \[unresolved-arg\] \$\{BASE\}@\$\{BASE_DIGEST\}: .* uses \$BASE_DIGEST with no value/);
  const given = await check("arg.Dockerfile", "--build-arg", `BASE_DIGEST=sha256:${"b".repeat(64)}`);
  assert.equal(given.code, 0, given.stdout + given.stderr);
  assert.match(given.stdout, /1 base image reference checked; policy holds/);
  const elsewhere = await check("arg.Dockerfile", "--build-arg", `BASE_DIGEST=sha256:${"b".repeat(64)}`, "--build-arg", "BASE=quay.io/x/static");
  assert.equal(elsewhere.code, 1);
  assert.match(elsewhere.stdout, /\[untrusted-registry\] quay\.io\/x\/static@sha256:b+/);
});

test("FROM scratch: nothing to check, exit 0", async () => {
  const r = await check("scratch.Dockerfile", "--format", "json");
  assert.equal(r.code, 0, r.stderr);
  const report = JSON.parse(r.stdout) as { passed: boolean; findings: unknown[]; images: { kind: string }[] };
  assert.deepEqual(report.findings, []);
  assert.deepEqual(report.images.map((i) => i.kind), ["scratch"]);
});

test("multi-stage with --from copies: stages are followed, the --from image is checked, heredoc lines are not FROMs", async () => {
  const r = await check("multistage.Dockerfile", "--format", "json");
  assert.equal(r.code, 1);
  const report = JSON.parse(r.stdout) as { findings: { line: number; code: string; image: string }[]; images: { line: number; use: string; image: string; kind: string }[] };
  assert.deepEqual(
    report.images.map((i) => `${i.line} ${i.use} ${i.kind} ${i.image.replace(/@sha256:[a-f0-9]+/, "@…")}`),
    [
      "4 from image registry.example.com/base/golang:1.22@…",
      "11 from stage build",
      "14 from image registry.example.com/base/static:nonroot@…",
      "15 copy-from stage build",
      "16 copy-from image docker.io/library/busybox:1.36",
      "17 copy-from stage test",
    ],
  );
  assert.deepEqual(report.findings.map((f) => `${f.line} ${f.code}`), ["16 untrusted-registry", "16 not-pinned"]);
});

test("bad input: a missing Dockerfile and conflicting flags are usage/input errors (exit 2)", async () => {
  const missing = await runAttestCli(["policy", "check-dockerfile", df("nope.Dockerfile")]);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /cannot read Dockerfile .*nope\.Dockerfile \(ENOENT\)/);
  const both = await check("scratch.Dockerfile", "--key", "a.pub", "--policy", "p.json");
  assert.equal(both.code, 2);
  assert.match(both.stderr, /give --key or --policy, not both/);
});

let reg: TestRegistry;
let layout: { dir: string; cleanup(): Promise<void> };
let work: string;

before(async () => {
  reg = await startRegistry();
  layout = await tinyLayout();
  work = await mkdtemp(join(tmpdir(), "berth-policy-"));
});

after(async () => {
  await reg?.stop();
  await layout?.cleanup();
  if (work) await rm(work, { recursive: true, force: true });
});

test("base images are verified against the key or trust policy: signed passes, unsigned fails", async () => {
  await buildTinyImage(layout.dir, { tag: "base" });
  await buildTinyImage(layout.dir, { tag: "other", layers: [{ "x": "other\n" }] });
  const signed = await pushTinyImage(layout.dir, "base", `${reg.host}/base/static:1`);
  const unsigned = await pushTinyImage(layout.dir, "other", `${reg.host}/base/tools:1`);
  const env = { BERTH_PASSWORD: "pw" };
  assert.equal((await runAttestCli(["key", "generate", "--output-prefix", join(work, "berth")], env)).code, 0);
  assert.equal((await runAttestCli(["sign", `${reg.host}/base/static@${signed}`, "--key", join(work, "berth.key"), "--insecure"], env)).code, 0);

  await writeFile(join(work, "good.Dockerfile"), `FROM ${reg.host}/base/static:1@${signed}\n`);
  const good = await runAttestCli(["policy", "check-dockerfile", join(work, "good.Dockerfile"), "--allowed-registry", `${reg.host}/base`, "--key", join(work, "berth.pub"), "--insecure"]);
  assert.equal(good.code, 0, good.stdout + good.stderr);

  await writeFile(join(work, "bad.Dockerfile"), `FROM ${reg.host}/base/static:1@${signed} AS build\nFROM ${reg.host}/base/tools:1@${unsigned}\nCOPY --from=build / /\n`);
  const policy = {
    version: "1.0",
    keyStores: { base: ["berth.pub"] },
    trustPolicies: [{ name: "base-images", registryScopes: [`${reg.host}/base/static`, `${reg.host}/base/tools`], signatureVerification: { level: "strict" }, trustStores: ["key:base"], trustedIdentities: ["*"] }],
    baseImages: { allowedRegistries: [`${reg.host}/base`] },
  };
  await writeFile(join(work, "trustpolicy.json"), JSON.stringify(policy));
  const bad = await runAttestCli(["policy", "check-dockerfile", join(work, "bad.Dockerfile"), "--policy", join(work, "trustpolicy.json"), "--insecure"]);
  assert.equal(bad.code, 1, bad.stderr);
  assert.match(bad.stdout, new RegExp(`bad\\.Dockerfile:2: error \\[verify-failed\\] ${reg.host}/base/tools:1@${unsigned}: no signature found for ${unsigned}`));
  assert.doesNotMatch(bad.stdout, /bad\.Dockerfile:1: error/);
  assert.doesNotMatch(bad.stdout, /untrusted-registry/);
});
