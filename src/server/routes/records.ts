// POST /api/v1/records: a CI run records what it built (`berth record`). Authenticated by the CI's
// OIDC token — the repository and run identity then come from the verified claims, and a body that
// disagrees is refused — or by an API token with role ingest/admin (the body is then trusted, and
// recorded as such). One transaction: repository (+ CODEOWNERS), pipeline run (idempotent by
// repository, provider and run id), image links, scan jobs for images not scanned yet, audit entry.
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { parseReference } from "../../image/registry/reference.js";
import type { Repositories } from "../../store/index.js";
import { canonicalRepositoryUrl, recordRepository } from "../../store/records.js";
import { BerthError } from "../../util/errors.js";
import { bearerOf } from "../auth/tokens.js";
import { checkRecordAgainstIdentity, OidcError, type CiIdentity, type CiProvider, type OidcVerifier } from "../auth/oidc.js";
import { MAX_CODEOWNERS_BYTES, parseCodeowners, rootOwners } from "../codeowners.js";
import { isValidDigest } from "../ingest/distribution.js";
import { SCAN_JOB, scanDedupeKey, type ScanJobPayload } from "../ingest/registry-events.js";

export const RECORDS_PATH = "/api/v1/records";
export const MAX_RECORD_IMAGES = 100;

export interface RecordRouteDeps {
  readonly repos: Repositories;
  /** CI OIDC verification (configured issuers and audience); without it only API tokens are accepted. */
  readonly oidc?: OidcVerifier;
  readonly now?: () => Date;
  /** Called when scan jobs were enqueued (to wake the worker). */
  readonly onEnqueued?: () => void;
}

export interface RecordBody {
  readonly repository: string;
  readonly commit: string;
  readonly ref?: string;
  readonly workflow?: string;
  readonly runId: string;
  readonly runAttempt?: string;
  readonly runUrl?: string;
  readonly actor?: string;
  readonly provider: CiProvider;
  readonly codeowners?: string;
  readonly images: readonly { readonly reference: string; readonly digest: string }[];
}

const PROVIDERS: readonly CiProvider[] = ["github", "gitlab", "azure"];

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Validates the body field by field; every problem is named in one message (BerthError "input"). */
export function parseRecordBody(v: unknown): RecordBody {
  if (!isRecord(v)) throw new BerthError("input", "record body must be a JSON object");
  const problems: string[] = [];
  const text = (name: string, max: number, required: boolean, re?: RegExp): string | undefined => {
    const x = v[name];
    if (x === undefined || x === null) {
      if (required) problems.push(`${name}: required`);
      return undefined;
    }
    const s = typeof x === "number" && Number.isSafeInteger(x) && x >= 0 ? String(x) : x;
    if (typeof s !== "string") {
      problems.push(`${name}: must be a string`);
      return undefined;
    }
    const t = s.trim();
    if (t === "" && required) problems.push(`${name}: must not be empty`);
    else if (t.length > max) problems.push(`${name}: longer than ${max} characters`);
    else if (re && t !== "" && !re.test(t)) problems.push(`${name}: invalid value ${JSON.stringify(t.slice(0, 80))}`);
    return t === "" ? undefined : t;
  };
  const repository = text("repository", 512, true);
  const commit = text("commit", 64, true, /^[0-9a-fA-F]{7,64}$/);
  const ref = text("ref", 512, false);
  const workflow = text("workflow", 512, false);
  const runId = text("runId", 128, true, /^[A-Za-z0-9._-]+$/);
  const runAttempt = text("runAttempt", 16, false, /^[0-9]+$/);
  const runUrl = text("runUrl", 2048, false, /^https?:\/\/\S+$/);
  const actor = text("actor", 256, false);
  const provider = text("provider", 16, true);
  if (provider !== undefined && !(PROVIDERS as readonly string[]).includes(provider)) problems.push(`provider: expected one of ${PROVIDERS.join(", ")}`);
  let codeowners: string | undefined;
  if (v.codeowners !== undefined && v.codeowners !== null) {
    if (typeof v.codeowners !== "string") problems.push("codeowners: must be a string (the text of CODEOWNERS)");
    else if (Buffer.byteLength(v.codeowners, "utf8") > MAX_CODEOWNERS_BYTES) problems.push(`codeowners: larger than ${MAX_CODEOWNERS_BYTES} bytes`);
    else codeowners = v.codeowners;
  }
  const images: { reference: string; digest: string }[] = [];
  if (!Array.isArray(v.images)) problems.push("images: required, an array of { reference, digest }");
  else if (v.images.length === 0) problems.push("images: at least one image");
  else if (v.images.length > MAX_RECORD_IMAGES) problems.push(`images: more than ${MAX_RECORD_IMAGES}`);
  else {
    v.images.forEach((im: unknown, i: number) => {
      if (!isRecord(im)) {
        problems.push(`images[${i}]: must be an object`);
        return;
      }
      const { reference, digest } = im;
      if (typeof digest !== "string" || !isValidDigest(digest)) problems.push(`images[${i}].digest: not a digest`);
      if (typeof reference !== "string" || reference.length > 1024) {
        problems.push(`images[${i}].reference: must be a string of at most 1024 characters`);
        return;
      }
      try {
        const r = parseReference(reference);
        if (r.digest !== undefined && r.digest !== digest) problems.push(`images[${i}].reference: names digest ${r.digest}, not ${String(digest)}`);
      } catch (e) {
        problems.push(`images[${i}].reference: ${e instanceof Error ? e.message : String(e)}`);
      }
      if (typeof digest === "string") images.push({ reference, digest });
    });
  }
  if (problems.length > 0 || !repository || !commit || !runId || !provider) throw new BerthError("input", `invalid record: ${problems.slice(0, 20).join("; ")}`);
  return {
    repository,
    commit: commit.toLowerCase(),
    ...(ref ? { ref } : {}),
    ...(workflow ? { workflow } : {}),
    runId,
    ...(runAttempt ? { runAttempt } : {}),
    ...(runUrl ? { runUrl } : {}),
    ...(actor ? { actor } : {}),
    provider: provider as CiProvider,
    ...(codeowners !== undefined ? { codeowners } : {}),
    images,
  };
}

const DEFAULT_HOSTS: Readonly<Record<CiProvider, string>> = { github: "github.com", gitlab: "gitlab.com", azure: "dev.azure.com" };

/** The body's repository as a canonical URL; "acme/web" gets the provider's public host. */
export function bodyRepositoryUrl(repository: string, provider: CiProvider): string | undefined {
  const direct = canonicalRepositoryUrl(repository);
  if (direct) return direct;
  return canonicalRepositoryUrl(`${DEFAULT_HOSTS[provider]}/${repository.replace(/^\/+/, "")}`);
}

/** A compact JWS (three base64url parts) is taken for an OIDC token; anything else for an API token. */
export function looksLikeJwt(token: string): boolean {
  return /^eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(token);
}

type Caller = { kind: "oidc"; identity: CiIdentity } | { kind: "token"; id: number };

function refuse(reply: FastifyReply, status: 401 | 403 | 503, reason: string, message: string): FastifyReply {
  if (status === 401) void reply.header("www-authenticate", 'Bearer realm="berth", error="invalid_token"');
  return reply.code(status).send({ error: status === 403 ? "forbidden" : status === 503 ? "unavailable" : "unauthorized", reason, message });
}

/** Where a verified identity and the body disagree beyond what checkRecordAgainstIdentity covers. */
function checkBody(body: RecordBody, id: CiIdentity): void {
  if (body.provider !== id.provider) throw new OidcError("claims-mismatch", `CI record field "provider" (${JSON.stringify(body.provider)}) disagrees with the verified OIDC token (${JSON.stringify(id.provider)})`);
  checkRecordAgainstIdentity(
    {
      // Azure repository URLs carry "/_git/", the identity does not.
      repository: body.repository.replace(/\/_git\//, "/"),
      commit: body.commit,
      ...(body.ref ? { ref: body.ref } : {}),
      runId: body.runId,
      ...(body.runAttempt ? { runAttempt: body.runAttempt } : {}),
      // GitLab's workflow claim is the CI config URI, which the job's environment does not name.
      ...(body.workflow && id.provider !== "gitlab" ? { workflow: body.workflow } : {}),
    },
    id,
  );
}

export function registerRecordRoutes(app: FastifyInstance, deps: RecordRouteDeps): void {
  const { repos } = deps;
  const now = deps.now ?? (() => new Date());
  const records = recordRepository(repos.store.db);

  app.post(RECORDS_PATH, async (req: FastifyRequest, reply: FastifyReply) => {
    const presented = bearerOf(req.headers.authorization);
    if (!presented) return refuse(reply, 401, "missing", "missing bearer token (a CI OIDC token or an API token)");
    let caller: Caller;
    if (looksLikeJwt(presented)) {
      if (!deps.oidc) return refuse(reply, 401, "oidc-disabled", "this server accepts no OIDC tokens (no issuer configured); use an API token");
      try {
        caller = { kind: "oidc", identity: await deps.oidc.verify(presented) };
      } catch (e) {
        if (e instanceof OidcError) return refuse(reply, e.reason === "issuer-unreachable" ? 503 : 401, e.reason, e.message);
        throw e;
      }
    } else {
      const row = await repos.tokens.verify(presented);
      if (!row) return refuse(reply, 401, "invalid-token", "invalid or revoked token");
      if (row.role !== "ingest" && row.role !== "admin") return refuse(reply, 403, "role", `role ${row.role} may not record CI runs (needs ingest or admin)`);
      req.principal = { kind: "token", id: row.id, role: row.role };
      caller = { kind: "token", id: row.id };
    }

    const body = parseRecordBody(req.body);
    let run: Parameters<typeof records.upsertRun>[0];
    if (caller.kind === "oidc") {
      const id = caller.identity;
      try {
        checkBody(body, id);
      } catch (e) {
        if (e instanceof OidcError) return refuse(reply, 403, e.reason, e.message);
        throw e;
      }
      const url = canonicalRepositoryUrl(id.repository);
      if (!url) return refuse(reply, 403, "claims", `the verified repository ${JSON.stringify(id.repository)} is not a repository path`);
      // Identity from the claims; the body fills only what the provider's token does not carry.
      const runAttempt = id.runAttempt ?? body.runAttempt;
      const commit = id.sha ?? body.commit;
      const ref = id.ref ?? body.ref;
      const workflow = id.workflow ?? body.workflow;
      const actor = id.actor ?? body.actor;
      run = {
        repositoryUrl: url,
        provider: id.provider,
        runId: id.runId,
        ...(runAttempt ? { runAttempt } : {}),
        ...(id.runUrl ? { runUrl: id.runUrl } : body.runUrl ? { runUrl: body.runUrl } : {}),
        commit,
        ...(ref ? { ref } : {}),
        ...(workflow ? { workflow } : {}),
        ...(actor ? { actor } : {}),
        ...(id.event ? { event: id.event } : {}),
        auth: "oidc",
        issuer: id.issuer,
        subject: id.subject,
        recordedBy: `oidc:${id.issuer}#${id.subject}`,
      };
    } else {
      const url = bodyRepositoryUrl(body.repository, body.provider);
      if (!url) throw new BerthError("input", `invalid record: repository: ${JSON.stringify(body.repository.slice(0, 100))} is not a repository URL or path`);
      run = {
        repositoryUrl: url,
        provider: body.provider,
        runId: body.runId,
        ...(body.runAttempt ? { runAttempt: body.runAttempt } : {}),
        ...(body.runUrl ? { runUrl: body.runUrl } : {}),
        commit: body.commit,
        ...(body.ref ? { ref: body.ref } : {}),
        ...(body.workflow ? { workflow: body.workflow } : {}),
        ...(body.actor ? { actor: body.actor } : {}),
        auth: "token",
        recordedBy: `token:${caller.id}`,
      };
    }
    const owners = body.codeowners !== undefined ? rootOwners(parseCodeowners(body.codeowners)) : undefined;
    const at = now();
    const source = caller.kind;

    const outcome = await repos.store.db.transaction().execute(async (tx) => {
      const r = await records.upsertRun(run, at, tx);
      if (body.codeowners !== undefined && owners) await records.setCodeowners(r.repositoryId, body.codeowners, owners, run.commit, at, tx);
      const images: { digest: string; reference: string; enqueued: boolean }[] = [];
      for (const im of body.images) {
        const ref = parseReference(im.reference);
        const known = await repos.images.get(im.digest, tx);
        await repos.images.ensure({ digest: im.digest }, at, tx);
        await records.linkRun({ digest: im.digest, runId: r.id, repositoryId: r.repositoryId, source, ...(run.commit ? { commit: run.commit } : {}), reference: im.reference }, at, tx);
        let enqueued = false;
        if (known?.scan_status !== "scanned") {
          const payload: ScanJobPayload = { digest: im.digest, host: ref.registry, repository: ref.repository };
          enqueued = await repos.jobs.enqueue({ kind: SCAN_JOB, dedupeKey: scanDedupeKey(im.digest), payload }, at, tx);
        }
        images.push({ digest: im.digest, reference: im.reference, enqueued });
      }
      await repos.audit.record(
        {
          actor: run.recordedBy,
          action: "ci.record",
          subject: `run:${run.provider}/${run.runId}${run.runAttempt ? `#${run.runAttempt}` : ""}`,
          detail: { repository: run.repositoryUrl, commit: run.commit, auth: run.auth, created: r.created, images: images.map((i) => i.digest) },
        },
        at,
        tx,
      );
      return { r, images };
    });
    if (outcome.images.some((i) => i.enqueued)) deps.onEnqueued?.();
    return {
      repository: run.repositoryUrl,
      owners: owners ?? null,
      pipelineRun: {
        id: outcome.r.id,
        created: outcome.r.created,
        provider: run.provider,
        runId: run.runId,
        runAttempt: run.runAttempt ?? null,
        runUrl: run.runUrl ?? null,
        commit: run.commit ?? null,
        ref: run.ref ?? null,
        workflow: run.workflow ?? null,
        actor: run.actor ?? null,
      },
      auth: run.auth,
      images: outcome.images,
    };
  });
}
