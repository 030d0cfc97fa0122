// The one registry call the attest stage needs that RegistryClient has no method for: the OCI 1.1
// referrers API, GET /v2/<name>/referrers/<digest>[?artifactType=…], with pagination by
// `Link: <…>; rel="next"`. It rides on the client's authenticated request (same auth flow, token
// cache, retries and timeouts).
import type { RegistryClient } from "../../image/registry/client.js";
import { errorDetail } from "../../image/registry/http.js";
import { BerthError } from "../../util/errors.js";
import { limitExceeded } from "../../util/limits.js";
import { parseDigest } from "../../image/digest.js";

export interface ReferrersPage {
  readonly bytes: Uint8Array;
  /** The URL of the next page, when the registry paginates. */
  readonly next?: string;
  /** The registry applied the artifactType filter (OCI-Filters-Applied). */
  readonly filtered: boolean;
}

/** Parses `Link: <url>; rel="next"` (RFC 8288), resolved against the request URL. */
export function nextLink(header: string | null, base: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(",")) {
    const m = /<([^>]*)>\s*;(.*)$/.exec(part.trim());
    if (m && /(^|;)\s*rel="?next"?\s*(;|$)/i.test(m[2]!)) {
      try {
        return new URL(m[1]!, base).toString();
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}

/**
 * One page of the referrers API, or undefined when the registry has none (404: the distribution
 * spec's signal to fall back to the referrers tag schema).
 */
export async function getReferrersPage(client: RegistryClient, repository: string, subjectDigest: string, opts: { artifactType?: string; url?: string } = {}): Promise<ReferrersPage | undefined> {
  parseDigest(subjectDigest);
  let url = opts.url;
  if (!url) {
    const u = new URL(`${client.baseUrl}/v2/${repository}/referrers/${subjectDigest}`);
    if (opts.artifactType) u.searchParams.set("artifactType", opts.artifactType);
    url = u.toString();
  } else if (new URL(url).origin !== new URL(client.baseUrl).origin) {
    throw new BerthError("network", `registry ${client.registry}: referrers page link points to another host`);
  }
  const what = `registry ${client.registry}: referrers of ${repository}@${subjectDigest}`;
  const res = await client.request(repository, ["pull"], "GET", url, what, { headers: { accept: "application/vnd.oci.image.index.v1+json" } });
  // 404 is the spec's "no referrers API"; some proxies in front of older registries say 405
  if (res.status === 404 || res.status === 405) {
    await res.discard();
    return undefined;
  }
  if (res.status !== 200) {
    const detail = await errorDetail(res);
    await res.discard();
    throw new BerthError(res.status >= 500 ? "network" : "input", `${what}: HTTP ${res.status}${detail ? ` (${detail})` : ""}`);
  }
  const max = client.limits.maxManifestBytes;
  const bytes = await res.bytes(max, () => limitExceeded("maxManifestBytes", max, `${what}: referrers index`));
  const next = nextLink(res.headers.get("link"), url);
  const filtered = (res.headers.get("oci-filters-applied") ?? "").split(",").some((f) => f.trim() === "artifactType");
  return { bytes, ...(next ? { next } : {}), filtered };
}
