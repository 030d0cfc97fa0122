// The job worker both `berth server` (in process) and `berth worker` (a process of its own, sharing
// the PostgreSQL queue) run: scans of registry images, re-matches of stored inventories, and the
// scheduled rescan's selection. One function, so both take the same jobs the same way.
import type { Platform } from "../model/image.js";
import type { Repositories } from "../store/index.js";
import { BerthError, isBerthError } from "../util/errors.js";
import type { Limits } from "../util/limits.js";
import { SCAN_JOB } from "./ingest/registry-events.js";
import { parseRematchPayload, REMATCH_JOB, runRematchJob } from "./rematch.js";
import { parseRescanPayload, RESCAN_JOB, runScheduledRescan } from "./rescan.js";
import { parseScanPayload, runScanJob } from "./scan-job.js";
import { ATTESTATIONS_JOB, runAttestationsJob, type ServerTrust } from "./attestations.js";
import { startWorker, type Worker } from "./worker.js";
import type { Metrics } from "./metrics.js";

export interface JobWorkerConfig {
  /** Vulnerability database and layer cache directory. */
  readonly cacheDir: string;
  readonly platform: Platform;
  readonly limits: Limits;
  readonly insecureRegistries: readonly string[];
  /** Keys signatures and attestations are verified with (`--trust-key`, `--trust-policy`; attestations.ts). */
  readonly trust?: ServerTrust;
  /** Jobs run at once (1–8). */
  readonly concurrency: number;
  readonly leaseMs?: number;
  readonly pollMs?: number;
  readonly log: (msg: string) => void;
  readonly now: () => Date;
  /** Called when a job enqueued more jobs (this worker wakes itself). */
  readonly onEnqueued?: () => void;
  /** Scan attempts are timed and counted (metrics.ts). */
  readonly metrics?: Pick<Metrics, "timeScan" | "scanFailed">;
  readonly name?: string;
}

export const JOB_KINDS = [SCAN_JOB, REMATCH_JOB, RESCAN_JOB, ATTESTATIONS_JOB] as const;

export function startJobWorker(repos: Repositories, cfg: JobWorkerConfig): Worker {
  const { now, log } = cfg;
  const scanSettings = { cacheDir: cfg.cacheDir, platform: cfg.platform, limits: cfg.limits, insecureRegistries: cfg.insecureRegistries, log, ...(cfg.trust ? { trust: cfg.trust } : {}) };
  const worker: Worker = startWorker({
    jobs: repos.jobs,
    kinds: JOB_KINDS,
    concurrency: Math.max(1, Math.min(cfg.concurrency, 8)),
    leaseMs: cfg.leaseMs ?? 5 * 60_000,
    pollMs: cfg.pollMs ?? 2000,
    backoffBaseMs: 5000,
    backoffMaxMs: 10 * 60_000,
    now,
    log,
    ...(cfg.name ? { name: cfg.name } : {}),
    // Input errors (not found, unsupported, corrupt, over a limit) do not heal by retrying;
    // network and registry errors, and bugs, are retried with backoff.
    isPermanent: (e) => isBerthError(e) && e.code !== "network" && e.code !== "auth",
    handle: async (job) => {
      switch (job.kind) {
        case SCAN_JOB: {
          const scan = () => runScanJob(repos, scanSettings, parseScanPayload(job.payload_json), now);
          return cfg.metrics ? cfg.metrics.timeScan(scan) : scan();
        }
        case REMATCH_JOB: {
          const p = parseRematchPayload(job.payload_json);
          const r = await runRematchJob(repos, { cacheDir: cfg.cacheDir, log }, p, now);
          if (r.added + r.changed + r.fixed > 0) log(`rematch (${p.reason}): ${r.images} image(s): ${r.added} new, ${r.changed} changed, ${r.fixed} fixed finding(s)`);
          return;
        }
        case RESCAN_JOB: {
          const r = await runScheduledRescan(repos, parseRescanPayload(job.payload_json), now());
          if (r.ran) log(`rescan: ${r.images} image(s) in the windows, ${r.jobs} re-match job(s) enqueued`);
          if (r.jobs > 0) {
            worker.wake();
            cfg.onEnqueued?.();
          }
          return;
        }
        case ATTESTATIONS_JOB:
          return runAttestationsJob(repos, scanSettings, job.payload_json, now);
        default:
          throw new BerthError("unsupported", `unknown job kind ${job.kind}`);
      }
    },
    onFailed: async (job, e, final) => {
      if (job.kind !== SCAN_JOB) return;
      cfg.metrics?.scanFailed(final);
      const { digest } = parseScanPayload(job.payload_json);
      await repos.images.setStatus(digest, final ? "failed" : "pending", e instanceof Error ? e.message.split("\n")[0] ?? e.name : String(e), now());
    },
  });
  return worker;
}
