// The media types, artifact types and annotation keys Berth writes and reads, in one place.
// Signatures follow cosign's formats (simple signing payloads, the `.sig` tag and its OCI 1.1
// artifact type); attestations are in-toto Statements in DSSE envelopes; everything is stored as
// OCI 1.1 artifacts (empty config, `artifactType`, `subject`).

export const AttestMediaType = {
  /** The OCI empty descriptor's media type (config of an artifact with no config). */
  empty: "application/vnd.oci.empty.v1+json",
  /** cosign's simple signing payload (a layer of a signature manifest). */
  simpleSigning: "application/vnd.dev.cosign.simplesigning.v1+json",
  /** The artifactType of a cosign signature stored as an OCI 1.1 referrer. */
  cosignSignature: "application/vnd.dev.cosign.artifact.sig.v1+json",
  /** A DSSE envelope: the layer and the artifactType of an attestation. */
  dsseEnvelope: "application/vnd.dsse.envelope.v1+json",
  /** The DSSE payloadType of an in-toto Statement. */
  inToto: "application/vnd.in-toto+json",
  /** Default media type of a file attached with `berth attach`. */
  octetStream: "application/octet-stream",
} as const;

export const Annotation = {
  /** cosign: base64 signature over the simple signing payload, on the payload's layer descriptor. */
  cosignSignature: "dev.cosignproject.cosign/signature",
  created: "org.opencontainers.image.created",
  title: "org.opencontainers.image.title",
  /** The in-toto predicate type of an attestation (the key Docker's attestation manifests use). */
  predicateType: "in-toto.io/predicate-type",
  /** Berth: the key id that claims to have signed (a hint for display; never trusted). */
  keyId: "dev.berth.signature.keyid",
  /** Berth: the attestation kind given to `berth attest --type`. */
  attestationType: "dev.berth.attestation.type",
} as const;

/** The OCI empty JSON object `{}` and its descriptor (image-spec 1.1 "guidance for an empty descriptor"). */
export const EMPTY_JSON = new Uint8Array([0x7b, 0x7d]);
export const EMPTY_DESCRIPTOR = {
  mediaType: AttestMediaType.empty,
  digest: "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a",
  size: 2,
  data: "e30=",
} as const;
