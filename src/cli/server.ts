// `berth server`: the HTTP API with the inventory store and an in-process scan worker. Runs until
// SIGINT/SIGTERM, then stops taking jobs and closes cleanly. Flags, else BERTH_* environment.
import { resolve } from "node:path";
import { Command, Option } from "commander";
import { parsePlatformOption, type Io } from "./common.js";
import { resolveCacheDir } from "../util/cache-dir.js";
import { BerthError } from "../util/errors.js";
import { defaultLimits } from "../util/limits.js";

export const DEFAULT_DATA_DIR = "./.berth";
export const DEFAULT_LISTEN = "127.0.0.1:8080";

interface ServerFlags {
  dataDir?: string;
  listen?: string;
  databaseUrl?: string;
  registrySecret?: string;
  insecureRegistry?: string[];
  cacheDir?: string;
  platform?: string;
  concurrency?: string;
}

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

export function serverCommand(io: Io, signals: NodeJS.EventEmitter = process): Command {
  return new Command("server")
    .description("run the Berth server: HTTP API, registry event ingest and the scan queue")
    .option("--data-dir <dir>", `data directory for the embedded SQLite store (env BERTH_DATA_DIR, default ${DEFAULT_DATA_DIR})`)
    .option("--listen <host:port>", `address to listen on (env BERTH_LISTEN, default ${DEFAULT_LISTEN})`)
    .option("--database-url <url>", "PostgreSQL instead of SQLite: postgres://user@host:port/db (env BERTH_DATABASE_URL)")
    .option("--registry-secret <secret>", "shared secret registries send as 'Authorization: Bearer <secret>' (env BERTH_REGISTRY_SECRET)")
    .option("--insecure-registry <host>", "registry host reached over plain HTTP (repeatable)", collect)
    .option("--cache-dir <dir>", "vulnerability database and layer cache (default: $BERTH_CACHE_DIR, else ~/.cache/berth)")
    .option("--platform <os/arch>", "platform scanned in multi-platform images (default: this host's)")
    .addOption(new Option("--concurrency <n>", "scan jobs run at once by this process (0: no worker)").default("2"))
    .action(async (f: ServerFlags) => {
      const env = io.env;
      const concurrency = Number(f.concurrency ?? "2");
      if (!Number.isInteger(concurrency) || concurrency < 0 || concurrency > 8) throw new BerthError("usage", "--concurrency: expected a whole number from 0 to 8");
      const { parseListen, startServer } = await import("../server/index.js");
      const { host, port } = parseListen(f.listen ?? env.BERTH_LISTEN ?? DEFAULT_LISTEN);
      const databaseUrl = f.databaseUrl ?? env.BERTH_DATABASE_URL;
      const registrySecret = f.registrySecret ?? env.BERTH_REGISTRY_SECRET;
      const log = (msg: string) => io.stderr.write(`${new Date().toISOString()} ${msg}\n`);
      const server = await startServer({
        dataDir: resolve(f.dataDir ?? env.BERTH_DATA_DIR ?? DEFAULT_DATA_DIR),
        ...(databaseUrl ? { databaseUrl } : {}),
        host,
        port,
        ...(registrySecret ? { registrySecret } : {}),
        insecureRegistries: f.insecureRegistry ?? [],
        cacheDir: resolveCacheDir({ ...(f.cacheDir ? { cacheDir: f.cacheDir } : {}), env }),
        platform: parsePlatformOption(f.platform),
        limits: defaultLimits,
        concurrency,
        log,
      });
      log(`berth server listening on ${server.url} (${server.repos.store.kind})`);
      await new Promise<void>((done) => {
        const stop = () => {
          signals.off("SIGINT", stop);
          signals.off("SIGTERM", stop);
          done();
        };
        signals.on("SIGINT", stop);
        signals.on("SIGTERM", stop);
      });
      log("shutting down");
      await server.close();
    });
}
