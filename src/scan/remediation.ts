// The remediation line of image findings. When every fixable OS finding comes from the base
// image's layers, the fix is to rebuild on a newer base rather than patch packages one by one.
// Which layers are "the base": the layers an `org.opencontainers.image.base.digest`/`.name`
// annotation or label accounts for is not recorded in images, so Berth uses the image's first
// layer (base images are most often one layer) when the image has more than one — documented in
// the README.
import type { Finding } from "../model/finding.js";
import type { ImageMetadata } from "../model/image.js";

const OS_TYPES = new Set(["deb", "apk", "rpm"]);
const BASE_NOTE = "; all fixable OS findings come from the base image";

export function baseImageName(image: ImageMetadata): string | undefined {
  const labels = image.config?.labels ?? {};
  return labels["org.opencontainers.image.base.name"] ?? labels["org.opencontainers.image.base.digest"];
}

export function applyBaseImageRemediation(findings: readonly Finding[], image: ImageMetadata | undefined): Finding[] {
  if (!image || image.layers.length < 2) return [...findings];
  const fixableOs = findings.filter((f) => OS_TYPES.has(f.package.type) && f.status === "fixed" && !f.suppressed);
  if (fixableOs.length === 0 || !fixableOs.every((f) => f.layer?.index === 0)) return [...findings];
  const base = baseImageName(image);
  return findings.map((f) =>
    OS_TYPES.has(f.package.type) && f.layer?.index === 0
      ? {
          ...f,
          layer: { ...f.layer, fromBase: true },
          remediation: `${f.remediation}${BASE_NOTE}${base ? ` (${base})` : ""}: rebuild on a newer base image`,
        }
      : f,
  );
}

/**
 * A finding as it was before applyBaseImageRemediation: the server stores findings without the
 * image-wide note (it depends on every other finding of the image, so storing it would make a change
 * to one package rewrite them all) and applies it again when an image's findings are read.
 */
export function withoutBaseImageRemediation(f: Finding): Finding {
  if (!f.layer?.fromBase) return f;
  const { fromBase: _fromBase, ...layer } = f.layer;
  const at = f.remediation.indexOf(BASE_NOTE);
  return { ...f, layer, remediation: at >= 0 ? f.remediation.slice(0, at) : f.remediation };
}
