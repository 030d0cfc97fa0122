// Attaching files to an image, ORAS-style: one artifact manifest (the given artifactType, one
// layer per file titled with its name) as a referrer of the image.
import type { RegistryClient } from "../image/registry/client.js";
import { Annotation } from "./media-types.js";
import { pushArtifact } from "./oci/artifact.js";
import type { PushedReferrer, ReferrersOptions } from "./oci/referrers.js";
import type { SubjectImage } from "./subject.js";

export interface AttachedFile {
  /** The file name recorded in org.opencontainers.image.title. */
  readonly name: string;
  readonly mediaType: string;
  readonly bytes: Uint8Array;
}

export interface AttachOptions {
  readonly artifactType: string;
  readonly files: readonly AttachedFile[];
  readonly annotations?: Readonly<Record<string, string>>;
  readonly created: Date;
  readonly referrers: ReferrersOptions;
}

export async function attachFiles(client: RegistryClient, subject: SubjectImage, opts: AttachOptions): Promise<PushedReferrer> {
  return pushArtifact(
    client,
    subject.ref.repository,
    {
      artifactType: opts.artifactType,
      layers: opts.files.map((f) => ({ mediaType: f.mediaType, bytes: f.bytes, annotations: { [Annotation.title]: f.name } })),
      subject,
      annotations: { [Annotation.created]: opts.created.toISOString(), ...opts.annotations },
    },
    opts.referrers,
  );
}
