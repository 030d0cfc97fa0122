// The real browser and the seeded server the UI tests and bench/web.ts drive: Debian's chromium via
// playwright-core (no downloaded browser), a fresh profile per run, no background traffic; and
// `berth server` on 127.0.0.1 with the demo dataset, with dist/web built when missing.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { seedDemo, type DemoSeedInfo } from "../../src/demo/seed.js";
import { startServer, type RunningServer } from "../../src/server/index.js";
import { resolveWebDir } from "../../src/server/routes/web.js";
import { defaultLimits } from "../../src/util/limits.js";

export const CHROMIUM = process.env.BERTH_CHROMIUM ?? "/usr/bin/chromium";

/** Where the UI tests save the screenshots the README shows. */
export const SHOTS = "docs/screenshots";

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

/** The UI tests' fixture: a seeded server, a browser page, every URL the page requested, and an API client. */
export interface UiSession {
  readonly seeded: SeededServer;
  readonly page: Page;
  readonly requests: readonly string[];
  /** GET an API path with a token (default: the seeded read token); fails on anything but 200. */
  apiGet<T>(path: string, token?: string): Promise<T>;
  /** Requested URLs outside the server's origin (blob: and data: URLs are the page's own). */
  foreignRequests(): string[];
  close(): Promise<void>;
}

export async function openUi(): Promise<UiSession> {
  const seeded = await startSeededServer();
  const browser = await launchBrowser().catch(async (e: unknown) => {
    await seeded.close();
    throw e;
  });
  const requests: string[] = [];
  browser.context.on("request", (r) => requests.push(r.url()));
  const page = await browser.context.newPage();
  mkdirSync(SHOTS, { recursive: true });
  const origin = new URL(seeded.server.url).origin;
  return {
    seeded,
    page,
    requests,
    async apiGet<T>(path: string, token = seeded.token): Promise<T> {
      const res = await fetch(`${seeded.server.url}${path}`, { headers: { authorization: `Bearer ${token}` } });
      if (res.status !== 200) throw new Error(`${path}: ${res.status} ${await res.text()}`);
      return (await res.json()) as T;
    },
    foreignRequests: () => requests.filter((u) => !u.startsWith("blob:") && !u.startsWith("data:") && new URL(u).origin !== origin),
    async close() {
      await browser.close();
      await seeded.close();
    },
  };
}
