// Verify a CI job's OIDC token (GitHub Actions, GitLab CI, Azure Pipelines) and map its verified
// claims to a CiIdentity. The repository and run identity of a CI record come from these claims,
// never from the request body: checkRecordAgainstIdentity refuses a body that disagrees.
//
// Untrusted input throughout: the token is size-bounded and its issuer checked against the
// allow-list *before* anything is fetched; discovery and JWKS documents are fetched with a timeout,
// a byte bound, no redirects, and cached with a TTL; an unknown key id triggers at most one JWKS
// refetch (rate-limited per issuer) before the token is refused.
import { createLocalJWKSet, decodeJwt, decodeProtectedHeader, errors as joseErrors, jwtVerify } from "jose";
import type { JSONWebKeySet, JWTPayload } from "jose";
import { BerthError } from "../../util/errors.js";

export type CiProvider = "github" | "gitlab" | "azure";
export type OidcAlgorithm = "RS256" | "ES256";

/** Why a token or a record was refused; stable, for tests, logs and metrics. */
export type OidcRejectReason =
  | "malformed"
  | "too-large"
  | "algorithm"
  | "issuer"
  | "unknown-key"
  | "signature"
  | "audience"
  | "expired"
  | "not-yet-valid"
  | "issued-at"
  | "claims"
  | "claims-mismatch"
  | "issuer-unreachable";

export class OidcError extends BerthError {
  constructor(
    readonly reason: OidcRejectReason,
    message: string,
    opts?: { cause?: unknown },
  ) {
    super(reason === "issuer-unreachable" ? "network" : "auth", message, opts);
    this.name = "OidcError";
  }
}

export interface OidcIssuerConfig {
  /** Exact `iss` value, e.g. "https://token.actions.githubusercontent.com". */
  readonly issuer: string;
  readonly provider: CiProvider;
  /** Host used to name repositories ("github.com", "gitlab.example.com"); derived when absent. */
  readonly repositoryHost?: string;
  /** Web base URL used to build run URLs ("https://github.com"); derived when absent. */
  readonly webUrl?: string;
}

export const GITHUB_ACTIONS_ISSUER = "https://token.actions.githubusercontent.com";
export const GITLAB_COM_ISSUER = "https://gitlab.com";

/** The issuer of Azure Pipelines tokens for one Azure DevOps organisation (by its id). */
export function azurePipelinesIssuer(orgId: string): string {
  if (!/^[0-9a-fA-F-]{8,64}$/.test(orgId)) throw new BerthError("usage", `Azure DevOps organisation id must be a GUID, got ${JSON.stringify(orgId)}`);
  return `https://vstoken.dev.azure.com/${orgId}`;
}

/** Default allow-list: GitHub Actions and gitlab.com, plus Azure Pipelines for the given org ids. */
export function defaultIssuers(opts: { azureOrgIds?: readonly string[]; gitlabIssuers?: readonly string[] } = {}): OidcIssuerConfig[] {
  const out: OidcIssuerConfig[] = [
    { issuer: GITHUB_ACTIONS_ISSUER, provider: "github", repositoryHost: "github.com", webUrl: "https://github.com" },
    { issuer: GITLAB_COM_ISSUER, provider: "gitlab" },
  ];
  for (const gl of opts.gitlabIssuers ?? []) out.push({ issuer: gl, provider: "gitlab" });
  for (const id of opts.azureOrgIds ?? []) out.push({ issuer: azurePipelinesIssuer(id), provider: "azure", repositoryHost: "dev.azure.com", webUrl: "https://dev.azure.com" });
  return out;
}

export interface OidcConfig {
  readonly issuers: readonly OidcIssuerConfig[];
  /** Required `aud`, e.g. the server's public URL or "berth". */
  readonly audience: string;
  readonly algorithms?: readonly OidcAlgorithm[];
  /** Allowed clock skew for exp/nbf/iat, seconds (default 60). */
  readonly clockSkewSeconds?: number;
  /** Oldest accepted `iat`, seconds (default 3600). */
  readonly maxTokenAgeSeconds?: number;
  /** How long a fetched JWKS is trusted, ms (default 10 min). */
  readonly jwksTtlMs?: number;
  /**
   * When a refresh after the TTL fails (issuer down), keep using the last JWKS for this long past
   * its TTL, ms (default 1 h; 0 disables).
   */
  readonly jwksMaxStaleMs?: number;
  /** Minimum interval between unknown-kid refetches of one issuer's JWKS, ms (default 30 s). */
  readonly refetchCooldownMs?: number;
  /** Timeout of each discovery/JWKS request (headers and body), ms (default 5 s). */
  readonly timeoutMs?: number;
  /** Largest discovery or JWKS document, bytes (default 256 KiB). */
  readonly maxDocumentBytes?: number;
  /** Largest token, bytes (default 16 KiB). */
  readonly maxTokenBytes?: number;
  /** Clock, ms since epoch (tests). */
  readonly now?: () => number;
}

/** The CI run a verified token speaks for. Absent claims are undefined, never guessed. */
export interface CiIdentity {
  readonly provider: CiProvider;
  readonly issuer: string;
  readonly subject: string;
  /** Host-qualified, lower-case: "github.com/owner/repo", "gitlab.com/group/project". */
  readonly repository: string;
  readonly repositoryId?: string;
  readonly owner?: string;
  /** Full ref: "refs/heads/main", "refs/tags/v1". */
  readonly ref?: string;
  readonly sha?: string;
  /** Workflow / pipeline name or id. */
  readonly workflow?: string;
  /** Reference of the workflow / CI config file, when the provider gives one. */
  readonly workflowRef?: string;
  readonly runId: string;
  readonly runAttempt?: string;
  readonly runUrl?: string;
  readonly actor?: string;
  /** Trigger: "push", "pull_request", "merge_request_event", … */
  readonly event?: string;
  readonly environment?: string;
}

export interface OidcVerifier {
  verify(token: string): Promise<CiIdentity>;
}

interface Resolved {
  readonly keys: ReturnType<typeof createLocalJWKSet>;
  readonly kids: ReadonlySet<string>;
  readonly fetchedAt: number;
}

interface IssuerState {
  cached?: Resolved;
  inflight?: Promise<Resolved>;
  lastRefetchOnMiss?: number;
}

const MAX_JWKS_KEYS = 100;

export function createOidcVerifier(config: OidcConfig): OidcVerifier {
  if (config.issuers.length === 0) throw new BerthError("usage", "OIDC: no issuer configured");
  if (config.audience.trim() === "") throw new BerthError("usage", "OIDC: audience must not be empty");
  const algorithms = [...(config.algorithms ?? ["RS256", "ES256"])];
  const skew = config.clockSkewSeconds ?? 60;
  const maxAge = config.maxTokenAgeSeconds ?? 3600;
  const ttl = config.jwksTtlMs ?? 10 * 60_000;
  const maxStale = config.jwksMaxStaleMs ?? 60 * 60_000;
  const cooldown = config.refetchCooldownMs ?? 30_000;
  const timeoutMs = config.timeoutMs ?? 5_000;
  const maxDoc = config.maxDocumentBytes ?? 256 * 1024;
  const maxToken = config.maxTokenBytes ?? 16 * 1024;
  const now = config.now ?? Date.now;
  const byIssuer = new Map<string, OidcIssuerConfig>(config.issuers.map((i) => [i.issuer, i]));
  const state = new Map<string, IssuerState>();

  async function load(iss: OidcIssuerConfig): Promise<Resolved> {
    const discoveryUrl = `${iss.issuer.replace(/\/+$/, "")}/.well-known/openid-configuration`;
    const disco = await fetchJson(discoveryUrl, "discovery document", timeoutMs, maxDoc);
    if (!isRecord(disco)) throw new OidcError("issuer-unreachable", `OIDC issuer ${iss.issuer}: discovery document is not a JSON object`);
    if (disco["issuer"] !== iss.issuer) {
      throw new OidcError("issuer-unreachable", `OIDC issuer ${iss.issuer}: discovery document names issuer ${JSON.stringify(disco["issuer"])}`);
    }
    const jwksUri = disco["jwks_uri"];
    if (typeof jwksUri !== "string") throw new OidcError("issuer-unreachable", `OIDC issuer ${iss.issuer}: discovery document has no jwks_uri`);
    checkFetchableUrl(jwksUri, iss.issuer);
    const jwks = await fetchJson(jwksUri, "JWKS", timeoutMs, maxDoc);
    const set = validateJwks(jwks, iss.issuer);
    let keys: ReturnType<typeof createLocalJWKSet>;
    try {
      keys = createLocalJWKSet(set);
    } catch (e) {
      throw new OidcError("issuer-unreachable", `OIDC issuer ${iss.issuer}: invalid JWKS`, { cause: e });
    }
    const kids = new Set(set.keys.map((k) => k.kid).filter((k): k is string => typeof k === "string"));
    return { keys, kids, fetchedAt: now() };
  }

  function refresh(iss: OidcIssuerConfig): Promise<Resolved> {
    const st = state.get(iss.issuer) ?? {};
    state.set(iss.issuer, st);
    if (st.inflight) return st.inflight;
    const p = load(iss).then(
      (r) => {
        st.cached = r;
        st.inflight = undefined;
        return r;
      },
      (e: unknown) => {
        st.inflight = undefined;
        throw e;
      },
    );
    st.inflight = p;
    return p;
  }

  async function keysFor(iss: OidcIssuerConfig): Promise<{ resolved: Resolved; fresh: boolean }> {
    const st = state.get(iss.issuer);
    if (st?.cached && now() - st.cached.fetchedAt < ttl) return { resolved: st.cached, fresh: false };
    try {
      return { resolved: await refresh(iss), fresh: true };
    } catch (e) {
      const stale = state.get(iss.issuer)?.cached;
      if (e instanceof OidcError && e.reason === "issuer-unreachable" && stale && now() - stale.fetchedAt < ttl + maxStale) return { resolved: stale, fresh: false };
      throw e;
    }
  }

  async function verifyWith(token: string, iss: OidcIssuerConfig, resolved: Resolved): Promise<JWTPayload> {
    try {
      const { payload } = await jwtVerify(token, resolved.keys, {
        issuer: iss.issuer,
        audience: config.audience,
        algorithms,
        clockTolerance: skew,
        maxTokenAge: maxAge,
        currentDate: new Date(now()),
        requiredClaims: ["exp", "iat"],
      });
      return payload;
    } catch (e) {
      throw mapJoseError(e, iss.issuer, config.audience);
    }
  }

  return {
    async verify(token: string): Promise<CiIdentity> {
      if (typeof token !== "string" || token.length === 0) throw new OidcError("malformed", "OIDC token is empty");
      if (token.length > maxToken) throw new OidcError("too-large", `OIDC token is larger than ${maxToken} bytes`);
      let header: ReturnType<typeof decodeProtectedHeader>;
      let unverified: JWTPayload;
      try {
        header = decodeProtectedHeader(token);
        unverified = decodeJwt(token);
      } catch {
        throw new OidcError("malformed", "OIDC token is not a compact JWS JWT");
      }
      const alg = header.alg;
      if (typeof alg !== "string" || !(algorithms as string[]).includes(alg)) {
        throw new OidcError("algorithm", `OIDC token algorithm ${JSON.stringify(alg ?? null)} is not allowed (allowed: ${algorithms.join(", ")})`);
      }
      const issValue = unverified.iss;
      const iss = typeof issValue === "string" ? byIssuer.get(issValue) : undefined;
      if (!iss) throw new OidcError("issuer", `OIDC token issuer ${JSON.stringify(issValue ?? null)} is not an allowed issuer`);
      const kid = typeof header.kid === "string" ? header.kid : undefined;

      let { resolved, fresh } = await keysFor(iss);
      if (kid !== undefined && !resolved.kids.has(kid) && !fresh) {
        // Key rotation: refetch once, at most every `cooldown` ms per issuer.
        const st = state.get(iss.issuer);
        const last = st?.lastRefetchOnMiss;
        if (st && (last === undefined || now() - last >= cooldown)) {
          st.lastRefetchOnMiss = now();
          resolved = await refresh(iss);
          fresh = true;
        }
      }
      if (kid !== undefined && !resolved.kids.has(kid)) {
        throw new OidcError("unknown-key", `OIDC token key id ${JSON.stringify(kid)} is not in the JWKS of ${iss.issuer}`);
      }
      const payload = await verifyWith(token, iss, resolved);
      return identityFromClaims(payload, iss);
    },
  };
}

function mapJoseError(e: unknown, issuer: string, audience: string): OidcError {
  if (e instanceof joseErrors.JWTExpired) {
    if (e.claim === "iat") return new OidcError("issued-at", "OIDC token was issued too long ago", { cause: e });
    return new OidcError("expired", "OIDC token has expired", { cause: e });
  }
  if (e instanceof joseErrors.JWTClaimValidationFailed) {
    switch (e.claim) {
      case "aud":
        return new OidcError("audience", `OIDC token audience is not ${JSON.stringify(audience)}`, { cause: e });
      case "iss":
        return new OidcError("issuer", `OIDC token issuer is not ${issuer}`, { cause: e });
      case "nbf":
        return new OidcError("not-yet-valid", "OIDC token is not valid yet (nbf in the future)", { cause: e });
      case "iat":
        return new OidcError("issued-at", "OIDC token is issued in the future (iat)", { cause: e });
      default:
        return new OidcError("claims", `OIDC token claim ${JSON.stringify(e.claim)} is invalid: ${e.reason}`, { cause: e });
    }
  }
  if (e instanceof joseErrors.JWSSignatureVerificationFailed) return new OidcError("signature", `OIDC token signature does not verify against the JWKS of ${issuer}`, { cause: e });
  if (e instanceof joseErrors.JWKSNoMatchingKey) return new OidcError("unknown-key", `OIDC token matches no key in the JWKS of ${issuer}`, { cause: e });
  if (e instanceof joseErrors.JWKSMultipleMatchingKeys) return new OidcError("unknown-key", `OIDC token has no key id and the JWKS of ${issuer} has several candidate keys`, { cause: e });
  if (e instanceof joseErrors.JOSEAlgNotAllowed) return new OidcError("algorithm", "OIDC token algorithm is not allowed", { cause: e });
  if (e instanceof joseErrors.JWTInvalid || e instanceof joseErrors.JWSInvalid) return new OidcError("malformed", `OIDC token is malformed: ${e.message}`, { cause: e });
  if (e instanceof joseErrors.JOSEError) return new OidcError("signature", `OIDC token refused: ${e.message}`, { cause: e });
  throw e;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function isLoopback(host: string): boolean {
  return host === "127.0.0.1" || host === "[::1]" || host === "localhost";
}

function checkFetchableUrl(url: string, issuer: string): void {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new OidcError("issuer-unreachable", `OIDC issuer ${issuer}: jwks_uri ${JSON.stringify(url)} is not a URL`);
  }
  if (u.protocol === "https:") return;
  if (u.protocol === "http:" && isLoopback(u.hostname)) return;
  throw new OidcError("issuer-unreachable", `OIDC issuer ${issuer}: jwks_uri must be https, got ${u.protocol}`);
}

/** GET a JSON document with one timeout covering headers and body, a byte bound, no redirects. */
async function fetchJson(url: string, what: string, timeoutMs: number, maxBytes: number): Promise<unknown> {
  const ac = new AbortController();
  const timer = setTimeout(() => ac.abort(), timeoutMs);
  try {
    let res: Response;
    try {
      res = await fetch(url, { signal: ac.signal, redirect: "error", headers: { accept: "application/json" } });
    } catch (e) {
      if (ac.signal.aborted) throw new OidcError("issuer-unreachable", `OIDC ${what} ${url}: timed out after ${timeoutMs} ms`, { cause: e });
      throw new OidcError("issuer-unreachable", `OIDC ${what} ${url}: request failed`, { cause: e });
    }
    if (res.status !== 200) {
      await res.body?.cancel().catch(() => undefined);
      throw new OidcError("issuer-unreachable", `OIDC ${what} ${url}: HTTP ${res.status}`);
    }
    const declared = Number(res.headers.get("content-length") ?? "NaN");
    if (Number.isFinite(declared) && declared > maxBytes) {
      await res.body?.cancel().catch(() => undefined);
      throw new OidcError("issuer-unreachable", `OIDC ${what} ${url}: larger than ${maxBytes} bytes`);
    }
    const chunks: Uint8Array[] = [];
    let total = 0;
    if (res.body) {
      const reader = res.body.getReader();
      try {
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          total += value.byteLength;
          if (total > maxBytes) {
            await reader.cancel().catch(() => undefined);
            throw new OidcError("issuer-unreachable", `OIDC ${what} ${url}: larger than ${maxBytes} bytes`);
          }
          chunks.push(value);
        }
      } catch (e) {
        if (e instanceof OidcError) throw e;
        if (ac.signal.aborted) throw new OidcError("issuer-unreachable", `OIDC ${what} ${url}: timed out after ${timeoutMs} ms`, { cause: e });
        throw new OidcError("issuer-unreachable", `OIDC ${what} ${url}: read failed`, { cause: e });
      }
    }
    try {
      return JSON.parse(Buffer.concat(chunks).toString("utf8")) as unknown;
    } catch (e) {
      throw new OidcError("issuer-unreachable", `OIDC ${what} ${url}: not valid JSON`, { cause: e });
    }
  } finally {
    clearTimeout(timer);
  }
}

function validateJwks(v: unknown, issuer: string): JSONWebKeySet {
  if (!isRecord(v) || !Array.isArray(v["keys"])) throw new OidcError("issuer-unreachable", `OIDC issuer ${issuer}: JWKS has no "keys" array`);
  const keys = v["keys"] as unknown[];
  if (keys.length > MAX_JWKS_KEYS) throw new OidcError("issuer-unreachable", `OIDC issuer ${issuer}: JWKS has more than ${MAX_JWKS_KEYS} keys`);
  for (const k of keys) {
    if (!isRecord(k) || typeof k["kty"] !== "string") throw new OidcError("issuer-unreachable", `OIDC issuer ${issuer}: JWKS key without "kty"`);
    // A JWKS carries public keys only.
    if ("d" in k) throw new OidcError("issuer-unreachable", `OIDC issuer ${issuer}: JWKS contains a private key`);
  }
  return { keys: keys as JSONWebKeySet["keys"] };
}

// ---------------------------------------------------------------------------------------------
// Claims → CiIdentity, per provider.

function str(p: JWTPayload, name: string): string | undefined {
  const v = p[name];
  if (typeof v === "string" && v !== "") return v;
  if (typeof v === "number" && Number.isFinite(v)) return String(v);
  return undefined;
}

function need(p: JWTPayload, name: string, provider: CiProvider): string {
  const v = str(p, name);
  if (v === undefined) throw new OidcError("claims", `OIDC token from ${provider} lacks the "${name}" claim`);
  return v;
}

function hostOf(url: string): string {
  return new URL(url).host.toLowerCase();
}

/** Map verified claims to the identity of the CI run. Exported for tests and the API-token path. */
export function identityFromClaims(p: JWTPayload, iss: OidcIssuerConfig): CiIdentity {
  const subject = str(p, "sub") ?? "";
  switch (iss.provider) {
    case "github": {
      const repo = need(p, "repository", "github");
      const runId = need(p, "run_id", "github");
      const attempt = str(p, "run_attempt");
      const web = (iss.webUrl ?? "https://github.com").replace(/\/+$/, "");
      const host = iss.repositoryHost ?? hostOf(web);
      return {
        provider: "github",
        issuer: iss.issuer,
        subject,
        repository: `${host}/${repo}`.toLowerCase(),
        repositoryId: str(p, "repository_id"),
        owner: str(p, "repository_owner"),
        ref: str(p, "ref"),
        sha: need(p, "sha", "github").toLowerCase(),
        workflow: str(p, "workflow"),
        workflowRef: str(p, "job_workflow_ref") ?? str(p, "workflow_ref"),
        runId,
        runAttempt: attempt,
        runUrl: `${web}/${repo}/actions/runs/${runId}${attempt ? `/attempts/${attempt}` : ""}`,
        actor: str(p, "actor"),
        event: str(p, "event_name"),
        environment: str(p, "environment"),
      };
    }
    case "gitlab": {
      const path = need(p, "project_path", "gitlab");
      const pipelineId = need(p, "pipeline_id", "gitlab");
      const web = (iss.webUrl ?? iss.issuer).replace(/\/+$/, "");
      const host = iss.repositoryHost ?? hostOf(web);
      const rawRef = str(p, "ref");
      const refType = str(p, "ref_type");
      const ref = rawRef === undefined ? undefined : rawRef.startsWith("refs/") ? rawRef : refType === "tag" ? `refs/tags/${rawRef}` : `refs/heads/${rawRef}`;
      return {
        provider: "gitlab",
        issuer: iss.issuer,
        subject,
        repository: `${host}/${path}`.toLowerCase(),
        repositoryId: str(p, "project_id"),
        owner: str(p, "namespace_path"),
        ref,
        sha: need(p, "sha", "gitlab").toLowerCase(),
        workflow: str(p, "ci_config_ref_uri"),
        workflowRef: str(p, "ci_config_ref_uri"),
        runId: pipelineId,
        runAttempt: undefined,
        runUrl: `${web}/${path}/-/pipelines/${pipelineId}`,
        actor: str(p, "user_login"),
        event: str(p, "pipeline_source"),
        environment: str(p, "environment"),
      };
    }
    case "azure": {
      // sub: "p://<org>/<project>/<pipeline>" for a pipeline job; "sc://…" is a service-connection
      // token, which does not speak for a pipeline run.
      const m = /^p:\/\/([^/]+)\/([^/]+)\/(.+)$/.exec(subject);
      if (!m) throw new OidcError("claims", `OIDC token from Azure Pipelines has subject ${JSON.stringify(subject)}, expected p://org/project/pipeline`);
      const org = m[1] ?? "";
      const project = m[2] ?? "";
      const pipeline = m[3] ?? "";
      const runId = need(p, "run_id", "azure");
      const repoUri = need(p, "rpo_uri", "azure");
      const web = (iss.webUrl ?? "https://dev.azure.com").replace(/\/+$/, "");
      return {
        provider: "azure",
        issuer: iss.issuer,
        subject,
        repository: azureRepository(repoUri),
        repositoryId: str(p, "rpo_id"),
        owner: org,
        ref: str(p, "rpo_ref"),
        sha: need(p, "rpo_ver", "azure").toLowerCase(),
        workflow: pipeline,
        workflowRef: str(p, "def_id"),
        runId,
        runAttempt: undefined,
        runUrl: `${web}/${encodeURIComponent(org)}/${encodeURIComponent(project)}/_build/results?buildId=${encodeURIComponent(runId)}`,
        actor: undefined,
        event: undefined,
        environment: undefined,
      };
    }
  }
}

/** "https://dev.azure.com/org/proj/_git/repo" → "dev.azure.com/org/proj/repo"; other hosts as-is. */
function azureRepository(uri: string): string {
  let u: URL;
  try {
    u = new URL(uri);
  } catch {
    throw new OidcError("claims", `OIDC token from Azure Pipelines has rpo_uri ${JSON.stringify(uri)}, not a URL`);
  }
  const path = u.pathname.split("/").filter((s) => s !== "" && s !== "_git").join("/");
  return normalizeRepository(`${u.host}/${path}`);
}

// ---------------------------------------------------------------------------------------------
// CI record body vs verified identity.

/** The identity fields a CI record body may carry (all optional; all checked when present). */
export interface CiRecordIdentityFields {
  readonly repository?: string;
  readonly commit?: string;
  readonly ref?: string;
  readonly runId?: string | number;
  readonly runAttempt?: string | number;
  readonly workflow?: string;
}

/** "https://GitHub.com/Owner/Repo.git/" → "github.com/owner/repo". */
export function normalizeRepository(r: string): string {
  return r
    .trim()
    .toLowerCase()
    .replace(/^[a-z+]+:\/\//, "")
    .replace(/^[^@/]+@/, "")
    .replace(/\/+$/, "")
    .replace(/\.git$/, "");
}

function shortRef(r: string): string {
  return r.replace(/^refs\/(heads|tags)\//, "");
}

function mismatch(field: string, claim: string, body: string): OidcError {
  return new OidcError("claims-mismatch", `CI record field "${field}" (${JSON.stringify(body)}) disagrees with the verified OIDC token (${JSON.stringify(claim)})`);
}

/**
 * Refuse a CI record whose identity fields disagree with the verified token; the claims win.
 * A body repository may be host-qualified ("github.com/o/r"), a URL, or just "o/r".
 */
export function checkRecordAgainstIdentity(body: CiRecordIdentityFields, id: CiIdentity): void {
  if (body.repository !== undefined) {
    const b = normalizeRepository(body.repository);
    const c = id.repository;
    const path = c.slice(c.indexOf("/") + 1);
    if (b !== c && b !== path) throw mismatch("repository", c, body.repository);
  }
  if (body.commit !== undefined && id.sha !== undefined) {
    if (body.commit.trim().toLowerCase() !== id.sha) throw mismatch("commit", id.sha, body.commit);
  }
  if (body.ref !== undefined && id.ref !== undefined) {
    const b = body.ref.trim();
    if (b !== id.ref && b !== shortRef(id.ref)) throw mismatch("ref", id.ref, body.ref);
  }
  if (body.runId !== undefined) {
    if (String(body.runId).trim() !== id.runId) throw mismatch("runId", id.runId, String(body.runId));
  }
  if (body.runAttempt !== undefined && id.runAttempt !== undefined) {
    if (String(body.runAttempt).trim() !== id.runAttempt) throw mismatch("runAttempt", id.runAttempt, String(body.runAttempt));
  }
  if (body.workflow !== undefined && id.workflow !== undefined) {
    if (body.workflow.trim() !== id.workflow) throw mismatch("workflow", id.workflow, body.workflow);
  }
}
