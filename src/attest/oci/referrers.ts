// OCI 1.1 referrers: listing an image's referrers and recording a new one, through the referrers
// API when the registry has it, else through the referrers tag schema (distribution-spec 1.1):
// an image index tagged `<alg>-<hex>` that lists a descriptor of every manifest whose `subject`
// is that digest. Pushing follows the spec's client steps: pull the index (none → empty), skip a
// descriptor already listed, append (artifactType, annotations copied from the manifest), push.
// Distribution 2.8 has no conditional PUT, so two writers racing on one index can lose an entry:
// the last writer wins, as with every client on such registries.
import type { RegistryClient } from "../../image/registry/client.js";
import { digestOf, parseDigest } from "../../image/digest.js";
import { MediaType, parseManifestOrIndex, type Descriptor, type ImageManifest } from "../../image/manifest.js";
import { BerthError, isBerthError } from "../../util/errors.js";
import { attestLimitExceeded, type AttestLimits } from "../limits.js";
import { getReferrersPage } from "./registry-api.js";

export type ReferrersSource = "referrers-api" | "tag-schema";
/** auto: the API when the registry answers it, else the tag schema. */
export type ReferrersMode = "auto" | "tag-schema";

export interface ReferrersOptions {
  readonly limits: AttestLimits;
  readonly mode?: ReferrersMode;
  readonly log?: (msg: string) => void;
}

export interface ReferrersList {
  readonly source: ReferrersSource;
  readonly descriptors: readonly Descriptor[];
}

/** The referrers tag schema's tag for a digest: "sha256:abc…" → "sha256-abc…" (at most 128 characters). */
export function referrersTag(digest: string): string {
  const d = parseDigest(digest);
  return `${d.algorithm}-${d.hex}`.slice(0, 128);
}

/** The descriptor listed for a referrer: artifactType (or config.mediaType) and annotations copied. */
export function referrerDescriptor(bytes: Uint8Array, manifest: ImageManifest): Descriptor {
  const artifactType = manifest.artifactType ?? manifest.config.mediaType;
  return {
    mediaType: manifest.mediaType || MediaType.ociManifest,
    digest: digestOf(bytes),
    size: bytes.length,
    ...(artifactType ? { artifactType } : {}),
    ...(manifest.annotations && Object.keys(manifest.annotations).length ? { annotations: manifest.annotations } : {}),
  };
}

function indexBytes(descriptors: readonly Descriptor[]): Uint8Array {
  const doc = {
    schemaVersion: 2,
    mediaType: MediaType.ociIndex,
    manifests: descriptors.map((d) => ({
      mediaType: d.mediaType,
      digest: d.digest,
      size: d.size,
      ...(d.artifactType ? { artifactType: d.artifactType } : {}),
      ...(d.annotations ? { annotations: d.annotations } : {}),
    })),
  };
  return new Uint8Array(Buffer.from(JSON.stringify(doc), "utf8"));
}

function parseReferrersIndex(bytes: Uint8Array, what: string, limits: AttestLimits): Descriptor[] {
  const doc = parseManifestOrIndex(bytes, what, MediaType.ociIndex);
  if (doc.kind !== "index") throw new BerthError("corrupt", `${what}: not an image index`);
  if (doc.manifests.length > limits.maxReferrers) throw attestLimitExceeded("maxReferrers", limits.maxReferrers, `${what}: ${doc.manifests.length} referrers`);
  return [...doc.manifests];
}

/** The referrers tag schema index for a subject, or [] when the tag does not exist. */
async function tagSchemaIndex(client: RegistryClient, repository: string, subjectDigest: string, limits: AttestLimits): Promise<Descriptor[]> {
  const tag = referrersTag(subjectDigest);
  let fetched;
  try {
    fetched = await client.getManifest(repository, tag, [MediaType.ociIndex]);
  } catch (e) {
    if (isBerthError(e) && e.code === "not-found") return [];
    throw e;
  }
  return parseReferrersIndex(fetched.bytes, `referrers index ${repository}:${tag}`, limits);
}

/** Every page of the referrers API, or undefined when the registry has no referrers API. */
async function apiReferrers(client: RegistryClient, repository: string, subjectDigest: string, limits: AttestLimits, artifactType?: string): Promise<Descriptor[] | undefined> {
  const out: Descriptor[] = [];
  let url: string | undefined;
  for (let page = 0; ; page++) {
    if (page >= limits.maxReferrerPages) throw attestLimitExceeded("maxReferrerPages", limits.maxReferrerPages, `referrers of ${repository}@${subjectDigest}`);
    const p = await getReferrersPage(client, repository, subjectDigest, { ...(artifactType ? { artifactType } : {}), ...(url ? { url } : {}) });
    if (!p) return page === 0 ? undefined : out;
    out.push(...parseReferrersIndex(p.bytes, `referrers of ${repository}@${subjectDigest}`, limits));
    if (out.length > limits.maxReferrers) throw attestLimitExceeded("maxReferrers", limits.maxReferrers, `referrers of ${repository}@${subjectDigest}`);
    if (!p.next) return out;
    url = p.next;
  }
}

/** Lists the referrers of a subject digest (filtered by artifactType when given). */
export async function listReferrers(client: RegistryClient, repository: string, subjectDigest: string, opts: ReferrersOptions & { artifactType?: string }): Promise<ReferrersList> {
  if (opts.mode !== "tag-schema") {
    const api = await apiReferrers(client, repository, subjectDigest, opts.limits, opts.artifactType);
    if (api) return { source: "referrers-api", descriptors: opts.artifactType ? api.filter((d) => d.artifactType === opts.artifactType) : api };
  }
  const all = await tagSchemaIndex(client, repository, subjectDigest, opts.limits);
  return { source: "tag-schema", descriptors: opts.artifactType ? all.filter((d) => d.artifactType === opts.artifactType) : all };
}

/** Whether the registry serves the referrers API (a 404 says it does not). */
export async function referrersApiSupported(client: RegistryClient, repository: string, subjectDigest: string): Promise<boolean> {
  return (await getReferrersPage(client, repository, subjectDigest)) !== undefined;
}

export interface PushedReferrer {
  readonly digest: string;
  readonly descriptor: Descriptor;
  readonly source: ReferrersSource;
}

/**
 * Pushes a manifest that has a `subject` (by digest), then makes it discoverable: nothing more on a
 * registry with the referrers API, else an updated referrers tag index.
 */
export async function pushReferrer(client: RegistryClient, repository: string, bytes: Uint8Array, opts: ReferrersOptions): Promise<PushedReferrer> {
  const manifest = parseManifestOrIndex(bytes, "referrer manifest", MediaType.ociManifest);
  if (manifest.kind !== "manifest" || !manifest.subject) throw new Error("pushReferrer: not a manifest with a subject");
  const subject = manifest.subject.digest;
  const digest = await client.putManifest(repository, digestOf(bytes), bytes, manifest.mediaType);
  const descriptor = referrerDescriptor(bytes, manifest);
  if (opts.mode !== "tag-schema" && (await referrersApiSupported(client, repository, subject))) return { digest, descriptor, source: "referrers-api" };
  const tag = referrersTag(subject);
  const current = await tagSchemaIndex(client, repository, subject, opts.limits);
  if (!current.some((d) => d.digest === digest)) {
    if (current.length + 1 > opts.limits.maxReferrers) throw attestLimitExceeded("maxReferrers", opts.limits.maxReferrers, `referrers index ${repository}:${tag}`);
    await client.putManifest(repository, tag, indexBytes([...current, descriptor]), MediaType.ociIndex);
    opts.log?.(`updated referrers index ${repository}:${tag} (${current.length + 1} referrers; the registry has no referrers API)`);
  }
  return { digest, descriptor, source: "tag-schema" };
}
