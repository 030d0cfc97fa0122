// Reading referrers back: each listed descriptor is untrusted (a tag-schema index is written by
// whoever can push; an API answer is the registry's summary), so the manifest is fetched by digest
// (digest-verified by the client) and must name the expected subject.
import type { RegistryClient } from "../../image/registry/client.js";
import { MediaType, parseManifestOrIndex, type Descriptor, type ImageManifest } from "../../image/manifest.js";
import { BerthError } from "../../util/errors.js";
import { limitExceeded } from "../../util/limits.js";
import { attestLimitExceeded, type AttestLimits } from "../limits.js";

/** Fetches a listed referrer's manifest; it must be a manifest whose subject is `subjectDigest`. */
export async function fetchReferrerManifest(client: RegistryClient, repository: string, desc: Descriptor, subjectDigest: string): Promise<ImageManifest> {
  const what = `referrer ${repository}@${desc.digest}`;
  if (desc.size > client.limits.maxManifestBytes) throw limitExceeded("maxManifestBytes", client.limits.maxManifestBytes, `${what} (declared size ${desc.size})`);
  const fetched = await client.getManifest(repository, desc.digest, [MediaType.ociManifest, MediaType.ociIndex]);
  const doc = parseManifestOrIndex(fetched.bytes, what, desc.mediaType || fetched.contentType);
  if (doc.kind !== "manifest") throw new BerthError("corrupt", `${what}: not an image manifest`);
  if (doc.subject?.digest !== subjectDigest) throw new BerthError("corrupt", `${what}: its subject is ${doc.subject?.digest ?? "missing"}, not ${subjectDigest}`);
  return doc;
}

/** Reads one layer of an artifact whole, bounded by maxArtifactBytes and digest-verified. */
export async function fetchArtifactLayer(client: RegistryClient, repository: string, layer: Descriptor, limits: AttestLimits): Promise<Uint8Array> {
  if (layer.size > limits.maxArtifactBytes) throw attestLimitExceeded("maxArtifactBytes", limits.maxArtifactBytes, `blob ${repository}@${layer.digest} (declared size ${layer.size})`);
  return client.getBlobBytes(repository, { digest: layer.digest, size: layer.size }, limits.maxArtifactBytes);
}
