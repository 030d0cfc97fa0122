// OCI image layout (https://github.com/opencontainers/image-spec/blob/main/image-layout.md), from a
// directory (`oci:DIR[:REF]`) or an OCI archive tar (`oci-archive:FILE[:REF]`).
import type { Platform } from "../model/image.js";
import { BerthError } from "../util/errors.js";
import type { Limits } from "../util/limits.js";
import { assembleImage } from "./assemble.js";
import { verifyBytes } from "./digest.js";
import { blobPath, type FileStore } from "./local-store.js";
import { parseManifestOrIndex, selectPlatform, type Descriptor, type ImageIndex } from "./manifest.js";
import type { ImageSource } from "./source.js";

const REF_NAME = "org.opencontainers.image.ref.name";
const CONTAINERD_NAME = "io.containerd.image.name";

function refOf(d: Descriptor): string | undefined {
  return d.annotations?.[REF_NAME] ?? d.annotations?.[CONTAINERD_NAME];
}

function chooseTop(index: ImageIndex, ref: string | undefined, what: string): Descriptor {
  if (ref !== undefined) {
    const hit = index.manifests.find((d) => refOf(d) === ref || d.digest === ref);
    if (!hit) throw new BerthError("not-found", `${what}: no image named "${ref}" (available: ${index.manifests.map(refOf).filter(Boolean).join(", ") || "none named"})`);
    return hit;
  }
  if (index.manifests.length === 1) return index.manifests[0]!;
  const names = index.manifests.map(refOf).filter(Boolean);
  throw new BerthError("usage", `${what}: the layout holds ${index.manifests.length} images; name one as ${what}:REF (available: ${names.join(", ") || "unnamed"})`);
}

export async function openOciLayout(store: FileStore, opts: { reference: string; ref?: string; platform: Platform; limits: Limits }): Promise<ImageSource> {
  const { limits, reference: what } = opts;
  const layoutFile = await store.read("oci-layout", 4096).catch(() => undefined);
  if (!layoutFile) throw new BerthError("input", `${what}: not an OCI image layout (no oci-layout file)`);
  const top = parseManifestOrIndex(await store.read("index.json", limits.maxManifestBytes), `${what}: index.json`, "application/vnd.oci.image.index.v1+json");
  if (top.kind !== "index") throw new BerthError("corrupt", `${what}: index.json is not an image index`);
  let desc = chooseTop(top, opts.ref, what);
  const tags = refOf(desc) ? [refOf(desc)!] : [];
  for (let depth = 0; ; depth++) {
    if (depth > limits.maxIndexDepth) throw new BerthError("limit", `${what}: indexes nested deeper than maxIndexDepth=${limits.maxIndexDepth}`);
    if (desc.size > limits.maxManifestBytes) throw new BerthError("limit", `${what}: manifest ${desc.digest} is ${desc.size} bytes, above maxManifestBytes=${limits.maxManifestBytes}`);
    const bytes = await store.read(blobPath(desc.digest), limits.maxManifestBytes);
    verifyBytes(bytes, desc.digest, `${what}: manifest`);
    const doc = parseManifestOrIndex(bytes, `${what}: ${desc.digest}`, desc.mediaType);
    if (doc.kind === "index") {
      desc = selectPlatform(doc, opts.platform, what);
      continue;
    }
    if (doc.config.size > limits.maxManifestBytes) throw new BerthError("limit", `${what}: image config is ${doc.config.size} bytes, above maxManifestBytes=${limits.maxManifestBytes}`);
    const configBytes = await store.read(blobPath(doc.config.digest), limits.maxManifestBytes);
    verifyBytes(configBytes, doc.config.digest, `${what}: image config`);
    return assembleImage({
      reference: what,
      tags,
      manifestDigest: desc.digest,
      manifest: doc,
      configBytes,
      limits,
      openBlob: async (digest) => (await store.open(blobPath(digest))).stream,
      close: () => store.close(),
    });
  }
}
