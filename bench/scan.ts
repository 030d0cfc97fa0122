// Benchmark: `berth scan image` on the real Debian 12 image with a warm database, against the
// decompression floor (`gzip -dc` of the same layers), and the re-match of the same image from its
// stored SBOM (`scan sbom`: parse + match, in process, median of 50). Run: `npm run bench:scan`.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { debianImage } from "../test/support/debian-image.js";
import { realAdvisoryDb } from "../test/support/vulndata.js";
import { readSbom } from "../src/sbom/read.js";
import { scanInventory } from "../src/scan/scan.js";
import { openVulnDb, dbPath } from "../src/vulndb/index.js";

const RUNS = Number(process.env.BENCH_RUNS ?? 3);

function timed(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env): { seconds: number; rssKb: number } {
  const r = spawnSync("/usr/bin/time", ["-f", "%e %M", cmd, ...args], { stdio: ["ignore", "ignore", "pipe"], env });
  const last = r.stderr.toString().trim().split("\n").pop()!;
  if (r.status !== 0 && r.status !== 1) throw new Error(`${cmd} failed: ${r.stderr.toString().slice(-400)}`);
  const [s, kb] = last.split(" ");
  return { seconds: Number(s), rssKb: Number(kb) };
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const img = debianImage();
const { cacheDir } = await realAdvisoryDb();
const index = JSON.parse(readFileSync(join(img.ociDir, "index.json"), "utf8")) as { manifests: { digest: string }[] };
const manifest = JSON.parse(readFileSync(join(img.ociDir, "blobs/sha256", index.manifests[0]!.digest.slice(7)), "utf8")) as { layers: { digest: string }[] };
const blobs = manifest.layers.map((l) => join(img.ociDir, "blobs/sha256", l.digest.slice(7)));
const env = { ...process.env, BERTH_CACHE_DIR: cacheDir };

const scan: number[] = [];
const floor: number[] = [];
let rss = 0;
for (let i = 0; i < RUNS; i++) {
  floor.push(timed("sh", ["-c", `gzip -dc ${blobs.join(" ")} > /dev/null`]).seconds);
  const m = timed(process.execPath, ["bin/berth.js", "scan", "image", "-q", "--offline", "--no-cache", "-f", "json", "-o", "/dev/null", `oci:${img.ociDir}:${img.ociRef}`], env);
  scan.push(m.seconds);
  rss = Math.max(rss, m.rssKb);
}

// The stored SBOM, as the server keeps it: CycloneDX from `berth sbom`.
const out = join(mkdtempSync(join(tmpdir(), "berth-bench-")), "sbom.cdx.json");
spawnSync(process.execPath, ["bin/berth.js", "sbom", "-q", "--no-cache", "-o", out, `oci:${img.ociDir}:${img.ociRef}`]);
const bytes = readFileSync(out);
const db = openVulnDb(dbPath(cacheDir));
const times: number[] = [];
let packages = 0;
let findings = 0;
for (let i = 0; i < 50; i++) {
  const t0 = performance.now();
  const sbom = readSbom(bytes, out);
  const r = scanInventory({ name: "bench", kind: "sbom", packages: sbom.packages, ...(sbom.distro ? { distro: sbom.distro } : {}) }, { db, now: new Date() });
  times.push(performance.now() - t0);
  packages = sbom.packages.length;
  findings = r.target.findings.length;
}
db.close();
writeFileSync("/dev/null", "");
console.log(`berth scan vs gzip -dc, median of ${RUNS} interleaved runs; rescan median of 50; ${new Date().toISOString().slice(0, 10)}, Node ${process.version}\n`);
console.log("| measure | berth | floor | ratio | peak RSS |");
console.log("|---|---|---|---|---|");
console.log(`| \`scan image\`, real Debian 12, warm DB, cold process | ${median(scan).toFixed(2)} s | ${median(floor).toFixed(2)} s | **${(median(scan) / median(floor)).toFixed(2)}×** | ${(rss / 1024).toFixed(0)} MiB |`);
console.log(`| re-match from stored CycloneDX SBOM (${packages} packages, ${findings} findings), in process | ${median(times).toFixed(1)} ms | — | — | — |`);
