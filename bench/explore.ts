// Benchmark: explorer queries on a store of N synthetic images (bench/dataset.ts, shared with
// bench/rescan.ts: real Debian 12 package lists with real advisory versions, matched against the
// real advisories for findings), on embedded SQLite and on a real PostgreSQL
// (test/support/postgres.ts). Each query runs 50 times (after one warm-up) through executeQuery, as
// the API does; p50 and p95 of the whole call (SQL page + batched props and edge details) per store.
// Run: `tsx bench/explore.ts` (BENCH_IMAGES=100000 by default, BENCH_RUNS=50, BENCH_STORES=sqlite,postgres;
// BENCH_EXPLAIN=1 prints each query's plan).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startPostgres, type TestPostgres } from "../test/support/postgres.js";
import { executeQuery, explainPlan } from "../src/server/explore/execute.js";
import { parseQuery } from "../src/server/explore/query.js";
import { openStore, repositories, type Store, type StoreLocation } from "../src/store/index.js";
import { realAdvisoryDb } from "../test/support/vulndata.js";
import { generateDataset, matchDataset } from "./dataset.js";
import { sql } from "kysely";

const IMAGES = Number(process.env.BENCH_IMAGES ?? 100_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 50);
const STORES = (process.env.BENCH_STORES ?? "sqlite,postgres").split(",");
// An SQLite store bench/rescan.ts kept (BENCH_KEEP): measured as it is, nothing generated.
const SQLITE_FILE = process.env.BENCH_SQLITE_FILE;

interface Samples {
  /** The vulnerability with the most open findings. */
  readonly vulnerability: string;
}

const queries = (d: Samples): [string, string][] => [
  ["seeds' query", "internet -> workload -> image[vuln.severity>=high] -> pipelinerun -> repository"],
  ["pushed by repository, high", "image[pushedBy=repository, vuln.severity>=high] -> repository"],
  ["where is a CVE, who built it", `vulnerability[id=${d.vulnerability}] -> image -> pipelinerun -> repository`],
  ["a repository's fixable images", "repository[name=bench-org/app-1] -> pipelinerun -> image[vuln.fixable] -> vulnerability[severity>=high]"],
];

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((xs.length * p) / 100))]!;

async function measure(store: Store, d: Samples, label: string): Promise<string[]> {
  const rows: string[] = [];
  for (const [name, q] of queries(d)) {
    const ast = parseQuery(q);
    const first = await executeQuery(store.db, ast, { limit: 50 });
    const times: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const t = performance.now();
      await executeQuery(store.db, ast, { limit: 50 });
      times.push(performance.now() - t);
    }
    if (process.env.BENCH_EXPLAIN) {
      console.error(`--- ${label} ${name}\n${(await explainPlan(store.db, ast)).join("\n")}`);
    }
    rows.push(`| ${label} | ${name} | \`${q}\` | ${first.paths.length}${first.nextCursor ? "+" : ""} | ${pct(times, 50).toFixed(1)} ms | ${pct(times, 95).toFixed(1)} ms |`);
    console.error(rows.at(-1));
  }
  return rows;
}

const { cacheDir } = await realAdvisoryDb();
const work = mkdtempSync(join(tmpdir(), "berth-bench-explore-"));
let pg: TestPostgres | undefined;
const out: string[] = [];
try {
  for (const kind of STORES) {
    let loc: StoreLocation;
    if (kind === "postgres") {
      pg = await startPostgres();
      loc = { kind: "postgres", url: await pg.createDatabase("bench_explore") };
    } else {
      loc = { kind: "sqlite", path: SQLITE_FILE ?? join(work, "berth.sqlite") };
    }
    const store = await openStore(loc);
    const repos = repositories(store);
    if (!(SQLITE_FILE && kind === "sqlite")) {
      const t = performance.now();
      const now = new Date("2026-11-20T00:00:00.000Z");
      const ds = await generateDataset(repos, { images: IMAGES, cacheDir, now, log: (m) => console.error(`${kind}: ${m}`) });
      console.error(`${kind}: dataset in ${((performance.now() - t) / 1000).toFixed(1)} s; matching`);
      await matchDataset(repos, ds.digests, cacheDir, () => now);
      console.error(`${kind}: dataset and findings in ${((performance.now() - t) / 1000).toFixed(1)} s`);
    }
    if (kind === "postgres") await sql`ANALYZE`.execute(store.db);
    const top = await store.db
      .selectFrom("findings")
      .select("vulnerability_id")
      .select((eb) => eb.fn.countAll<string | number>().as("n"))
      .where("state", "=", "open")
      .groupBy("vulnerability_id")
      .orderBy("n", "desc")
      .orderBy("vulnerability_id")
      .limit(1)
      .executeTakeFirstOrThrow();
    const d: Samples = { vulnerability: top.vulnerability_id };
    out.push(...(await measure(store, d, kind === "postgres" ? "PostgreSQL" : "SQLite")));
    await store.close();
  }
} finally {
  await pg?.stop();
  rmSync(work, { recursive: true, force: true });
}
console.log(`explorer queries, ${IMAGES} images, ${RUNS} runs each after a warm-up, limit 50; ${new Date().toISOString().slice(0, 10)}, Node ${process.version}\n`);
console.log("| store | query | text | paths (page) | p50 | p95 |");
console.log("|---|---|---|---|---|---|");
for (const r of out) console.log(r);
