// The seeds' scenario end to end, with real parts only: a "CI run" pushes the mixed real image
// (Debian 12 + a Node app with lodash 4.17.15) to a real docker-registry with skopeo and records
// repository, commit and run with `berth record`, authenticated by a GitHub-Actions-shaped OIDC
// token (a local issuer, real RS256 JWTs); the registry's push notification makes the server scan
// the image against real advisories; a cluster snapshot, listed by `berth cluster snapshot` through
// @kubernetes/client-node from recorded API responses, runs that image behind a LoadBalancer
// Service; `berth explore` then answers internet → workload → image (high CVEs) → pipeline run →
// repository with the run URL and the CODEOWNERS owners. Time from push to findings is reported.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { RunningServer } from "../../src/server/index.js";
import { runCli } from "../support/cli.js";
import { fakeApiServer, recordedLists, writeKubeconfig, type FakeApi } from "../support/kube-api.js";
import { mixedImage } from "../support/mixed-image.js";
import { githubClaims, githubEnv, startTestIssuer, type TestIssuer } from "../support/oidc-issuer.js";
import { startPostgres, type TestPostgres } from "../support/postgres.js";
import { startNotifiedServer } from "../support/notified-server.js";
import type { TestRegistry } from "../support/registry.js";
import { pushTinyImage } from "../support/tiny-image.js";
import { realAdvisoryDb } from "../support/vulndata.js";

const AUD = "berth-scenario";
const SECRET = "scenario-registry-secret";
const SHA = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b";
const SEED_QUERY = "internet -> workload -> image[vuln.severity>=high] -> pipelinerun -> repository";
const work = mkdtempSync(join(tmpdir(), "berth-scenario-"));
const javascriptApp = join(import.meta.dirname, "..", "..", "src", "catalog", "lang", "javascript", "testdata", "project");

let issuer: TestIssuer;
before(async () => {
  issuer = await startTestIssuer(AUD);
});
after(async () => {
  await issuer.close();
  rmSync(work, { recursive: true, force: true });
});

interface ExploreNode {
  type: string;
  id: string;
  label: string;
  props: Record<string, unknown>;
}
interface ExploreAnswer {
  query: string;
  nodes: Record<string, ExploreNode>;
  paths: { nodes: string[]; edges: { name: string; from: string; to: string; details: Record<string, unknown> }[] }[];
  nextCursor: string | null;
}

/** The recorded cluster (testdata/k8s), with the `shop/api` Deployment now running the pushed image. */
function clusterRunning(imageRef: string, repoDigestRef: string): Record<string, unknown[]> {
  const text = JSON.stringify(recordedLists())
    .replaceAll("ghcr.io/example/api@sha256:0a76eaad56a967890765eae8eecbf0d33172b36eaa4a38be434ac14e0817a82c", repoDigestRef)
    .replaceAll("ghcr.io/example/api:2.0.1", imageRef);
  return JSON.parse(text) as Record<string, unknown[]>;
}

function suite(label: string, databaseUrl: () => Promise<string | undefined>): void {
  describe(`the seeds' scenario on ${label}`, () => {
    let reg: TestRegistry;
    let server: RunningServer;
    let kube: FakeApi | undefined;
    let token: string;
    const checkout = join(work, label, "checkout");

    before(async () => {
      const dbUrl = await databaseUrl();
      const advisories = await realAdvisoryDb();
      ({ reg, server } = await startNotifiedServer({
        dataDir: join(work, label, "data"),
        ...(dbUrl ? { databaseUrl: dbUrl } : {}),
        cacheDir: advisories.cacheDir,
        secret: SECRET,
        server: {
          rescan: false,
          oidc: { issuers: [{ issuer: issuer.url, provider: "github", repositoryHost: "github.com", webUrl: "https://github.com" }], audience: AUD },
        },
      }));
      token = (await server.repos.tokens.create("admin", "scenario", new Date())).token;
      mkdirSync(join(checkout, ".github"), { recursive: true });
      writeFileSync(join(checkout, ".github", "CODEOWNERS"), "*  @acme/payments @dana\n/docs/ @acme/docs\n");
    });
    after(async () => {
      await kube?.close();
      await server?.close();
      await reg?.stop();
    });

    test("CI push + record → scan on the push event → cluster snapshot → explorer path to the repository and its owner", async (t) => {
      // 1. The CI run pushes the image it built, then records it (OIDC: identity from the verified claims).
      const image = mixedImage(javascriptApp);
      const pushedAt = Date.now();
      const digest = await pushTinyImage(image.ociDir, image.ociRef, `${reg.host}/acme/web:1.0`);
      issuer.nextActionsToken = () => issuer.jwt(githubClaims(SHA));
      const recorded = await runCli(["record", "--server", server.url, "--audience", AUD, "--dir", checkout, `${reg.host}/acme/web:1.0@${digest}`], githubEnv(issuer, SHA));
      assert.equal(recorded.code, 0, recorded.stderr);
      assert.equal((JSON.parse(recorded.stdout) as { auth: string }).auth, "oidc");

      // 2. The registry's push notification queued a scan; wait for its findings.
      let scanned: Record<string, unknown> = {};
      for (let i = 0; i < 600 && scanned.scanStatus !== "scanned"; i++) {
        if (i > 0) await new Promise((r) => setTimeout(r, 100));
        const r = await fetch(`${server.url}/api/v1/images/${digest}`, { headers: { authorization: `Bearer ${token}` } });
        if (r.status === 200) scanned = (await r.json()) as Record<string, unknown>;
        assert.notEqual(scanned.scanStatus, "failed", JSON.stringify(scanned));
      }
      assert.equal(scanned.scanStatus, "scanned", `not scanned: ${JSON.stringify(scanned).slice(0, 500)}; registry log: ${reg.logs().slice(-1000)}`);
      t.diagnostic(`push → findings: ${((Date.now() - pushedAt) / 1000).toFixed(1)} s`);
      const findings = scanned.findings as { id: string; severity: string; package: { name: string } }[];
      const high = findings.filter((f) => f.severity === "high" || f.severity === "critical");
      assert.ok(high.some((f) => f.package.name === "lodash"), `a high lodash finding: ${JSON.stringify(high)}`);

      // 3. A cluster runs the image behind a LoadBalancer Service: the real client lists recorded API answers.
      kube = await fakeApiServer(clusterRunning(`${reg.host}/acme/web:1.0`, `${reg.host}/acme/web@${digest}`));
      const kubeDir = join(work, label, "kube");
      mkdirSync(kubeDir, { recursive: true });
      const snap = await runCli(["cluster", "snapshot", "--kubeconfig", writeKubeconfig(kubeDir, kube.url, "prod-eu"), "--name", "prod-eu", "--server", server.url, "--token", token]);
      assert.equal(snap.code, 0, snap.stderr);

      // 4. The seeds' question, from the CLI.
      const explored = await runCli(["explore", "--server", server.url, "--token", token, SEED_QUERY]);
      assert.equal(explored.code, 0, explored.stderr);
      const answer = JSON.parse(explored.stdout) as ExploreAnswer;
      assert.equal(answer.query, SEED_QUERY);
      const path = answer.paths.find((p) => p.nodes[2] === `image:${digest}`);
      assert.ok(path, `a path through the pushed image: ${explored.stdout.slice(0, 2000)}`);
      const [internet, workload, img, run, repo] = path.nodes.map((k) => answer.nodes[k]!);
      assert.equal(internet?.type, "internet");
      assert.deepEqual([workload?.props.cluster, workload?.props.namespace, workload?.props.kind, workload?.props.name, workload?.props.internetExposed], ["prod-eu", "shop", "Deployment", "api", true]);
      const reaches = path.edges[0]!;
      assert.equal(reaches.name, "reaches");
      assert.equal(reaches.details.via, "loadBalancer");
      assert.match(String(reaches.details.route), /198\.51\.100\.7/);
      const vulns = img?.props.vulns as Record<string, number>;
      assert.ok((vulns.high ?? 0) + (vulns.critical ?? 0) >= 1, JSON.stringify(img?.props));
      assert.deepEqual([run?.props.provider, run?.props.runUrl, run?.props.commit, run?.props.actor], ["github", "https://github.com/acme/web/actions/runs/4242/attempts/1", SHA, "octocat"]);
      assert.equal(repo?.props.url, "https://github.com/acme/web");
      assert.deepEqual(repo?.props.owners, ["@acme/payments", "@dana"]);

      // 5. The deploy gate names the image, the rule and the owner.
      const compliance = await fetch(`${server.url}/api/v1/images/${digest}/compliance`, { headers: { authorization: `Bearer ${token}` } });
      const verdict = (await compliance.json()) as { compliant: boolean; reasons?: unknown };
      assert.equal(verdict.compliant, false, JSON.stringify(verdict));
      assert.match(JSON.stringify(verdict), /@acme\/payments/);
    });
  });
}

suite("SQLite", () => Promise.resolve(undefined));

let pg: TestPostgres | undefined;
after(async () => {
  await pg?.stop();
});
suite("PostgreSQL", async () => {
  pg = await startPostgres();
  return pg.url;
});
