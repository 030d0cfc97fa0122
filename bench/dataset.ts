// A reusable synthetic inventory graph for benchmarks (bench/rescan.ts, bench/explore.ts): N stored
// images whose inventories are drawn from REAL package lists — the real Debian 12 images' packages
// (demo/debian-12.oci.tar, plus the test image test/support/debian-image.ts builds when its cache is
// present) — with versions varied among real versions that the advisories name (introduced / fixed
// events of the package's Debian:12 advisories), so matching does real work and findings differ by
// image. Around them: code repositories with pipeline runs and image_sources, registry repositories
// with tags (push times spread over a year, some recent pulls), and two clusters whose workloads run
// some images, a fifth of them behind a LoadBalancer Service. Deterministic for a seed.
//
//   const ds = await generateDataset(repos, { images: 100_000, cacheDir, now });
//   // images are stored as scanned but not matched: run matchDataset (or the rematch jobs) for findings.
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { Distro, Package } from "../src/model/package.js";
import type { ImageMetadata } from "../src/model/image.js";
import { inventoryTarget } from "../src/scan/inventory.js";
import { renderInventoryJson } from "../src/sbom/json.js";
import { rematchJobs, runRematchJob, parseRematchPayload } from "../src/server/rematch.js";
import { toMatchImageJson, toStoredPackages } from "../src/server/scan-outcome.js";
import type { Insertable } from "kysely";
import type { ImageInventoriesTable, ImagePackagesTable, ImagesTable, Repositories, TagsTable } from "../src/store/index.js";
import { chunks, replacePackageVerdicts, type StoredPackage } from "../src/store/images.js";
import { defaultLimits } from "../src/util/limits.js";
import { prng } from "../src/version/testdata/harness.js";
import { dbPath, openVulnDb } from "../src/vulndb/index.js";

const repoRoot = join(import.meta.dirname, "..");

export interface DatasetOptions {
  readonly images: number;
  /** Vulnerability DB cache dir whose Debian:12 advisories supply the real versions. */
  readonly cacheDir: string;
  readonly now: Date;
  readonly seed?: number;
  /** Code repositories (and registry repositories), default images / 200 (at least 5). */
  readonly repositories?: number;
  /** Workloads across two clusters, default images / 50 (at least 10). */
  readonly workloads?: number;
  readonly log?: (msg: string) => void;
  /**
   * 2: each image is the real base layer (every package) plus an application layer of its own, as
   * most images are built (`FROM debian` + `COPY`); default 1: the real single-layer image.
   */
  readonly layers?: 1 | 2;
}

export interface Dataset {
  readonly digests: readonly string[];
  readonly packages: number;
  readonly repositories: number;
  readonly workloads: number;
  readonly inventoryBytes: number;
  /** Source packages with how many images hold each (for picking an advisory's reach). */
  readonly sourceCounts: ReadonlyMap<string, number>;
}

export interface RealPackages {
  readonly packages: readonly Package[];
  readonly distro: Distro;
  readonly image: ImageMetadata;
}

/** The real Debian 12 package lists: the demo image, plus the test image when test/support/debian-image.ts has built it. */
export async function realDebianPackages(): Promise<RealPackages> {
  const opts = { platform: { os: "linux", architecture: "amd64" }, limits: defaultLimits };
  const demo = await inventoryTarget(`oci-archive:${join(repoRoot, "demo", "debian-12.oci.tar")}`, opts);
  const byPurlName = new Map(demo.inventory.packages.map((p) => [p.name, p]));
  const testImage = join(process.env.BERTH_TEST_CACHE ?? join(process.env.HOME ?? "/root", ".cache", "berth-test"), "debian12-v1", "oci");
  if (existsSync(testImage)) {
    const t = await inventoryTarget(`oci:${testImage}:12`, opts);
    for (const p of t.inventory.packages) if (!byPurlName.has(p.name)) byPurlName.set(p.name, p);
  }
  if (demo.subject.kind !== "image" || !demo.inventory.distro) throw new Error("demo image: no image metadata or distro");
  return { packages: [...byPurlName.values()], distro: demo.inventory.distro, image: demo.subject.image };
}

/** Real versions per source package: the installed one and every introduced/fixed version its Debian:12 advisories name. */
export function realVersions(cacheDir: string, packages: readonly Package[]): Map<string, string[]> {
  const db = openVulnDb(dbPath(cacheDir));
  try {
    const out = new Map<string, string[]>();
    for (const p of packages) {
      const source = p.sourceName ?? p.name;
      if (out.has(source)) continue;
      const versions = new Set<string>([p.sourceVersion ?? p.version]);
      for (const row of db.lookup("Debian:12", source)) {
        for (const r of row.affected.ranges ?? []) for (const e of r.events) for (const v of Object.values(e)) if (typeof v === "string" && v !== "0") versions.add(v);
      }
      out.set(source, [...versions].sort());
    }
    return out;
  } finally {
    db.close();
  }
}

const sha = (s: string) => `sha256:${createHash("sha256").update(s).digest("hex")}`;

/** One synthetic image's packages: most of the real list, a quarter with another real version of their source. */
function imagePackages(real: RealPackages, versions: Map<string, string[]>, rnd: () => number): Package[] {
  const out: Package[] = [];
  for (const p of real.packages) {
    if (rnd() < 0.15) continue; // not every image has every package
    const source = p.sourceName ?? p.name;
    const pool = versions.get(source) ?? [];
    if (pool.length > 1 && rnd() < 0.25) {
      const v = pool[Math.floor(rnd() * pool.length)]!;
      // Binary version = source version here (true for most Debian packages).
      const purl = p.purl.replace(/@[^?]+/, `@${encodeURIComponent(v).replace(/%3A/g, ":")}`);
      out.push({ ...p, version: v, sourceVersion: v, purl });
    } else out.push(p);
  }
  return out;
}

export async function generateDataset(repos: Repositories, opts: DatasetOptions): Promise<Dataset> {
  const log = opts.log ?? (() => undefined);
  const rnd = prng(opts.seed ?? 42);
  const real = await realDebianPackages();
  const versions = realVersions(opts.cacheDir, real.packages);
  const nRepos = opts.repositories ?? Math.max(5, Math.floor(opts.images / 200));
  const nWorkloads = opts.workloads ?? Math.max(10, Math.floor(opts.images / 50));
  const db = repos.store.db;
  const now = opts.now;
  const iso = (msAgo: number) => new Date(now.getTime() - msAgo).toISOString();
  const DAY = 86_400_000;

  // Code repositories and registry repositories, one each per "team/app-N".
  const repoIds: number[] = [];
  const regIds: number[] = [];
  for (const part of chunks(Array.from({ length: nRepos }, (_, i) => i))) {
    const r = await db
      .insertInto("repositories")
      .values(part.map((i) => ({ url: `https://github.com/bench-org/app-${i}`, created_at: iso(400 * DAY), provider: "github", codeowners: `* @bench-org/team-${i % 20}\n`, codeowners_commit: null, owners_json: JSON.stringify([`@bench-org/team-${i % 20}`]), updated_at: iso(DAY) })))
      .returning("id")
      .execute();
    repoIds.push(...r.map((x) => x.id));
    const g = await db.insertInto("registry_repositories").values(part.map((i) => ({ host: "registry.bench.example", name: `bench-org/app-${i}`, created_at: iso(400 * DAY) }))).returning("id").execute();
    regIds.push(...g.map((x) => x.id));
  }

  const digests: string[] = [];
  const sourceCounts = new Map<string, number>();
  let packages = 0;
  let inventoryBytes = 0;
  const newestOfRepo = new Map<number, string>();
  const BATCH = 500;
  // Every synthetic image shares the demo image's layers and distro (as the scan job records them);
  // with two layers, an application layer of its own on top.
  const imageOf = (i: number, digest: string): ImageMetadata => {
    const layers = opts.layers === 2 ? [...real.image.layers, { digest: sha(`app-layer-${i}`), diffId: sha(`app-diff-${i}`), mediaType: "application/vnd.oci.image.layer.v1.tar+gzip", size: 4096, createdBy: "COPY app/ /app/" }] : real.image.layers;
    return { ...real.image, layers, manifestDigest: digest, tags: [`build-${i}`] };
  };
  for (let start = 0; start < opts.images; start += BATCH) {
    const n = Math.min(BATCH, opts.images - start);
    const images: Insertable<ImagesTable>[] = [];
    const inventories: Insertable<ImageInventoriesTable>[] = [];
    const pkgRows: Insertable<ImagePackagesTable>[] = [];
    const verdictRows: { digest: string; matchImageJson: string; packages: StoredPackage[] }[] = [];
    const runs: { i: number; r: number; digest: string; pushedAgo: number }[] = [];
    const tags: Insertable<TagsTable>[] = [];
    for (let k = 0; k < n; k++) {
      const i = start + k;
      const digest = sha(`bench-image-${opts.seed ?? 42}-${i}`);
      digests.push(digest);
      const pkgs = imagePackages(real, versions, rnd);
      packages += pkgs.length;
      for (const s of new Set(pkgs.map((p) => p.sourceName ?? p.name))) sourceCounts.set(s, (sourceCounts.get(s) ?? 0) + 1);
      const pushedAgo = Math.floor(rnd() * 365 * DAY);
      const image = imageOf(i, digest);
      const inventoryJson = renderInventoryJson({ subject: { kind: "image", image }, distro: real.distro, packages: pkgs, unknowns: [], timestamp: new Date(now.getTime() - pushedAgo), tool: { name: "berth", version: "bench" } });
      inventoryBytes += inventoryJson.length;
      images.push({
        digest, media_type: "application/vnd.oci.image.manifest.v1+json", index_digest: null, platform: "linux/amd64", config_digest: sha(`config-${i}`), pipeline_run_id: null,
        scan_status: "scanned" as const, scan_error: null, scanned_at: iso(pushedAgo), distro: "debian-12", created_at: iso(pushedAgo), matched_at: null, matched_db: null,
        match_image_json: toMatchImageJson(real.distro, image),
      });
      inventories.push({ digest, inventory_json: inventoryJson });
      const stored = toStoredPackages(pkgs, real.distro);
      for (const p of stored) {
        pkgRows.push({ image_digest: digest, purl: p.purl, name: p.name, version: p.version, type: p.type, match_ecosystem: p.matchEcosystem ?? null, match_name: p.matchName ?? null, package_json: p.packageJson ?? null });
      }
      verdictRows.push({ digest, matchImageJson: images.at(-1)!.match_image_json!, packages: stored });
      const r = i % nRepos;
      runs.push({ i, r, digest, pushedAgo });
      const pulled = rnd() < 0.1 ? iso(Math.floor(rnd() * 60 * DAY)) : null;
      tags.push({ registry_repository_id: regIds[r]!, tag: `build-${i}`, digest, pushed_at: iso(pushedAgo), last_pulled_at: pulled });
      const prev = newestOfRepo.get(r);
      if (!prev || i > Number(prev.split("|")[1])) newestOfRepo.set(r, `${digest}|${i}`);
    }
    await db.transaction().execute(async (tx) => {
      for (const part of chunks(images)) await tx.insertInto("images").values(part).execute();
      for (const part of chunks(inventories)) await tx.insertInto("image_inventories").values(part).execute();
      for (let j = 0; j < pkgRows.length; j += 400) await tx.insertInto("image_packages").values(pkgRows.slice(j, j + 400)).execute();
      for (const v of verdictRows) await replacePackageVerdicts(tx, v.digest, v.matchImageJson, v.packages);
      for (const part of chunks(tags)) await tx.insertInto("tags").values(part).execute();
      for (const part of chunks(tags)) await tx.insertInto("image_events").values(part.map((t) => ({ registry_repository_id: t.registry_repository_id, digest: t.digest, tag: t.tag, action: "push", at: t.pushed_at, actor: "ci" }))).execute();
      for (const part of chunks(runs)) {
        const ids = await tx
          .insertInto("pipeline_runs")
          .values(part.map((x) => ({
            repository_id: repoIds[x.r]!, provider: "github", run_id: String(1_000_000 + x.i), run_url: `https://github.com/bench-org/app-${x.r}/actions/runs/${1_000_000 + x.i}`,
            commit_sha: createHash("sha1").update(`c${x.i}`).digest("hex"), ref: "refs/heads/main", workflow: "build", actor: `dev-${x.i % 97}`, created_at: iso(x.pushedAgo),
            run_attempt: "1", auth: "oidc", issuer: "https://token.actions.githubusercontent.com", subject: `repo:bench-org/app-${x.r}:ref:refs/heads/main`, event: "push", recorded_by: "oidc", updated_at: iso(x.pushedAgo),
          })))
          .returning("id")
          .execute();
        await tx
          .insertInto("image_sources")
          .values(part.map((x, j) => ({ image_digest: x.digest, link_key: `run:${ids[j]!.id}`, repository_id: repoIds[x.r]!, pipeline_run_id: ids[j]!.id, source: "oidc" as const, commit_sha: null, reference: "refs/heads/main", created_at: iso(x.pushedAgo), updated_at: iso(x.pushedAgo) })))
          .execute();
      }
    });
    if ((start / BATCH) % 20 === 0) log(`dataset: ${start + n} / ${opts.images} images`);
  }

  // Two clusters; workloads run the newest image of a repository (or a random one), a fifth exposed.
  const t = now.toISOString();
  const clusters = await db.insertInto("clusters").values(["bench-prod", "bench-staging"].map((name) => ({ name, source: "push", last_seen_at: t, resource_versions_json: null, warnings_json: null, created_at: t, updated_at: t }))).returning("id").execute();
  for (const c of clusters) for (const ns of ["default", "payments", "web"]) await db.insertInto("namespaces").values({ cluster_id: c.id, name: ns, labels_json: "{}", last_seen_at: t }).execute();
  const newest = [...newestOfRepo.values()].map((v) => v.split("|")[0]!);
  for (const part of chunks(Array.from({ length: nWorkloads }, (_, i) => i))) {
    const rows = part.map((i) => ({ cluster: clusters[i % 2]!.id, ns: ["default", "payments", "web"][i % 3]!, name: `svc-${i}`, exposed: i % 5 === 0, digest: i < newest.length ? newest[i]! : digests[Math.floor(rnd() * digests.length)]! }));
    const ids = await db
      .insertInto("workloads")
      .values(rows.map((w) => ({ cluster_id: w.cluster, namespace: w.ns, kind: "Deployment", name: w.name, uid: null, labels_json: "{}", pod_count: 2, internet_exposed: w.exposed ? 1 : 0, first_seen: t, last_seen: t, removed_at: null })))
      .returning("id")
      .execute();
    await db.insertInto("workload_images").values(rows.map((w, j) => ({ workload_id: ids[j]!.id, container: "app", init: 0, image_ref: `registry.bench.example/bench-org/${w.name}@${w.digest}`, digest: w.digest, digest_kind: "repo-digest", repository: "registry.bench.example/bench-org" }))).execute();
    const exposed = rows.map((w, j) => ({ w, id: ids[j]!.id })).filter((x) => x.w.exposed);
    if (exposed.length === 0) continue;
    await db.insertInto("services").values(exposed.map(({ w }) => ({ cluster_id: w.cluster, namespace: w.ns, name: w.name, type: "LoadBalancer", ports_json: "[{\"port\":443}]", load_balancer_addresses_json: "[\"203.0.113.10\"]", internet_exposed: 1, last_seen_at: t }))).execute();
    await db.insertInto("workload_exposures").values(exposed.map(({ w, id }) => ({ workload_id: id, via: "loadBalancer", service: `${w.ns}/${w.name}`, ingress: null, host: null, path: null, internet: 1, route: `LoadBalancer ${w.ns}/${w.name} 203.0.113.10:443`, detail_json: "{}" }))).execute();
  }
  return { digests, packages, repositories: nRepos, workloads: nWorkloads, inventoryBytes, sourceCounts };
}

/** Matches every stored image of the dataset in rematch-job batches, in this process (findings for explorer benchmarks). */
export async function matchDataset(repos: Repositories, digests: readonly string[], cacheDir: string, now: () => Date, batchSize = 500): Promise<void> {
  for (const job of rematchJobs(digests, { reason: "bench", batchSize })) {
    await runRematchJob(repos, { cacheDir, log: () => undefined }, parseRematchPayload(JSON.stringify(job.payload)), now);
  }
}
