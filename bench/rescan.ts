// Benchmark: continuous rescans over N synthetic stored inventories (bench/dataset.ts: real Debian 12
// package lists, versions varied among real advisory versions) against the real advisories of
// ../shared/vulndata (test/support/vulndata.ts). Measured in one process on embedded SQLite (and
// PostgreSQL with BENCH_STORES=sqlite,postgres):
//   1. first full match of every inventory (writes every finding),
//   2. full re-match (the daily rescan: same DB, nothing changes, nothing written),
//   3. incremental: one real advisory added by a DB update → diff, select, re-match its images.
// Run: `tsx bench/rescan.ts` (BENCH_IMAGES=100000 by default).
import { sql } from "kysely";
import { execFileSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, renameSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startPostgres, type TestPostgres } from "../test/support/postgres.js";
import { realAdvisoryDb } from "../test/support/vulndata.js";
import { parseRematchPayload, REMATCH_JOB, runRematchJob } from "../src/server/rematch.js";
import { checkVulnDbChange } from "../src/server/rescan-db.js";
import { openStore, repositories, type Repositories, type Store, type StoreLocation } from "../src/store/index.js";
import { defaultVulnDbLimits, updateDb } from "../src/vulndb/index.js";
import { openZip, zipEntries } from "../src/vulndb/zip.js";
import { buildZip, type ZipWriterEntry } from "../src/vulndb/testutil/zipwriter.js";
import { generateDataset, matchDataset } from "./dataset.js";

const IMAGES = Number(process.env.BENCH_IMAGES ?? 100_000);
const STORES = (process.env.BENCH_STORES ?? "sqlite").split(",");
// SQLite only, for working on the incremental path: keep the matched dataset in this directory and
// start from it next time (skips generation and both full matches).
const SNAPSHOT = process.env.BENCH_SNAPSHOT;
// SQLite only: move the store here at the end (for `BENCH_SQLITE_FILE=… tsx bench/explore.ts` on the same dataset).
const KEEP = process.env.BENCH_KEEP;
// SQLite only: a store a run kept (BENCH_KEEP; its advisory index is the whole mirror). Nothing is
// generated: a DB update adds a new advisory (the held-back record's ranges under a new id) and its
// incremental re-match is measured on the kept dataset.
const KEPT_FILE = process.env.BENCH_SQLITE_FILE;
// With BENCH_SQLITE_FILE: also time the daily full re-match of every stored image (same DB, nothing
// written) before the incremental, e.g. after a migration changed the store's layout.
const KEPT_FULL = process.env.BENCH_FULL === "1";
// Linux only: empty the page cache before the incremental (as when the store is larger than memory and
// the pages it needs were evicted) and report what it read from and wrote to the disk.
const COLD = process.env.BENCH_COLD === "1";
const now = new Date("2026-11-20T00:00:00.000Z");
function diskIo(): { read: number; written: number } {
  try {
    const io = Object.fromEntries(readFileSync("/proc/self/io", "utf8").trim().split("\n").map((l) => l.split(": ") as [string, string]));
    return { read: Number(io.read_bytes), written: Number(io.write_bytes) };
  } catch {
    return { read: NaN, written: NaN };
  }
}
function coldStart(): void {
  if (!COLD) return;
  execFileSync("sync");
  writeFileSync("/proc/sys/vm/drop_caches", "3");
}
const ioSince = (before: { read: number; written: number }): string => {
  const after = diskIo();
  const mib = (n: number) => `${(n / 2 ** 20).toFixed(0)} MiB`;
  return Number.isNaN(after.read) ? "" : `; disk ${mib(after.read - before.read)} read, ${mib(after.written - before.written)} written${COLD ? ", page cache emptied first" : ""}`;
};
const secs = (t: number) => (performance.now() - t) / 1000;

const { source } = await realAdvisoryDb();
const work = mkdtempSync(join(tmpdir(), "berth-bench-rescan-"));

// The held-back advisory: a real Debian:12 record for a source package most images have (curl).
const debian: ZipWriterEntry[] = [];
{
  const { zip } = await openZip(join(source, "Debian", "all.zip"), defaultVulnDbLimits);
  for await (const e of zipEntries(zip, "Debian/all.zip", defaultVulnDbLimits)) if (e.kind === "file") debian.push({ name: e.name, data: e.data });
}
// The newest curl advisory: its fix is newer than most image versions, so it yields findings.
const HELD =
  process.env.BENCH_ADVISORY ??
  debian
    .map((e) => JSON.parse(e.data.toString()) as { id: string; modified: string; affected?: { package?: { ecosystem: string; name: string } }[] })
    .filter((r) => r.affected?.some((a) => a.package?.ecosystem === "Debian:12" && a.package.name === "curl"))
    .sort((a, b) => (a.modified < b.modified ? 1 : -1))[0]!.id;
function mirror(dir: string, entries: readonly ZipWriterEntry[]): string {
  for (const eco of readdirSync(source)) {
    if (eco === "Debian" || !readdirSync(join(source, eco)).length) continue;
    mkdirSync(join(dir, eco), { recursive: true });
    for (const f of readdirSync(join(source, eco))) copyFileSync(join(source, eco, f), join(dir, eco, f));
  }
  mkdirSync(join(dir, "Debian"), { recursive: true });
  writeFileSync(join(dir, "Debian", "all.zip"), buildZip(entries));
  return dir;
}
const without = mirror(join(work, "m-without"), debian.filter((e) => JSON.parse(e.data.toString()).id !== HELD));
const withAll = mirror(join(work, "m-with"), debian);
// A new advisory for a kept store (whose DB had every record): a real curl record under a new id,
// without aliases or upstream ids (so its findings are rows of their own, not merged into the CVE's).
// Each run on the same kept store adds one more (`<held>-BENCH`, `-BENCH2`, …); the earlier ones stay
// in the DB as they were (id and `modified` from the store's advisory index), so only the new one changes.
const heldAs = (id: string, modified: string): ZipWriterEntry => {
  const held = debian.find((e) => (JSON.parse(e.data.toString()) as { id: string }).id === HELD)!;
  const { aliases: _a, upstream: _u, related: _r, ...record } = JSON.parse(held.data.toString()) as Record<string, unknown>;
  return { name: `${id}.json`, data: Buffer.from(JSON.stringify({ ...record, id, modified })) };
};
/** The records a kept store was last matched against: every one, and the earlier runs' copies as they were. */
const keptRecords = (earlier: ReadonlyMap<string, string>): ZipWriterEntry[] => [...debian, ...[...earlier].map(([id, modified]) => heldAs(id, modified))];
const withNew = (earlier: ReadonlyMap<string, string>): { dir: string; id: string } => {
  const id = earlier.size === 0 ? `${HELD}-BENCH` : `${HELD}-BENCH${earlier.size + 1}`;
  return { dir: mirror(join(work, "m-new"), [...keptRecords(earlier), heldAs(id, new Date().toISOString())]), id };
};

async function drainRematches(repos: Repositories, cacheDir: string): Promise<{ jobs: number; images: number; added: number; fixed: number }> {
  let jobs = 0;
  let images = 0;
  let added = 0;
  let fixed = 0;
  for (;;) {
    const job = await repos.jobs.claim({ worker: "bench", leaseMs: 600_000, now, kinds: [REMATCH_JOB] });
    if (!job) return { jobs, images, added, fixed };
    const r = await runRematchJob(repos, { cacheDir, log: () => undefined }, parseRematchPayload(job.payload_json), () => now);
    await repos.jobs.complete(job.id, "bench", now);
    jobs++;
    images += r.images;
    added += r.added;
    fixed += r.fixed;
  }
}

/**
 * The incremental re-match after `db update` from `source`: diff and select, drain the jobs, then close
 * the store (the background thread may still be copying the WAL into the database: closing finishes
 * it). Returns the table cells from the images column on.
 */
async function incremental(store: Store, repos: Repositories, cacheDir: string, source: string): Promise<{ advisories: number; cells: (images: number) => string }> {
  await updateDb({ cacheDir, source });
  coldStart();
  const io = diskIo();
  const t = performance.now();
  const change = await checkVulnDbChange(repos, { cacheDir }, now);
  const selected = secs(t);
  const run = await drainRematches(repos, cacheDir);
  const total = secs(t);
  const closing = performance.now();
  await store.close();
  const checkpointed = secs(closing);
  return {
    advisories: change.changes?.added.length ?? 0,
    cells: (images) =>
      `diff, select ${change.images.toLocaleString("en")} images, re-match curl only | ${images.toLocaleString("en")} | ${run.added.toLocaleString("en")} new findings | ${total.toFixed(1)} s (diff + select ${selected.toFixed(1)} s${ioSince(io)}; WAL checkpointed ${checkpointed.toFixed(1)} s later) | ${run.jobs} jobs |`,
  };
}

const rows: string[] = [];
let pg: TestPostgres | undefined;
try {
  for (const kind of STORES) {
    const label = kind === "postgres" ? "PostgreSQL" : "SQLite";
    const cacheDir = join(work, `cache-${kind}`);
    const kept = KEPT_FILE !== undefined && kind === "sqlite";
    if (!kept) await updateDb({ cacheDir, source: without });
    let loc: StoreLocation;
    if (kind === "postgres") {
      pg = await startPostgres();
      loc = { kind: "postgres", url: await pg.createDatabase("bench_rescan") };
    } else loc = { kind: "sqlite", path: KEPT_FILE ?? join(work, "berth.sqlite") };
    const snapshot = SNAPSHOT && kind === "sqlite" ? join(SNAPSHOT, `rescan-${IMAGES}.sqlite`) : undefined;
    const fromSnapshot = snapshot !== undefined && existsSync(snapshot);
    if (fromSnapshot && loc.kind === "sqlite") copyFileSync(snapshot, loc.path);
    // As the server and `berth worker` open it.
    const store = await openStore(loc, { backgroundCheckpoints: process.env.BENCH_NOBG !== "1", log: (m) => console.error(m) });
    const repos = repositories(store);
    let t = performance.now();
    if (kept) {
      const n = Number((await store.db.selectFrom("images").select((eb) => eb.fn.countAll<string | number>().as("n")).executeTakeFirstOrThrow()).n);
      const earlier = new Map([...(await repos.rescan.advisoryIndex()).entries()].filter(([id]) => id.startsWith(`${HELD}-BENCH`)).map(([id, r]) => [id, r.fingerprint.split("|")[0]!]));
      if (KEPT_FULL) {
        await updateDb({ cacheDir, source: mirror(join(work, "m-kept"), keptRecords(earlier)) });
        const digests = (await store.db.selectFrom("images").select("digest").orderBy("digest").execute()).map((r) => r.digest);
        t = performance.now();
        await matchDataset(repos, digests, cacheDir, () => new Date(now.getTime() + 1000), 200);
        rows.push(`| ${label} | full re-match, same DB (daily rescan; nothing written), kept store | ${n.toLocaleString("en")} | — | ${secs(t).toFixed(1)} s | ${(n / secs(t)).toFixed(0)} images/s |`);
        console.error(rows.at(-1));
      }
      const added = withNew(earlier);
      const m = await incremental(store, repos, cacheDir, added.dir);
      rows.push(`| ${label} | incremental: DB update adds ${added.id} (${HELD}'s affected ranges under a new id; ${m.advisories} new advisory) → ${m.cells(n)}`);
      console.error(rows.at(-1));
      continue;
    }
    if (!fromSnapshot) {
      const ds = await generateDataset(repos, { images: IMAGES, cacheDir, now, ...(process.env.BENCH_LAYERS === "2" ? { layers: 2 as const } : {}), log: (m) => console.error(`${label}: ${m}`) });
      console.error(`${label}: dataset ${IMAGES} images, ${ds.packages} packages, ${(ds.inventoryBytes / 2 ** 20).toFixed(0)} MiB inventories in ${secs(t).toFixed(1)} s`);

      t = performance.now();
      await matchDataset(repos, ds.digests, cacheDir, () => now, 200);
      const first = secs(t);
      const findings = Number((await store.db.selectFrom("findings").select((eb) => eb.fn.countAll<string | number>().as("n")).executeTakeFirstOrThrow()).n);
      rows.push(`| ${label} | first full match (writes every finding) | ${IMAGES.toLocaleString("en")} | ${findings.toLocaleString("en")} findings | ${first.toFixed(1)} s | ${(IMAGES / first).toFixed(0)} images/s |`);
      console.error(rows.at(-1));

      t = performance.now();
      await matchDataset(repos, ds.digests, cacheDir, () => new Date(now.getTime() + 1000), 200);
      const full = secs(t);
      rows.push(`| ${label} | full re-match, same DB (daily rescan; nothing written) | ${IMAGES.toLocaleString("en")} | — | ${full.toFixed(1)} s | ${(IMAGES / full).toFixed(0)} images/s |`);
      console.error(rows.at(-1));
      if (snapshot) {
        mkdirSync(SNAPSHOT!, { recursive: true });
        await sql`vacuum into ${snapshot}`.execute(store.db);
      }
    }

    const base = await checkVulnDbChange(repos, { cacheDir }, now);
    if (base.status !== "first") throw new Error(`expected the first DB, got ${base.status}`);
    const m = await incremental(store, repos, cacheDir, withAll);
    rows.push(`| ${label} | incremental: DB update adds ${HELD} (${m.advisories} new advisory) → ${m.cells(IMAGES)}`);
    console.error(rows.at(-1));
    if (KEEP && loc.kind === "sqlite") renameSync(loc.path, KEEP);
  }
} finally {
  await pg?.stop();
  rmSync(work, { recursive: true, force: true });
}
console.log(`continuous rescans, ${IMAGES} synthetic inventories (real Debian 12 package lists), one process; ${now.toISOString().slice(0, 10)} data, run ${new Date().toISOString().slice(0, 10)}, Node ${process.version}\n`);
console.log("| store | measure | images | result | time | rate |");
console.log("|---|---|---|---|---|---|");
for (const r of rows) console.log(r);
