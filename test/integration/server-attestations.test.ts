// Signatures and SLSA provenance next to images, through the real server and Debian's real
// docker-registry (Distribution 2.8: no referrers API, so the referrers tag schema is what carries
// them): images are pushed with skopeo and scanned on the registry's push events; `berth sign` and
// `berth attest --type slsa` (the CLI, in-process) add evidence; the server re-discovers it on the
// referrers-tag push, verifies it with its `--trust-key`, stores it (GET /api/v1/images/{digest}
// `attestations`), links the image to the provenance's repository and recorded run, and the deploy
// gate (requireSignature, allowedSourceRepositories) allows or denies with the rule named.
// Runs on SQLite and on a real PostgreSQL.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { AdmissionReviewResponse } from "../../src/server/admission.js";
import { loadServerTrust } from "../../src/server/attestations.js";
import type { RunningServer } from "../../src/server/index.js";
import { scanDedupeKey, SCAN_JOB } from "../../src/server/ingest/registry-events.js";
import { attestationRepository } from "../../src/store/attestations.js";
import { recordRepository } from "../../src/store/records.js";
import { updateDb } from "../../src/vulndb/index.js";
import { writeMirror } from "../../src/vulndb/testutil/mirror.js";
import { runAttestCli } from "../support/attest-cli.js";
import { tarBytes, writeLayout } from "../support/oci-builder.js";
import { startPostgres, type TestPostgres } from "../support/postgres.js";
import { startNotifiedServer } from "../support/notified-server.js";
import type { TestRegistry } from "../support/registry.js";
import { pushTinyImage } from "../support/tiny-image.js";

const SECRET = "registry-secret-attestations";
const PW = { BERTH_PASSWORD: "attest pass" };
const GITHUB_ENV = JSON.parse(readFileSync(join(import.meta.dirname, "../../src/cli/testdata/attest/github.env.json"), "utf8")) as Record<string, string>;
const RUN_URL = "https://github.com/example/app/actions/runs/9876543210/attempts/1";

const work = mkdtempSync(join(tmpdir(), "berth-attest-it-"));
const cacheDir = join(work, "cache");
const cli = (args: string[]) => runAttestCli(args, PW);

interface AttestationJson {
  subject: string;
  kind: string;
  signer: string | null;
  verified: boolean;
  predicateType: string | null;
  sourceRepository: string | null;
  problem: string | null;
}

async function imageLayout(dir: string, marker: string): Promise<void> {
  writeLayout(dir, [{ tar: await tarBytes([{ name: "etc/os-release", data: 'ID=debian\nVERSION_ID="12"\n' }, { name: "etc/marker", data: marker }]) }]);
}

before(async () => {
  writeMirror(join(work, "mirror"));
  await updateDb({ cacheDir, source: join(work, "mirror") });
  for (const [prefix, alg] of [["trusted", "ecdsa-p256"], ["evil", "ed25519"]] as const) {
    const r = await cli(["key", "generate", "--algorithm", alg, "--output-prefix", join(work, prefix)]);
    assert.equal(r.code, 0, r.stderr);
  }
  const prov = await runAttestCli(["provenance"], GITHUB_ENV);
  assert.equal(prov.code, 0, prov.stderr);
  writeFileSync(join(work, "provenance-example.json"), prov.stdout);
  const other = await runAttestCli(["provenance"], { ...GITHUB_ENV, GITHUB_REPOSITORY: "other/app", GITHUB_WORKFLOW_REF: "other/app/.github/workflows/build.yml@refs/heads/main" });
  assert.equal(other.code, 0, other.stderr);
  writeFileSync(join(work, "provenance-other.json"), other.stdout);
});
after(() => rmSync(work, { recursive: true, force: true }));

function suite(label: string, databaseUrl: () => Promise<string | undefined>): void {
  describe(`attestations on ${label}`, () => {
    let reg: TestRegistry;
    let server: RunningServer;
    let token: string;
    let keyId: string;
    const digests: Record<string, string> = {};

    before(async () => {
      const dbUrl = await databaseUrl();
      const trust = await loadServerTrust([join(work, "trusted.pub")]);
      keyId = trust.keys[0]!.keyId;
      ({ reg, server } = await startNotifiedServer({
        dataDir: join(work, label, "data"),
        ...(dbUrl ? { databaseUrl: dbUrl } : {}),
        cacheDir,
        secret: SECRET,
        server: {
          leaseMs: 30_000,
          trust,
          admissionPolicy: { mode: "enforce", requireScanned: true, requireSignature: true, allowedSourceRepositories: ["github.com/example/*"] },
        },
      }));
      token = (await server.repos.tokens.create("read", "test", new Date())).token;
      // The CI run that built the "good" image, recorded as `berth record` would: the provenance's invocation id names it.
      await recordRepository(server.repos.store.db).upsertRun(
        { repositoryUrl: "https://github.com/example/app", provider: "github", runId: "9876543210", runUrl: RUN_URL, commit: GITHUB_ENV.GITHUB_SHA!, actor: "octocat", auth: "token", recordedBy: "token:1" },
        new Date(),
      );
    });

    after(async () => {
      await server?.close();
      await reg?.stop();
    });

    async function get(path: string): Promise<Record<string, unknown>> {
      const r = await fetch(`${server.url}${path}`, { headers: { authorization: `Bearer ${token}` } });
      assert.equal(r.status, 200, await r.clone().text());
      return (await r.json()) as Record<string, unknown>;
    }

    /** Polls GET /api/v1/images/{digest} until `ready` holds (bounded by attempts, not a clock). */
    async function waitFor(digest: string, ready: (img: Record<string, unknown>) => boolean, what: string): Promise<Record<string, unknown>> {
      let last: unknown;
      for (let i = 0; i < 300; i++) {
        const r = await fetch(`${server.url}/api/v1/images/${digest}`, { headers: { authorization: `Bearer ${token}` } });
        if (r.status === 200) {
          const body = (await r.json()) as Record<string, unknown>;
          last = body;
          if (ready(body)) return body;
        }
        await new Promise((res) => setTimeout(res, 100));
      }
      throw new Error(`${what}: not reached for ${digest}; last answer ${JSON.stringify(last)}`);
    }

    const attestationsOf = (img: Record<string, unknown>) => img.attestations as AttestationJson[];
    const scanned = (img: Record<string, unknown>) => img.scanStatus === "scanned";

    async function pushImage(name: string): Promise<string> {
      const dir = join(work, label, name);
      await imageLayout(dir, name);
      const d = await pushTinyImage(dir, "latest", `${reg.host}/team/${name}:1`);
      digests[name] = d;
      await waitFor(d, scanned, "scan");
      return d;
    }

    const compliance = async (d: string) => (await get(`/api/v1/images/${d}/compliance`)) as { compliant: boolean; reasons: { rule: string; detail: string }[]; compliance: { signed: boolean; provenanceRepositories: string[]; unverifiedSignatures: number } };

    test("signed with the trusted key and attested with provenance from an allowed repository: stored, verified, linked, admitted", async () => {
      const d = await pushImage("good");
      const before = await compliance(d);
      assert.equal(before.compliant, false, "no evidence yet");
      const signed = await cli(["sign", `${reg.host}/team/good@${d}`, "--key", join(work, "trusted.key"), "--insecure", "-q"]);
      assert.equal(signed.code, 0, signed.stderr);
      const attested = await cli(["attest", `${reg.host}/team/good@${d}`, "--key", join(work, "trusted.key"), "--type", "slsa", "--predicate", join(work, "provenance-example.json"), "--insecure", "-q"]);
      assert.equal(attested.code, 0, attested.stderr);
      const img = await waitFor(d, (b) => attestationsOf(b).some((a) => a.kind === "signature" && a.verified) && attestationsOf(b).some((a) => a.kind === "provenance" && a.verified), "verified signature and provenance");
      const sig = attestationsOf(img).find((a) => a.kind === "signature");
      assert.deepEqual({ ...sig, digest: undefined, locations: undefined, discoveredAt: undefined }, { subject: d, digest: undefined, kind: "signature", signer: keyId, verified: true, predicateType: null, sourceRepository: null, locations: undefined, problem: null, discoveredAt: undefined });
      const prov = attestationsOf(img).find((a) => a.kind === "provenance");
      assert.equal(prov?.predicateType, "https://slsa.dev/provenance/v1");
      assert.equal(prov?.sourceRepository, "github.com/example/app");
      assert.equal(prov?.signer, keyId);

      // The signature and attestation manifests reach the registry by digest too (a manifest push
      // each): they are evidence about the image, not images — no row of theirs is left unscanned.
      for (let i = 0; i < 300 && (await server.repos.jobs.list({})).some((j) => j.status === "queued" || j.status === "running"); i++) await new Promise((res) => setTimeout(res, 100));
      const images = await server.repos.store.db.selectFrom("images").select(["digest", "scan_status", "scan_error"]).execute();
      assert.deepEqual(images.filter((i) => i.scan_status !== "scanned"), []);

      const verdict = await compliance(d);
      assert.deepEqual(verdict.reasons, []);
      assert.equal(verdict.compliant, true);
      assert.equal(verdict.compliance.signed, true);
      assert.deepEqual(verdict.compliance.provenanceRepositories, ["github.com/example/app"]);

      // image → repository (source "provenance", with the commit) and → the recorded run its invocation id names
      const sources = await recordRepository(server.repos.store.db).sources(d);
      const link = sources.find((s) => s.source === "provenance");
      assert.equal(link?.repositoryUrl, "https://github.com/example/app");
      assert.equal(link?.commit, GITHUB_ENV.GITHUB_SHA);
      const runs = await recordRepository(server.repos.store.db).runs({ runId: "9876543210" });
      assert.equal(link?.pipelineRunId, runs[0]?.id);
      // the owner in denial messages now comes from that run
      assert.equal((await server.repos.images.get(d))?.pipeline_run_id, runs[0]?.id);
    });

    test("the scan job's own discovery: a rescan of an image finds the evidence already next to it", async () => {
      const d = digests.good!;
      await attestationRepository(server.repos.store.db).replace(d, [], new Date());
      assert.equal((await compliance(d)).compliance.signed, false);
      await server.repos.jobs.enqueue({ kind: SCAN_JOB, dedupeKey: scanDedupeKey(d), payload: { digest: d, host: reg.host, repository: "team/good" } }, new Date());
      server.worker?.wake();
      const img = await waitFor(d, (b) => attestationsOf(b).filter((a) => a.verified).length === 2, "evidence rediscovered by the scan");
      assert.deepEqual(attestationsOf(img).map((a) => `${a.kind}:${a.verified}`).sort(), ["provenance:true", "signature:true"]);
    });

    test("an unsigned image is denied by the gate, naming image, rule and owner", async () => {
      const d = await pushImage("unsigned");
      const verdict = await compliance(d);
      assert.equal(verdict.compliant, false);
      assert.deepEqual(verdict.reasons, [
        { rule: "unsigned", detail: "image has no signature by a trusted key (none found)" },
        { rule: "provenance", detail: "image has no verified SLSA provenance (allowed source repositories: github.com/example/*)" },
      ]);
      const review = {
        apiVersion: "admission.k8s.io/v1",
        kind: "AdmissionReview",
        request: { uid: "u-1", kind: { group: "", version: "v1", kind: "Pod" }, operation: "CREATE", namespace: "shop", name: "web", object: { spec: { containers: [{ name: "web", image: `${reg.host}/team/unsigned:1` }, { name: "good", image: `${reg.host}/team/good@${digests.good}` }] } } },
      };
      const r = await fetch(`${server.url}/api/v1/admission`, { method: "POST", headers: { authorization: `Bearer ${token}`, "content-type": "application/json" }, body: JSON.stringify(review) });
      const out = (await r.json()) as AdmissionReviewResponse;
      assert.equal(out.response.allowed, false);
      const msg = out.response.status?.message ?? "";
      assert.match(msg, new RegExp(`image ${reg.host}/team/unsigned:1 \\(container web\\) breaks rule unsigned: image has no signature by a trusted key \\(none found\\); owner: unknown`));
      assert.doesNotMatch(msg, /team\/good/, "the signed image with allowed provenance passes");
    });

    test("a wrong-key signature counts as unverified; provenance from a repository not allowed is denied", async () => {
      const d = await pushImage("foreign");
      const signed = await cli(["sign", `${reg.host}/team/foreign@${d}`, "--key", join(work, "evil.key"), "--insecure", "-q"]);
      assert.equal(signed.code, 0, signed.stderr);
      const attested = await cli(["attest", `${reg.host}/team/foreign@${d}`, "--key", join(work, "trusted.key"), "--type", "slsa", "--predicate", join(work, "provenance-other.json"), "--insecure", "-q"]);
      assert.equal(attested.code, 0, attested.stderr);
      const img = await waitFor(d, (b) => attestationsOf(b).some((a) => a.kind === "signature") && attestationsOf(b).some((a) => a.kind === "provenance"), "signature and provenance found");
      const sig = attestationsOf(img).find((a) => a.kind === "signature");
      assert.equal(sig?.verified, false);
      assert.notEqual(sig?.signer, keyId);
      assert.match(sig?.problem ?? "", /not signed by a trusted key/);
      assert.equal(attestationsOf(img).find((a) => a.kind === "provenance")?.sourceRepository, "github.com/other/app");
      const verdict = await compliance(d);
      assert.deepEqual(verdict.reasons, [
        { rule: "unsigned", detail: "image has no signature by a trusted key (1 signature found, none verifies)" },
        { rule: "provenance", detail: "provenance names source repository github.com/other/app, not an allowed one (github.com/example/*)" },
      ]);
      // no repository link from provenance the gate does not trust? It is verified (trusted key), so the link exists, to the repository it names
      const link = (await recordRepository(server.repos.store.db).sources(d)).find((s) => s.source === "provenance");
      assert.equal(link?.repositoryUrl, "https://github.com/other/app");
      assert.equal(link?.pipelineRunId, null, "no run of other/app is recorded");
    });
  });
}

suite("SQLite", async () => undefined);

let pg: TestPostgres | undefined;
after(async () => {
  await pg?.stop();
});
suite("PostgreSQL", async () => {
  pg = await startPostgres();
  return pg.createDatabase("attestations");
});
