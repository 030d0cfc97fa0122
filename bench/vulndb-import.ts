// Benchmark: import the whole offline OSV mirror and time package lookups.
//   node --import tsx bench/vulndb-import.ts [mirror-dir]      (default: <repo>/../shared/vulndata)
// Prints import seconds (cold, fresh cache directory), then the median and p95 of `lookup` and
// `lookupFamily` over every distinct (ecosystem, package) in the database, three rounds each.
import { mkdtempSync, rmSync, existsSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";
import { openVulnDb } from "../src/vulndb/store.js";
import { updateDb } from "../src/vulndb/update.js";

const repo = fileURLToPath(new URL("../", import.meta.url));
const mirror = process.argv[2] ?? join(repo, "..", "shared", "vulndata");
if (!existsSync(mirror)) {
  console.error(`mirror not found: ${mirror}`);
  process.exit(2);
}

function quantile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
}

const cache = mkdtempSync(join(tmpdir(), "berth-bench-"));
try {
  const t0 = process.hrtime.bigint();
  const r = await updateDb({ cacheDir: cache, source: mirror });
  const importS = Number(process.hrtime.bigint() - t0) / 1e9;

  const raw = new Database(r.dbPath, { readonly: true });
  const pairs = raw.prepare<[], { ecosystem: string; name: string }>("SELECT DISTINCT ecosystem, name FROM affected").all();
  raw.close();

  const db = openVulnDb(r.dbPath);
  const time = (fn: (p: { ecosystem: string; name: string }) => unknown): { median: number; p95: number; rows: number } => {
    const samples: number[] = [];
    let rows = 0;
    for (let round = 0; round < 3; round += 1) {
      for (const p of pairs) {
        const s = process.hrtime.bigint();
        const out = fn(p) as unknown[];
        samples.push(Number(process.hrtime.bigint() - s) / 1000);
        rows += out.length;
      }
    }
    samples.sort((a, b) => a - b);
    return { median: quantile(samples, 0.5), p95: quantile(samples, 0.95), rows: rows / 3 };
  };
  const exact = time((p) => db.lookup(p.ecosystem, p.name));
  const family = time((p) => db.lookupFamily(p.ecosystem.split(":")[0] ?? p.ecosystem, p.name));
  db.close();

  console.log(`machine: ${cpus().length} cores (${cpus()[0]?.model ?? "?"}), node ${process.version}`);
  console.log(`mirror: ${mirror}`);
  for (const s of r.sources) console.log(`  ${s.name.padEnd(10)} ${s.status} ${s.records ?? ""} records${s.rejected ? `, ${s.rejected} rejected` : ""}`);
  console.log(`import: ${importS.toFixed(2)} s for ${r.counts.advisories} advisories (${r.counts.affected} package rows, KEV ${r.counts.kev})`);
  console.log(`lookup(ecosystem, name): median ${exact.median.toFixed(1)} µs, p95 ${exact.p95.toFixed(1)} µs over ${pairs.length} packages × 3 (${exact.rows} rows per round)`);
  console.log(`lookupFamily(base, name): median ${family.median.toFixed(1)} µs, p95 ${family.p95.toFixed(1)} µs`);
} finally {
  rmSync(cache, { recursive: true, force: true });
}
