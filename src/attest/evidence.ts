// Reading an image's signatures and attestations back from the registry and checking each one
// against the trusted keys. Each referrer is untrusted: a broken or hostile one becomes evidence
// with a `problem`, never an exception that would hide the valid ones beside it.
import type { RegistryClient } from "../image/registry/client.js";
import type { Descriptor, ImageManifest } from "../image/manifest.js";
import { describeError, isBerthError } from "../util/errors.js";
import { decodeBase64Strict, parseEnvelope, verifyEnvelope, type DsseEnvelope } from "./dsse.js";
import { kindOfPredicateType, parseStatement, statementCoversDigest, type AttestationKind, type Statement } from "./intoto.js";
import { Annotation, AttestMediaType } from "./media-types.js";
import { readCosignSignatureManifest, cosignSignatureTag } from "./oci/cosign-tag.js";
import { fetchArtifactLayer, fetchReferrerManifest } from "./oci/read.js";
import { listReferrers, type ReferrersOptions, type ReferrersSource } from "./oci/referrers.js";
import { attestLimitExceeded } from "./limits.js";
import type { Verifier } from "./signer.js";
import { parseSimpleSigning } from "./simple-signing.js";
import type { SubjectImage } from "./subject.js";

export interface SignatureEvidence {
  /** Where it was found: "referrer sha256:…" or "tag sha256-….sig". */
  readonly location: string;
  readonly layerDigest: string;
  /** The key id the manifest claims (a hint; never trusted). */
  readonly claimedKeyId?: string;
  /** A trusted key verified the signature over the payload. */
  readonly verified: boolean;
  readonly keyId?: string;
  readonly keySource?: string;
  /** The digest the verified payload signs. */
  readonly signedDigest?: string;
  readonly dockerReference?: string;
  /** Why this signature does not count, when it does not. */
  readonly problem?: string;
}

export interface AttestationEvidence {
  readonly location: string;
  readonly layerDigest?: string;
  /** The predicate type the manifest's annotation claims. */
  readonly claimedPredicateType?: string;
  readonly claimedKind?: AttestationKind;
  readonly claimedKeyIds: readonly string[];
  readonly verified: boolean;
  readonly keyId?: string;
  readonly keySource?: string;
  /** The statement, once its envelope verified and it names this image. */
  readonly statement?: Statement;
  readonly envelope?: DsseEnvelope;
  readonly envelopeBytes?: Uint8Array;
  readonly problem?: string;
}

export interface Evidence {
  readonly source: ReferrersSource;
  readonly signatures: readonly SignatureEvidence[];
  readonly attestations: readonly AttestationEvidence[];
  /** Referrers that could not be read at all. */
  readonly unreadable: readonly string[];
}

/** Errors that make one referrer unusable (hostile or broken content), as opposed to a failing registry. */
function isContentError(e: unknown): boolean {
  return isBerthError(e) && ["corrupt", "digest-mismatch", "limit", "not-found", "unsupported", "input"].includes(e.code);
}

export function isSignatureManifest(d: Pick<Descriptor, "artifactType">, m?: ImageManifest): boolean {
  return d.artifactType === AttestMediaType.cosignSignature || (m?.layers.some((l) => l.mediaType === AttestMediaType.simpleSigning) ?? false);
}

export function isAttestationManifest(d: Pick<Descriptor, "artifactType">, m?: ImageManifest): boolean {
  return d.artifactType === AttestMediaType.dsseEnvelope || (m?.layers.some((l) => l.mediaType === AttestMediaType.dsseEnvelope) ?? false);
}

/** Checks one simple signing layer: signature annotation, trusted key, then the digest it signs. */
export async function checkSignatureLayer(client: RegistryClient, subject: SubjectImage, layer: Descriptor, location: string, claimedKeyId: string | undefined, verifiers: readonly Verifier[], opts: ReferrersOptions): Promise<SignatureEvidence> {
  const base = { location, layerDigest: layer.digest, ...(claimedKeyId ? { claimedKeyId } : {}) };
  const sigB64 = layer.annotations?.[Annotation.cosignSignature];
  if (!sigB64) return { ...base, verified: false, problem: "the payload layer has no signature annotation" };
  let payload: Uint8Array;
  let sig: Buffer;
  try {
    payload = await fetchArtifactLayer(client, subject.ref.repository, layer, opts.limits);
    sig = decodeBase64Strict(sigB64, "signature");
  } catch (e) {
    if (!isContentError(e)) throw e;
    return { ...base, verified: false, problem: describeError(e) };
  }
  const v = verifiers.find((x) => x.verify(payload, sig));
  if (!v) return { ...base, verified: false, problem: verifiers.length ? `not signed by a trusted key${claimedKeyId ? ` (claims key ${claimedKeyId})` : ""}` : "no trusted keys to verify with" };
  const signed = { ...base, verified: true, keyId: v.keyId, keySource: v.source };
  try {
    const p = parseSimpleSigning(payload, location);
    const out = { ...signed, signedDigest: p.manifestDigest, dockerReference: p.dockerReference };
    if (p.manifestDigest !== subject.digest) return { ...out, problem: `it signs ${p.manifestDigest}, not this image (${subject.digest})` };
    return out;
  } catch (e) {
    return { ...signed, problem: describeError(e) };
  }
}

/** Checks one DSSE layer: envelope shape, payload type, trusted key, statement, subject digest. */
export async function checkAttestationLayer(client: RegistryClient, subject: SubjectImage, layer: Descriptor, location: string, claimed: { predicateType?: string; kind?: AttestationKind }, verifiers: readonly Verifier[], opts: ReferrersOptions): Promise<AttestationEvidence> {
  const base = {
    location,
    layerDigest: layer.digest,
    ...(claimed.predicateType ? { claimedPredicateType: claimed.predicateType } : {}),
    ...(claimed.kind ? { claimedKind: claimed.kind } : {}),
  };
  let bytes: Uint8Array;
  let env: DsseEnvelope;
  try {
    bytes = await fetchArtifactLayer(client, subject.ref.repository, layer, opts.limits);
    env = parseEnvelope(bytes, location);
  } catch (e) {
    if (!isContentError(e)) throw e;
    return { ...base, claimedKeyIds: [], verified: false, problem: describeError(e) };
  }
  const claimedKeyIds = env.signatures.map((s) => s.keyid).filter(Boolean);
  const check = verifyEnvelope(env, verifiers, AttestMediaType.inToto);
  if (!check.ok) return { ...base, claimedKeyIds, envelope: env, envelopeBytes: bytes, verified: false, problem: `envelope: ${check.reason}` };
  const signed = { ...base, claimedKeyIds, envelope: env, envelopeBytes: bytes, verified: true, keyId: check.keyId, keySource: check.source };
  let statement: Statement;
  try {
    statement = parseStatement(check.payload, location);
  } catch (e) {
    return { ...signed, problem: describeError(e) };
  }
  if (!statementCoversDigest(statement, subject.digest)) {
    const named = statement.subject.map((s) => Object.entries(s.digest ?? {}).map(([a, h]) => `${a}:${h}`).join(",")).join("; ");
    return { ...signed, problem: `its statement is about ${named.slice(0, 200)}, not this image (${subject.digest})` };
  }
  return { ...signed, statement, claimedKind: kindOfPredicateType(statement.predicateType) };
}

function claimedKindOf(m: ImageManifest, d: Descriptor): { predicateType?: string; kind?: AttestationKind } {
  const ann = { ...d.annotations, ...m.annotations };
  const predicateType = ann[Annotation.predicateType];
  const k = ann[Annotation.attestationType];
  const kind = k === "slsa" || k === "sbom" || k === "vuln" || k === "custom" ? k : predicateType ? kindOfPredicateType(predicateType) : undefined;
  return { ...(predicateType ? { predicateType } : {}), ...(kind ? { kind } : {}) };
}

/** Every signature (referrers and cosign's `.sig` tag) and attestation of the image, each checked. */
export async function collectEvidence(client: RegistryClient, subject: SubjectImage, verifiers: readonly Verifier[], opts: ReferrersOptions): Promise<Evidence> {
  const repo = subject.ref.repository;
  const listed = await listReferrers(client, repo, subject.digest, opts);
  const signatures: SignatureEvidence[] = [];
  const attestations: AttestationEvidence[] = [];
  const unreadable: string[] = [];
  for (const d of listed.descriptors) {
    const location = `referrer ${d.digest}`;
    if (d.artifactType && d.artifactType !== AttestMediaType.cosignSignature && d.artifactType !== AttestMediaType.dsseEnvelope) continue;
    let m: ImageManifest;
    try {
      m = await fetchReferrerManifest(client, repo, d, subject.digest);
    } catch (e) {
      if (!isContentError(e)) throw e;
      unreadable.push(`${location}: ${describeError(e)}`);
      continue;
    }
    if (m.layers.length > opts.limits.maxSignatureLayers) {
      unreadable.push(`${location}: ${attestLimitExceeded("maxSignatureLayers", opts.limits.maxSignatureLayers, `${m.layers.length} layers`).message}`);
      continue;
    }
    const claimedKeyId = m.annotations?.[Annotation.keyId];
    if (isSignatureManifest(d, m)) {
      for (const l of m.layers) if (l.mediaType === AttestMediaType.simpleSigning) signatures.push(await checkSignatureLayer(client, subject, l, location, claimedKeyId, verifiers, opts));
    } else if (isAttestationManifest(d, m)) {
      const claimed = claimedKindOf(m, d);
      for (const l of m.layers) if (l.mediaType === AttestMediaType.dsseEnvelope) attestations.push(await checkAttestationLayer(client, subject, l, location, claimed, verifiers, opts));
    }
  }
  let legacy;
  try {
    legacy = await readCosignSignatureManifest(client, repo, subject.digest, opts.limits);
  } catch (e) {
    if (!isContentError(e)) throw e;
    unreadable.push(`tag ${cosignSignatureTag(subject.digest)}: ${describeError(e)}`);
  }
  if (legacy) {
    const location = `tag ${cosignSignatureTag(subject.digest)}`;
    for (const l of legacy.manifest.layers) if (l.mediaType === AttestMediaType.simpleSigning) signatures.push(await checkSignatureLayer(client, subject, l, location, undefined, verifiers, opts));
  }
  return { source: listed.source, signatures, attestations, unreadable };
}
