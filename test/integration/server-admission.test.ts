// The deploy gate through the real server (in-process, SQLite): AdmissionReview v1 payloads (the
// fixtures in src/server/testdata/admission/) posted to POST /api/v1/admission, images seeded through
// the store's own repositories (push events with tags, scan results with findings, a pipeline run
// naming the owner), and GET /api/v1/images/{digest}/compliance for CI.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { FastifyInstance } from "fastify";
import type { AdmissionReviewResponse } from "../../src/server/admission.js";
import { buildApp } from "../../src/server/app.js";
import { startServer, type RunningServer } from "../../src/server/index.js";
import { defaultLimits } from "../../src/util/limits.js";
import { startPostgres, type TestPostgres } from "../support/postgres.js";

const FIXTURES = join(import.meta.dirname, "../../src/server/testdata/admission");
const fixture = (name: string): Record<string, unknown> => JSON.parse(readFileSync(join(FIXTURES, name), "utf8")) as Record<string, unknown>;

const SECRET = "admission-secret-for-tests";
const VULNERABLE = `sha256:${"a".repeat(64)}`; // registry.acme.test/acme/web:1.4.2, a fixable high finding
const CLEAN_WEB = `sha256:${"b".repeat(64)}`; // registry.acme.test/acme/web:1.4.3, clean
const MIGRATE = `sha256:${"1".repeat(64)}`; // the pod's init container, clean
const NGINX = `sha256:${"c".repeat(64)}`; // docker.io/library/nginx:1.27 (recorded as Docker Hub's registry-1 host), clean
const API = `sha256:${"2".repeat(64)}`; // the Deployment's image: unknown at first

const work = mkdtempSync(join(tmpdir(), "berth-admission-it-"));
let server: RunningServer;
let token: string;
let auditApp: FastifyInstance;

async function scanned(digest: string, findings: { id: string; severity: string; fixed: string[] }[], at: Date): Promise<void> {
  await server.repos.images.ensure({ digest, mediaType: "application/vnd.oci.image.manifest.v1+json" }, at);
  await server.repos.images.saveScan(
    {
      digest,
      distro: "debian 12",
      inventoryJson: "{}",
      packages: [{ purl: "pkg:deb/debian/libcurl4@7.88.1-6?distro=debian-12", name: "libcurl4", version: "7.88.1-6", type: "deb" }],
      vulnerabilities: findings.map((f) => ({ id: f.id, severity: f.severity, aliases: [], kev: false })),
      findings: findings.map((f) => ({
        vulnerabilityId: f.id,
        packagePurl: "pkg:deb/debian/libcurl4@7.88.1-6?distro=debian-12",
        packageName: "libcurl4",
        installedVersion: "7.88.1-6",
        fixStatus: f.fixed.length > 0 ? "fixed" : "affected",
        fixedVersions: f.fixed,
        severity: f.severity,
        data: { id: f.id },
      })),
    },
    at,
  );
}

async function post(body: unknown, opts: { path?: string; auth?: string | null } = {}): Promise<Response> {
  const headers: Record<string, string> = { "content-type": "application/json" };
  const auth = opts.auth === undefined ? `Bearer ${token}` : opts.auth;
  if (auth !== null) headers.authorization = auth;
  return fetch(`${server.url}${opts.path ?? "/api/v1/admission"}`, { method: "POST", headers, body: typeof body === "string" ? body : JSON.stringify(body) });
}

async function review(body: unknown): Promise<AdmissionReviewResponse> {
  const res = await post(body);
  assert.equal(res.status, 200, await res.clone().text());
  return (await res.json()) as AdmissionReviewResponse;
}

/** The pod fixture with its "web" container's image replaced. */
function podWithWeb(image: string): Record<string, unknown> {
  const doc = fixture("pod-create.json");
  const text = JSON.stringify(doc).replace("registry.acme.test/acme/web:1.4.2", image);
  return JSON.parse(text) as Record<string, unknown>;
}

function suite(label: string, databaseUrl: () => Promise<string | undefined>): void {
  describe(label, () => {
    before(async () => {
      const dbUrl = await databaseUrl();
      server = await startServer({
        dataDir: join(work, label, "data"),
        ...(dbUrl ? { databaseUrl: dbUrl } : {}),
        host: "127.0.0.1",
        port: 0,
        insecureRegistries: [],
        cacheDir: join(work, "cache"),
        platform: { os: "linux", architecture: "amd64" },
        limits: defaultLimits,
        concurrency: 0,
        log: () => undefined,
        admissionPolicy: { mode: "enforce", requireScanned: true, denyFixableAtOrAbove: "high" },
        admissionSecret: SECRET,
      });
      token = (await server.repos.tokens.create("read", "admission test", new Date())).token;
      const at = new Date("2026-11-01T10:00:00Z");
      const reg = server.repos.registry;
      await reg.recordPush({ host: "registry.acme.test", repository: "acme/web", tag: "1.4.2" }, VULNERABLE, at, "ci");
      await reg.recordPush({ host: "registry.acme.test", repository: "acme/web", tag: "1.4.3" }, CLEAN_WEB, at, "ci");
      await reg.recordPush({ host: "registry.acme.test", repository: "acme/web-migrate" }, MIGRATE, at, "ci");
      await reg.recordPush({ host: "registry-1.docker.io", repository: "library/nginx", tag: "1.27" }, NGINX, at, undefined);
      await scanned(VULNERABLE, [
        { id: "CVE-2023-27534", severity: "high", fixed: ["7.88.1-10+deb12u1"] },
        { id: "CVE-2023-0001", severity: "medium", fixed: ["7.88.1-10"] },
        { id: "CVE-2023-0002", severity: "critical", fixed: [] },
      ], at);
      await scanned(CLEAN_WEB, [{ id: "CVE-2023-0003", severity: "low", fixed: ["1"] }], at);
      await scanned(MIGRATE, [], at);
      await scanned(NGINX, [], at);
      // The owner: the pipeline run that built the vulnerable image.
      const db = server.repos.store.db;
      const repo = await db.insertInto("repositories").values({ url: "https://github.com/acme/web", created_at: at.toISOString() }).returning("id").executeTakeFirstOrThrow();
      const run = await db
        .insertInto("pipeline_runs")
        .values({ repository_id: repo.id, provider: "github", run_id: "42", run_url: "https://github.com/acme/web/actions/runs/42", commit_sha: "abc1234", ref: "refs/heads/main", workflow: "build", actor: "alice", created_at: at.toISOString() })
        .returning("id")
        .executeTakeFirstOrThrow();
      await db.updateTable("images").set({ pipeline_run_id: run.id }).where("digest", "=", VULNERABLE).execute();
      auditApp = await buildApp({ repos: server.repos, admission: { policy: { mode: "audit", requireScanned: true, denyFixableAtOrAbove: "high" } } });
    });

    after(async () => {
      await auditApp?.close();
      await server?.close();
    });

    describe(`POST /api/v1/admission (${label})`, () => {
      test("enforce: a fixable high finding denies, naming image, rule and owner", async () => {
        const out = await review(fixture("pod-create.json"));
        assert.equal(out.apiVersion, "admission.k8s.io/v1");
        assert.equal(out.kind, "AdmissionReview");
        assert.equal(out.response.uid, "705ab4f5-6393-11e8-b7cc-42010a800002");
        assert.equal(out.response.allowed, false);
        assert.equal(out.response.status?.code, 403);
        const msg = out.response.status?.message ?? "";
        assert.match(msg, /registry\.acme\.test\/acme\/web:1\.4\.2/);
        assert.match(msg, /fixable-vulnerabilities/);
        assert.match(msg, /1 fixable vulnerability at or above high \(high: 1\)/); // the critical one has no fix
        assert.match(msg, /owner: alice/);
        // The clean init container and the Docker Hub image (tag resolved under registry-1.docker.io) are not named.
        assert.doesNotMatch(msg, /web-migrate|nginx/);
        const annotated = JSON.parse(out.response.auditAnnotations?.["berth-violations"] ?? "[]") as { digest: string }[];
        assert.deepEqual(annotated.map((v) => v.digest), [VULNERABLE]);
      });

      test("audit: the same pod is allowed with warnings", async () => {
        const res = await auditApp.inject({ method: "POST", url: "/api/v1/admission", headers: { authorization: `Bearer ${token}` }, payload: fixture("pod-create.json") });
        assert.equal(res.statusCode, 200);
        const out = res.json<AdmissionReviewResponse>();
        assert.equal(out.response.allowed, true);
        assert.equal(out.response.status, undefined);
        assert.equal(out.response.warnings?.length, 1);
        assert.match(out.response.warnings?.[0] ?? "", /registry\.acme\.test\/acme\/web:1\.4\.2 breaks fixable-vulnerabilities \(owner: alice\)/);
        assert.equal(out.response.auditAnnotations?.["berth-mode"], "audit");
      });

      test("a clean scanned image is allowed", async () => {
        const out = await review(podWithWeb("registry.acme.test/acme/web:1.4.3"));
        assert.deepEqual(out.response, { uid: "705ab4f5-6393-11e8-b7cc-42010a800002", allowed: true });
      });

      test("an unknown image and an unscanned image are denied as not scanned", async () => {
        let out = await review(podWithWeb("registry.acme.test/acme/web:9.9.9"));
        assert.equal(out.response.allowed, false);
        assert.match(out.response.status?.message ?? "", /web:9\.9\.9 \(container web\) breaks rule not-scanned: image is unknown to Berth/);
        const pending = `sha256:${"d".repeat(64)}`;
        await server.repos.images.ensure({ digest: pending }, new Date());
        out = await review(podWithWeb(`registry.acme.test/acme/web@${pending}`));
        assert.equal(out.response.allowed, false);
        assert.match(out.response.status?.message ?? "", /breaks rule not-scanned: image has not been scanned; owner: unknown/);
      });

      test("a Deployment's pod template: denied while unknown, allowed once scanned clean", async () => {
        let out = await review(fixture("deployment-create.json"));
        assert.equal(out.response.uid, "3f2c9a8e-1b7d-4c2e-9f6a-7e5d4c3b2a10");
        assert.equal(out.response.allowed, false);
        assert.match(out.response.status?.message ?? "", /^Berth denied Deployment shop\/api: image registry\.acme\.test\/acme\/api@sha256:2{64} \(container api\) breaks rule not-scanned/);
        await scanned(API, [], new Date());
        out = await review(fixture("deployment-create.json"));
        assert.equal(out.response.allowed, true);
      });

      test("DELETE is not gated", async () => {
        const out = await review(fixture("pod-delete.json"));
        assert.equal(out.response.allowed, true);
      });

      test("bodies that are not AdmissionReviews: 400", async () => {
        const truncated = await post(readFileSync(join(FIXTURES, "truncated.json"), "utf8"));
        assert.equal(truncated.status, 400);
        const notReview = await post({ apiVersion: "v1", kind: "Pod" });
        assert.equal(notReview.status, 400);
        assert.match(((await notReview.json()) as { message: string }).message, /apiVersion must be "admission\.k8s\.io\/v1"/);
        const noUid = await post({ apiVersion: "admission.k8s.io/v1", kind: "AdmissionReview", request: { kind: { group: "", version: "v1", kind: "Pod" }, operation: "CREATE" } });
        assert.equal(noUid.status, 400);
        const huge = await post({ apiVersion: "admission.k8s.io/v1", kind: "AdmissionReview", request: { uid: "u", pad: "x".repeat(3 * 1024 * 1024 + 10) } });
        assert.equal(huge.status, 413);
      });

      test("authentication: token, shared secret as bearer or in the path; none refused", async () => {
        assert.equal((await post(fixture("pod-delete.json"), { auth: null })).status, 401);
        assert.equal((await post(fixture("pod-delete.json"), { auth: "Bearer wrong" })).status, 401);
        assert.equal((await post(fixture("pod-delete.json"), { auth: `Bearer ${SECRET}` })).status, 200);
        assert.equal((await post(fixture("pod-delete.json"), { auth: null, path: `/api/v1/admission/${SECRET}` })).status, 200);
        assert.equal((await post(fixture("pod-delete.json"), { auth: null, path: "/api/v1/admission/not-the-secret" })).status, 401);
      });
    });

    describe(`GET /api/v1/images/{digest}/compliance (${label})`, () => {
      async function get(digest: string, auth: string | null = `Bearer ${token}`): Promise<Response> {
        return fetch(`${server.url}/api/v1/images/${digest}/compliance`, auth ? { headers: { authorization: auth } } : {});
      }

      test("a vulnerable image: not compliant, with the reason and the stored facts", async () => {
        const res = await get(VULNERABLE);
        assert.equal(res.status, 200);
        const body = (await res.json()) as Record<string, unknown>;
        assert.deepEqual(body, {
          digest: VULNERABLE,
          known: true,
          compliance: { digest: VULNERABLE, scanned: true, fixableBySeverity: { high: 1, medium: 1 }, signed: false, unverifiedSignatures: 0, provenanceRepositories: [], owner: "alice", registry: "registry.acme.test" },
          policy: { mode: "enforce", requireScanned: true, denyFixableAtOrAbove: "high" },
          compliant: false,
          reasons: [{ rule: "fixable-vulnerabilities", detail: "1 fixable vulnerability at or above high (high: 1)" }],
        });
      });

      test("clean, unknown, bad digest, no token", async () => {
        const clean = (await (await get(CLEAN_WEB)).json()) as { compliant: boolean; reasons: unknown[] };
        assert.equal(clean.compliant, true);
        assert.deepEqual(clean.reasons, []);
        const unknown = (await (await get(`sha256:${"e".repeat(64)}`)).json()) as { known: boolean; compliant: boolean; reasons: { rule: string }[] };
        assert.equal(unknown.known, false);
        assert.equal(unknown.compliant, false);
        assert.deepEqual(unknown.reasons.map((r) => r.rule), ["not-scanned"]);
        assert.equal((await get("sha256:zz")).status, 400);
        assert.equal((await get(CLEAN_WEB, null)).status, 401);
      });

      test("the routes are in the OpenAPI document and served", async () => {
        const doc = (await (await fetch(`${server.url}/openapi.json`)).json()) as { paths: Record<string, Record<string, unknown>> };
        const routes = server.app.printRoutes({ commonPrefix: false });
        for (const [path, method] of [
          ["/api/v1/admission", "post"],
          ["/api/v1/admission/{secret}", "post"],
          ["/api/v1/images/{digest}/compliance", "get"],
        ] as const) {
          assert.ok(doc.paths[path]?.[method], `${method} ${path} undocumented`);
          assert.ok(routes.includes(path.split("/").pop()?.replace(/\{(\w+)\}/, ":$1") ?? path), `${path} not served`);
        }
      });
    });
  });
}

let pg: TestPostgres | undefined;
after(async () => {
  await pg?.stop();
  rmSync(work, { recursive: true, force: true });
});

suite("SQLite", async () => undefined);
suite("PostgreSQL", async () => {
  pg = await startPostgres();
  return pg.createDatabase("berth_admission");
});
