import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { Server, IncomingMessage, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { SignJWT, exportJWK, generateKeyPair, base64url } from "jose";
import type { CryptoKey, JWK } from "jose";
import { checkRecordAgainstIdentity, createOidcVerifier, defaultIssuers, identityFromClaims, OidcError } from "./oidc.js";
import type { OidcConfig, OidcIssuerConfig, OidcRejectReason } from "./oidc.js";

interface Issuer {
  server: Server;
  url: string;
  jwks: JWK[];
  hits: { discovery: number; jwks: number };
}

async function startIssuer(handler?: (req: IncomingMessage, res: ServerResponse) => boolean): Promise<Issuer> {
  const iss: Issuer = { server: createServer(), url: "", jwks: [], hits: { discovery: 0, jwks: 0 } };
  iss.server.on("request", (req, res) => {
    if (handler?.(req, res)) return;
    if (req.url === "/.well-known/openid-configuration") {
      iss.hits.discovery++;
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify({ issuer: iss.url, jwks_uri: `${iss.url}/.well-known/jwks`, id_token_signing_alg_values_supported: ["RS256"] }));
    } else if (req.url === "/.well-known/jwks") {
      iss.hits.jwks++;
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify({ keys: iss.jwks }));
    } else {
      res.statusCode = 404;
      res.end();
    }
  });
  await new Promise<void>((r) => iss.server.listen(0, "127.0.0.1", r));
  iss.url = `http://127.0.0.1:${(iss.server.address() as AddressInfo).port}`;
  return iss;
}

async function stop(s: Server): Promise<void> {
  s.closeAllConnections();
  await new Promise<void>((r) => s.close(() => r()));
}

interface Key {
  priv: CryptoKey;
  jwk: JWK;
  kid: string;
  alg: "RS256" | "ES256";
}

async function makeKey(alg: "RS256" | "ES256", kid: string): Promise<Key> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const jwk = { ...(await exportJWK(publicKey)), kid, alg, use: "sig" };
  return { priv: privateKey, jwk, kid, alg };
}

const AUD = "https://berth.example.test";
const NOW = 1_790_000_000; // fixed clock, seconds

function githubClaims(): Record<string, unknown> {
  return {
    sub: "repo:acme/web:ref:refs/heads/main",
    repository: "acme/web",
    repository_owner: "acme",
    repository_id: "123456",
    ref: "refs/heads/main",
    sha: "0123456789abcdef0123456789abcdef01234567",
    workflow: "build",
    workflow_ref: "acme/web/.github/workflows/build.yml@refs/heads/main",
    job_workflow_ref: "acme/web/.github/workflows/build.yml@refs/heads/main",
    run_id: "9876543210",
    run_attempt: "2",
    actor: "octocat",
    event_name: "push",
    environment: "prod",
  };
}

async function sign(key: Key, iss: string, claims: Record<string, unknown>, opts: { aud?: string; iat?: number; exp?: number; nbf?: number; kid?: string } = {}): Promise<string> {
  const iat = opts.iat ?? NOW - 10;
  const jwt = new SignJWT(claims)
    .setProtectedHeader({ alg: key.alg, kid: opts.kid ?? key.kid, typ: "JWT" })
    .setIssuer(iss)
    .setAudience(opts.aud ?? AUD)
    .setIssuedAt(iat)
    .setNotBefore(opts.nbf ?? iat)
    .setExpirationTime(opts.exp ?? iat + 600);
  return jwt.sign(key.priv);
}

let issuer: Issuer;
let rsa: Key;
let ec: Key;
let other: Key;
let issuerCfg: OidcIssuerConfig;
let clock = NOW * 1000;

function config(extra: Partial<OidcConfig> = {}): OidcConfig {
  return { issuers: [issuerCfg], audience: AUD, now: () => clock, timeoutMs: 2000, ...extra };
}

async function rejects(p: Promise<unknown>, reason: OidcRejectReason, msg?: RegExp): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof OidcError, `expected OidcError, got ${String(e)}`);
    assert.equal(e.reason, reason, e.message);
    if (msg) assert.match(e.message, msg);
    return true;
  });
}

before(async () => {
  [rsa, ec, other] = await Promise.all([makeKey("RS256", "rsa-1"), makeKey("ES256", "ec-1"), makeKey("RS256", "rsa-1")]);
  issuer = await startIssuer();
  issuer.jwks = [rsa.jwk, ec.jwk];
  issuerCfg = { issuer: issuer.url, provider: "github", repositoryHost: "github.com", webUrl: "https://github.com" };
});

after(async () => {
  await stop(issuer.server);
});

test("valid RS256 and ES256 tokens map to a GitHub identity; JWKS is cached", async () => {
  clock = NOW * 1000;
  const v = createOidcVerifier(config());
  const before = issuer.hits.jwks;
  for (const key of [rsa, ec]) {
    const id = await v.verify(await sign(key, issuer.url, githubClaims()));
    assert.equal(id.provider, "github");
    assert.equal(id.repository, "github.com/acme/web");
    assert.equal(id.sha, "0123456789abcdef0123456789abcdef01234567");
    assert.equal(id.ref, "refs/heads/main");
    assert.equal(id.runId, "9876543210");
    assert.equal(id.runAttempt, "2");
    assert.equal(id.runUrl, "https://github.com/acme/web/actions/runs/9876543210/attempts/2");
    assert.equal(id.actor, "octocat");
    assert.equal(id.event, "push");
    assert.equal(id.environment, "prod");
    assert.equal(id.workflow, "build");
    assert.equal(id.owner, "acme");
  }
  assert.equal(issuer.hits.jwks - before, 1, "one JWKS fetch for two tokens");
});

test("concurrent first verifications share one discovery and JWKS fetch", async () => {
  clock = NOW * 1000;
  const v = createOidcVerifier(config());
  const [d, j] = [issuer.hits.discovery, issuer.hits.jwks];
  const token = await sign(ec, issuer.url, githubClaims());
  const ids = await Promise.all(Array.from({ length: 5 }, () => v.verify(token)));
  assert.equal(ids.length, 5);
  assert.equal(issuer.hits.discovery - d, 1);
  assert.equal(issuer.hits.jwks - j, 1);
});

test("a token signed by another key with the same kid is refused: signature", async () => {
  const v = createOidcVerifier(config());
  await rejects(v.verify(await sign(other, issuer.url, githubClaims())), "signature", /signature/);
});

test("wrong audience is refused", async () => {
  const v = createOidcVerifier(config());
  await rejects(v.verify(await sign(rsa, issuer.url, githubClaims(), { aud: "api://AzureADTokenExchange" })), "audience", /audience/);
});

test("expired, not-yet-valid and future-issued tokens are refused; small skew is tolerated", async () => {
  const v = createOidcVerifier(config({ clockSkewSeconds: 30 }));
  await rejects(v.verify(await sign(rsa, issuer.url, githubClaims(), { iat: NOW - 1000, exp: NOW - 31 })), "expired", /expired/);
  await rejects(v.verify(await sign(rsa, issuer.url, githubClaims(), { iat: NOW - 10, nbf: NOW + 120 })), "not-yet-valid");
  await rejects(v.verify(await sign(rsa, issuer.url, githubClaims(), { iat: NOW + 120, nbf: NOW - 10, exp: NOW + 600 })), "issued-at");
  await rejects(v.verify(await sign(rsa, issuer.url, githubClaims(), { iat: NOW - 7200, exp: NOW + 600 })), "issued-at");
  const id = await v.verify(await sign(rsa, issuer.url, githubClaims(), { iat: NOW - 600, exp: NOW - 20 }));
  assert.equal(id.runId, "9876543210");
});

test("an issuer outside the allow-list is refused without fetching anything", async () => {
  const v = createOidcVerifier(config());
  const before = issuer.hits.discovery;
  await rejects(v.verify(await sign(rsa, "https://evil.example", githubClaims())), "issuer", /evil\.example/);
  assert.equal(issuer.hits.discovery, before);
});

test("alg none, HS256 and garbage are refused", async () => {
  const v = createOidcVerifier(config());
  const payload = base64url.encode(JSON.stringify({ ...githubClaims(), iss: issuer.url, aud: AUD, iat: NOW, exp: NOW + 600 }));
  const none = `${base64url.encode(JSON.stringify({ alg: "none", typ: "JWT" }))}.${payload}.`;
  await rejects(v.verify(none), "algorithm", /"none"/);
  const hs = `${base64url.encode(JSON.stringify({ alg: "HS256", kid: "rsa-1" }))}.${payload}.${base64url.encode("x")}`;
  await rejects(v.verify(hs), "algorithm", /HS256/);
  await rejects(v.verify("not-a-jwt"), "malformed");
  await rejects(v.verify(""), "malformed");
  await rejects(v.verify("a".repeat(20_000)), "too-large");
  // ES256 refused when only RS256 is allowed
  const rsOnly = createOidcVerifier(config({ algorithms: ["RS256"] }));
  await rejects(rsOnly.verify(await sign(ec, issuer.url, githubClaims())), "algorithm", /ES256/);
});

test("unknown kid: the JWKS is refetched once (key rotation), then the token is refused", async () => {
  clock = NOW * 1000;
  const v = createOidcVerifier(config({ refetchCooldownMs: 60_000 }));
  await v.verify(await sign(rsa, issuer.url, githubClaims())); // warm the cache
  const rotated = await makeKey("RS256", "rsa-2");
  issuer.jwks = [rsa.jwk, ec.jwk, rotated.jwk];
  try {
    let n = issuer.hits.jwks;
    const id = await v.verify(await sign(rotated, issuer.url, githubClaims()));
    assert.equal(id.repository, "github.com/acme/web");
    assert.equal(issuer.hits.jwks - n, 1, "rotation picked up by one refetch");

    clock += 61_000;
    n = issuer.hits.jwks;
    await rejects(v.verify(await sign(rotated, issuer.url, githubClaims(), { kid: "nope", iat: NOW + 50 })), "unknown-key", /"nope"/);
    assert.equal(issuer.hits.jwks - n, 1, "exactly one refetch");
    // within the cooldown: no refetch at all
    n = issuer.hits.jwks;
    await rejects(v.verify(await sign(rotated, issuer.url, githubClaims(), { kid: "nope2", iat: NOW + 50 })), "unknown-key");
    assert.equal(issuer.hits.jwks - n, 0, "no refetch within the cooldown");
  } finally {
    issuer.jwks = [rsa.jwk, ec.jwk];
    clock = NOW * 1000;
  }
});

test("JWKS cache expires after its TTL", async () => {
  clock = NOW * 1000;
  const v = createOidcVerifier(config({ jwksTtlMs: 1000 }));
  const n = issuer.hits.jwks;
  await v.verify(await sign(rsa, issuer.url, githubClaims()));
  await v.verify(await sign(rsa, issuer.url, githubClaims()));
  clock += 1500;
  await v.verify(await sign(rsa, issuer.url, githubClaims()));
  clock = NOW * 1000;
  assert.equal(issuer.hits.jwks - n, 2);
});

test("an unreachable issuer: the last JWKS is used within the stale grace, then refused", async () => {
  let down = false;
  const flaky = await startIssuer((_req, res) => {
    if (!down) return false;
    res.statusCode = 503;
    res.end();
    return true;
  });
  flaky.jwks = [rsa.jwk];
  let t = NOW * 1000;
  try {
    const v = createOidcVerifier({ issuers: [{ issuer: flaky.url, provider: "github" }], audience: AUD, now: () => t, jwksTtlMs: 1000, jwksMaxStaleMs: 5000 });
    await v.verify(await sign(rsa, flaky.url, githubClaims()));
    down = true;
    t += 3000; // past the TTL, within the grace
    assert.equal((await v.verify(await sign(rsa, flaky.url, githubClaims()))).runId, "9876543210");
    t += 5000; // past the grace
    await rejects(v.verify(await sign(rsa, flaky.url, githubClaims())), "issuer-unreachable", /HTTP 503/);
  } finally {
    await stop(flaky.server);
  }
});

test("an issuer that hangs times out with a clear message", async () => {
  const hang = await startIssuer(() => true); // never answers
  try {
    const cfg: OidcIssuerConfig = { issuer: hang.url, provider: "github" };
    const v = createOidcVerifier({ issuers: [cfg], audience: AUD, now: () => NOW * 1000, timeoutMs: 200 });
    await rejects(v.verify(await sign(rsa, hang.url, githubClaims())), "issuer-unreachable", /timed out after 200 ms/);
  } finally {
    await stop(hang.server);
  }
});

test("an oversized JWKS and a discovery document naming another issuer are refused", async () => {
  const big = await startIssuer((req, res) => {
    if (req.url === "/.well-known/jwks") {
      res.end(JSON.stringify({ keys: [], pad: "x".repeat(10_000) }));
      return true;
    }
    return false;
  });
  const liar = await startIssuer((req, res) => {
    if (req.url === "/.well-known/openid-configuration") {
      res.end(JSON.stringify({ issuer: "https://token.actions.githubusercontent.com", jwks_uri: `${liar.url}/.well-known/jwks` }));
      return true;
    }
    return false;
  });
  try {
    const v1 = createOidcVerifier({ issuers: [{ issuer: big.url, provider: "github" }], audience: AUD, now: () => NOW * 1000, maxDocumentBytes: 4096 });
    await rejects(v1.verify(await sign(rsa, big.url, githubClaims())), "issuer-unreachable", /larger than 4096 bytes/);
    const v2 = createOidcVerifier({ issuers: [{ issuer: liar.url, provider: "github" }], audience: AUD, now: () => NOW * 1000 });
    await rejects(v2.verify(await sign(rsa, liar.url, githubClaims())), "issuer-unreachable", /names issuer/);
  } finally {
    await stop(big.server);
    await stop(liar.server);
  }
});

test("GitLab and Azure Pipelines claims map to identities", async () => {
  const gl = identityFromClaims(
    {
      sub: "project_path:acme/platform/api:ref_type:branch:ref:main",
      project_path: "acme/platform/api",
      namespace_path: "acme/platform",
      project_id: "42",
      ref: "main",
      ref_type: "branch",
      sha: "ABCDEF0123456789ABCDEF0123456789ABCDEF01",
      pipeline_id: "1001",
      pipeline_source: "push",
      user_login: "alice",
      ci_config_ref_uri: "gitlab.com/acme/platform/api//.gitlab-ci.yml@refs/heads/main",
      job_id: "77",
    },
    { issuer: "https://gitlab.com", provider: "gitlab" },
  );
  assert.equal(gl.repository, "gitlab.com/acme/platform/api");
  assert.equal(gl.ref, "refs/heads/main");
  assert.equal(gl.sha, "abcdef0123456789abcdef0123456789abcdef01");
  assert.equal(gl.runId, "1001");
  assert.equal(gl.runUrl, "https://gitlab.com/acme/platform/api/-/pipelines/1001");
  assert.equal(gl.actor, "alice");
  assert.equal(gl.event, "push");

  const az = identityFromClaims(
    {
      sub: "p://example/test-oidc/build-pipeline",
      org_id: "11111111-2222-3333-4444-555555555555",
      prj_id: "p-uuid",
      def_id: "12",
      rpo_id: "r-uuid",
      rpo_uri: "https://dev.azure.com/example/test-oidc/_git/test-oidc",
      rpo_ver: "0123456789abcdef0123456789abcdef01234567",
      rpo_ref: "refs/heads/main",
      run_id: "555",
    },
    defaultIssuers({ azureOrgIds: ["11111111-2222-3333-4444-555555555555"] })[2]!,
  );
  assert.equal(az.provider, "azure");
  assert.equal(az.repository, "dev.azure.com/example/test-oidc/test-oidc");
  assert.equal(az.workflow, "build-pipeline");
  assert.equal(az.runUrl, "https://dev.azure.com/example/test-oidc/_build/results?buildId=555");
  assert.throws(() => identityFromClaims({ sub: "sc://example/p/conn", rpo_uri: "https://x", run_id: "1", rpo_ver: "a" }, { issuer: "https://vstoken.dev.azure.com/x", provider: "azure" }), /p:\/\/org\/project\/pipeline/);
  assert.throws(() => identityFromClaims({ sub: "x", repository: "a/b", sha: "c" }, { issuer: "https://i", provider: "github" }), /"run_id"/);
});

test("a CI record disagreeing with the verified claims is refused, naming the field", async () => {
  clock = NOW * 1000;
  const v = createOidcVerifier(config());
  const id = await v.verify(await sign(rsa, issuer.url, githubClaims()));
  // agreeing forms are accepted
  checkRecordAgainstIdentity({ repository: "https://github.com/Acme/Web.git", commit: "0123456789ABCDEF0123456789abcdef01234567", ref: "main", runId: 9876543210, runAttempt: 2, workflow: "build" }, id);
  checkRecordAgainstIdentity({ repository: "acme/web" }, id);
  checkRecordAgainstIdentity({}, id);
  const bad: [Parameters<typeof checkRecordAgainstIdentity>[0], string][] = [
    [{ repository: "github.com/acme/other" }, "repository"],
    [{ commit: "ffffffffffffffffffffffffffffffffffffffff" }, "commit"],
    [{ ref: "refs/heads/dev" }, "ref"],
    [{ runId: "1" }, "runId"],
    [{ runAttempt: "1" }, "runAttempt"],
    [{ workflow: "deploy" }, "workflow"],
  ];
  for (const [body, field] of bad) {
    assert.throws(
      () => checkRecordAgainstIdentity(body, id),
      (e: unknown) => e instanceof OidcError && e.reason === "claims-mismatch" && e.message.includes(`"${field}"`) && e.code === "auth",
      field,
    );
  }
});
