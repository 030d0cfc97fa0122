// CI records end to end: a Berth server (in process, 127.0.0.1, SQLite and PostgreSQL) with the
// records route; a local OIDC issuer (discovery + JWKS on 127.0.0.1) issuing real RS256 JWTs with
// jose, which also plays GitHub's ACTIONS_ID_TOKEN_REQUEST_URL endpoint; `berth record` run with a
// GitHub-Actions environment. Forged records (bad signature, wrong audience, expired, claims that
// disagree with the body) are refused with the reason; API tokens work; a record is idempotent;
// CODEOWNERS owners are stored; OCI labels of a scanned image (real registry, skopeo) link it to
// its source repository and commit.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import type { FastifyInstance } from "fastify";
import { recordCommand } from "../../src/cli/record.js";
import { buildApp } from "../../src/server/app.js";
import { createOidcVerifier } from "../../src/server/auth/oidc.js";
import { scanDedupeKey } from "../../src/server/ingest/registry-events.js";
import { RECORDS_PATH, registerRecordRoutes } from "../../src/server/routes/records.js";
import { parseScanPayload, runScanJob } from "../../src/server/scan-job.js";
import { openStore, repositories, storeLocation, type Repositories, type Store } from "../../src/store/index.js";
import { recordRepository } from "../../src/store/records.js";
import { defaultLimits } from "../../src/util/limits.js";
import { updateDb } from "../../src/vulndb/index.js";
import { writeMirror } from "../../src/vulndb/testutil/mirror.js";
import { tarBytes, writeLayout } from "../support/oci-builder.js";
import { startPostgres, type TestPostgres } from "../support/postgres.js";
import { startRegistry, type TestRegistry } from "../support/registry.js";
import { pushTinyImage } from "../support/tiny-image.js";
import { SignJWT } from "jose";
import { githubClaims, githubEnv, startTestIssuer, type TestIssuer } from "../support/oidc-issuer.js";

const AUD = "berth-test";
const SHA = "0123456789abcdef0123456789abcdef01234567";
const DIGEST = `sha256:${"a".repeat(64)}`;
let issuer: TestIssuer;
const work = mkdtempSync(join(tmpdir(), "berth-records-it-"));

class Capture extends Writable {
  text = "";
  override _write(chunk: Buffer, _enc: BufferEncoding, cb: () => void): void {
    this.text += chunk.toString("utf8");
    cb();
  }
}

/** `berth record …` through its commander command, with the given environment only. */
async function berthRecord(args: string[], env: Record<string, string>): Promise<unknown> {
  const stdout = new Capture();
  const stderr = new Capture();
  const cmd = recordCommand({ stdout, stderr, env });
  cmd.exitOverride();
  await cmd.parseAsync(args, { from: "user" });
  return JSON.parse(stdout.text) as unknown;
}

before(async () => {
  issuer = await startTestIssuer(AUD);
});
after(async () => {
  await issuer.close();
  rmSync(work, { recursive: true, force: true });
});

function suite(label: string, databaseUrl: () => Promise<string | undefined>): void {
  describe(`CI records on ${label}`, () => {
    let store: Store;
    let repos: Repositories;
    let app: FastifyInstance;
    let url: string;
    let ingestToken: string;
    let readToken: string;
    let enqueuedCalls = 0;
    const checkout = join(work, label, "checkout");

    before(async () => {
      const dbUrl = await databaseUrl();
      store = await openStore(storeLocation(join(work, label, "data"), dbUrl));
      repos = repositories(store);
      app = await buildApp({ repos });
      registerRecordRoutes(app, {
        repos,
        oidc: createOidcVerifier({ issuers: [{ issuer: issuer.url, provider: "github", repositoryHost: "github.com", webUrl: "https://github.com" }], audience: AUD }),
        onEnqueued: () => enqueuedCalls++,
      });
      await app.listen({ host: "127.0.0.1", port: 0 });
      url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
      ingestToken = (await repos.tokens.create("ingest", "ci", new Date())).token;
      readToken = (await repos.tokens.create("read", "ui", new Date())).token;
      mkdirSync(join(checkout, ".github"), { recursive: true });
      writeFileSync(join(checkout, ".github", "CODEOWNERS"), "# owners\n*  @acme/platform @alice\n*.js @acme/web\n/docs/ @acme/docs\n");
    });
    after(async () => {
      await app?.close();
      await store?.close();
    });

    function post(body: unknown, bearer?: string): Promise<Response> {
      return fetch(`${url}${RECORDS_PATH}`, {
        method: "POST",
        headers: { "content-type": "application/json", ...(bearer ? { authorization: `Bearer ${bearer}` } : {}) },
        body: JSON.stringify(body),
      });
    }

    const body = (over: Record<string, unknown> = {}) => ({
      provider: "github",
      repository: "https://github.com/acme/web",
      commit: SHA,
      ref: "refs/heads/main",
      workflow: "build",
      runId: "4242",
      runAttempt: "1",
      images: [{ reference: `registry.example.test/acme/web:1.0@${DIGEST}`, digest: DIGEST }],
      ...over,
    });

    test("berth record in GitHub Actions: OIDC token from the Actions endpoint, run stored with the identity from the claims", async () => {
      issuer.nextActionsToken = () => issuer.jwt(githubClaims(SHA));
      const answer = (await berthRecord(["--server", url, "--audience", AUD, "--dir", checkout, `registry.example.test/acme/web:1.0@${DIGEST}`], githubEnv(issuer, SHA))) as Record<string, unknown>;
      assert.equal(issuer.actionsRequests.at(-1)?.audience, AUD);
      assert.equal(answer.auth, "oidc");
      assert.equal(answer.repository, "https://github.com/acme/web");
      assert.deepEqual(answer.owners, ["@acme/platform", "@alice"]);
      const run = answer.pipelineRun as Record<string, unknown>;
      assert.equal(run.created, true);
      assert.equal(run.runUrl, "https://github.com/acme/web/actions/runs/4242/attempts/1");
      const records = recordRepository(store.db);
      const runs = await records.runs({ provider: "github", runId: "4242" });
      assert.equal(runs.length, 1);
      assert.deepEqual(
        { ...runs[0], id: 0 },
        {
          id: 0,
          repositoryUrl: "https://github.com/acme/web",
          provider: "github",
          runId: "4242",
          runAttempt: "1",
          runUrl: "https://github.com/acme/web/actions/runs/4242/attempts/1",
          commit: SHA,
          ref: "refs/heads/main",
          workflow: "build",
          actor: "octocat",
          auth: "oidc",
          recordedBy: `oidc:${issuer.url}#repo:acme/web:ref:refs/heads/main`,
        },
      );
      // The image is linked to the run (strong link), created, and its scan enqueued.
      const image = await repos.images.get(DIGEST);
      assert.equal(image?.scan_status, "pending");
      assert.equal(image?.pipeline_run_id, runs[0]?.id);
      assert.deepEqual(await records.sources(DIGEST), [
        { repositoryUrl: "https://github.com/acme/web", source: "oidc", commit: SHA, reference: `registry.example.test/acme/web:1.0@${DIGEST}`, pipelineRunId: runs[0]?.id ?? -1 },
      ]);
      const jobs = await repos.jobs.list({ dedupeKey: scanDedupeKey(DIGEST) });
      assert.equal(jobs.length, 1);
      assert.deepEqual(parseScanPayload(jobs[0]?.payload_json ?? "{}"), { digest: DIGEST, host: "registry.example.test", repository: "acme/web" });
      assert.ok(enqueuedCalls >= 1);
      // CODEOWNERS: raw text and the root owners.
      const repo = await records.repository("https://github.com/acme/web");
      assert.deepEqual(repo?.owners, ["@acme/platform", "@alice"]);
      assert.match(repo?.codeowners ?? "", /\/docs\/ @acme\/docs/);
      // Audited.
      const audit = (await repos.audit.recent(5)).find((a) => a.action === "ci.record");
      assert.ok(audit);
      assert.equal(audit.subject, "run:github/4242#1");
      assert.match(audit.actor, /^oidc:/);
    });

    test("recording the same run again updates it: no duplicate run, link or job", async () => {
      issuer.nextActionsToken = () => issuer.jwt(githubClaims(SHA, { actor: "hubot" }));
      const answer = (await berthRecord(["--server", url, "--audience", AUD, "--dir", checkout, `registry.example.test/acme/web:1.0@${DIGEST}`], githubEnv(issuer, SHA, { GITHUB_ACTOR: "hubot" }))) as Record<string, unknown>;
      assert.equal((answer.pipelineRun as Record<string, unknown>).created, false);
      const records = recordRepository(store.db);
      const runs = await records.runs({ provider: "github", runId: "4242" });
      assert.equal(runs.length, 1);
      assert.equal(runs[0]?.actor, "hubot");
      assert.equal((await records.sources(DIGEST)).length, 1);
      assert.equal((await repos.jobs.list({ dedupeKey: scanDedupeKey(DIGEST) })).length, 1);
    });

    test("forged records are refused with the reason: bad signature, wrong audience, expired, unknown issuer", async () => {
      const cases: [string, Promise<string>, number, string][] = [
        ["bad signature", issuer.jwt(githubClaims(SHA), { signer: issuer.forger }), 401, "signature"],
        ["wrong audience", issuer.jwt(githubClaims(SHA), { aud: "someone-else" }), 401, "audience"],
        ["expired", issuer.jwt(githubClaims(SHA), { exp: Math.floor(Date.now() / 1000) - 3600, iat: Math.floor(Date.now() / 1000) - 3700 }), 401, "expired"],
      ];
      for (const [name, token, status, reason] of cases) {
        const r = await post(body(), await token);
        const b = (await r.json()) as { reason?: string; message?: string };
        assert.equal(r.status, status, `${name}: ${JSON.stringify(b)}`);
        assert.equal(b.reason, reason, name);
      }
      // A token from an issuer the server does not trust.
      const other = await new SignJWT(githubClaims(SHA)).setProtectedHeader({ alg: "RS256", kid: "k1" }).setIssuer("https://evil.example").setAudience(AUD).setIssuedAt().setExpirationTime("5m").sign(issuer.key.priv);
      const r = await post(body(), other);
      assert.equal(r.status, 401);
      assert.equal(((await r.json()) as { reason: string }).reason, "issuer");
      // Nothing was recorded by the refused requests.
      assert.equal((await recordRepository(store.db).runs({})).length, 1);
    });

    test("claims that disagree with the body are refused (403 claims-mismatch), also through berth record", async () => {
      const token = await issuer.jwt(githubClaims(SHA));
      for (const over of [{ repository: "github.com/acme/other" }, { commit: "f".repeat(40) }, { runId: "1" }, { ref: "refs/heads/evil" }, { provider: "gitlab" }]) {
        const r = await post(body(over), token);
        const b = (await r.json()) as { reason?: string; message?: string };
        assert.equal(r.status, 403, JSON.stringify(over));
        assert.equal(b.reason, "claims-mismatch", JSON.stringify(b));
      }
      issuer.nextActionsToken = () => issuer.jwt(githubClaims(SHA));
      await assert.rejects(
        berthRecord(["--server", url, "--audience", AUD, "--dir", checkout, `registry.example.test/acme/web@${DIGEST}`], githubEnv(issuer, SHA, { GITHUB_REPOSITORY: "acme/impostor" })),
        /HTTP 403 \[claims-mismatch\].*repository/,
      );
    });

    test("an API token with role ingest records (trusted body); read tokens and no credentials are refused", async () => {
      const d2 = `sha256:${"b".repeat(64)}`;
      const r = await post(body({ repository: "acme/api", runId: "77", runAttempt: undefined, codeowners: "* @team-api\n", images: [{ reference: `ghcr.io/acme/api@${d2}`, digest: d2 }] }), ingestToken);
      const b = (await r.json()) as Record<string, unknown>;
      assert.equal(r.status, 200, JSON.stringify(b));
      assert.equal(b.auth, "token");
      assert.equal(b.repository, "https://github.com/acme/api");
      const runs = await recordRepository(store.db).runs({ runId: "77" });
      assert.equal(runs[0]?.auth, "token");
      assert.match(runs[0]?.recordedBy ?? "", /^token:\d+$/);
      assert.deepEqual((await recordRepository(store.db).sources(d2)).map((s) => s.source), ["token"]);
      assert.deepEqual((await recordRepository(store.db).repository("https://github.com/acme/api"))?.owners, ["@team-api"]);
      // berth record with --token when the job has no OIDC token.
      const env = githubEnv(issuer, SHA, { GITHUB_REPOSITORY: "acme/api", GITHUB_RUN_ID: "78" });
      delete env.ACTIONS_ID_TOKEN_REQUEST_URL;
      const viaCli = (await berthRecord(["--server", url, "--token", ingestToken, "--dir", join(work, "nowhere"), `ghcr.io/acme/api@${d2}`], env)) as Record<string, unknown>;
      assert.equal(viaCli.auth, "token");
      assert.equal(viaCli.owners, null);

      const read = await post(body(), readToken);
      assert.equal(read.status, 403);
      assert.equal(((await read.json()) as { reason: string }).reason, "role");
      assert.equal((await post(body())).status, 401);
      assert.equal((await post(body(), "not-a-token")).status, 401);
    });

    test("berth record falls back to the API token when the server does not trust the job's issuer, never on a claims mismatch", async () => {
      const d3 = `sha256:${"e".repeat(64)}`;
      issuer.nextActionsToken = () =>
        new SignJWT(githubClaims(SHA)).setProtectedHeader({ alg: "RS256", kid: "k1" }).setIssuer("https://untrusted.example").setAudience(AUD).setIssuedAt().setExpirationTime("5m").sign(issuer.key.priv);
      const answer = (await berthRecord(["--server", url, "--token", ingestToken, "--audience", AUD, "--dir", checkout, `registry.example.test/acme/web@${d3}`], githubEnv(issuer, SHA, { GITHUB_RUN_ID: "5000" }))) as Record<string, unknown>;
      assert.equal(answer.auth, "token");
      issuer.nextActionsToken = () => issuer.jwt(githubClaims(SHA));
      await assert.rejects(
        berthRecord(["--server", url, "--token", ingestToken, "--audience", AUD, "--dir", checkout, `registry.example.test/acme/web@${d3}`], githubEnv(issuer, SHA, { GITHUB_RUN_ID: "5001" })),
        /HTTP 403 \[claims-mismatch\]/,
      );
    });

    test("invalid bodies are refused with each bad field named", async () => {
      const r = await post({ provider: "svn", commit: "xyz", runId: "a b", images: [{ reference: "UPPER/case", digest: "sha256:1" }] }, ingestToken);
      assert.equal(r.status, 400);
      const msg = ((await r.json()) as { message: string }).message;
      for (const field of ["repository: required", "commit", "runId", "provider", "images[0].digest", "images[0].reference"]) assert.ok(msg.includes(field), `${field} not in ${msg}`);
      const many = await post(body({ images: Array.from({ length: 101 }, () => ({ reference: `a.test/x@${DIGEST}`, digest: DIGEST })) }), ingestToken);
      assert.equal(many.status, 400);
      const big = await post(body({ codeowners: "* @a\n".repeat(20_000) }), ingestToken);
      assert.equal(big.status, 400);
    });

    test("the route is in the OpenAPI document", async () => {
      const doc = (await (await fetch(`${url}/openapi.json`)).json()) as { paths: Record<string, Record<string, unknown>> };
      assert.ok(doc.paths[RECORDS_PATH]?.post);
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
  return pg.createDatabase("berth_records");
});

describe("OCI labels link a scanned image to its source repository and commit (weak link)", () => {
  let reg: TestRegistry;
  let store: Store;
  const cacheDir = join(work, "labels-cache");

  before(async () => {
    writeMirror(join(work, "labels-mirror"));
    await updateDb({ cacheDir, source: join(work, "labels-mirror") });
    reg = await startRegistry();
    store = await openStore(storeLocation(join(work, "labels-data")));
  });
  after(async () => {
    await store?.close();
    await reg?.stop();
  });

  test("a scan job stores source label links", async () => {
    const layout = join(work, "labels-img");
    writeLayout(
      layout,
      [{ tar: await tarBytes([{ name: "etc/os-release", data: 'ID=debian\nVERSION_ID="12"\n' }, { name: "var/lib/dpkg/status", data: "Package: libcurl4\nStatus: install ok installed\nArchitecture: amd64\nSource: curl\nVersion: 7.88.1-6\n\n" }]) }],
      { config: { config: { Labels: { "org.opencontainers.image.source": "https://github.com/Acme/Labelled.git", "org.opencontainers.image.revision": "ABCDEF1234567890ABCDEF1234567890ABCDEF12" } } } },
    );
    const digest = await pushTinyImage(layout, "latest", `${reg.host}/acme/labelled:1`);
    const repos = repositories(store);
    await repos.images.ensure({ digest }, new Date());
    const settings = { cacheDir, platform: { os: "linux", architecture: "amd64" }, limits: defaultLimits, insecureRegistries: [reg.host], log: () => undefined };
    await runScanJob(repos, settings, { digest, host: reg.host, repository: "acme/labelled" }, () => new Date());
    await runScanJob(repos, settings, { digest, host: reg.host, repository: "acme/labelled" }, () => new Date());
    assert.equal((await repos.images.get(digest))?.scan_status, "scanned");
    assert.deepEqual(await recordRepository(store.db).sources(digest), [
      { repositoryUrl: "https://github.com/acme/labelled", source: "label", commit: "abcdef1234567890abcdef1234567890abcdef12", reference: null, pipelineRunId: null },
    ]);
  });
});
