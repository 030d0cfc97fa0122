// Seeds a store with the demo dataset: the bundled advisories imported into the vulnerability DB,
// real inventories (inventory.ts) matched by the real matcher and stored the way a scan job stores
// them, simulated CI records, registry push/pull history over the last ~60 days, and two cluster
// snapshots applied through the cluster repository. Deterministic for a given clock; a second run
// finds the marker setting and changes nothing.
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { renderInventoryJson } from "../sbom/json.js";
import { parseCodeowners, rootOwners } from "../server/codeowners.js";
import { toStoredFinding, toStoredPackages, toStoredVulnerability, vulnDbVersion } from "../server/scan-outcome.js";
import type { Repositories } from "../store/index.js";
import { recordRepository } from "../store/records.js";
import { BERTH_VERSION } from "../util/about.js";
import { BerthError } from "../util/errors.js";
import { defaultLimits, type Limits } from "../util/limits.js";
import { dbPath, openVulnDb, updateDb, type VulnDb } from "../vulndb/index.js";
import { demoSnapshot } from "./cluster.js";
import { appPackages, baseInventory, debianAsOf, deriveImage, matchDemoInventory, withVersions, type DemoInventory } from "./inventory.js";
import { DEMO_BUILDS, DEMO_CLUSTERS, DEMO_REGISTRY, DEMO_REPOS, DEMO_WORKLOADS, type DemoBuild, type DemoRecipe } from "./world.js";

/** The settings key marking a seeded store (value: DemoSeedInfo). */
export const DEMO_SEED_KEY = "demo.seed";

export interface DemoImageInfo {
  readonly key: string;
  readonly reference: string;
  readonly digest: string;
}

export interface DemoSeedInfo {
  readonly seededAt: string;
  readonly images: readonly DemoImageInfo[];
  /** The image a newcomer should open first (internet-exposed, high-severity findings). */
  readonly featured: string;
}

export interface SeedOptions {
  /** The repository's demo/ directory. */
  readonly demoDir: string;
  /** Vulnerability DB cache directory (the server's --cache-dir). */
  readonly cacheDir: string;
  /** The clock: every time in the dataset is relative to it. */
  readonly now: Date;
  readonly limits?: Limits;
  readonly log?: (msg: string) => void;
}

const DAY = 86_400_000;
const MINUTE = 60_000;
const FEATURED = "shop-api-1.4.0";

/** Imports demo/vulndata (real Debian 12 and npm advisories, a KEV subset) unless the cache has a DB. */
export async function ensureDemoVulnDb(demoDir: string, cacheDir: string, now: Date): Promise<void> {
  if (existsSync(dbPath(cacheDir))) return;
  const r = await updateDb({ cacheDir, source: `${demoDir}/vulndata`, now: () => now });
  if (r.failed.length > 0) throw new BerthError("corrupt", `demo advisories: ${r.failed.map((f) => `${f.name}: ${f.message}`).join("; ")}`);
}

export async function demoSeedInfo(repos: Repositories): Promise<DemoSeedInfo | undefined> {
  const row = await repos.store.db.selectFrom("settings").select("value_json").where("key", "=", DEMO_SEED_KEY).executeTakeFirst();
  return row ? (JSON.parse(row.value_json) as DemoSeedInfo) : undefined;
}

interface Built {
  readonly build: DemoBuild;
  readonly inventory?: DemoInventory;
  readonly digest: string;
}

function buildByKey(key: string): DemoBuild {
  const b = DEMO_BUILDS.find((x) => x.key === key);
  if (!b) throw new BerthError("input", `demo: no build ${key}`);
  return b;
}

/** Makes every build's inventory (deterministic: no clock involved). */
async function inventories(demoDir: string, db: VulnDb, limits: Limits): Promise<{ built: Map<string, Built>; patched: Map<string, DemoInventory> }> {
  const base = await baseInventory(demoDir, limits);
  const baseDigest = base.image.manifestDigest ?? "";
  const apps = new Map<string, Awaited<ReturnType<typeof appPackages>>>();
  const make = async (b: DemoBuild, recipe: DemoRecipe, keepDigest?: string): Promise<DemoInventory | undefined> => {
    if (recipe.kind === "base") return base;
    if (recipe.kind === "unscanned") return undefined;
    const debs = recipe.debianAsOf ? debianAsOf(base.packages, db, new Date(`${recipe.debianAsOf}T00:00:00Z`)) : [...base.packages];
    let app: Awaited<ReturnType<typeof appPackages>> = [];
    if (recipe.app) {
      if (!apps.has(recipe.app.name)) apps.set(recipe.app.name, await appPackages(demoDir, recipe.app.name, limits));
      app = withVersions(apps.get(recipe.app.name) ?? [], recipe.app.versions ?? {});
    }
    const repo = DEMO_REPOS.find((r) => r.key === b.repo);
    const inv = deriveImage(base, debs, app, {
      repository: `${DEMO_REGISTRY}/${b.image}`,
      tag: b.tags[0] ?? "latest",
      created: `${recipe.debianAsOf ?? "2026-01-01"}T00:00:00Z`,
      appCommand: "COPY . /app && npm ci --omit=dev",
      labels: {
        "org.opencontainers.image.source": repo?.url ?? "",
        "org.opencontainers.image.revision": b.commit,
        "org.opencontainers.image.base.name": `${DEMO_REGISTRY}/base/debian:12`,
        "org.opencontainers.image.base.digest": baseDigest,
      },
    });
    // The patched rescan keeps the image's digest (see DemoBuild.patchedLater).
    return keepDigest ? { ...inv, image: { ...inv.image, manifestDigest: keepDigest } } : inv;
  };
  const built = new Map<string, Built>();
  const patched = new Map<string, DemoInventory>();
  for (const b of DEMO_BUILDS) {
    const inventory = await make(b, b.recipe);
    const digest = inventory?.image.manifestDigest ?? `sha256:${createHash("sha256").update(`unscanned\n${b.key}\n${b.commit}`).digest("hex")}`;
    built.set(b.key, { build: b, digest, ...(inventory ? { inventory } : {}) });
    if (b.patchedLater) {
      const p = await make(b, b.patchedLater.recipe, digest);
      if (p) patched.set(b.key, p);
    }
  }
  return { built, patched };
}

/** Stores a scan of `inv` at `at` the way the scan job does; `asOf` hides advisories published later. */
async function storeScan(repos: Repositories, db: VulnDb, digest: string, inv: DemoInventory, at: Date, asOf?: Date): Promise<void> {
  const findings = matchDemoInventory(inv, db, at, asOf);
  const distro = inv.distro ? `${inv.distro.id}${inv.distro.versionId ? `-${inv.distro.versionId}` : ""}` : undefined;
  await repos.images.saveScan(
    {
      digest,
      inventoryJson: renderInventoryJson({
        subject: { kind: "image", image: inv.image },
        ...(inv.distro ? { distro: inv.distro } : {}),
        packages: inv.packages,
        unknowns: [],
        timestamp: at,
        tool: { name: "berth", version: BERTH_VERSION },
      }),
      ...(distro ? { distro } : {}),
      ...(inv.image.configDigest ? { configDigest: inv.image.configDigest } : {}),
      packages: toStoredPackages(inv.packages, inv.distro),
      vulnerabilities: findings.map(toStoredVulnerability),
      findings: findings.map(toStoredFinding),
      dbVersion: vulnDbVersion(db),
    },
    at,
  );
}

/**
 * Seeds the demo dataset into `repos` unless it is there already (returns the marker either way).
 * The vulnerability DB in `opts.cacheDir` is created from demo/vulndata when missing.
 */
export async function seedDemo(repos: Repositories, opts: SeedOptions): Promise<DemoSeedInfo> {
  const existing = await demoSeedInfo(repos);
  if (existing) return existing;
  const limits = opts.limits ?? defaultLimits;
  const log = opts.log ?? (() => {});
  const now = opts.now;
  // Every time is whole minutes before the clock, so the dataset only depends on it.
  const at = (daysAgo: number, minutes = 0) => new Date(now.getTime() - daysAgo * DAY + minutes * MINUTE - 60 * MINUTE);
  await ensureDemoVulnDb(opts.demoDir, opts.cacheDir, now);
  const db = openVulnDb(dbPath(opts.cacheDir));
  try {
    log("demo: cataloguing the bundled image and deriving the demo images");
    const { built, patched } = await inventories(opts.demoDir, db, limits);
    const records = recordRepository(repos.store.db);
    const repoIds = new Map<string, number>();
    for (const r of DEMO_REPOS) {
      const id = await records.repositoryId(r.url, r.provider, at(60));
      await records.setCodeowners(id, r.codeowners, rootOwners(parseCodeowners(r.codeowners)), undefined, at(60));
      repoIds.set(r.key, id);
    }
    const ordered = [...built.values()].sort((a, b) => b.build.daysAgo - a.build.daysAgo);
    log(`demo: storing ${ordered.length} images with their CI runs, registry history and scans`);
    for (const { build: b, digest, inventory } of ordered) {
      const repo = DEMO_REPOS.find((r) => r.key === b.repo);
      if (!repo) throw new BerthError("input", `demo: build ${b.key} names no repository`);
      const t = at(b.daysAgo);
      await repos.images.ensure({ digest, mediaType: "application/vnd.oci.image.manifest.v1+json", ...(inventory?.image.configDigest ? { configDigest: inventory.image.configDigest } : {}), platform: "linux/amd64" }, t);
      const run = await records.upsertRun(
        { repositoryUrl: repo.url, provider: repo.provider, runId: b.runId, runAttempt: "1", runUrl: repo.runUrl(b.runId), commit: b.commit, ref: b.ref, workflow: repo.workflow, actor: b.actor, event: b.event, auth: "token", recordedBy: "demo" },
        t,
      );
      for (const tag of b.tags) {
        await records.linkRun({ digest, runId: run.id, repositoryId: run.repositoryId, source: "token", commit: b.commit, reference: `${DEMO_REGISTRY}/${b.image}:${tag}` }, at(b.daysAgo, 4));
        await repos.registry.recordPush({ host: DEMO_REGISTRY, repository: b.image, tag }, digest, at(b.daysAgo, 3), `ci-${repo.provider}`);
      }
      if (inventory) await storeScan(repos, db, digest, inventory, at(b.daysAgo, 6), at(b.daysAgo, 6));
    }
    for (const { build: b, digest } of ordered) {
      const p = patched.get(b.key);
      if (p && b.patchedLater) await storeScan(repos, db, digest, p, at(b.patchedLater.daysAgo), at(b.patchedLater.daysAgo));
    }
    for (const { build: b, digest, inventory } of ordered) {
      const inv = patched.get(b.key) ?? inventory;
      if (inv && b.rescanned) await storeScan(repos, db, digest, inv, at(0, -30));
    }
    await seedClusters(repos, built, at);
    const images = ordered.map(({ build: b, digest }) => ({ key: b.key, reference: `${DEMO_REGISTRY}/${b.image}:${b.tags[0] ?? ""}`, digest }));
    const info: DemoSeedInfo = { seededAt: now.toISOString(), images, featured: built.get(FEATURED)?.digest ?? "" };
    await repos.audit.record({ actor: "demo", action: "demo.seed", detail: { images: images.length } }, now);
    await repos.store.db.insertInto("settings").values({ key: DEMO_SEED_KEY, value_json: JSON.stringify(info), updated_at: now.toISOString() }).onConflict((oc) => oc.column("key").doNothing()).execute();
    return info;
  } finally {
    db.close();
  }
}

/**
 * Pulls by each cluster every 3 days while a workload runs its image, then two snapshots per
 * cluster: 13 days ago (with the workloads removed since) and now (without them, so they age out).
 */
async function seedClusters(repos: Repositories, built: ReadonlyMap<string, Built>, at: (daysAgo: number, minutes?: number) => Date): Promise<void> {
  const imageOf = (key: string) => {
    const b = built.get(key);
    if (!b) throw new BerthError("input", `demo: workload runs unknown build ${key}`);
    return { repository: b.build.image, tag: b.build.tags[0] ?? "latest", digest: b.digest };
  };
  for (const w of DEMO_WORKLOADS) {
    const b = buildByKey(w.build);
    const { digest, repository, tag } = imageOf(w.build);
    const until = w.removedDaysAgo ?? 0;
    for (let d = b.daysAgo - 1; d > until; d -= 3) await repos.registry.recordPull({ host: DEMO_REGISTRY, repository, tag }, digest, at(d, 30), `kubelet/${w.cluster}`);
  }
  const OLD = 13;
  for (const cluster of DEMO_CLUSTERS) {
    const mine = DEMO_WORKLOADS.filter((w) => w.cluster === cluster);
    const old = mine.filter((w) => buildByKey(w.build).daysAgo > OLD);
    await repos.clusters.applySnapshot(demoSnapshot(cluster, old, imageOf, at(OLD)), "push", at(OLD));
    const current = mine.filter((w) => w.removedDaysAgo === undefined);
    await repos.clusters.applySnapshot(demoSnapshot(cluster, current, imageOf, at(0, -20)), "push", at(0, -20));
  }
}
