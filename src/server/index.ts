// `berth server` as a library: open the store (migrated), build the API, start the in-process
// scan worker, listen. Returns a handle the CLI and the tests close.
import type { AddressInfo } from "node:net";
import type { FastifyInstance } from "fastify";
import type { Platform } from "../model/image.js";
import { openStore, repositories, storeLocation, type Repositories } from "../store/index.js";
import { BerthError, isBerthError } from "../util/errors.js";
import type { Limits } from "../util/limits.js";
import type { AdmissionPolicy } from "./admission.js";
import { buildApp } from "./app.js";
import { registerRecordRoutes } from "./routes/records.js";
import { registerImageExportRoutes } from "./routes/image-exports.js";
import { registerWebRoutes, resolveWebDir } from "./routes/web.js";
import { createOidcVerifier, type OidcConfig } from "./auth/oidc.js";
import { SCAN_JOB } from "./ingest/registry-events.js";
import { parseScanPayload, runScanJob } from "./scan-job.js";
import { startWorker, type Worker } from "./worker.js";

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
}

export interface RunningServer {
  readonly url: string;
  readonly app: FastifyInstance;
  readonly repos: Repositories;
  readonly worker?: Worker;
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
  const store = await openStore(storeLocation(cfg.dataDir, cfg.databaseUrl));
  const repos = repositories(store);
  let worker: Worker | undefined;
  const app = await buildApp({
    repos,
    ...(cfg.registrySecret ? { registrySecret: cfg.registrySecret } : {}),
    ...(cfg.bodyLimit ? { bodyLimit: cfg.bodyLimit } : {}),
    now,
    onEnqueued: () => worker?.wake(),
    admission: { ...(cfg.admissionPolicy ? { policy: cfg.admissionPolicy } : {}), ...(cfg.admissionSecret ? { admissionSecret: cfg.admissionSecret } : {}) },
  });
  registerRecordRoutes(app, { repos, now, ...(cfg.oidc ? { oidc: createOidcVerifier(cfg.oidc) } : {}), onEnqueued: () => worker?.wake() });
  registerImageExportRoutes(app, { repos });
  registerWebRoutes(app, { dir: resolveWebDir() });
  if (cfg.concurrency > 0) {
    const settings = { cacheDir: cfg.cacheDir, platform: cfg.platform, limits: cfg.limits, insecureRegistries: cfg.insecureRegistries, log: cfg.log };
    worker = startWorker({
      jobs: repos.jobs,
      kinds: [SCAN_JOB],
      concurrency: Math.min(cfg.concurrency, 8),
      leaseMs: cfg.leaseMs ?? 5 * 60_000,
      pollMs: cfg.pollMs ?? 2000,
      backoffBaseMs: 5000,
      backoffMaxMs: 10 * 60_000,
      now,
      log: cfg.log,
      // Input errors (not found, unsupported, corrupt, over a limit) do not heal by retrying;
      // network and registry errors, and bugs, are retried with backoff.
      isPermanent: (e) => isBerthError(e) && e.code !== "network" && e.code !== "auth",
      handle: (job) => runScanJob(repos, settings, parseScanPayload(job.payload_json), now),
      onFailed: async (job, e, final) => {
        const { digest } = parseScanPayload(job.payload_json);
        await repos.images.setStatus(digest, final ? "failed" : "pending", e instanceof Error ? e.message.split("\n")[0] ?? e.name : String(e), now());
      },
    });
  }
  try {
    await app.listen({ host: cfg.host, port: cfg.port });
  } catch (e) {
    await worker?.stop();
    await store.close();
    throw new BerthError("usage", `cannot listen on ${cfg.host}:${cfg.port} (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  const addr = app.server.address() as AddressInfo;
  const host = addr.family === "IPv6" ? `[${addr.address}]` : addr.address;
  return {
    url: `http://${host}:${addr.port}`,
    app,
    repos,
    ...(worker ? { worker } : {}),
    async close() {
      await app.close();
      await worker?.stop();
      await store.close();
    },
  };
}
