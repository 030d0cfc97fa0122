// The image a signature or attestation is about: a reference resolved to its manifest digest
// (a tag is resolved first; the caller says so), with the media type and size its referrers'
// `subject` descriptor needs.
import type { RegistryClient } from "../image/registry/client.js";
import { repositoryName, type ImageReference } from "../image/registry/reference.js";
import { MediaType, parseManifestOrIndex } from "../image/manifest.js";

export interface SubjectImage {
  readonly ref: ImageReference;
  /** "host/repo" (docker.io/library/x for Docker Hub): the cosign docker-reference and in-toto subject name. */
  readonly name: string;
  readonly digest: string;
  readonly mediaType: string;
  readonly size: number;
  /** The tag that was resolved to the digest, when the reference had no digest. */
  readonly resolvedFromTag?: string;
}

export async function resolveSubject(client: RegistryClient, ref: ImageReference): Promise<SubjectImage> {
  const fetched = await client.getManifest(ref.repository, ref.digest ?? ref.tag ?? "latest");
  const doc = parseManifestOrIndex(fetched.bytes, `manifest of ${repositoryName(ref)}`, fetched.contentType);
  const mediaType = doc.mediaType || fetched.contentType || MediaType.ociManifest;
  return {
    ref,
    name: repositoryName(ref),
    digest: fetched.digest,
    mediaType,
    size: fetched.bytes.length,
    ...(ref.digest === undefined && ref.tag !== undefined ? { resolvedFromTag: ref.tag } : {}),
  };
}
