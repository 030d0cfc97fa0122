// The inventory half of the one pipeline (ARCHITECTURE.md): target → source → catalog. The CLI and
// the server call this; neither wires the stages itself.
import { join } from "node:path";
import { catalogDirectory, catalogImage, type Inventory } from "../catalog/catalog.js";
import { catalogerSignature } from "../catalog/catalog.js";
import { layerCache } from "../image/layer-cache.js";
import { openImage, resolveTarget, type Target } from "../image/target.js";
import type { Platform } from "../model/image.js";
import type { SbomSubject } from "../sbom/document.js";
import type { Limits } from "../util/limits.js";

export interface InventoryOptions {
  readonly platform: Platform;
  /** Refuse a single-platform image of another platform (OpenImageOptions.requirePlatform). */
  readonly requirePlatform?: boolean;
  readonly limits: Limits;
  readonly insecure?: boolean;
  /** Cache directory; the layer cache lives in <cacheDir>/layers. Undefined: no cache. */
  readonly cacheDir?: string;
  readonly log?: (msg: string) => void;
  readonly env?: NodeJS.ProcessEnv;
  readonly onLayer?: (index: number, total: number, cached: boolean) => void;
}

export interface TargetInventory {
  readonly target: Target;
  readonly subject: SbomSubject;
  readonly inventory: Inventory;
}

export async function inventoryTarget(input: string, opts: InventoryOptions): Promise<TargetInventory> {
  const target = await resolveTarget(input, opts.limits);
  if (target.kind === "dir") {
    return { target, subject: { kind: "directory", path: target.path }, inventory: await catalogDirectory(target.path, opts.limits) };
  }
  const source = await openImage(target, {
    platform: opts.platform,
    ...(opts.requirePlatform ? { requirePlatform: true } : {}),
    limits: opts.limits,
    ...(opts.insecure ? { insecure: true } : {}),
    ...(opts.log ? { log: opts.log } : {}),
    ...(opts.env ? { env: opts.env } : {}),
  });
  try {
    const inventory = await catalogImage(source, {
      limits: opts.limits,
      ...(opts.cacheDir ? { cache: layerCache(join(opts.cacheDir, "layers"), catalogerSignature()) } : {}),
      ...(opts.onLayer ? { onLayer: opts.onLayer } : {}),
    });
    return { target, subject: { kind: "image", image: source.metadata }, inventory };
  } finally {
    await source.close();
  }
}
