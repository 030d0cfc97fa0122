// The registry image source: resolves a reference (through an index or manifest list to the
// platform's manifest), reads the config, and hands out layer blobs as verified streams.
import type { Readable } from "node:stream";
import type { ImageMetadata, LayerInfo, Platform } from "../../model/image.js";
import { BerthError } from "../../util/errors.js";
import { defaultLimits, limitExceeded, type Limits } from "../../util/limits.js";
import { hostPlatform, layerCommands, MediaType, parseImageConfig, parseManifestOrIndex, selectPlatform, type ImageManifest } from "../manifest.js";
import type { ImageSource, LayerBlob } from "../source.js";
import { RegistryClient, type RegistryAuth } from "./client.js";
import type { CredentialLookupOptions } from "./credentials.js";
import type { Log, RetryPolicy } from "./http.js";
import { formatReference, parseReference, repositoryName, type ImageReference } from "./reference.js";

export interface RegistryImageOptions {
  /** Platform to pick from an index; default the host's. */
  readonly platform?: Platform;
  /** A single-platform image must be `platform` (default: when `platform` is given). */
  readonly requirePlatform?: boolean;
  /** Plain HTTP (required for registries without TLS, localhost included). Default false. */
  readonly insecure?: boolean;
  readonly limits?: Limits;
  /** Default "docker-config": the Docker CLI's config.json and credential helpers. */
  readonly auth?: RegistryAuth;
  readonly credentialLookup?: CredentialLookupOptions;
  readonly retry?: Partial<RetryPolicy>;
  readonly log?: Log;
  /** metadata.reference (default: the reference as given), e.g. "registry:localhost:5000/app:1". */
  readonly displayReference?: string;
  /** Reuse a client (shared token cache); it must be for the reference's registry. */
  readonly client?: RegistryClient;
}

export interface RegistryImageSource extends ImageSource {
  readonly reference: ImageReference;
  /** The index or manifest list the platform manifest was chosen from, when there was one. */
  readonly indexDigest?: string;
  /** The raw manifest bytes (exactly as received; their sha256 is metadata.manifestDigest). */
  readonly manifestBytes: Uint8Array;
  /** The raw config bytes. */
  readonly configBytes: Uint8Array;
}

/**
 * The manifest is an OCI artifact (a signature, attestation, SBOM, Helm chart…), not a container
 * image. Carries the artifact's subject, when it names one, so a server can look at that instead.
 */
export class NotAnImageError extends BerthError {
  constructor(
    name: string,
    readonly configMediaType: string,
    readonly artifactType: string | undefined,
    readonly subject: string | undefined,
  ) {
    super("unsupported", `${name}: not a container image (${artifactType ? `artifact type ${artifactType.slice(0, 100)}, ` : ""}config media type ${configMediaType.slice(0, 100)})`);
    this.name = "NotAnImageError";
  }
}

const CONFIG_TYPES = new Set<string>([MediaType.ociConfig, MediaType.dockerConfig]);

/** Opens an image in a registry: `host/repo:tag`, `host/repo@sha256:…` or a Docker Hub short name. */
export async function openRegistryImage(input: string, opts: RegistryImageOptions = {}): Promise<RegistryImageSource> {
  const ref = parseReference(input);
  const limits = opts.limits ?? opts.client?.limits ?? defaultLimits;
  if (opts.client && opts.client.registry !== ref.registry) throw new BerthError("usage", `client is for ${opts.client.registry}, not ${ref.registry}`);
  const client =
    opts.client ??
    new RegistryClient(ref.registry, {
      limits,
      ...(opts.insecure !== undefined ? { insecure: opts.insecure } : {}),
      ...(opts.auth !== undefined ? { auth: opts.auth } : {}),
      ...(opts.credentialLookup ? { credentialLookup: opts.credentialLookup } : {}),
      ...(opts.retry ? { retry: opts.retry } : {}),
      ...(opts.log ? { log: opts.log } : {}),
    });
  const name = formatReference(ref);
  const want = opts.platform ?? hostPlatform();

  let fetched = await client.getManifest(ref.repository, ref.digest ?? ref.tag ?? "latest");
  let doc = parseManifestOrIndex(fetched.bytes, `manifest of ${name}`, fetched.contentType);
  let indexDigest: string | undefined;
  for (let depth = 0; doc.kind === "index"; depth++) {
    if (depth >= limits.maxIndexDepth) throw limitExceeded("maxIndexDepth", limits.maxIndexDepth, `${name}: nested indexes`);
    indexDigest ??= fetched.digest;
    const chosen = selectPlatform(doc, want, name);
    if (chosen.size > limits.maxManifestBytes) throw limitExceeded("maxManifestBytes", limits.maxManifestBytes, `${name}: manifest ${chosen.digest} (declared size ${chosen.size})`);
    fetched = await client.getManifest(ref.repository, chosen.digest);
    if (fetched.bytes.length !== chosen.size) {
      throw new BerthError("digest-mismatch", `${name}: manifest ${chosen.digest} has ${fetched.bytes.length} bytes, the index declares ${chosen.size}`);
    }
    doc = parseManifestOrIndex(fetched.bytes, `manifest ${chosen.digest} of ${name}`, chosen.mediaType || fetched.contentType);
  }
  const manifest: ImageManifest = doc;
  if (manifest.config.mediaType && !CONFIG_TYPES.has(manifest.config.mediaType)) {
    throw new NotAnImageError(name, manifest.config.mediaType, manifest.artifactType, manifest.subject?.digest);
  }
  if (manifest.layers.length > limits.maxLayers) throw limitExceeded("maxLayers", limits.maxLayers, `${name}: ${manifest.layers.length} layers`);

  const configBytes = await client.getBlobBytes(ref.repository, { digest: manifest.config.digest, size: manifest.config.size }, limits.maxManifestBytes);
  const config = parseImageConfig(configBytes, `config of ${name}`);
  if (config.diffIds.length !== manifest.layers.length) {
    throw new BerthError("corrupt", `${name}: the manifest has ${manifest.layers.length} layers but the config lists ${config.diffIds.length} diff_ids`);
  }
  if (!indexDigest && opts.platform && (opts.requirePlatform ?? true)) {
    // a single-platform image asked for a platform explicitly: it must be that platform
    selectPlatform({ kind: "index", mediaType: "", manifests: [{ mediaType: "", digest: fetched.digest, size: fetched.bytes.length, platform: config.platform }] }, opts.platform, name);
  }

  const commands = layerCommands(config.summary, manifest.layers.length);
  const layers: LayerInfo[] = manifest.layers.map((d, i) => {
    const createdBy = commands[i];
    return { digest: d.digest, diffId: config.diffIds[i]!, mediaType: d.mediaType, size: d.size, ...(createdBy !== undefined ? { createdBy } : {}) };
  });
  const metadata: ImageMetadata = {
    reference: opts.displayReference ?? input,
    repository: repositoryName(ref),
    tags: ref.tag !== undefined ? [ref.tag] : [],
    manifestDigest: fetched.digest,
    configDigest: manifest.config.digest,
    mediaType: manifest.mediaType,
    platform: config.platform,
    layers,
    config: config.summary,
  };
  const blobs: LayerBlob[] = layers.map((info) => ({
    info,
    open: (): Promise<Readable> => client.openBlob(ref.repository, { digest: info.digest, size: info.size }),
  }));
  return {
    metadata,
    layers: blobs,
    reference: ref,
    ...(indexDigest ? { indexDigest } : {}),
    manifestBytes: fetched.bytes,
    configBytes,
    close: async () => {},
  };
}
