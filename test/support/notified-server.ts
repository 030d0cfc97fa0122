// A real docker-registry whose notifications go to a real `berth server` on a free loopback port, as
// the registry integration tests and the push benchmark set them up: the endpoint authenticates
// with the shared secret, the server may pull from that registry over plain HTTP, and scans run
// against a local advisory DB. `server` overrides or adds any ServerConfig field.
import { startServer, type RunningServer, type ServerConfig } from "../../src/server/index.js";
import { defaultLimits } from "../../src/util/limits.js";
import { freePort, startRegistry, type TestRegistry } from "./registry.js";

export interface NotifiedServerOptions {
  readonly dataDir: string;
  readonly databaseUrl?: string;
  readonly cacheDir: string;
  readonly secret: string;
  readonly backoff?: string;
  readonly server?: Partial<ServerConfig>;
}

export async function startNotifiedServer(opts: NotifiedServerOptions): Promise<{ reg: TestRegistry; server: RunningServer }> {
  const port = await freePort();
  const reg = await startRegistry({
    notifications: [
      {
        name: "berth",
        url: `http://127.0.0.1:${port}/api/v1/events/registry`,
        headers: { Authorization: [`Bearer ${opts.secret}`] },
        timeout: "2s",
        threshold: 3,
        backoff: opts.backoff ?? "500ms",
        ignoredmediatypes: ["application/octet-stream"],
      },
    ],
  });
  try {
    const server = await startServer({
      dataDir: opts.dataDir,
      ...(opts.databaseUrl ? { databaseUrl: opts.databaseUrl } : {}),
      host: "127.0.0.1",
      port,
      registrySecret: opts.secret,
      insecureRegistries: [reg.host],
      cacheDir: opts.cacheDir,
      platform: { os: "linux", architecture: "amd64" },
      limits: defaultLimits,
      concurrency: 2,
      pollMs: 200,
      log: () => undefined,
      ...opts.server,
    });
    return { reg, server };
  } catch (e) {
    await reg.stop();
    throw e;
  }
}
