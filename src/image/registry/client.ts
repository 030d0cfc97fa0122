// A small OCI Distribution v2 client for one registry host: manifests and blobs by repository,
// with the auth flow, retries, timeouts and size bounds, and every digest verified.
// Pull: getManifest, headManifest, getBlobBytes, openBlob, hasBlob. Push: putBlob (monolithic
// POST + PUT), putManifest.
import type { Readable } from "node:stream";
import { pipeline } from "node:stream";
import { BerthError } from "../../util/errors.js";
import { defaultLimits, limitExceeded, type Limits } from "../../util/limits.js";
import { DigestVerifier, digestOf, isDigest, parseDigest, verifyBytes } from "../digest.js";
import { manifestAccept } from "../manifest.js";
import { Authenticator, repositoryScope } from "./auth.js";
import { dockerCredentials, type Credential, type CredentialLookupOptions } from "./credentials.js";
import { defaultRetryPolicy, errorDetail, Transport, type HttpMethod, type HttpResponse, type Log, type RetryPolicy } from "./http.js";
import { DOCKER_HUB_REGISTRY } from "./reference.js";
import { SizeGuard } from "./size-guard.js";

/**
 * Where credentials come from: the Docker config (default: `$DOCKER_CONFIG/config.json` with
 * its credential helpers), none at all, or given directly.
 */
export type RegistryAuth = "docker-config" | "anonymous" | Credential;

export interface RegistryClientOptions {
  /** Talk plain HTTP to this registry (also needed for localhost); default false: https only. */
  readonly insecure?: boolean;
  readonly limits?: Limits;
  readonly auth?: RegistryAuth;
  /** Where to find the Docker config and credential helpers (default: process env and ~/.docker). */
  readonly credentialLookup?: CredentialLookupOptions;
  readonly retry?: Partial<RetryPolicy>;
  readonly log?: Log;
  readonly userAgent?: string;
}

/** A manifest or index as received: the exact bytes, their digest and the content type. */
export interface FetchedManifest {
  readonly bytes: Uint8Array;
  /** Digest of the bytes received (verified against the requested digest / Docker-Content-Digest). */
  readonly digest: string;
  /** Content-Type of the response, parameters dropped ("" when absent). */
  readonly contentType: string;
}

export interface ManifestHead {
  readonly digest?: string;
  readonly contentType: string;
  readonly size?: number;
}

export interface BlobRef {
  readonly digest: string;
  /** Declared size (from a descriptor), when known: the blob must have exactly this many bytes. */
  readonly size?: number;
}

type Action = "pull" | "push";

const REPO_RE = /^[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*)*$/;
const TAG_RE = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

function checkRepository(repository: string): void {
  if (!REPO_RE.test(repository) || repository.length > 255) throw new BerthError("usage", `invalid repository name "${repository.slice(0, 100)}"`);
}

function checkReference(reference: string): void {
  if (!isDigest(reference) && !TAG_RE.test(reference)) throw new BerthError("usage", `invalid tag or digest "${reference.slice(0, 100)}"`);
}

function mediaTypeOf(res: HttpResponse): string {
  return (res.headers.get("content-type") ?? "").split(";")[0]!.trim();
}

export class RegistryClient {
  readonly registry: string;
  readonly baseUrl: string;
  readonly limits: Limits;
  private readonly transport: Transport;
  private readonly auth: Authenticator;

  constructor(registry: string, opts: RegistryClientOptions = {}) {
    this.registry = registry;
    this.limits = opts.limits ?? defaultLimits;
    const insecure = opts.insecure ?? false;
    this.baseUrl = `${insecure ? "http" : "https"}://${registry}`;
    this.transport = new Transport({
      timeoutMs: this.limits.requestTimeoutMs,
      retry: { ...defaultRetryPolicy, ...opts.retry },
      insecure,
      userAgent: opts.userAgent ?? "berth",
      ...(opts.log ? { log: opts.log } : {}),
    });
    const auth = opts.auth ?? "docker-config";
    const lookup = opts.credentialLookup ?? {};
    this.auth = new Authenticator({
      registry,
      transport: this.transport,
      insecure,
      credentials: async () => (auth === "anonymous" ? undefined : auth === "docker-config" ? dockerCredentials(registry, lookup) : auth),
    });
  }

  private what(repository: string, thing: string): string {
    const host = this.registry === DOCKER_HUB_REGISTRY ? "docker.io" : this.registry;
    return `registry ${host}: ${thing} ${repository}`;
  }

  /**
   * Sends an authenticated request: the cached auth header if the scheme is known, else
   * anonymous; on 401 one more try with fresh auth. Maps 401/403 to BerthError("auth").
   * Public for registry APIs this class has no method of its own for (the OCI referrers API in
   * attest/oci/registry-api.ts), so they share its auth, retries, timeouts and bounds.
   */
  async request(
    repository: string,
    actions: readonly Action[],
    method: HttpMethod,
    url: string,
    what: string,
    extra: { headers?: Record<string, string>; body?: Uint8Array } = {},
  ): Promise<HttpResponse> {
    const scope = repositoryScope(repository, actions);
    // credentials go to this registry only (an upload Location may name another host)
    const ours = new URL(url).origin === new URL(this.baseUrl).origin;
    let authorization = ours ? await this.auth.header(scope) : undefined;
    for (let round = 0; ; round++) {
      const headers = { ...extra.headers, ...(authorization ? { authorization } : {}) };
      const res = await this.transport.send({ method, url, headers, what, ...(extra.body ? { body: extra.body } : {}) });
      if (res.status === 401 && round === 0 && ours) {
        const challenge = res.headers.get("www-authenticate");
        await res.discard();
        authorization = await this.auth.challenge(challenge, scope, what);
        continue;
      }
      if (res.status === 401 || res.status === 403) {
        const detail = method === "HEAD" ? "" : await errorDetail(res);
        await res.discard();
        throw await this.auth.denied(res.status, what, detail);
      }
      return res;
    }
  }

  private async fail(res: HttpResponse, what: string): Promise<never> {
    const detail = res.status === 404 || res.status >= 400 ? await errorDetail(res) : "";
    await res.discard();
    const suffix = detail ? ` (${detail})` : "";
    if (res.status === 404) throw new BerthError("not-found", `${what}: not found${suffix}`);
    if (res.status === 429 || res.status >= 500) throw new BerthError("network", `${what}: HTTP ${res.status}${suffix}`);
    throw new BerthError("network", `${what}: unexpected HTTP ${res.status}${suffix}`);
  }

  private url(repository: string, kind: "manifests" | "blobs", reference: string): string {
    return `${this.baseUrl}/v2/${repository}/${kind}/${reference}`;
  }

  /**
   * GETs a manifest or index by tag or digest. Bounded by limits.maxManifestBytes; verified against
   * the digest when fetched by digest, else against Docker-Content-Digest when the registry sends it.
   */
  async getManifest(repository: string, reference: string, accept: readonly string[] = manifestAccept): Promise<FetchedManifest> {
    checkRepository(repository);
    checkReference(reference);
    const what = this.what(repository, "manifest") + (isDigest(reference) ? `@${reference}` : `:${reference}`);
    const res = await this.request(repository, ["pull"], "GET", this.url(repository, "manifests", reference), what, { headers: { accept: accept.join(", ") } });
    if (res.status !== 200) return this.fail(res, what);
    const max = this.limits.maxManifestBytes;
    const bytes = await res.bytes(max, () => limitExceeded("maxManifestBytes", max, what));
    const contentType = mediaTypeOf(res);
    const header = res.headers.get("docker-content-digest")?.trim();
    let digest: string;
    if (isDigest(reference)) {
      verifyBytes(bytes, reference, what);
      digest = reference;
    } else {
      digest = digestOf(bytes);
      if (header && isDigest(header)) {
        const actual = digestOf(bytes, parseDigest(header).algorithm);
        if (actual !== header) throw new BerthError("digest-mismatch", `${what}: digest mismatch (Docker-Content-Digest ${header}, content ${actual})`);
      }
    }
    return { bytes, digest, contentType };
  }

  /** HEADs a manifest; undefined when it does not exist. */
  async headManifest(repository: string, reference: string, accept: readonly string[] = manifestAccept): Promise<ManifestHead | undefined> {
    checkRepository(repository);
    checkReference(reference);
    const what = this.what(repository, "manifest") + (isDigest(reference) ? `@${reference}` : `:${reference}`);
    const res = await this.request(repository, ["pull"], "HEAD", this.url(repository, "manifests", reference), what, { headers: { accept: accept.join(", ") } });
    await res.discard();
    if (res.status === 404) return undefined;
    if (res.status !== 200) return this.fail(res, what);
    const digest = res.headers.get("docker-content-digest")?.trim();
    const len = res.headers.get("content-length");
    return {
      ...(digest && isDigest(digest) ? { digest } : {}),
      contentType: mediaTypeOf(res),
      ...(len !== null && /^[0-9]+$/.test(len) ? { size: Number(len) } : {}),
    };
  }

  private checkBlobSize(blob: BlobRef, max: number, limit: "maxBlobBytes" | "maxManifestBytes", what: string): void {
    if (blob.size !== undefined && blob.size > max) throw limitExceeded(limit, max, `${what} (declared size ${blob.size})`);
  }

  private async getBlobResponse(repository: string, blob: BlobRef, what: string): Promise<HttpResponse> {
    checkRepository(repository);
    parseDigest(blob.digest);
    const res = await this.request(repository, ["pull"], "GET", this.url(repository, "blobs", blob.digest), what);
    if (res.status !== 200) return this.fail(res, what);
    return res;
  }

  /** A small blob (a config) read whole: at most `maxBytes` (default limits.maxManifestBytes), digest-verified. */
  async getBlobBytes(repository: string, blob: BlobRef, maxBytes: number = this.limits.maxManifestBytes): Promise<Uint8Array> {
    const what = this.what(repository, "blob") + `@${blob.digest}`;
    const limit = maxBytes === this.limits.maxBlobBytes ? "maxBlobBytes" : "maxManifestBytes";
    this.checkBlobSize(blob, maxBytes, limit, what);
    const res = await this.getBlobResponse(repository, blob, what);
    const bytes = await res.bytes(maxBytes, () => limitExceeded(limit, maxBytes, what));
    if (blob.size !== undefined && bytes.length !== blob.size) {
      throw new BerthError("digest-mismatch", `${what}: size mismatch (descriptor ${blob.size}, received ${bytes.length})`);
    }
    verifyBytes(bytes, blob.digest, what);
    return bytes;
  }

  /**
   * Opens a blob as a stream (as stored). The stream fails with BerthError("digest-mismatch") at
   * its end if the bytes do not match, or when they exceed the declared size, and with
   * BerthError("limit") past limits.maxBlobBytes.
   */
  async openBlob(repository: string, blob: BlobRef): Promise<Readable> {
    const what = this.what(repository, "blob") + `@${blob.digest}`;
    const max = this.limits.maxBlobBytes;
    this.checkBlobSize(blob, max, "maxBlobBytes", what);
    const res = await this.getBlobResponse(repository, blob, what);
    const cl = res.headers.get("content-length");
    if (cl !== null && /^[0-9]+$/.test(cl) && Number(cl) > max) {
      await res.discard();
      throw limitExceeded("maxBlobBytes", max, what);
    }
    const verifier = new DigestVerifier(blob.digest, what, max);
    const source = res.stream();
    if (blob.size === undefined) return pipeline(source, verifier, () => {});
    return pipeline(source, new SizeGuard(blob.size, what), verifier, () => {});
  }

  /** True when the repository has the blob (HEAD). */
  async hasBlob(repository: string, digest: string, actions: readonly Action[] = ["pull"]): Promise<boolean> {
    checkRepository(repository);
    parseDigest(digest);
    const what = this.what(repository, "blob") + `@${digest}`;
    const res = await this.request(repository, actions, "HEAD", this.url(repository, "blobs", digest), what);
    await res.discard();
    if (res.status === 200) return true;
    if (res.status === 404) return false;
    return this.fail(res, what);
  }

  /**
   * Uploads a blob in one request (POST for an upload URL, then PUT with ?digest=) unless the
   * repository already has it. Returns its digest and size.
   */
  async putBlob(repository: string, bytes: Uint8Array): Promise<{ digest: string; size: number }> {
    checkRepository(repository);
    const digest = digestOf(bytes);
    const size = bytes.length;
    if (await this.hasBlob(repository, digest, ["pull", "push"])) return { digest, size };
    const what = this.what(repository, "blob upload") + `@${digest}`;
    const start = await this.request(repository, ["pull", "push"], "POST", `${this.baseUrl}/v2/${repository}/blobs/uploads/`, what, { headers: { "content-length": "0" } });
    if (start.status !== 202) return this.fail(start, what);
    await start.discard();
    const location = start.headers.get("location");
    if (!location) throw new BerthError("network", `${what}: upload started without a Location`);
    const uploadUrl = this.sameRegistryUrl(location, what);
    uploadUrl.searchParams.set("digest", digest);
    const put = await this.request(repository, ["pull", "push"], "PUT", uploadUrl.toString(), what, {
      headers: { "content-type": "application/octet-stream" },
      body: bytes,
    });
    if (put.status !== 201) return this.fail(put, what);
    await put.discard();
    return { digest, size };
  }

  /** PUTs a manifest or index under a tag or its digest; returns its digest (checked against the registry's). */
  async putManifest(repository: string, reference: string, bytes: Uint8Array, mediaType: string): Promise<string> {
    checkRepository(repository);
    checkReference(reference);
    const max = this.limits.maxManifestBytes;
    const what = this.what(repository, "manifest upload") + (isDigest(reference) ? `@${reference}` : `:${reference}`);
    if (bytes.length > max) throw limitExceeded("maxManifestBytes", max, what);
    const digest = isDigest(reference) ? reference : digestOf(bytes);
    if (isDigest(reference)) verifyBytes(bytes, reference, what);
    const res = await this.request(repository, ["pull", "push"], "PUT", this.url(repository, "manifests", reference), what, {
      headers: { "content-type": mediaType },
      body: bytes,
    });
    if (res.status !== 201 && res.status !== 200) return this.fail(res, what);
    await res.discard();
    const header = res.headers.get("docker-content-digest")?.trim();
    if (header && isDigest(header) && header !== digest && digestOf(bytes, parseDigest(header).algorithm) !== header) {
      throw new BerthError("digest-mismatch", `${what}: registry reports digest ${header}, expected ${digest}`);
    }
    return digest;
  }

  /** Resolves an upload Location (often relative) and keeps it on this registry's scheme. */
  private sameRegistryUrl(location: string, what: string): URL {
    let u: URL;
    try {
      u = new URL(location, this.baseUrl);
    } catch {
      throw new BerthError("network", `${what}: invalid upload Location`);
    }
    if (u.protocol !== new URL(this.baseUrl).protocol) throw new BerthError("network", `${what}: upload Location switches to ${u.protocol}`);
    return u;
  }
}
