// Parse the kubelet's `status.containerStatuses[].imageID` into a digest. The forms runtimes report:
//   docker-pullable://nginx@sha256:<hex>        dockershim, image pulled by a registry
//   docker://sha256:<hex>                       dockershim, local image (config ID, not a manifest digest)
//   docker.io/library/nginx@sha256:<hex>        containerd / CRI-O: repo digest
//   sha256:<hex>                                containerd, image with no repo digest (imported)
// Anything else (empty before the container starts, garbage) yields undefined.
import type { ResolvedImage } from "../../model/cluster.js";

const maxImageIdLength = 1024;
const digestRe = /^(sha256:[a-f0-9]{64}|sha512:[a-f0-9]{128})$/;
const schemes = ["docker-pullable://", "docker://", "containerd://", "cri-o://"];

export function parseDigest(s: string): string | undefined {
  const d = s.trim();
  return digestRe.test(d) ? d : undefined;
}

export function parseImageId(raw: string): ResolvedImage | undefined {
  if (raw.length === 0 || raw.length > maxImageIdLength) return undefined;
  let rest = raw.trim();
  for (const scheme of schemes) {
    if (rest.startsWith(scheme)) {
      rest = rest.slice(scheme.length);
      break;
    }
  }
  const at = rest.lastIndexOf("@");
  if (at < 0) {
    const digest = parseDigest(rest);
    return digest === undefined ? undefined : { digest, imageID: raw, kind: "image-id" };
  }
  const repository = rest.slice(0, at);
  const digest = parseDigest(rest.slice(at + 1));
  if (digest === undefined || !validRepository(repository)) return undefined;
  return { digest, repository, imageID: raw, kind: "repo-digest" };
}

/** A repository as a runtime writes it: host[:port]/path, lowercase path components, no tag. */
function validRepository(repo: string): boolean {
  if (repo.length === 0 || repo.length > 512) return false;
  return /^[A-Za-z0-9.-]+(?::[0-9]+)?(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/.test(repo) && !repo.endsWith("/");
}

/** The digest pinned in a spec image reference (`repo@sha256:…`), if any. */
export function specDigest(image: string): string | undefined {
  const at = image.lastIndexOf("@");
  return at < 0 ? undefined : parseDigest(image.slice(at + 1));
}
