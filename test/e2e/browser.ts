// The real browser and the seeded server the UI tests and bench/web.ts drive: Debian's chromium via
// playwright-core (no downloaded browser), a fresh profile per run, no background traffic; and
// `berth server` on 127.0.0.1 with the demo dataset, with dist/web built when missing.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type BrowserContext } from "playwright-core";
import { seedDemo, type DemoSeedInfo } from "../../src/demo/seed.js";
import { startServer, type RunningServer } from "../../src/server/index.js";
import { resolveWebDir } from "../../src/server/routes/web.js";
import { defaultLimits } from "../../src/util/limits.js";

export const CHROMIUM = process.env.BERTH_CHROMIUM ?? "/usr/bin/chromium";

export const CHROMIUM_FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** Builds the web UI into dist/web unless it is there (scripts/test.mjs builds it before the suite). */
export function ensureWebBuild(): string {
  const dir = resolveWebDir();
  if (!existsSync(join(dir, "index.html"))) {
    const r = spawnSync(process.execPath, ["node_modules/vite/bin/vite.js", "build", "--config", "web/vite.config.ts", "--logLevel", "warn"], { stdio: "inherit" });
    if (r.status !== 0) throw new Error("vite build failed");
  }
  return dir;
}

export interface SeededServer {
  readonly server: RunningServer;
  readonly token: string;
  readonly seed: DemoSeedInfo;
  close(): Promise<void>;
}

/** `berth server` on a free loopback port over a fresh SQLite store seeded with the demo dataset. */
export async function startSeededServer(): Promise<SeededServer> {
  ensureWebBuild();
  const dir = mkdtempSync(join(tmpdir(), "berth-ui-"));
  const cacheDir = join(dir, "cache");
  const server = await startServer({
    dataDir: join(dir, "data"),
    host: "127.0.0.1",
    port: 0,
    insecureRegistries: [],
    cacheDir,
    platform: { os: "linux", architecture: "amd64" },
    limits: defaultLimits,
    concurrency: 0,
    log: () => {},
    rescan: false,
  });
  try {
    const seed = await seedDemo(server.repos, { demoDir: "demo", cacheDir, now: new Date() });
    const { token } = await server.repos.tokens.create("read", "ui test", new Date());
    return {
      server,
      token,
      seed,
      async close() {
        await server.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (e) {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
}

/** A fresh chromium profile at 1280×800; closing it removes the profile. */
export async function launchBrowser(): Promise<{ context: BrowserContext; close(): Promise<void> }> {
  const profile = mkdtempSync(join(tmpdir(), "berth-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_FLAGS,
    viewport: { width: 1280, height: 800 },
    locale: "en-US",
    timezoneId: "UTC",
  });
  return {
    context,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
