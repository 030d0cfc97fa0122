// The rescan scheduler: every interval (default daily), re-match the stored inventories of images
// pushed recently, pulled recently, or running in a connected cluster — never pulling them again.
//
// Any number of servers may run the ticker; the work happens once: a due tick enqueues one `rescan`
// job under a fixed dedupe key (a second server's enqueue is a no-op while it is queued or running),
// and the job itself claims the period with a compare-and-set on the `rescan.schedule` setting before
// selecting images, so a late duplicate finds the period taken and does nothing. The last run is in
// the database, so a restart does not rescan at once.
import type { Repositories } from "../store/index.js";
import type { RescanWindows } from "../store/rescan.js";
import { describeError } from "../util/errors.js";
import { rematchJobs } from "./rematch.js";

export const RESCAN_JOB = "rescan";
export const RESCAN_DEDUPE_KEY = "rescan:schedule";
export const SCHEDULE_SETTING = "rescan.schedule";

const DAY = 86_400_000;

export interface RescanConfig {
  /** Between scheduled rescans (default 24 h). */
  readonly intervalMs: number;
  /** Re-match images pushed within this long (default 90 d; 0: not by push time). */
  readonly pushedWithinMs: number;
  /** Re-match images pulled within this long (default 30 d; 0: not by pull time). */
  readonly pulledWithinMs: number;
  /** Re-match images running in a connected cluster (default true). */
  readonly running: boolean;
  /** Images per re-match job. */
  readonly batchSize?: number;
}

export const DEFAULT_RESCAN: RescanConfig = { intervalMs: DAY, pushedWithinMs: 90 * DAY, pulledWithinMs: 30 * DAY, running: true };

interface ScheduleState {
  readonly lastRunAt: string;
}

/** The windows of a run at `now`. */
export function rescanWindows(cfg: RescanConfig, now: Date): RescanWindows {
  return {
    ...(cfg.pushedWithinMs > 0 ? { pushedSince: new Date(now.getTime() - cfg.pushedWithinMs) } : {}),
    ...(cfg.pulledWithinMs > 0 ? { pulledSince: new Date(now.getTime() - cfg.pulledWithinMs) } : {}),
    running: cfg.running,
  };
}

function due(state: ScheduleState | undefined, cfg: RescanConfig, now: Date): boolean {
  return state !== undefined && now.getTime() - Date.parse(state.lastRunAt) >= cfg.intervalMs;
}

/**
 * One tick: on first start records "now" as the last run (nothing to catch up on); when a period has
 * passed, enqueues the rescan job. True when a job was enqueued.
 */
export async function tickRescanSchedule(repos: Repositories, cfg: RescanConfig, now: Date): Promise<boolean> {
  const state = await repos.rescan.getSetting<ScheduleState>(SCHEDULE_SETTING);
  if (state === undefined) {
    await repos.rescan.compareAndSetSetting(SCHEDULE_SETTING, undefined, { lastRunAt: now.toISOString() } satisfies ScheduleState, now);
    return false;
  }
  if (!due(state, cfg, now)) return false;
  // The windows travel in the payload: the worker that takes the job applies the scheduler's config.
  return repos.jobs.enqueue({ kind: RESCAN_JOB, dedupeKey: RESCAN_DEDUPE_KEY, payload: cfg, maxAttempts: 3 }, now);
}

/** The config a `rescan` job carries (defaults for what it lacks). */
export function parseRescanPayload(json: string): RescanConfig {
  const v: unknown = JSON.parse(json);
  const o = typeof v === "object" && v !== null ? (v as Record<string, unknown>) : {};
  const ms = (x: unknown, d: number): number => (typeof x === "number" && Number.isFinite(x) && x >= 0 ? x : d);
  return {
    intervalMs: ms(o.intervalMs, DEFAULT_RESCAN.intervalMs),
    pushedWithinMs: ms(o.pushedWithinMs, DEFAULT_RESCAN.pushedWithinMs),
    pulledWithinMs: ms(o.pulledWithinMs, DEFAULT_RESCAN.pulledWithinMs),
    running: typeof o.running === "boolean" ? o.running : DEFAULT_RESCAN.running,
    ...(typeof o.batchSize === "number" && Number.isInteger(o.batchSize) && o.batchSize > 0 ? { batchSize: o.batchSize } : {}),
  };
}

export interface RescanRun {
  readonly ran: boolean;
  readonly images: number;
  readonly jobs: number;
  /** Finding details no finding names any more, deleted (store/images.ts pruneDetails). */
  readonly prunedDetails: number;
}

/** The `rescan` job: claims the period, selects the images in the windows and enqueues their re-match in batches. */
export async function runScheduledRescan(repos: Repositories, cfg: RescanConfig, now: Date): Promise<RescanRun> {
  const state = await repos.rescan.getSetting<ScheduleState>(SCHEDULE_SETTING);
  if (state !== undefined && !due(state, cfg, now)) return { ran: false, images: 0, jobs: 0, prunedDetails: 0 };
  const digests = await repos.rescan.scheduledDigests(rescanWindows(cfg, now));
  const jobs = rematchJobs(digests, { reason: "schedule", ...(cfg.batchSize ? { batchSize: cfg.batchSize } : {}) });
  const run = await repos.store.db.transaction().execute(async (tx) => {
    if (!(await repos.rescan.compareAndSetSetting(SCHEDULE_SETTING, state, { lastRunAt: now.toISOString() } satisfies ScheduleState, now, tx))) return { ran: false, images: 0, jobs: 0, prunedDetails: 0 };
    let enqueued = 0;
    for (const j of jobs) if (await repos.jobs.enqueue(j, now, tx)) enqueued++;
    return { ran: true, images: digests.length, jobs: enqueued, prunedDetails: 0 };
  });
  // Once per period: the details of findings rewritten since are left behind by the writes.
  return run.ran ? { ...run, prunedDetails: await repos.images.pruneDetails() } : run;
}

export interface Ticker {
  /** Runs one check now (also what the timer calls). */
  tick(): Promise<void>;
  /** Stops the timer and waits for a check in progress. */
  stop(): Promise<void>;
}

/** Calls `check` at start and every `everyMs`, one at a time; errors are logged, never thrown. */
export function startTicker(name: string, everyMs: number, check: () => Promise<void>, log: (msg: string) => void): Ticker {
  let running: Promise<void> | undefined;
  const tick = (): Promise<void> => {
    running ??= check()
      .catch((e: unknown) => log(`${name}: ${describeError(e)}`))
      .finally(() => {
        running = undefined;
      });
    return running;
  };
  const timer = setInterval(() => void tick(), everyMs);
  timer.unref();
  void tick();
  return {
    tick,
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}

export function startRescanScheduler(opts: {
  readonly repos: Repositories;
  readonly config: RescanConfig;
  readonly now: () => Date;
  readonly log: (msg: string) => void;
  readonly onEnqueued?: () => void;
  readonly tickMs?: number;
}): Ticker {
  return startTicker("rescan scheduler", opts.tickMs ?? 60_000, async () => {
    if (await tickRescanSchedule(opts.repos, opts.config, opts.now())) {
      opts.log("rescan: scheduled re-match enqueued");
      opts.onEnqueued?.();
    }
  }, opts.log);
}
