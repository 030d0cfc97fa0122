// cosign's legacy signature storage: an image manifest tagged `sha256-<hex>.sig` in the image's
// repository whose layers are simple signing payloads, each with its signature in the
// `dev.cosignproject.cosign/signature` annotation. New signatures are appended as layers.
import type { RegistryClient } from "../../image/registry/client.js";
import { digestOf, parseDigest } from "../../image/digest.js";
import { MediaType, parseManifestOrIndex, type Descriptor, type ImageManifest } from "../../image/manifest.js";
import { BerthError, isBerthError } from "../../util/errors.js";
import { attestLimitExceeded, type AttestLimits } from "../limits.js";
import { Annotation, AttestMediaType } from "../media-types.js";

export function cosignSignatureTag(digest: string): string {
  const d = parseDigest(digest);
  return `${d.algorithm}-${d.hex}.sig`;
}

/** The `.sig` manifest for a digest, or undefined when there is none. */
export async function readCosignSignatureManifest(client: RegistryClient, repository: string, subjectDigest: string, limits: AttestLimits): Promise<{ digest: string; manifest: ImageManifest } | undefined> {
  const tag = cosignSignatureTag(subjectDigest);
  let fetched;
  try {
    fetched = await client.getManifest(repository, tag, [MediaType.ociManifest, MediaType.dockerManifest]);
  } catch (e) {
    if (isBerthError(e) && e.code === "not-found") return undefined;
    throw e;
  }
  const what = `cosign signatures ${repository}:${tag}`;
  const doc = parseManifestOrIndex(fetched.bytes, what, fetched.contentType);
  if (doc.kind !== "manifest") throw new BerthError("corrupt", `${what}: not an image manifest`);
  if (doc.layers.length > limits.maxSignatureLayers) throw attestLimitExceeded("maxSignatureLayers", limits.maxSignatureLayers, `${what}: ${doc.layers.length} layers`);
  return { digest: fetched.digest, manifest: doc };
}

/** cosign's signature image config: empty platform, one diff_id (and history entry) per layer. */
function configBytes(layers: readonly Descriptor[]): Uint8Array {
  const epoch = "0001-01-01T00:00:00Z";
  const doc = {
    architecture: "",
    created: epoch,
    history: layers.map(() => ({ created: epoch })),
    os: "",
    rootfs: { type: "layers", diff_ids: layers.map((l) => l.digest) },
    config: {},
  };
  return new Uint8Array(Buffer.from(JSON.stringify(doc), "utf8"));
}

/** Appends one signature (payload + base64 signature) to the subject's `.sig` manifest. Returns the tag. */
export async function appendCosignSignature(client: RegistryClient, repository: string, subjectDigest: string, payload: Uint8Array, signatureB64: string, limits: AttestLimits): Promise<string> {
  const tag = cosignSignatureTag(subjectDigest);
  const existing = await readCosignSignatureManifest(client, repository, subjectDigest, limits);
  const layers: Descriptor[] = existing ? [...existing.manifest.layers] : [];
  const payloadDigest = digestOf(payload);
  if (layers.some((l) => l.digest === payloadDigest && l.annotations?.[Annotation.cosignSignature] === signatureB64)) return tag;
  if (layers.length + 1 > limits.maxSignatureLayers) throw attestLimitExceeded("maxSignatureLayers", limits.maxSignatureLayers, `cosign signatures ${repository}:${tag}`);
  await client.putBlob(repository, payload);
  layers.push({ mediaType: AttestMediaType.simpleSigning, digest: payloadDigest, size: payload.length, annotations: { [Annotation.cosignSignature]: signatureB64 } });
  const config = configBytes(layers);
  const cfg = await client.putBlob(repository, config);
  const manifest = {
    schemaVersion: 2,
    mediaType: MediaType.ociManifest,
    config: { mediaType: MediaType.ociConfig, digest: cfg.digest, size: cfg.size },
    layers: layers.map((l) => ({ mediaType: l.mediaType, digest: l.digest, size: l.size, ...(l.annotations ? { annotations: l.annotations } : {}) })),
  };
  await client.putManifest(repository, tag, new Uint8Array(Buffer.from(JSON.stringify(manifest), "utf8")), MediaType.ociManifest);
  return tag;
}
