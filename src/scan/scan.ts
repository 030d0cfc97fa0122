// The one pipeline both shells call (ARCHITECTURE.md): target → inventory → match → VEX/ignore →
// a ReportTarget. A stored SBOM re-enters at the match step (`scanInventory`), never pulling again.
import type { Finding, Undecided } from "../model/finding.js";
import type { ImageMetadata } from "../model/image.js";
import type { Distro, Package } from "../model/package.js";
import { matchPackages, type VerdictCache } from "../match/match.js";
import { applyVex, type VexStatement } from "../match/vex.js";
import { applyIgnore, type IgnoreRule } from "../match/ignore.js";
import type { ReportTarget } from "../report/document.js";
import { imagePurl } from "../sbom/document.js";
import type { VulnDb } from "../vulndb/store.js";
import { inventoryTarget, type InventoryOptions } from "./inventory.js";
import { applyBaseImageRemediation } from "./remediation.js";
import { readSbom } from "../sbom/read.js";
import { readFile } from "node:fs/promises";
import { BerthError } from "../util/errors.js";

export interface MatchOptions {
  readonly db: VulnDb;
  readonly vex?: readonly VexStatement[];
  readonly ignore?: { readonly rules: readonly IgnoreRule[]; readonly source: string };
  readonly now: Date;
  /** Version-level answers shared across inventories matched against the same DB (server re-match runs). */
  readonly verdicts?: VerdictCache;
}

export interface ScanOutcome {
  readonly target: ReportTarget;
  readonly expiredIgnores: readonly IgnoreRule[];
  readonly warnings: readonly string[];
}

export interface InventoryToScan {
  readonly name: string;
  readonly kind: ReportTarget["kind"];
  readonly packages: readonly Package[];
  readonly distro?: Distro;
  readonly image?: ImageMetadata;
}

/** Matches an inventory (from an image, a directory or a stored SBOM) against the database. */
export function scanInventory(inv: InventoryToScan, opts: MatchOptions): { target: ReportTarget; expiredIgnores: IgnoreRule[] } {
  const m = matchPackages({ packages: inv.packages, ...(inv.distro ? { distro: inv.distro } : {}), ...(inv.image ? { image: inv.image } : {}) }, opts.db, opts.verdicts);
  let findings: Finding[] = applyBaseImageRemediation(m.findings, inv.image);
  const imageIds = inv.image ? [imagePurl(inv.image), inv.image.manifestDigest, inv.image.configDigest].filter((x): x is string => !!x) : [];
  if (opts.vex?.length) findings = applyVex(findings, opts.vex, imageIds);
  let expiredIgnores: IgnoreRule[] = [];
  if (opts.ignore) {
    const r = applyIgnore(findings, opts.ignore.rules, opts.ignore.source, opts.now);
    findings = r.findings;
    expiredIgnores = r.expired;
  }
  const undecided: Undecided[] = m.undecided;
  return {
    target: {
      name: inv.name,
      kind: inv.kind,
      ...(inv.image ? { image: inv.image } : {}),
      ...(inv.distro ? { distro: inv.distro } : {}),
      packages: inv.packages,
      findings,
      undecided,
    },
    expiredIgnores,
  };
}

export async function scanTarget(input: string, opts: InventoryOptions & MatchOptions): Promise<ScanOutcome> {
  const inv = await inventoryTarget(input, opts);
  const image = inv.subject.kind === "image" ? inv.subject.image : undefined;
  const r = scanInventory(
    {
      name: input,
      kind: image ? "image" : "directory",
      packages: inv.inventory.packages,
      ...(inv.inventory.distro ? { distro: inv.inventory.distro } : {}),
      ...(image ? { image } : {}),
    },
    opts,
  );
  return { ...r, warnings: [...inv.inventory.warnings, ...inv.inventory.unknowns.map((u) => `${u.path}: ${u.message} (${u.cataloger})`)] };
}

export async function scanSbomFile(path: string, opts: MatchOptions): Promise<ScanOutcome> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (e) {
    throw new BerthError("not-found", `cannot read SBOM ${path} (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  const sbom = readSbom(bytes, path);
  const r = scanInventory({ name: sbom.subjectName ?? path, kind: "sbom", packages: sbom.packages, ...(sbom.distro ? { distro: sbom.distro } : {}) }, opts);
  return { ...r, warnings: sbom.skipped ? [`${path}: ${sbom.skipped} component(s) without a usable package URL were skipped`] : [] };
}
