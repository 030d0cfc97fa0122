// Benchmark: the web UI's budget (issue 8) in the test browser (Debian chromium, 1280×800) against
// `berth server` seeded with the demo dataset:
//   - JavaScript of the explorer's first load: every script the page loads for /explorer?q=<seed
//     query>, gzipped (level 9, as the server sends it) and summed;
//   - navigation → rendered results of the seed query: the page's own performance mark
//     ("berth:results-rendered", set when the result table is committed), cold (fresh profile) and
//     warm (median of the next runs, HTTP cache warm);
//   - the images list over 10 000 more (bare) images: navigation → first rows shown, the rows in the
//     DOM (windowed), and the time to scroll to the end (every keyset page of 500 fetched).
// Recorded in bench/README.md, not asserted. Run: `npm run bench:web`.
import { createHash } from "node:crypto";
import { gzipSync } from "node:zlib";
import { launchBrowser, startSeededServer } from "../test/e2e/browser.js";

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const SEED_QUERY = "internet -> workload -> image[vuln.severity>=high] -> pipelinerun -> repository";
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const seeded = await startSeededServer();
const browser = await launchBrowser();
try {
  const page = await browser.context.newPage();
  const url = `${seeded.server.url}/explorer?q=${encodeURIComponent(SEED_QUERY)}`;
  const times: number[] = [];
  let scripts: { url: string; raw: number; gzip: number }[] = [];
  let paths = 0;
  for (let i = 0; i <= RUNS; i++) {
    const seen: Promise<{ url: string; raw: number; gzip: number }>[] = [];
    const onResponse = (r: import("playwright-core").Response) => {
      if (r.request().resourceType() === "script") seen.push(r.body().then((b) => ({ url: new URL(r.url()).pathname, raw: b.length, gzip: gzipSync(b, { level: 9 }).length })));
    };
    page.on("response", onResponse);
    // The first run starts with an empty HTTP cache (fresh profile) and signs in through the link
    // (the token then stays in sessionStorage for the later runs).
    await page.goto(i === 0 ? `${url}&token=${encodeURIComponent(seeded.token)}` : url);
    await page.getByTestId("results").waitFor();
    const t = await page.evaluate(() => performance.getEntriesByName("berth:results-rendered")[0]?.startTime ?? NaN);
    paths = await page.locator("table.results tbody tr").count();
    page.off("response", onResponse);
    if (i === 0) scripts = await Promise.all(seen);
    times.push(t);
  }
  // The images list with 10 000 more images.
  const LIST_IMAGES = Number(process.env.BENCH_LIST_IMAGES ?? 10_000);
  const base = Date.parse("2020-01-01T00:00:00Z");
  await seeded.server.repos.store.db.transaction().execute(async (tx) => {
    for (let i = 0; i < LIST_IMAGES; i++) {
      const digest = `sha256:${createHash("sha256").update(`bench-list-${i}`).digest("hex")}`;
      await seeded.server.repos.images.ensure({ digest }, new Date(base - i * 60_000), tx);
    }
  });
  const loaded = () => page.getByTestId("images-status").getAttribute("data-loaded").then(Number);
  const total = () => page.getByTestId("images-status").getAttribute("data-total").then(Number);
  const t0 = performance.now();
  await page.goto(`${seeded.server.url}/images?limit=500`);
  await page.locator("table.images tbody tr[data-digest]").first().waitFor();
  const firstRowsMs = performance.now() - t0;
  const domRows = await page.locator("table.images tbody tr[data-digest]").count();
  const t1 = performance.now();
  while ((await loaded()) < (await total())) {
    const before = await loaded();
    await page.getByTestId("images-list").evaluate((el) => (el.scrollTop = el.scrollHeight));
    await page.waitForFunction((n) => Number(document.querySelector('[data-testid="images-status"]')?.getAttribute("data-loaded")) > n, before);
  }
  const scrollAllMs = performance.now() - t1;
  const listTotal = await total();

  const gz = scripts.reduce((s, x) => s + x.gzip, 0);
  const raw = scripts.reduce((s, x) => s + x.raw, 0);
  const out = {
    query: SEED_QUERY,
    paths,
    firstLoadScripts: scripts,
    firstLoadJsGzipBytes: gz,
    firstLoadJsRawBytes: raw,
    resultsRenderedMs: { cold: Math.round(times[0]!), warmMedian: Math.round(median(times.slice(1))) },
    imagesList: { images: listTotal, firstRowsMs: Math.round(firstRowsMs), domRows, scrollToEndMs: Math.round(scrollAllMs) },
    chromium: browser.context.browser()?.version() ?? "",
  };
  console.log(JSON.stringify(out, null, 2));
  console.log(`\n| explorer first load, JS gzipped | ${(gz / 1024).toFixed(1)} KB (${scripts.length} scripts, ${(raw / 1024).toFixed(0)} KB raw) |`);
  console.log(`| seed query → rendered results (${paths} paths) | cold ${out.resultsRenderedMs.cold} ms, warm median ${out.resultsRenderedMs.warmMedian} ms |`);
  console.log(`| images list (${listTotal} images): first rows / rows in the DOM / scroll to the end | ${out.imagesList.firstRowsMs} ms / ${domRows} / ${out.imagesList.scrollToEndMs} ms |`);
} finally {
  await browser.close();
  await seeded.close();
}
