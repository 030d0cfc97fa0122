// Signing an image: a cosign simple signing payload over the manifest digest, signed with the
// key, stored as an OCI 1.1 referrer (artifactType cosign's signature type) and, with the cosign
// tag scheme, also appended to cosign's legacy `sha256-<hex>.sig` tag.
import type { RegistryClient } from "../image/registry/client.js";
import { Annotation, AttestMediaType } from "./media-types.js";
import { pushArtifact } from "./oci/artifact.js";
import { appendCosignSignature } from "./oci/cosign-tag.js";
import type { ReferrersOptions, ReferrersSource } from "./oci/referrers.js";
import type { Signer } from "./signer.js";
import { simpleSigningPayload } from "./simple-signing.js";
import type { SubjectImage } from "./subject.js";

export type TagScheme = "oci" | "cosign";

export interface SignImageOptions {
  readonly signer: Signer;
  readonly tagScheme: TagScheme;
  /** Claims added to the payload's `optional` section (cosign -a key=value). */
  readonly claims?: Readonly<Record<string, string>>;
  readonly created: Date;
  readonly referrers: ReferrersOptions;
}

export interface SignResult {
  readonly signatureDigest: string;
  readonly source: ReferrersSource;
  readonly cosignTag?: string;
  readonly payload: Uint8Array;
  readonly signature: string;
}

export async function signImage(client: RegistryClient, subject: SubjectImage, opts: SignImageOptions): Promise<SignResult> {
  const payload = simpleSigningPayload(subject.name, subject.digest, opts.claims);
  const signature = Buffer.from(await opts.signer.sign(payload)).toString("base64");
  const pushed = await pushArtifact(
    client,
    subject.ref.repository,
    {
      artifactType: AttestMediaType.cosignSignature,
      layers: [{ mediaType: AttestMediaType.simpleSigning, bytes: payload, annotations: { [Annotation.cosignSignature]: signature } }],
      subject,
      annotations: { [Annotation.created]: opts.created.toISOString(), [Annotation.keyId]: opts.signer.keyId },
    },
    opts.referrers,
  );
  const cosignTag = opts.tagScheme === "cosign" ? await appendCosignSignature(client, subject.ref.repository, subject.digest, payload, signature, opts.referrers.limits) : undefined;
  return { signatureDigest: pushed.digest, source: pushed.source, ...(cosignTag ? { cosignTag } : {}), payload, signature };
}
