// One scan job: the library pipeline (scan/) on `registry:<host>/<repo>@<digest>`, then the
// inventory (as `berth sbom -f json` writes it), packages and findings into the store. An index
// digest is scanned for the configured platform; the platform image is stored under the index.
import { existsSync } from "node:fs";
import { formatPlatform } from "../image/manifest.js";
import type { Finding } from "../model/finding.js";
import type { Platform } from "../model/image.js";
import { scanInventory } from "../scan/scan.js";
import { inventoryTarget } from "../scan/inventory.js";
import { renderInventoryJson } from "../sbom/json.js";
import type { Repositories } from "../store/index.js";
import { recordRepository } from "../store/records.js";
import { BERTH_VERSION } from "../util/about.js";
import { BerthError } from "../util/errors.js";
import type { Limits } from "../util/limits.js";
import { dbPath, openVulnDb } from "../vulndb/index.js";
import type { ScanJobPayload } from "./ingest/registry-events.js";
import { NotAnImageError } from "../image/registry/image.js";
import { discoverAfterScan, enqueueAttestationsForArtifact, type ServerTrust } from "./attestations.js";
import { toMatchImageJson, toStoredFinding, toStoredPackages, toStoredVulnerability, vulnDbVersion } from "./scan-outcome.js";

export interface ScanSettings {
  /** Vulnerability database cache directory (`berth db update --cache-dir`). */
  readonly cacheDir: string;
  readonly platform: Platform;
  readonly limits: Limits;
  /** Registry hosts reached over plain HTTP. */
  readonly insecureRegistries: readonly string[];
  readonly log: (msg: string) => void;
  /** Keys the image's signatures and attestations are verified with (server/attestations.ts). */
  readonly trust?: ServerTrust;
}

export function parseScanPayload(json: string): ScanJobPayload {
  const v: unknown = JSON.parse(json);
  if (typeof v !== "object" || v === null) throw new BerthError("corrupt", "scan job payload is not an object");
  const { digest, host, repository } = v as Record<string, unknown>;
  if (typeof digest !== "string" || typeof host !== "string" || typeof repository !== "string") throw new BerthError("corrupt", "scan job payload lacks digest, host or repository");
  return { digest, host, repository };
}

export async function runScanJob(repos: Repositories, settings: ScanSettings, job: ScanJobPayload, now: () => Date): Promise<void> {
  const path = dbPath(settings.cacheDir);
  if (!existsSync(path)) throw new BerthError("not-found", `no vulnerability database in ${settings.cacheDir}; run "berth db update --cache-dir ${settings.cacheDir}"`);
  await repos.images.setStatus(job.digest, "scanning", null, now());
  const ref = `registry:${job.host}/${job.repository}@${job.digest}`;
  let inv: Awaited<ReturnType<typeof inventoryTarget>>;
  try {
    inv = await inventoryTarget(ref, {
      platform: settings.platform,
      limits: settings.limits,
      insecure: settings.insecureRegistries.includes(job.host),
      cacheDir: settings.cacheDir,
      log: settings.log,
    });
  } catch (e) {
    // A signature or attestation pushed by digest (OCI 1.1 referrers) arrives as a manifest push
    // like any other: it is evidence about its subject, not an image with packages.
    if (!(e instanceof NotAnImageError)) throw e;
    await repos.images.forgetUnscanned(job.digest);
    if (e.subject !== undefined) await enqueueAttestationsForArtifact(repos, { digest: e.subject, host: job.host, repository: job.repository }, job.digest, now());
    settings.log(`${ref}: ${e.message}; ${e.subject ? `evidence about ${e.subject}, discovery queued` : "not scanned"}`);
    return;
  }
  const image = inv.subject.kind === "image" ? inv.subject.image : undefined;
  const vulnDb = openVulnDb(path);
  let findings: readonly Finding[];
  let dbVersion: string;
  try {
    dbVersion = vulnDbVersion(vulnDb);
    const r = scanInventory(
      {
        name: ref,
        kind: "image",
        packages: inv.inventory.packages,
        ...(inv.inventory.distro ? { distro: inv.inventory.distro } : {}),
        ...(image ? { image } : {}),
      },
      { db: vulnDb, now: now() },
    );
    findings = r.target.findings;
  } finally {
    vulnDb.close();
  }
  const at = now();
  const inventoryJson = renderInventoryJson({
    subject: inv.subject,
    ...(inv.inventory.distro ? { distro: inv.inventory.distro } : {}),
    packages: inv.inventory.packages,
    unknowns: inv.inventory.unknowns,
    timestamp: at,
    tool: { name: "berth", version: BERTH_VERSION },
  });
  // An index resolves to one platform image: store the scan under that image, linked to the index.
  const scannedDigest = image?.manifestDigest ?? job.digest;
  if (scannedDigest !== job.digest) {
    const platform = formatPlatform(image?.platform ?? settings.platform);
    await repos.images.ensure({ digest: scannedDigest, indexDigest: job.digest, platform, ...(image?.mediaType ? { mediaType: image.mediaType } : {}) }, at);
    await repos.images.linkToIndex(scannedDigest, job.digest, platform);
  }
  const distro = inv.inventory.distro ? `${inv.inventory.distro.id}${inv.inventory.distro.versionId ? `-${inv.inventory.distro.versionId}` : ""}` : undefined;
  await repos.images.saveScan(
    {
      digest: scannedDigest,
      inventoryJson,
      matchImageJson: toMatchImageJson(inv.inventory.distro, image),
      ...(distro ? { distro } : {}),
      ...(image?.configDigest ? { configDigest: image.configDigest } : {}),
      packages: toStoredPackages(inv.inventory.packages, inv.inventory.distro),
      vulnerabilities: findings.map(toStoredVulnerability),
      findings: findings.map(toStoredFinding),
      dbVersion,
    },
    at,
  );
  if (scannedDigest !== job.digest) await repos.images.setStatus(job.digest, "scanned", null, at);
  // OCI labels naming the source repository and commit: a weak link (source "label") to the code.
  const labels = image?.config?.labels ?? {};
  const source = labels["org.opencontainers.image.source"];
  const revision = labels["org.opencontainers.image.revision"];
  if (source && revision) {
    const records = recordRepository(repos.store.db);
    for (const d of new Set([scannedDigest, job.digest])) await records.linkFromLabels(d, source, revision, at);
  }
  await discoverAfterScan(repos, settings, job, scannedDigest, now);
}
