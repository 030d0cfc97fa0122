// The HTTP API (Fastify): health and readiness, the OpenAPI document, registry notifications and
// image scan results. Thin: parsing and auth here, the work in ingest/ and the store.
import Fastify, { type FastifyError, type FastifyInstance } from "fastify";
import type { FindingRow, JobRow, Repositories } from "../store/index.js";
import { isBerthError } from "../util/errors.js";
import { requireAuth } from "./auth/tokens.js";
import { isValidDigest } from "./ingest/distribution.js";
import { scanDedupeKey } from "./ingest/registry-events.js";
import { registerMetrics, type Metrics } from "./metrics.js";
import { registerRateLimit, type RateLimitOptions } from "./rate-limit.js";
import { registerRegistryEventRoutes } from "./routes/registry-events.js";
import { openApiDocument } from "./openapi.js";
import { registerAdmissionRoutes, type AdmissionRouteDeps } from "./routes/admission.js";
import { attestationsView } from "./attestations.js";
import { registerExploreRoutes } from "./routes/explore.js";
import type { FindingView } from "../model/finding-view.js";
import { withStoredBaseRemediation } from "./scan-outcome.js";

export interface AppOptions {
  readonly repos: Repositories;
  /** Shared secret the registry sends as `Authorization: Bearer <secret>` (registry events only). */
  readonly registrySecret?: string;
  /** Largest request body accepted, in bytes (default 1 MiB). */
  readonly bodyLimit?: number;
  readonly now?: () => Date;
  /** Called when scan jobs were enqueued (to wake the worker). */
  readonly onEnqueued?: () => void;
  readonly logger?: boolean;
  /** Deploy gate: policy and webhook secret (routes/admission.ts). */
  readonly admission?: Omit<AdmissionRouteDeps, "repos">;
  /** Secret for `X-Berth-Signature: sha256=<HMAC of the body>` on registry events (auth/hmac.ts). */
  readonly registryHmacSecret?: string;
  /** Prometheus metrics at GET /metrics (metrics.ts), behind `metricsToken` when set. */
  readonly metrics?: Metrics;
  readonly metricsToken?: string;
  /** Per-principal rate limits on /api/… (rate-limit.ts); absent: none. */
  readonly rateLimit?: RateLimitOptions;
  /** Reverse proxies whose X-Forwarded-For names the client (rate-limit.ts parseTrustProxy). */
  readonly trustProxy?: readonly string[];
}

export const DEFAULT_BODY_LIMIT = 1024 * 1024;

/** The latest scan job of an image: where it is in the queue. */
function jobView(job: JobRow | undefined): { status: string; attempts: number; lastError: string | null; updatedAt: string } | null {
  return job ? { status: job.status, attempts: job.attempts, lastError: job.last_error, updatedAt: job.updated_at } : null;
}

function parseJson(s: string): unknown {
  try {
    return JSON.parse(s);
  } catch {
    return undefined;
  }
}

function findingView(f: FindingRow): FindingView {
  const data = parseJson(f.data_json);
  const d = typeof data === "object" && data !== null ? (data as Record<string, unknown>) : {};
  const pkg = typeof d.package === "object" && d.package !== null ? (d.package as Record<string, unknown>) : {};
  const fixed = parseJson(f.fixed_versions_json);
  return {
    id: f.vulnerability_id,
    aliases: Array.isArray(d.aliases) ? d.aliases.filter((a): a is string => typeof a === "string") : [],
    package: { name: f.package_name, version: f.installed_version, purl: f.package_purl, ...(typeof pkg.sourceName === "string" ? { sourceName: pkg.sourceName } : {}) },
    severity: f.severity,
    fixStatus: f.fix_status,
    fixedVersions: Array.isArray(fixed) ? fixed.filter((v): v is string => typeof v === "string") : [],
    state: f.state,
    firstSeen: f.first_seen,
    fixedAt: f.fixed_at,
    ...(typeof d.title === "string" ? { title: d.title } : {}),
    ...(typeof d.url === "string" ? { url: d.url } : {}),
    ...(typeof d.remediation === "string" ? { remediation: d.remediation } : {}),
    ...findingExtras(d),
  };
}

/** KEV, EPSS, CVSS and the introducing layer of a stored finding (model/finding.ts), when recorded. */
function findingExtras(d: Record<string, unknown>): Pick<FindingView, "kev" | "epss" | "epssPercentile" | "cvss" | "layer"> {
  const out: Pick<FindingView, "kev" | "epss" | "epssPercentile" | "cvss" | "layer"> = {};
  if (typeof d.kev === "boolean") out.kev = d.kev;
  if (typeof d.epss === "number") out.epss = d.epss;
  if (typeof d.epssPercentile === "number") out.epssPercentile = d.epssPercentile;
  const c = typeof d.cvss === "object" && d.cvss !== null ? (d.cvss as Record<string, unknown>) : undefined;
  if (c && typeof c.version === "string" && typeof c.score === "number" && typeof c.vector === "string") out.cvss = { version: c.version, score: c.score, vector: c.vector };
  const l = typeof d.layer === "object" && d.layer !== null ? (d.layer as Record<string, unknown>) : undefined;
  if (l && typeof l.diffId === "string") {
    out.layer = {
      diffId: l.diffId,
      ...(typeof l.index === "number" ? { index: l.index } : {}),
      ...(typeof l.createdBy === "string" ? { createdBy: l.createdBy } : {}),
      ...(typeof l.fromBase === "boolean" ? { fromBase: l.fromBase } : {}),
    };
  }
  return out;
}

export async function buildApp(opts: AppOptions): Promise<FastifyInstance> {
  const { repos } = opts;
  const now = opts.now ?? (() => new Date());
  const bodyLimit = opts.bodyLimit ?? DEFAULT_BODY_LIMIT;
  const app = Fastify({ logger: opts.logger ?? false, bodyLimit, return503OnClosing: true, routerOptions: { maxParamLength: 200 }, ...(opts.trustProxy?.length ? { trustProxy: [...opts.trustProxy] } : {}) });
  app.decorateRequest("principal", undefined);
  app.decorateRequest("rawBody", undefined);
  // Hooks first, so that they see every route.
  if (opts.rateLimit) registerRateLimit(app, opts.rateLimit);
  if (opts.metrics) registerMetrics(app, opts.metrics, opts.metricsToken ? { token: opts.metricsToken } : {});

  app.setErrorHandler((err: FastifyError, _req, reply) => {
    if (isBerthError(err)) {
      void reply.code(err.code === "limit" ? 413 : 400).send({ error: err.code, message: err.message });
      return;
    }
    const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
    if (status === 500) app.log.error(err);
    void reply.code(status).send({ error: status === 500 ? "internal" : (err.code ?? "bad-request"), message: status === 500 ? "internal error" : err.message });
  });
  app.setNotFoundHandler((_req, reply) => {
    void reply.code(404).send({ error: "not-found", message: "no such route" });
  });

  app.get("/healthz", async () => ({ status: "ok" }));
  app.get("/readyz", async (_req, reply) => {
    if (await repos.store.ping()) return { status: "ready" };
    return reply.code(503).send({ status: "unavailable" });
  });
  const doc = openApiDocument();
  app.get("/openapi.json", async () => doc);

  registerRegistryEventRoutes(app, {
    repos,
    now,
    bodyLimit,
    ...(opts.registrySecret ? { registrySecret: opts.registrySecret } : {}),
    ...(opts.registryHmacSecret ? { hmacSecret: opts.registryHmacSecret } : {}),
    ...(opts.onEnqueued ? { onEnqueued: opts.onEnqueued } : {}),
    ...(opts.metrics ? { metrics: opts.metrics } : {}),
  });

  app.get<{ Params: { digest: string }; Querystring: { include?: string } }>(
    "/api/v1/images/:digest",
    { preHandler: requireAuth(repos, { roles: ["admin", "read", "ingest"] }) },
    async (req, reply) => {
      const { digest } = req.params;
      if (!isValidDigest(digest)) return reply.code(400).send({ error: "input", message: `not a digest: ${digest.slice(0, 100)}` });
      const image = await repos.images.get(digest);
      if (!image) return reply.code(404).send({ error: "not-found", message: `unknown image ${digest}` });
      const includeFixed = req.query.include === "fixed";
      const children = await repos.images.children(digest);
      // Each platform image's findings with the base-image note of its own layers (stored without it).
      const rows = withStoredBaseRemediation(await repos.images.findings(digest, { includeFixed }), image.match_image_json);
      for (const c of children) rows.push(...withStoredBaseRemediation(await repos.images.findings(c.digest, { includeFixed }), c.match_image_json));
      const findings = rows.map(findingView);
      const summary: Record<string, number> = {};
      for (const f of findings) if (f.state === "open") summary[f.severity] = (summary[f.severity] ?? 0) + 1;
      return {
        digest: image.digest,
        mediaType: image.media_type,
        indexDigest: image.index_digest,
        platform: image.platform,
        scanStatus: image.scan_status,
        scanError: image.scan_error,
        scannedAt: image.scanned_at,
        distro: image.distro,
        locations: await repos.registry.locations(image.index_digest ?? digest),
        job: jobView((await repos.jobs.list({ dedupeKey: scanDedupeKey(digest) })).at(-1)),
        platforms: children.map((c) => ({ digest: c.digest, platform: c.platform, scanStatus: c.scan_status })),
        summary,
        findings,
        attestations: await attestationsView(repos, image.digest, image.index_digest),
      };
    },
  );

  registerAdmissionRoutes(app, { repos, ...opts.admission });
  registerExploreRoutes(app, { repos, now });

  return app;
}
