// Content hashes the store keys shared rows by (migration 0007): a finding's details, written once
// for every image whose finding is the same, and what a finding of a stored package reads besides
// the DB's verdict, so a re-match can tell alike images apart without reading their package JSON.
import { createHash } from "node:crypto";

/** 128 bits of sha256, base64url: collisions are out of reach for any store, and index keys stay short. */
function digest(text: string): string {
  return createHash("sha256").update(text).digest("base64url").slice(0, 22);
}

/** The key of a finding's details (finding_details.hash) by their JSON. */
export function detailHash(dataJson: string): string {
  return digest(dataJson);
}

interface ContextLayer {
  readonly diffId?: unknown;
}

/** The parts of an image's match context (images.match_image_json) a finding reads. */
export interface FindingImageContext {
  readonly distro?: unknown;
  readonly layers: readonly ContextLayer[];
}

export function findingImageContext(matchImageJson: string): FindingImageContext {
  const ctx = JSON.parse(matchImageJson) as { distro?: unknown; image?: { layers?: unknown } };
  const layers = Array.isArray(ctx.image?.layers) ? (ctx.image.layers as ContextLayer[]) : [];
  return { ...(ctx.distro !== undefined ? { distro: ctx.distro } : {}), layers };
}

/**
 * What the findings of one stored package depend on besides the verdict: its package JSON, the
 * image's distro and the layers its locations name (position and entry: a finding names the layer
 * its package came from). Two images whose changed packages have the same verdict and this hash get
 * the same findings for them (server/rematch.ts writes them together).
 */
export function findingContextHash(packageJson: string, image: FindingImageContext): string {
  const layers = image.layers.map((l, i) => [i, l] as const).filter(([, l]) => typeof l.diffId === "string" && packageJson.includes(l.diffId));
  return digest(JSON.stringify([image.distro ?? null, layers, packageJson]));
}
