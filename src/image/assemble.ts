// Turns a resolved manifest + config into an ImageSource, given a way to open blobs. Shared by the
// local sources; every blob is verified against its digest as it streams.
import type { Readable } from "node:stream";
import type { ImageMetadata, LayerInfo } from "../model/image.js";
import { BerthError } from "../util/errors.js";
import type { Limits } from "../util/limits.js";
import { DigestVerifier } from "./digest.js";
import { layerCommands, parseImageConfig, type ImageManifest } from "./manifest.js";
import type { ImageSource, LayerBlob } from "./source.js";

export interface AssembleInput {
  readonly reference: string;
  readonly repository?: string;
  readonly tags: readonly string[];
  readonly manifestDigest?: string;
  readonly manifest: ImageManifest;
  readonly configBytes: Uint8Array;
  readonly limits: Limits;
  /** Opens a blob by digest, as stored. */
  readonly openBlob: (digest: string) => Promise<Readable>;
  readonly close?: () => Promise<void>;
}

export function assembleImage(input: AssembleInput): ImageSource {
  const { manifest, limits } = input;
  const config = parseImageConfig(input.configBytes, `${input.reference}: image config`);
  if (manifest.layers.length > limits.maxLayers) throw new BerthError("limit", `${input.reference}: ${manifest.layers.length} layers exceed maxLayers=${limits.maxLayers}`);
  if (config.diffIds.length !== manifest.layers.length) {
    throw new BerthError("corrupt", `${input.reference}: manifest has ${manifest.layers.length} layers but the config lists ${config.diffIds.length} diff_ids`);
  }
  const commands = layerCommands(config.summary, manifest.layers.length);
  const layers: LayerBlob[] = manifest.layers.map((d, i) => {
    const createdBy = commands[i];
    const info: LayerInfo = { digest: d.digest, diffId: config.diffIds[i]!, mediaType: d.mediaType, size: d.size, ...(createdBy ? { createdBy } : {}) };
    return {
      info,
      async open() {
        if (d.size > limits.maxBlobBytes) throw new BerthError("limit", `layer ${d.digest}: ${d.size} bytes exceed maxBlobBytes=${limits.maxBlobBytes}`);
        const raw = await input.openBlob(d.digest);
        const verifier = new DigestVerifier(d.digest, `layer ${d.digest}`, limits.maxBlobBytes);
        raw.on("error", (e) => verifier.destroy(e));
        return raw.pipe(verifier);
      },
    };
  });
  const metadata: ImageMetadata = {
    reference: input.reference,
    ...(input.repository ? { repository: input.repository } : {}),
    tags: input.tags,
    ...(input.manifestDigest ? { manifestDigest: input.manifestDigest } : {}),
    configDigest: manifest.config.digest,
    mediaType: manifest.mediaType,
    platform: config.platform,
    layers: layers.map((l) => l.info),
    config: config.summary,
  };
  return { metadata, layers, close: input.close ?? (async () => {}) };
}
