// Flags `berth server` and `berth worker` share for continuous rescans (server/rescan.ts,
// server/rescan-db.ts). Durations as `berth db status --max-age` takes them: 24h, 90d, 30m; "0" or
// "off" turns a window off.
import type { Command } from "commander";
import type { RescanConfig } from "../server/rescan.js";
import { BerthError } from "../util/errors.js";
import { parseDuration } from "../vulndb/status.js";

export interface RescanFlags {
  rescanInterval?: string;
  rescanPushedWithin?: string;
  rescanPulledWithin?: string;
  rescanRunning?: boolean;
  rescanBatch?: string;
  dbUpdateInterval?: string;
  dbSource?: string;
}

export function addRescanOptions(cmd: Command): Command {
  return cmd
    .option("--rescan-interval <duration>", "re-match stored inventories on this schedule, e.g. 24h, 12h ('off': no schedule) (env BERTH_RESCAN_INTERVAL, default 24h)")
    .option("--rescan-pushed-within <duration>", "scheduled rescans include images pushed within this long (env BERTH_RESCAN_PUSHED_WITHIN, default 90d; 0: none by push)")
    .option("--rescan-pulled-within <duration>", "scheduled rescans include images pulled within this long (env BERTH_RESCAN_PULLED_WITHIN, default 30d; 0: none by pull)")
    .option("--no-rescan-running", "scheduled rescans leave out images running in connected clusters (included by default)")
    .option("--rescan-batch <n>", "images per re-match job (default 200)");
}

export function addDbUpdateOptions(cmd: Command): Command {
  return cmd
    .option("--db-update-interval <duration>", "run 'berth db update' from the server on this schedule, e.g. 6h (env BERTH_DB_UPDATE_INTERVAL; default: never — update with the CLI and the server notices)")
    .option("--db-source <dir-or-url>", "where --db-update-interval updates from: an offline mirror directory, a zip or a base URL (env BERTH_DB_SOURCE; default OSV's bucket)");
}

function duration(flag: string, text: string): number {
  if (/^\s*(0|off)\s*$/i.test(text)) return 0;
  try {
    return parseDuration(text);
  } catch {
    throw new BerthError("usage", `${flag}: expected a duration such as 24h, 90d or 30m (or 0/off), got "${text}"`);
  }
}

/** The rescan config from flags, else BERTH_* environment (interval 0: no schedule). */
export function parseRescanFlags(f: RescanFlags, env: NodeJS.ProcessEnv): RescanConfig {
  const interval = duration("--rescan-interval", f.rescanInterval ?? env.BERTH_RESCAN_INTERVAL ?? "24h");
  if (interval > 0 && interval < 60_000) throw new BerthError("usage", "--rescan-interval: at least 1m");
  const batch = Number(f.rescanBatch ?? "200");
  if (!Number.isInteger(batch) || batch < 1 || batch > 5000) throw new BerthError("usage", "--rescan-batch: expected a whole number from 1 to 5000");
  return {
    intervalMs: interval,
    pushedWithinMs: duration("--rescan-pushed-within", f.rescanPushedWithin ?? env.BERTH_RESCAN_PUSHED_WITHIN ?? "90d"),
    pulledWithinMs: duration("--rescan-pulled-within", f.rescanPulledWithin ?? env.BERTH_RESCAN_PULLED_WITHIN ?? "30d"),
    running: f.rescanRunning !== false,
    batchSize: batch,
  };
}

export function parseDbUpdateFlags(f: RescanFlags, env: NodeJS.ProcessEnv): { intervalMs: number; source?: string } | undefined {
  const text = f.dbUpdateInterval ?? env.BERTH_DB_UPDATE_INTERVAL;
  if (text === undefined) return undefined;
  const intervalMs = duration("--db-update-interval", text);
  if (intervalMs === 0) return undefined;
  if (intervalMs < 60_000) throw new BerthError("usage", "--db-update-interval: at least 1m");
  const source = f.dbSource ?? env.BERTH_DB_SOURCE;
  return { intervalMs, ...(source ? { source } : {}) };
}

/** Resolves on the first SIGINT or SIGTERM (a long-running command's cue to stop cleanly). */
export function untilStopSignal(signals: NodeJS.EventEmitter): Promise<void> {
  return new Promise<void>((done) => {
    const stop = () => {
      signals.off("SIGINT", stop);
      signals.off("SIGTERM", stop);
      done();
    };
    signals.on("SIGINT", stop);
    signals.on("SIGTERM", stop);
  });
}
