// Demo image inventories, all from real data: the bundled Debian 12 image is catalogued with the
// library pipeline (offline), and the demo's other images are derived from it by moving Debian
// source packages back to the version Debian shipped at an earlier date (a version a bundled
// advisory names as its fix, so it is a real Debian 12 version) and by adding the packages of a
// real npm lockfile (demo/apps/). Findings always come from matching these inventories against the
// bundled advisories with the real matcher; none is written by hand.
import { createHash } from "node:crypto";
import { join } from "node:path";
import { PackageURL } from "packageurl-js";
import { catalogDirectory } from "../catalog/catalog.js";
import type { Finding } from "../model/finding.js";
import type { ImageMetadata, LayerInfo } from "../model/image.js";
import type { Distro, Package } from "../model/package.js";
import { scanInventory } from "../scan/scan.js";
import { inventoryTarget } from "../scan/inventory.js";
import { BerthError } from "../util/errors.js";
import type { Limits } from "../util/limits.js";
import { compareVersions } from "../version/index.js";
import type { VulnDb } from "../vulndb/index.js";

export interface DemoInventory {
  readonly image: ImageMetadata;
  readonly distro?: Distro;
  readonly packages: readonly Package[];
}

export const DEMO_IMAGE_FILE = "debian-12.oci.tar";
const PLATFORM = { os: "linux", architecture: "amd64" } as const;

/** The bundled image's real inventory (its manifest digest is the demo's base image). */
export async function baseInventory(demoDir: string, limits: Limits): Promise<DemoInventory> {
  const inv = await inventoryTarget(`oci-archive:${join(demoDir, DEMO_IMAGE_FILE)}`, { platform: PLATFORM, limits });
  if (inv.subject.kind !== "image" || !inv.subject.image.manifestDigest) throw new BerthError("corrupt", `${DEMO_IMAGE_FILE} is not an image with a manifest`);
  return { image: inv.subject.image, ...(inv.inventory.distro ? { distro: inv.inventory.distro } : {}), packages: inv.inventory.packages };
}

/** The real npm lockfile of a demo app (demo/apps/<name>/package-lock.json), catalogued as-is. */
export async function appPackages(demoDir: string, app: string, limits: Limits): Promise<Package[]> {
  const inv = await catalogDirectory(join(demoDir, "apps", app), limits);
  return inv.packages.filter((p) => !p.dev);
}

function withVersion(p: Package, version: string): Package {
  const u = PackageURL.fromString(p.purl);
  const purl = new PackageURL(u.type, u.namespace, u.name, version, u.qualifiers, u.subpath).toString();
  return { ...p, version, purl, ...(p.sourceVersion !== undefined ? { sourceVersion: version } : {}) };
}

/**
 * The Debian version of a source package as shipped at `date`: the newest version a bundled
 * advisory published by then names as its fix, else the earliest version any advisory names.
 * Undefined when no advisory names the package.
 */
export function debianVersionAt(db: VulnDb, source: string, date: Date): string | undefined {
  const named: { version: string; published: string }[] = [];
  for (const row of db.lookup("Debian:12", source)) {
    const published = db.advisory(row.advisoryId)?.record.published ?? row.modified;
    for (const r of row.affected.ranges ?? []) for (const e of r.events) if ("fixed" in e) named.push({ version: e.fixed, published });
  }
  if (named.length === 0) return undefined;
  const byVersion = (a: string, b: string) => compareVersions("dpkg", a, b);
  const before = named.filter((n) => n.published <= date.toISOString()).map((n) => n.version);
  const pool = before.length > 0 ? before : named.map((n) => n.version);
  const sorted = [...new Set(pool)].sort(byVersion);
  return before.length > 0 ? sorted.at(-1) : sorted[0];
}

/**
 * Debian packages moved back to what Debian shipped at `date`. Only packages whose binary version
 * equals the source version are moved (a binNMU's "+bN" version has no older counterpart named by
 * an advisory), and only downwards.
 */
export function debianAsOf(packages: readonly Package[], db: VulnDb, date: Date): Package[] {
  const cache = new Map<string, string | undefined>();
  return packages.map((p) => {
    if (p.type !== "deb" || !p.sourceName || p.version !== p.sourceVersion) return p;
    if (!cache.has(p.sourceName)) cache.set(p.sourceName, debianVersionAt(db, p.sourceName, date));
    const v = cache.get(p.sourceName);
    return v && compareVersions("dpkg", v, p.version) < 0 ? withVersion(p, v) : p;
  });
}

/** Packages with some versions replaced (name → version): a dependency bumped or pinned back. */
export function withVersions(packages: readonly Package[], versions: Readonly<Record<string, string>>): Package[] {
  return packages.map((p) => {
    const v = versions[p.name];
    return v !== undefined && v !== p.version ? withVersion(p, v) : p;
  });
}

function sha256(s: string): string {
  return `sha256:${createHash("sha256").update(s).digest("hex")}`;
}

export interface DerivedImageSpec {
  /** "registry.example/shop/api". */
  readonly repository: string;
  readonly tag: string;
  readonly created: string;
  readonly labels: Readonly<Record<string, string>>;
  /** The app layer's command, e.g. "COPY . /app && npm ci --omit=dev". */
  readonly appCommand?: string;
}

/**
 * An image built FROM the base: the base's layers plus one app layer holding `app` packages (found
 * at /app/package-lock.json). Its digests are derived from its content, so the same spec always
 * gives the same image.
 */
export function deriveImage(base: DemoInventory, debs: readonly Package[], app: readonly Package[], spec: DerivedImageSpec): DemoInventory {
  const appDiffId = sha256(`app-layer\n${spec.repository}:${spec.tag}\n${app.map((p) => p.purl).join("\n")}`);
  const layers: LayerInfo[] = [...base.image.layers];
  if (app.length > 0) {
    layers.push({ digest: sha256(`blob\n${appDiffId}`), diffId: appDiffId, mediaType: "application/vnd.oci.image.layer.v1.tar+gzip", size: 1024 * (200 + app.length), createdBy: spec.appCommand ?? "COPY . /app" });
  }
  const appPkgs = app.map((p) => ({ ...p, locations: p.locations.map((l) => ({ path: `/app${l.path}`, layerDigest: appDiffId })) }));
  const packages = [...debs, ...appPkgs];
  const configDigest = sha256(`config\n${spec.repository}:${spec.tag}\n${spec.created}\n${packages.map((p) => p.purl).join("\n")}`);
  const manifestDigest = sha256(`manifest\n${configDigest}\n${layers.map((l) => l.digest).join("\n")}`);
  const baseConfig = base.image.config;
  return {
    image: {
      reference: `${spec.repository}:${spec.tag}`,
      repository: spec.repository,
      tags: [spec.tag],
      manifestDigest,
      configDigest,
      mediaType: "application/vnd.oci.image.manifest.v1+json",
      platform: PLATFORM,
      layers,
      config: {
        env: baseConfig?.env ?? [],
        entrypoint: app.length > 0 ? ["node", "/app/server.js"] : [],
        cmd: [],
        workingDir: "/app",
        labels: spec.labels,
        created: spec.created,
        history: [...(baseConfig?.history ?? []), ...(app.length > 0 ? [{ createdBy: spec.appCommand ?? "COPY . /app", created: spec.created }] : [])],
      },
    },
    ...(base.distro ? { distro: base.distro } : {}),
    packages,
  };
}

/** The real matcher over an inventory; `asOf` leaves out advisories published after that time. */
export function matchDemoInventory(inv: DemoInventory, db: VulnDb, now: Date, asOf?: Date): readonly Finding[] {
  const r = scanInventory({ name: inv.image.reference, kind: "image", packages: inv.packages, ...(inv.distro ? { distro: inv.distro } : {}), image: inv.image }, { db, now });
  if (!asOf) return r.target.findings;
  const cut = asOf.toISOString();
  return r.target.findings.filter((f) => !f.published || f.published <= cut);
}
