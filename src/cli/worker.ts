// `berth worker`: a process with no HTTP that takes scan, re-match and rescan jobs from the shared
// queue — PostgreSQL (`--database-url`), so any number run beside `berth server` replicas; or the
// server's SQLite file (`--data-dir`) for a second process on the same machine (SQLite's lock makes
// each claim atomic; fine for a few processes, not across machines). Stops taking jobs on
// SIGINT/SIGTERM, finishes the running ones (a killed worker's jobs are retried after their lease).
import { resolve } from "node:path";
import { Command, Option } from "commander";
import { parsePlatformOption, type Io } from "./common.js";
import { applyConfigSources } from "./config.js";
import { DEFAULT_DATA_DIR, serverCommand } from "./server.js";
import { resolveCacheDir } from "../util/cache-dir.js";
import { BerthError } from "../util/errors.js";
import { defaultLimits } from "../util/limits.js";
import { untilStopSignal } from "./worker-options.js";
import { loadTrustFlags, trustKeyOption, trustPolicyOption, type TrustFlagValues } from "./trust-flags.js";

interface WorkerFlags extends TrustFlagValues {
  databaseUrl?: string;
  dataDir?: string;
  cacheDir?: string;
  platform?: string;
  insecureRegistry?: string[];
  concurrency?: string;
  name?: string;
}

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

export function workerCommand(io: Io, signals: NodeJS.EventEmitter = process): Command {
  return new Command("worker")
    .description("run a Berth worker: scans and re-matches jobs from the server's queue (no HTTP); PostgreSQL to scale out")
    .option("--config <file>", "YAML file setting any of these flags by camelCase name; the server's file works as is (its server-only keys are ignored); flags and BERTH_<FLAG> env vars win over it (env BERTH_CONFIG)")
    .option("--database-url <url>", "the server's PostgreSQL database, postgres://user@host:port/db (env BERTH_DATABASE_URL); required unless --data-dir")
    .option("--data-dir <dir>", "instead: the server's SQLite data directory, for a second process on the same machine (env BERTH_DATA_DIR)")
    .option("--cache-dir <dir>", "vulnerability database and layer cache (default: $BERTH_CACHE_DIR, else ~/.cache/berth); keep its DB as current as the server's")
    .option("--platform <os/arch>", "platform scanned in multi-platform images (default: this host's)")
    .option("--insecure-registry <host>", "registry host reached over plain HTTP (repeatable)", collect)
    .addOption(new Option("--concurrency <n>", "jobs run at once by this process (1-8)").default("2"))
    .option("--name <name>", "worker name recorded on the jobs it holds (default: worker-<random>)")
    .addOption(trustKeyOption())
    .addOption(trustPolicyOption())
    .hook("preAction", (cmd) => applyConfigSources(cmd, io.env, { envPrefix: "BERTH_", fileOption: "config", sharedWith: serverCommand(io) }))
    .addHelpText(
      "after",
      `
Jobs: scan-image (pull, catalog, match, store the inventory and findings), rematch (match stored
inventories against the current vulnerability DB, never pulling) and rescan (the scheduled
selection). The server enqueues them: on registry events, on its rescan schedule, and when it
notices a vulnerability DB update.

Example:
  berth worker --database-url postgres://berth@db:5432/berth --cache-dir /var/cache/berth`,
    )
    .action(async (f: WorkerFlags) => {
      const env = io.env;
      const concurrency = Number(f.concurrency ?? "2");
      if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 8) throw new BerthError("usage", "--concurrency: expected a whole number from 1 to 8");
      const databaseUrl = f.databaseUrl;
      const dataDir = f.dataDir;
      if (!databaseUrl && !dataDir) throw new BerthError("usage", `berth worker needs the server's queue: --database-url postgres://… (or --data-dir ${DEFAULT_DATA_DIR} for SQLite on this machine)`);
      const { openStore, repositories, storeLocation } = await import("../store/index.js");
      const { startJobWorker } = await import("../server/job-runner.js");
      const log = (msg: string) => io.stderr.write(`${new Date().toISOString()} ${msg}\n`);
      const store = await openStore(storeLocation(resolve(dataDir ?? DEFAULT_DATA_DIR), databaseUrl), { backgroundCheckpoints: true, log });
      const repos = repositories(store);
      const worker = startJobWorker(repos, {
        cacheDir: resolveCacheDir({ ...(f.cacheDir ? { cacheDir: f.cacheDir } : {}), env }),
        platform: parsePlatformOption(f.platform),
        limits: defaultLimits,
        insecureRegistries: f.insecureRegistry ?? [],
        trust: await loadTrustFlags(f),
        concurrency,
        log,
        now: () => new Date(),
        ...(f.name ? { name: f.name } : {}),
      });
      log(`berth worker ${worker.name} taking jobs (${store.kind}, concurrency ${concurrency})`);
      await untilStopSignal(signals);
      log("stopping: finishing running jobs");
      await worker.stop();
      await store.close();
      log("stopped");
    });
}
