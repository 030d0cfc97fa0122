// Benchmark: push → findings. A real docker-registry notifies a real `berth server` (SQLite, in
// process, warm advisory DB of ../shared/vulndata or the committed records); the real Debian 12 test
// image is pushed with skopeo under a new tag each run (a fresh config label makes each push a new
// digest, so every run is a first scan); the time from the start of the push to findings answered by
// GET /api/v1/images/{digest} is recorded, next to the skopeo push alone. "Cold" runs start a server
// with an empty layer cache (every layer pulled and read); "warm" runs push a rebuilt image whose
// layers the server has read before (the usual CI case: new config or app layer on a known base).
// Run: `npm run bench:push`.
import { cpSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startServer, type RunningServer } from "../src/server/index.js";
import { defaultLimits } from "../src/util/limits.js";
import { debianImage } from "../test/support/debian-image.js";
import { freePort, startRegistry } from "../test/support/registry.js";
import { pushTinyImage, tool } from "../test/support/tiny-image.js";
import { realAdvisoryDb } from "../test/support/vulndata.js";

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const SECRET = "bench-secret";
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const work = mkdtempSync(join(tmpdir(), "berth-bench-push-"));
const img = debianImage();
const layout = join(work, "oci");
cpSync(img.ociDir, layout, { recursive: true });
const { cacheDir } = await realAdvisoryDb();
const port = await freePort();
const reg = await startRegistry({
  notifications: [{ name: "berth", url: `http://127.0.0.1:${port}/api/v1/events/registry`, headers: { Authorization: [`Bearer ${SECRET}`] }, timeout: "2s", threshold: 3, backoff: "200ms", ignoredmediatypes: ["application/octet-stream"] }],
});

async function measure(server: RunningServer, token: string, tag: string): Promise<{ total: number; push: number; findings: number }> {
  // A new config (label) each run: a new digest, so the server has never seen it.
  await tool("umoci", ["config", "--image", `${layout}:${img.ociRef}`, "--tag", tag, "--config.label", `bench.run=${tag}`]);
  const t0 = performance.now();
  const digest = await pushTinyImage(layout, tag, `${reg.host}/bench/debian:${tag}`);
  const push = (performance.now() - t0) / 1000;
  for (;;) {
    const r = await fetch(`${server.url}/api/v1/images/${digest}`, { headers: { authorization: `Bearer ${token}` } });
    const body = r.status === 200 ? ((await r.json()) as { scanStatus: string; findings: unknown[] }) : undefined;
    if (body?.scanStatus === "failed") throw new Error(`scan failed: ${JSON.stringify(body).slice(0, 300)}`);
    if (body?.scanStatus === "scanned") return { total: (performance.now() - t0) / 1000, push, findings: body.findings.length };
    await new Promise((res) => setTimeout(res, 20));
  }
}

async function serve(cache: string, dataDir: string): Promise<{ server: RunningServer; token: string }> {
  const server = await startServer({
    dataDir,
    host: "127.0.0.1",
    port,
    registrySecret: SECRET,
    insecureRegistries: [reg.host],
    cacheDir: cache,
    platform: { os: "linux", architecture: "amd64" },
    limits: defaultLimits,
    concurrency: 2,
    pollMs: 100,
    rescan: false,
    log: () => undefined,
  });
  return { server, token: (await server.repos.tokens.create("read", "bench", new Date())).token };
}

// The server runs in this process: its peak resident memory while scanning, sampled every 20 ms.
let peakRss = 0;
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 20);
const cold: { total: number; push: number }[] = [];
const warm: { total: number; push: number }[] = [];
let findings = 0;
try {
  for (let i = 0; i < RUNS; i++) {
    // A fresh cache holding only the advisory DB: no layer has been read by this server.
    const cache = join(work, `cache${i}`);
    mkdirSync(cache);
    cpSync(join(cacheDir, "db"), join(cache, "db"), { recursive: true });
    const { server, token } = await serve(cache, join(work, `data${i}`));
    try {
      const c = await measure(server, token, `cold${i}`);
      cold.push(c);
      findings = c.findings;
      warm.push(await measure(server, token, `warm${i}`));
    } finally {
      await server.close();
    }
  }
} finally {
  clearInterval(sampler);
  await reg.stop();
  rmSync(work, { recursive: true, force: true });
}

const row = (name: string, xs: number[]) => `| ${name} | ${median(xs).toFixed(2)} s | ${Math.min(...xs).toFixed(2)} s | ${Math.max(...xs).toFixed(2)} s |`;
process.stdout.write(
  [
    `push → findings, real Debian 12 image (103 MiB compressed, ${findings} findings), ${RUNS} runs each, ${new Date().toISOString().slice(0, 10)}, Node ${process.version}`,
    "",
    "| measure | median | min | max |",
    "|---|---|---|---|",
    row("skopeo push alone (layers already in the registry)", cold.map((c) => c.push)),
    row("cold: push start → findings served (every layer pulled and read)", cold.map((c) => c.total)),
    row("warm: push start → findings served (layers read before)", warm.map((c) => c.total)),
    "",
    `peak RSS of the process (server, benchmark driver and registry client): ${(peakRss / 2 ** 20).toFixed(0)} MiB`,
    "",
  ].join("\n"),
);
