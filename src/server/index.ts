// `berth server` as a library: open the store (migrated), build the API, start the in-process
// scan worker, listen. Returns a handle the CLI and the tests close.
import type { AddressInfo } from "node:net";
import type { FastifyInstance } from "fastify";
import type { Platform } from "../model/image.js";
import { openStore, repositories, storeLocation, type Repositories } from "../store/index.js";
import { BerthError } from "../util/errors.js";
import type { Limits } from "../util/limits.js";
import type { AdmissionPolicy } from "./admission.js";
import { buildApp } from "./app.js";
import { createMetrics } from "./metrics.js";
import type { RateLimitOptions } from "./rate-limit.js";
import { dbPath } from "../vulndb/paths.js";
import { registerRecordRoutes } from "./routes/records.js";
import { registerDashboardRoutes } from "./routes/dashboard.js";
import { registerAdminRoutes } from "./routes/admin.js";
import { DEFAULT_ADMISSION_POLICY } from "./routes/admission.js";
import { startClusterSync, type ClusterSync, type KubeconfigCluster } from "./clusters.js";
import { registerClusterRoutes } from "./routes/clusters.js";
import { registerImageExportRoutes } from "./routes/image-exports.js";
import { registerWebRoutes, resolveWebDir } from "./routes/web.js";
import { createOidcVerifier, type OidcConfig } from "./auth/oidc.js";
import { startJobWorker } from "./job-runner.js";
import type { ServerTrust } from "./attestations.js";
import { DEFAULT_RESCAN, startRescanScheduler, type RescanConfig, type Ticker } from "./rescan.js";
import { startVulnDbWatcher } from "./rescan-db.js";
import type { Worker } from "./worker.js";

export interface ServerConfig {
  readonly dataDir: string;
  readonly databaseUrl?: string;
  readonly host: string;
  /** 0 picks a free port. */
  readonly port: number;
  readonly registrySecret?: string;
  readonly insecureRegistries: readonly string[];
  /** Vulnerability database and layer cache directory. */
  readonly cacheDir: string;
  readonly platform: Platform;
  readonly limits: Limits;
  /** Scan jobs run at once in this process (0: no worker here). */
  readonly concurrency: number;
  readonly leaseMs?: number;
  readonly pollMs?: number;
  readonly bodyLimit?: number;
  readonly log: (msg: string) => void;
  readonly now?: () => Date;
  /** Deploy gate policy (default routes/admission.ts DEFAULT_ADMISSION_POLICY: enforce, deny unscanned and fixable >= high). */
  readonly admissionPolicy?: AdmissionPolicy;
  /** Shared secret the kube-apiserver presents (URL path `/api/v1/admission/<secret>` or bearer). */
  readonly admissionSecret?: string;
  /** CI OIDC verification for `POST /api/v1/records`; without it, records need an API token. */
  readonly oidc?: OidcConfig;
  /** Keys image signatures and attestations are verified with (`--trust-key`, `--trust-policy`; attestations.ts). */
  readonly trust?: ServerTrust;
  /** Registry events may be signed: `X-Berth-Signature: sha256=<HMAC of the body>` (`--registry-hmac-secret`). */
  readonly registryHmacSecret?: string;
  /** GET /metrics requires `Authorization: Bearer <token>` when set (`--metrics-token`). */
  readonly metricsToken?: string;
  /** Store-derived metrics are re-read at most this often (default 5 s; tests use 0). */
  readonly metricsCacheMs?: number;
  /** Per-principal API rate limits (`--rate-limit`, `--rate-limit-events`); absent: none. */
  readonly rateLimit?: RateLimitOptions;
  /** Reverse proxies whose X-Forwarded-For names the client (`--trust-proxy`). */
  readonly trustProxy?: readonly string[];
  /** Kubernetes clusters the server lists and watches itself (`--kubeconfig NAME=PATH`). */
  readonly kubeconfigs?: readonly KubeconfigCluster[];
  /** Count NodePort Services as internet-exposed (`--nodeport-exposed`). */
  readonly nodePortExposed?: boolean;
  /** Registries running images may be pulled from for a scan besides the ones that notify the server (`--scan-registry`; "*": any). */
  readonly scanRegistries?: readonly string[];
  /** Watch events coalesced into one cluster diff over this many ms (tests shorten it). */
  readonly clusterCoalesceMs?: number;
  /** Continuous rescans (rescan.ts; default daily over pushed 90 d / pulled 30 d / running; interval 0: no schedule, DB watch only); false: neither here. */
  readonly rescan?: RescanConfig | false;
  /** Between checks of the vulnerability DB file for an update to re-match after (default 1 min; rescan-db.ts). */
  readonly dbPollMs?: number;
  /** Run `berth db update` from the server on this schedule (`--db-update-interval`, `--db-source`). */
  readonly dbUpdate?: { readonly intervalMs: number; readonly source?: string };
}

export interface RunningServer {
  readonly url: string;
  readonly app: FastifyInstance;
  readonly repos: Repositories;
  readonly worker?: Worker;
  readonly clusters?: ClusterSync;
  close(): Promise<void>;
}

/** Parses "HOST:PORT" ("127.0.0.1:8080", "[::1]:8080", ":8080"). */
export function parseListen(value: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(value.trim());
  const port = m ? Number(m[3]) : NaN;
  if (!m || port > 65535) throw new BerthError("usage", `--listen: expected HOST:PORT, got "${value}"`);
  return { host: m[1] ?? (m[2] || "0.0.0.0"), port };
}

export async function startServer(cfg: ServerConfig): Promise<RunningServer> {
  const now = cfg.now ?? (() => new Date());
  const store = await openStore(storeLocation(cfg.dataDir, cfg.databaseUrl), { backgroundCheckpoints: true, log: cfg.log });
  const repos = repositories(store);
  let worker: Worker | undefined;
  const metrics = createMetrics({ repos, vulnDbPath: dbPath(cfg.cacheDir), now, ...(cfg.metricsCacheMs !== undefined ? { cacheMs: cfg.metricsCacheMs } : {}) });
  const app = await buildApp({
    repos,
    ...(cfg.registrySecret ? { registrySecret: cfg.registrySecret } : {}),
    ...(cfg.bodyLimit ? { bodyLimit: cfg.bodyLimit } : {}),
    now,
    onEnqueued: () => worker?.wake(),
    admission: { ...(cfg.admissionPolicy ? { policy: cfg.admissionPolicy } : {}), ...(cfg.admissionSecret ? { admissionSecret: cfg.admissionSecret } : {}) },
    metrics,
    ...(cfg.metricsToken ? { metricsToken: cfg.metricsToken } : {}),
    ...(cfg.registryHmacSecret ? { registryHmacSecret: cfg.registryHmacSecret } : {}),
    ...(cfg.rateLimit ? { rateLimit: cfg.rateLimit } : {}),
    ...(cfg.trustProxy?.length ? { trustProxy: cfg.trustProxy } : {}),
  });
  registerRecordRoutes(app, { repos, now, ...(cfg.oidc ? { oidc: createOidcVerifier(cfg.oidc) } : {}), onEnqueued: () => worker?.wake() });
  const clusterDeps = { repos, now, scanRegistries: [...cfg.insecureRegistries, ...(cfg.scanRegistries ?? [])], onEnqueued: () => worker?.wake() };
  registerClusterRoutes(app, { ...clusterDeps, watched: (cfg.kubeconfigs ?? []).map((k) => k.name) });
  registerImageExportRoutes(app, { repos });
  registerDashboardRoutes(app, { repos, now });
  registerAdminRoutes(app, {
    repos,
    now,
    cacheDir: cfg.cacheDir,
    policies: { admission: cfg.admissionPolicy ?? DEFAULT_ADMISSION_POLICY, rescan: cfg.rescan === false ? false : (cfg.rescan ?? DEFAULT_RESCAN) },
  });
  registerWebRoutes(app, { dir: resolveWebDir() });
  if (cfg.concurrency > 0) {
    worker = startJobWorker(repos, {
      cacheDir: cfg.cacheDir,
      platform: cfg.platform,
      limits: cfg.limits,
      insecureRegistries: cfg.insecureRegistries,
      ...(cfg.trust ? { trust: cfg.trust } : {}),
      concurrency: cfg.concurrency,
      ...(cfg.leaseMs !== undefined ? { leaseMs: cfg.leaseMs } : {}),
      ...(cfg.pollMs !== undefined ? { pollMs: cfg.pollMs } : {}),
      log: cfg.log,
      now,
      metrics,
    });
  }
  try {
    await app.listen({ host: cfg.host, port: cfg.port });
  } catch (e) {
    await worker?.stop();
    await store.close();
    throw new BerthError("usage", `cannot listen on ${cfg.host}:${cfg.port} (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  let clusters: ClusterSync | undefined;
  try {
    if (cfg.kubeconfigs && cfg.kubeconfigs.length > 0) {
      clusters = startClusterSync({
        ...clusterDeps,
        clusters: cfg.kubeconfigs,
        nodePortExposed: cfg.nodePortExposed ?? false,
        log: cfg.log,
        ...(cfg.clusterCoalesceMs !== undefined ? { coalesceMs: cfg.clusterCoalesceMs } : {}),
      });
    }
  } catch (e) {
    await app.close();
    await worker?.stop();
    await store.close();
    throw e;
  }
  // Continuous rescans: the schedule and the vulnerability DB watch (the re-matches run as jobs).
  const tickers: Ticker[] = [];
  if (cfg.rescan !== false) {
    const wake = () => worker?.wake();
    const rescan = cfg.rescan ?? DEFAULT_RESCAN;
    if (rescan.intervalMs > 0) tickers.push(startRescanScheduler({ repos, config: rescan, now, log: cfg.log, onEnqueued: wake }));
    tickers.push(
      startVulnDbWatcher({
        repos, cacheDir: cfg.cacheDir, now, log: cfg.log, onEnqueued: wake,
        ...(cfg.dbPollMs !== undefined ? { pollMs: cfg.dbPollMs } : {}),
        ...(rescan.batchSize ? { batchSize: rescan.batchSize } : {}),
        ...(cfg.dbUpdate ? { update: cfg.dbUpdate } : {}),
      }),
    );
  }
  const addr = app.server.address() as AddressInfo;
  const host = addr.family === "IPv6" ? `[${addr.address}]` : addr.address;
  return {
    url: `http://${host}:${addr.port}`,
    app,
    repos,
    ...(worker ? { worker } : {}),
    ...(clusters ? { clusters } : {}),
    async close() {
      await clusters?.stop();
      for (const t of tickers) await t.stop();
      await app.close();
      await worker?.stop();
      await store.close();
    },
  };
}
