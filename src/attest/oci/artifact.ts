// OCI 1.1 artifacts: a manifest with `artifactType`, the empty config, the given layers and a
// `subject`, pushed and made discoverable as a referrer of its subject.
import type { RegistryClient } from "../../image/registry/client.js";
import { MediaType, type Descriptor } from "../../image/manifest.js";
import { EMPTY_DESCRIPTOR, EMPTY_JSON } from "../media-types.js";
import { pushReferrer, type PushedReferrer, type ReferrersOptions } from "./referrers.js";

export interface ArtifactLayer {
  readonly mediaType: string;
  readonly bytes: Uint8Array;
  readonly annotations?: Readonly<Record<string, string>>;
}

export interface ArtifactSpec {
  readonly artifactType: string;
  readonly layers: readonly ArtifactLayer[];
  /** The manifest the artifact refers to: its media type, digest and size. */
  readonly subject: Pick<Descriptor, "mediaType" | "digest" | "size">;
  readonly annotations?: Readonly<Record<string, string>>;
}

/** The manifest JSON for an artifact whose layers have these descriptors. */
export function artifactManifestBytes(spec: ArtifactSpec, layers: readonly Descriptor[]): Uint8Array {
  const doc = {
    schemaVersion: 2,
    mediaType: MediaType.ociManifest,
    artifactType: spec.artifactType,
    config: EMPTY_DESCRIPTOR,
    layers: layers.map((l) => ({ mediaType: l.mediaType, digest: l.digest, size: l.size, ...(l.annotations && Object.keys(l.annotations).length ? { annotations: l.annotations } : {}) })),
    subject: { mediaType: spec.subject.mediaType, digest: spec.subject.digest, size: spec.subject.size },
    ...(spec.annotations && Object.keys(spec.annotations).length ? { annotations: spec.annotations } : {}),
  };
  return new Uint8Array(Buffer.from(JSON.stringify(doc), "utf8"));
}

/** Uploads the empty config and the layers, then the manifest as a referrer of the subject. */
export async function pushArtifact(client: RegistryClient, repository: string, spec: ArtifactSpec, opts: ReferrersOptions): Promise<PushedReferrer> {
  await client.putBlob(repository, EMPTY_JSON);
  const layers: Descriptor[] = [];
  for (const l of spec.layers) {
    const { digest, size } = await client.putBlob(repository, l.bytes);
    layers.push({ mediaType: l.mediaType, digest, size, ...(l.annotations ? { annotations: l.annotations } : {}) });
  }
  return pushReferrer(client, repository, artifactManifestBytes(spec, layers), opts);
}
