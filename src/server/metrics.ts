// Prometheus metrics at GET /metrics (text exposition format 0.0.4, through prom-client with a
// registry per server, so two servers in one process never share counters).
//   counters and histograms, kept in this process: HTTP requests by route template and status with
//   their duration; registry events received by format and action; scans completed, failed for
//   good, or retried, and how long each attempt took;
//   gauges read from the store at scrape time (cached for `cacheMs`, a few seconds, so a scraper
//   hammering /metrics costs at most one aggregate query per interval): jobs by kind and status
//   (the queue depth), images by scan status, open findings by severity; and the vulnerability
//   database's age. Label values come from code or the store's closed sets, and rows are capped.
import { performance } from "node:perf_hooks";
import type { FastifyInstance } from "fastify";
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";
import type { Repositories } from "../store/index.js";
import { dbStatus } from "../vulndb/index.js";
import { sameSecret, bearerOf } from "./auth/tokens.js";

export const METRICS_ROUTE = "/metrics";
const DEFAULT_CACHE_MS = 5000;
const VULNDB_CACHE_MS = 60_000;
const MAX_ROWS = 200;

export interface MetricsOptions {
  readonly repos: Repositories;
  /** The vulnerability database file (its age is exported); absent: no age metric. */
  readonly vulnDbPath?: string;
  readonly now?: () => Date;
  /** Store-derived gauges are read at most once per this interval (default 5 s; 0: every scrape). */
  readonly cacheMs?: number;
  /** Node.js process metrics (CPU, memory, event loop; default on). */
  readonly processMetrics?: boolean;
}

export type ScanOutcome = "completed" | "failed" | "retried";

export interface Metrics {
  readonly registry: Registry;
  observeRequest(route: string, method: string, status: number, seconds: number): void;
  registryEvents(source: string, actions: readonly string[], skipped: number): void;
  /** Runs one scan attempt, timing it and counting a success. */
  timeScan<T>(run: () => Promise<T>): Promise<T>;
  /** A scan attempt failed: for good (`final`) or to be retried. */
  scanFailed(final: boolean): void;
  render(): Promise<string>;
}

/** A loader whose result is reused for `ms` (errors are not cached). */
function cached<T>(ms: number, now: () => Date, load: () => Promise<T>): () => Promise<T> {
  let at = -Infinity;
  let value: Promise<T> | undefined;
  return () => {
    const t = now().getTime();
    if (!value || t - at >= ms) {
      at = t;
      value = load().catch((e: unknown) => {
        value = undefined;
        throw e;
      });
    }
    return value;
  };
}

interface Count {
  readonly labels: Record<string, string>;
  readonly n: number;
}

async function storeCounts(repos: Repositories): Promise<{ jobs: Count[]; images: Count[]; findings: Count[] }> {
  const db = repos.store.db;
  const [jobs, images, findings] = await Promise.all([
    db.selectFrom("jobs").select(["kind", "status"]).select((eb) => eb.fn.countAll<string>().as("n")).groupBy(["kind", "status"]).limit(MAX_ROWS).execute(),
    db.selectFrom("images").select("scan_status").select((eb) => eb.fn.countAll<string>().as("n")).groupBy("scan_status").limit(MAX_ROWS).execute(),
    db.selectFrom("findings").select("severity").select((eb) => eb.fn.countAll<string>().as("n")).where("state", "=", "open").groupBy("severity").limit(MAX_ROWS).execute(),
  ]);
  return {
    jobs: jobs.map((r) => ({ labels: { kind: r.kind, status: r.status }, n: Number(r.n) })),
    images: images.map((r) => ({ labels: { scan_status: r.scan_status }, n: Number(r.n) })),
    findings: findings.map((r) => ({ labels: { severity: r.severity }, n: Number(r.n) })),
  };
}

export function createMetrics(opts: MetricsOptions): Metrics {
  const now = opts.now ?? (() => new Date());
  const registry = new Registry();
  if (opts.processMetrics ?? true) collectDefaultMetrics({ register: registry });
  const registers = [registry];

  const requests = new Counter({ name: "berth_http_requests_total", help: "HTTP requests by route template, method and status code.", labelNames: ["route", "method", "status"], registers });
  const duration = new Histogram({
    name: "berth_http_request_duration_seconds",
    help: "HTTP request duration by route template and method.",
    labelNames: ["route", "method"],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers,
  });
  const events = new Counter({ name: "berth_registry_events_received_total", help: "Registry notification events received, by format (distribution, harbor, generic) and action.", labelNames: ["source", "action"], registers });
  const scans = new Counter({ name: "berth_scans_total", help: "Scan attempts by outcome: completed, failed (for good), retried.", labelNames: ["outcome"], registers });
  const scanDuration = new Histogram({
    name: "berth_scan_duration_seconds",
    help: "Duration of scan attempts by result (completed or error).",
    labelNames: ["result"],
    buckets: [0.25, 0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600],
    registers,
  });

  const counts = cached(opts.cacheMs ?? DEFAULT_CACHE_MS, now, () => storeCounts(opts.repos));
  const storeGauge = (name: string, help: string, labelNames: string[], pick: (c: Awaited<ReturnType<typeof storeCounts>>) => Count[]) =>
    new Gauge({
      name,
      help,
      labelNames,
      registers,
      async collect() {
        this.reset();
        // A store that does not answer leaves the gauge empty; /metrics itself still answers.
        const c = await counts().catch(() => undefined);
        if (c) for (const row of pick(c)) this.set(row.labels, row.n);
      },
    });
  storeGauge("berth_jobs", "Jobs in the queue by kind and status (queued and running: the queue depth).", ["kind", "status"], (c) => c.jobs);
  storeGauge("berth_images", "Images by scan status.", ["scan_status"], (c) => c.images);
  storeGauge("berth_findings_open", "Open findings (image × package × vulnerability) by severity.", ["severity"], (c) => c.findings);

  const vulnDbPath = opts.vulnDbPath;
  if (vulnDbPath) {
    const updatedAt = cached(VULNDB_CACHE_MS, now, async () => Date.parse(dbStatus(vulnDbPath).metadata.updatedAt));
    new Gauge({
      name: "berth_vulndb_age_seconds",
      help: "Seconds since the vulnerability database was last updated (+Inf while there is none or it cannot be read).",
      registers,
      async collect() {
        // No database is infinitely stale: an alert on the age fires (0 would read as fresh).
        const t = await updatedAt().catch(() => NaN);
        this.set(Number.isNaN(t) ? Infinity : Math.max(0, (now().getTime() - t) / 1000));
      },
    });
  }

  return {
    registry,
    observeRequest(route, method, status, seconds) {
      requests.inc({ route, method, status: String(status) });
      duration.observe({ route, method }, seconds);
    },
    registryEvents(source, actions, skipped) {
      for (const action of actions) events.inc({ source, action });
      if (skipped > 0) events.inc({ source, action: "other" }, skipped);
    },
    async timeScan(run) {
      const start = performance.now();
      try {
        const out = await run();
        scans.inc({ outcome: "completed" });
        scanDuration.observe({ result: "completed" }, (performance.now() - start) / 1000);
        return out;
      } catch (e) {
        scanDuration.observe({ result: "error" }, (performance.now() - start) / 1000);
        throw e;
      }
    },
    scanFailed(final) {
      scans.inc({ outcome: final ? "failed" : "retried" });
    },
    render: () => registry.metrics(),
  };
}

/** Counts every request (onResponse) and serves GET /metrics, behind `token` when one is set. */
export function registerMetrics(app: FastifyInstance, metrics: Metrics, opts: { readonly token?: string } = {}): void {
  app.addHook("onResponse", async (req, reply) => {
    // The route template, never the raw URL: label values stay a closed set.
    metrics.observeRequest(req.routeOptions.url ?? "unmatched", req.method, reply.statusCode, reply.elapsedTime / 1000);
  });
  app.get(METRICS_ROUTE, async (req, reply) => {
    if (opts.token) {
      const presented = bearerOf(req.headers.authorization);
      if (!presented || !sameSecret(presented, opts.token)) {
        return reply.code(401).header("www-authenticate", 'Bearer realm="berth-metrics"').send({ error: "unauthorized", message: "missing or wrong metrics token" });
      }
    }
    const body = await metrics.render();
    return reply.header("content-type", metrics.registry.contentType).send(body);
  });
}
