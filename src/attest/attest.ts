// Attesting an image: an in-toto Statement v1 about the manifest digest, in a DSSE envelope signed
// with the key, attached as an OCI 1.1 referrer (artifactType and layer: the DSSE envelope media
// type; the predicate type and kind in annotations, which the referrers listing carries).
import type { RegistryClient } from "../image/registry/client.js";
import { signEnvelope, type DsseEnvelope } from "./dsse.js";
import { imageStatement, predicateTypeFor, type AttestationKind } from "./intoto.js";
import { Annotation, AttestMediaType } from "./media-types.js";
import { pushArtifact } from "./oci/artifact.js";
import type { ReferrersOptions, ReferrersSource } from "./oci/referrers.js";
import type { Signer } from "./signer.js";
import type { SubjectImage } from "./subject.js";
import { BerthError } from "../util/errors.js";
import { validateProvenance } from "./slsa.js";

export interface AttestOptions {
  readonly signer: Signer;
  readonly kind: AttestationKind;
  readonly predicate: Readonly<Record<string, unknown>>;
  readonly predicateType?: string;
  readonly created: Date;
  readonly referrers: ReferrersOptions;
}

export interface AttestResult {
  readonly digest: string;
  readonly source: ReferrersSource;
  readonly predicateType: string;
  readonly envelope: DsseEnvelope;
}

/** The signed envelope alone (no registry): what `attestImage` attaches. */
export async function buildAttestation(subject: Pick<SubjectImage, "name" | "digest">, opts: Pick<AttestOptions, "signer" | "kind" | "predicate" | "predicateType">): Promise<{ envelope: DsseEnvelope; predicateType: string }> {
  const predicateType = predicateTypeFor(opts.kind, opts.predicate, opts.predicateType);
  if (opts.kind === "slsa") {
    const problems = validateProvenance(opts.predicate);
    if (problems.length) throw new BerthError("input", `--type slsa: the predicate is not SLSA Provenance v1: ${problems.slice(0, 5).join("; ")}`);
  }
  const statement = imageStatement(subject.name, subject.digest, predicateType, opts.predicate);
  const envelope = await signEnvelope(AttestMediaType.inToto, Buffer.from(JSON.stringify(statement), "utf8"), opts.signer);
  return { envelope, predicateType };
}

export async function attestImage(client: RegistryClient, subject: SubjectImage, opts: AttestOptions): Promise<AttestResult> {
  const { envelope, predicateType } = await buildAttestation(subject, opts);
  const pushed = await pushArtifact(
    client,
    subject.ref.repository,
    {
      artifactType: AttestMediaType.dsseEnvelope,
      layers: [{ mediaType: AttestMediaType.dsseEnvelope, bytes: new Uint8Array(Buffer.from(JSON.stringify(envelope), "utf8")) }],
      subject,
      annotations: {
        [Annotation.created]: opts.created.toISOString(),
        [Annotation.predicateType]: predicateType,
        [Annotation.attestationType]: opts.kind,
        [Annotation.keyId]: opts.signer.keyId,
      },
    },
    opts.referrers,
  );
  return { digest: pushed.digest, source: pushed.source, predicateType, envelope };
}
