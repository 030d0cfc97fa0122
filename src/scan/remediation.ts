// The remediation line of image findings. When every fixable OS finding comes from the base
// image's layers, the fix is to rebuild on a newer base rather than patch packages one by one.
// Which layers are "the base": the layers an `org.opencontainers.image.base.digest`/`.name`
// annotation or label accounts for is not recorded in images, so Berth uses the image's first
// layer (base images are most often one layer) when the image has more than one — documented in
// the README.
import type { Finding } from "../model/finding.js";
import type { ImageMetadata } from "../model/image.js";

const OS_TYPES = new Set(["deb", "apk", "rpm"]);

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
          remediation: `${f.remediation}; all fixable OS findings come from the base image${base ? ` (${base})` : ""}: rebuild on a newer base image`,
        }
      : f,
  );
}
