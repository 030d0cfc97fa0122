// Image references ("registry.example.com/team/app:1.2", "alpine", "…@sha256:…"), parsed into
// registry + repository + tag/digest, with Docker Hub's short names and aliases normalised.
import { BerthError } from "../../util/errors.js";
import { isDigest } from "../digest.js";

export interface ImageReference {
  /** Host[:port] the API is served from; Docker Hub is "registry-1.docker.io". */
  readonly registry: string;
  /** Repository path inside the registry, e.g. "library/alpine", "team/app". */
  readonly repository: string;
  /** Tag, when given (or "latest" when neither tag nor digest was given). */
  readonly tag?: string;
  /** Manifest digest, when given. */
  readonly digest?: string;
}

export const DOCKER_HUB_REGISTRY = "registry-1.docker.io";
const DOCKER_HUB_ALIASES = new Set(["docker.io", "index.docker.io", "registry-1.docker.io"]);

// The Distribution reference grammar: path components of lowercase alphanumerics joined by
// ".", "_", "__" or runs of "-".
const COMPONENT_RE = /^[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*$/;
const TAG_RE = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
// host, host:port, IPv4:port, [IPv6]:port
const HOST_RE = /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*|\[[0-9A-Fa-f:.]+\])(?::[0-9]{1,5})?$/;
const MAX_NAME = 255;

export function isDockerHub(registry: string): boolean {
  return DOCKER_HUB_ALIASES.has(registry.toLowerCase());
}

function looksLikeHost(first: string): boolean {
  return first.includes(".") || first.includes(":") || first === "localhost" || first.startsWith("[");
}

/** Parses an image reference; throws BerthError("usage") naming what is wrong. */
export function parseReference(input: string): ImageReference {
  const s = input.trim();
  const bad = (why: string): BerthError => new BerthError("usage", `invalid image reference "${s.slice(0, 200)}": ${why}`);
  if (s === "") throw bad("empty");
  if (s.length > 1024) throw bad("too long");
  if (/\s/.test(s)) throw bad("contains whitespace");
  if (s.includes("://")) throw bad("give host/repository[:tag][@digest], without a URL scheme");

  let rest = s;
  let digest: string | undefined;
  const at = rest.indexOf("@");
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!isDigest(digest)) throw bad(`"${digest.slice(0, 80)}" is not a valid digest (expected sha256:<64 hex>)`);
  }

  let tag: string | undefined;
  const slash = rest.lastIndexOf("/");
  const colon = rest.lastIndexOf(":");
  if (colon > slash) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG_RE.test(tag)) throw bad(`"${tag.slice(0, 80)}" is not a valid tag`);
  }

  const parts = rest.split("/");
  let registry = DOCKER_HUB_REGISTRY;
  if (parts.length > 1 && looksLikeHost(parts[0]!)) {
    const host = parts.shift()!;
    if (!HOST_RE.test(host)) throw bad(`"${host}" is not a valid registry host`);
    const port = /:([0-9]+)$/.exec(host)?.[1];
    if (port !== undefined && (Number(port) < 1 || Number(port) > 65535)) throw bad(`invalid port ${port}`);
    registry = isDockerHub(host) ? DOCKER_HUB_REGISTRY : host.toLowerCase();
  }
  if (parts.length === 0 || parts.some((p) => p === "")) throw bad("empty repository path component");
  for (const p of parts) {
    if (!COMPONENT_RE.test(p)) {
      throw bad(p.toLowerCase() !== p ? "repository names must be lowercase" : `invalid repository path component "${p.slice(0, 80)}"`);
    }
  }
  if (registry === DOCKER_HUB_REGISTRY && parts.length === 1) parts.unshift("library");
  const repository = parts.join("/");
  if (repository.length > MAX_NAME) throw bad(`repository name longer than ${MAX_NAME} characters`);

  if (tag === undefined && digest === undefined) tag = "latest";
  return { registry, repository, ...(tag !== undefined ? { tag } : {}), ...(digest !== undefined ? { digest } : {}) };
}

/** "docker.io/library/alpine" for Docker Hub, "host:port/team/app" elsewhere. */
export function repositoryName(ref: Pick<ImageReference, "registry" | "repository">): string {
  return `${isDockerHub(ref.registry) ? "docker.io" : ref.registry}/${ref.repository}`;
}

/** The canonical string: repositoryName[:tag][@digest]. */
export function formatReference(ref: ImageReference): string {
  return `${repositoryName(ref)}${ref.tag !== undefined ? `:${ref.tag}` : ""}${ref.digest !== undefined ? `@${ref.digest}` : ""}`;
}
