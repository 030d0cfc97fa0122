// The in-process worker: a few slots (bounded concurrency) take jobs from the database queue,
// keep their lease alive while they run, and complete or fail them (with exponential backoff).
// A worker that dies holds its jobs only until their lease passes; then another worker takes them.
import { randomUUID } from "node:crypto";
import type { JobRepository } from "../store/jobs.js";
import type { JobRow } from "../store/schema.js";
import { describeError } from "../util/errors.js";

export interface WorkerOptions {
  readonly jobs: JobRepository;
  readonly handle: (job: JobRow) => Promise<void>;
  /** Called after a job has failed (for the caller to record it on the subject). */
  readonly onFailed?: (job: JobRow, error: unknown, final: boolean) => Promise<void>;
  /** Errors retrying cannot fix (bad input, unsupported image): the job fails at once. */
  readonly isPermanent?: (error: unknown) => boolean;
  readonly concurrency: number;
  readonly leaseMs: number;
  readonly pollMs: number;
  readonly backoffBaseMs: number;
  readonly backoffMaxMs: number;
  readonly now: () => Date;
  readonly log: (msg: string) => void;
  readonly kinds?: readonly string[];
  readonly name?: string;
}

export interface Worker {
  readonly name: string;
  /** Look for work now (called after an enqueue). */
  wake(): void;
  /** Stops taking jobs and waits for the running ones. */
  stop(): Promise<void>;
}

export function backoffMs(attempts: number, baseMs: number, maxMs: number): number {
  return Math.min(maxMs, baseMs * 2 ** Math.max(0, attempts - 1));
}

export function startWorker(opts: WorkerOptions): Worker {
  const name = opts.name ?? `worker-${randomUUID()}`;
  let stopped = false;
  const wakers = new Set<() => void>();

  async function runOne(job: JobRow): Promise<void> {
    const beat = setInterval(() => {
      opts.jobs.heartbeat(job.id, name, opts.leaseMs, opts.now()).catch((e: unknown) => opts.log(`job ${job.id}: heartbeat failed: ${describeError(e)}`));
    }, Math.max(50, Math.floor(opts.leaseMs / 3)));
    try {
      await opts.handle(job);
      await opts.jobs.complete(job.id, name, opts.now());
    } catch (e) {
      const permanent = opts.isPermanent?.(e) ?? false;
      const status = await opts.jobs.fail(job.id, name, describeError(e), backoffMs(job.attempts, opts.backoffBaseMs, opts.backoffMaxMs), opts.now(), permanent);
      opts.log(`job ${job.id} (${job.dedupe_key}) attempt ${job.attempts} failed${status === "failed" ? " for good" : ", will retry"}: ${describeError(e)}`);
      await opts.onFailed?.(job, e, status === "failed").catch(() => undefined);
    } finally {
      clearInterval(beat);
    }
  }

  async function slot(): Promise<void> {
    while (!stopped) {
      let job: JobRow | undefined;
      try {
        job = await opts.jobs.claim({ worker: name, leaseMs: opts.leaseMs, now: opts.now(), ...(opts.kinds ? { kinds: opts.kinds } : {}) });
      } catch (e) {
        opts.log(`worker: cannot take a job: ${describeError(e)}`);
      }
      if (job) {
        await runOne(job);
        continue;
      }
      if (stopped) break;
      // Sleep until the poll interval passes or wake() is called.
      await new Promise<void>((resolve) => {
        const done = (): void => {
          clearTimeout(timer);
          wakers.delete(done);
          resolve();
        };
        const timer = setTimeout(done, opts.pollMs);
        wakers.add(done);
      });
    }
  }

  const slots = Array.from({ length: Math.max(1, opts.concurrency) }, () => slot());
  return {
    name,
    wake() {
      for (const w of [...wakers]) w();
    },
    async stop() {
      stopped = true;
      for (const w of [...wakers]) w();
      await Promise.all(slots);
    },
  };
}
