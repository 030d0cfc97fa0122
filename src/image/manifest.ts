// OCI / Docker manifest, index and image-config documents: validated from untrusted JSON into
// plain typed values, and the platform choice for indexes. Shared by every image source.
import type { ImageConfigSummary, Platform } from "../model/image.js";
import { BerthError } from "../util/errors.js";
import { isDigest } from "./digest.js";

export const MediaType = {
  ociManifest: "application/vnd.oci.image.manifest.v1+json",
  ociIndex: "application/vnd.oci.image.index.v1+json",
  ociConfig: "application/vnd.oci.image.config.v1+json",
  dockerManifest: "application/vnd.docker.distribution.manifest.v2+json",
  dockerManifestList: "application/vnd.docker.distribution.manifest.list.v2+json",
  dockerConfig: "application/vnd.docker.container.image.v1+json",
  ociLayerTar: "application/vnd.oci.image.layer.v1.tar",
  ociLayerGzip: "application/vnd.oci.image.layer.v1.tar+gzip",
  ociLayerZstd: "application/vnd.oci.image.layer.v1.tar+zstd",
  dockerLayerGzip: "application/vnd.docker.image.rootfs.diff.tar.gzip",
  dockerLayerTar: "application/vnd.docker.image.rootfs.diff.tar",
  ociNondistTar: "application/vnd.oci.image.layer.nondistributable.v1.tar",
  ociNondistGzip: "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip",
  ociNondistZstd: "application/vnd.oci.image.layer.nondistributable.v1.tar+zstd",
  dockerForeignGzip: "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip",
} as const;

export const manifestAccept = [MediaType.ociIndex, MediaType.ociManifest, MediaType.dockerManifestList, MediaType.dockerManifest];

export interface Descriptor {
  readonly mediaType: string;
  readonly digest: string;
  readonly size: number;
  readonly platform?: Platform;
  readonly annotations?: Readonly<Record<string, string>>;
  readonly artifactType?: string;
}

export interface ImageManifest {
  readonly kind: "manifest";
  readonly mediaType: string;
  readonly config: Descriptor;
  readonly layers: readonly Descriptor[];
  readonly subject?: Descriptor;
  readonly annotations?: Readonly<Record<string, string>>;
  readonly artifactType?: string;
}

export interface ImageIndex {
  readonly kind: "index";
  readonly mediaType: string;
  readonly manifests: readonly Descriptor[];
  readonly annotations?: Readonly<Record<string, string>>;
}

export interface ImageConfig {
  readonly platform: Platform;
  readonly diffIds: readonly string[];
  readonly summary: ImageConfigSummary;
}

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function parseJsonObject(bytes: Uint8Array, what: string): Json {
  let v: unknown;
  try {
    v = JSON.parse(Buffer.from(bytes).toString("utf8"));
  } catch {
    throw new BerthError("corrupt", `${what}: not valid JSON`);
  }
  if (!isObject(v)) throw new BerthError("corrupt", `${what}: not a JSON object`);
  return v;
}

function str(v: unknown): string | undefined {
  return typeof v === "string" ? v : undefined;
}

function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : [];
}

function stringRecord(v: unknown): Record<string, string> | undefined {
  if (!isObject(v)) return undefined;
  const out: Record<string, string> = {};
  for (const [k, x] of Object.entries(v)) if (typeof x === "string") out[k] = x;
  return out;
}

function parsePlatform(v: unknown): Platform | undefined {
  if (!isObject(v)) return undefined;
  const os = str(v.os);
  const architecture = str(v.architecture);
  if (!os || !architecture) return undefined;
  const variant = str(v.variant);
  return variant ? { os, architecture, variant } : { os, architecture };
}

function parseDescriptor(v: unknown, what: string): Descriptor {
  if (!isObject(v)) throw new BerthError("corrupt", `${what}: descriptor is not an object`);
  const mediaType = str(v.mediaType) ?? "";
  const digest = str(v.digest);
  const size = v.size;
  if (!digest || !isDigest(digest)) throw new BerthError("corrupt", `${what}: descriptor has an invalid digest`);
  if (typeof size !== "number" || !Number.isSafeInteger(size) || size < 0) throw new BerthError("corrupt", `${what}: descriptor ${digest} has an invalid size`);
  const platform = parsePlatform(v.platform);
  const annotations = stringRecord(v.annotations);
  const artifactType = str(v.artifactType);
  return {
    mediaType,
    digest,
    size,
    ...(platform ? { platform } : {}),
    ...(annotations ? { annotations } : {}),
    ...(artifactType ? { artifactType } : {}),
  };
}

/** Parses a manifest or index; `contentType` is the HTTP Content-Type or the descriptor's mediaType. */
export function parseManifestOrIndex(bytes: Uint8Array, what: string, contentType?: string): ImageManifest | ImageIndex {
  const doc = parseJsonObject(bytes, what);
  const mediaType = str(doc.mediaType) ?? contentType?.split(";")[0]?.trim() ?? "";
  if (doc.schemaVersion === 1 || mediaType.includes("distribution.manifest.v1")) {
    throw new BerthError("unsupported", `${what}: Docker schema 1 manifests are not supported (deprecated); push the image again with a current client`);
  }
  if (Array.isArray(doc.manifests) || mediaType === MediaType.ociIndex || mediaType === MediaType.dockerManifestList) {
    if (!Array.isArray(doc.manifests)) throw new BerthError("corrupt", `${what}: index has no manifests`);
    const annotations = stringRecord(doc.annotations);
    return {
      kind: "index",
      mediaType: mediaType || MediaType.ociIndex,
      manifests: doc.manifests.map((m, i) => parseDescriptor(m, `${what} manifests[${i}]`)),
      ...(annotations ? { annotations } : {}),
    };
  }
  if (!isObject(doc.config) || !Array.isArray(doc.layers)) throw new BerthError("corrupt", `${what}: not an image manifest (no config or layers)`);
  const subject = doc.subject === undefined ? undefined : parseDescriptor(doc.subject, `${what} subject`);
  const annotations = stringRecord(doc.annotations);
  const artifactType = str(doc.artifactType);
  return {
    kind: "manifest",
    mediaType: mediaType || MediaType.ociManifest,
    config: parseDescriptor(doc.config, `${what} config`),
    layers: doc.layers.map((l, i) => parseDescriptor(l, `${what} layers[${i}]`)),
    ...(subject ? { subject } : {}),
    ...(annotations ? { annotations } : {}),
    ...(artifactType ? { artifactType } : {}),
  };
}

export function parseImageConfig(bytes: Uint8Array, what: string): ImageConfig {
  const doc = parseJsonObject(bytes, what);
  const platform = parsePlatform(doc) ?? { os: "unknown", architecture: "unknown" };
  const rootfs = isObject(doc.rootfs) ? doc.rootfs : {};
  const diffIds = strings(rootfs.diff_ids);
  for (const d of diffIds) if (!isDigest(d)) throw new BerthError("corrupt", `${what}: invalid diff_id "${d.slice(0, 80)}"`);
  const cfg = isObject(doc.config) ? doc.config : {};
  const history = Array.isArray(doc.history)
    ? doc.history.filter(isObject).map((h) => {
        const createdBy = str(h.created_by);
        const created = str(h.created);
        return { ...(createdBy ? { createdBy } : {}), ...(h.empty_layer === true ? { emptyLayer: true } : {}), ...(created ? { created } : {}) };
      })
    : [];
  const workingDir = str(cfg.WorkingDir);
  const user = str(cfg.User);
  const created = str(doc.created);
  return {
    platform,
    diffIds,
    summary: {
      env: strings(cfg.Env),
      entrypoint: strings(cfg.Entrypoint),
      cmd: strings(cfg.Cmd),
      ...(workingDir ? { workingDir } : {}),
      ...(user ? { user } : {}),
      labels: stringRecord(cfg.Labels) ?? {},
      ...(created ? { created } : {}),
      history,
    },
  };
}

/** The history entry that created each non-empty layer, in layer order. */
export function layerCommands(summary: ImageConfigSummary, layerCount: number): (string | undefined)[] {
  const out = summary.history.filter((h) => !h.emptyLayer).map((h) => h.createdBy);
  return Array.from({ length: layerCount }, (_, i) => out[i]);
}

/** "linux/amd64", "linux/arm64/v8" → Platform. */
export function parsePlatformString(s: string): Platform {
  const parts = s.split("/");
  if (parts.length < 2 || parts.length > 3 || parts.some((p) => p === "")) {
    throw new BerthError("usage", `invalid platform "${s}" (expected os/arch[/variant], e.g. linux/amd64)`);
  }
  return parts[2] ? { os: parts[0]!, architecture: parts[1]!, variant: parts[2] } : { os: parts[0]!, architecture: parts[1]! };
}

const NODE_ARCH: Record<string, string> = { x64: "amd64", arm64: "arm64", arm: "arm", ia32: "386", ppc64: "ppc64le", s390x: "s390x", riscv64: "riscv64" };

export function hostPlatform(): Platform {
  const architecture = NODE_ARCH[process.arch] ?? process.arch;
  return architecture === "arm64" ? { os: "linux", architecture, variant: "v8" } : { os: "linux", architecture };
}

export function formatPlatform(p: Platform): string {
  return p.variant ? `${p.os}/${p.architecture}/${p.variant}` : `${p.os}/${p.architecture}`;
}

function normalizeVariant(p: Platform): string | undefined {
  if (p.architecture === "arm64") return p.variant === undefined || p.variant === "v8" ? "v8" : p.variant;
  return p.variant;
}

function platformMatches(want: Platform, have: Platform): boolean {
  if (want.os !== have.os || want.architecture !== have.architecture) return false;
  const wv = normalizeVariant(want);
  return wv === undefined || wv === normalizeVariant(have);
}

/** Picks the index entry for a platform; attestation manifests ("unknown/unknown") never match. */
export function selectPlatform(index: ImageIndex, want: Platform, what: string): Descriptor {
  const match = index.manifests.find((d) => d.platform && platformMatches(want, d.platform));
  if (match) return match;
  const available = index.manifests
    .map((d) => (d.platform ? formatPlatform(d.platform) : undefined))
    .filter((p): p is string => !!p && p !== "unknown/unknown");
  throw new BerthError("not-found", `${what}: no image for platform ${formatPlatform(want)} (available: ${available.join(", ") || "none"}); choose one with --platform`);
}

export type LayerCompression = "gzip" | "zstd" | "none" | "detect";

export function layerCompression(mediaType: string): LayerCompression {
  if (mediaType.endsWith("+gzip") || mediaType.endsWith(".tar.gzip")) return "gzip";
  if (mediaType.endsWith("+zstd")) return "zstd";
  if (mediaType.endsWith(".tar") || mediaType.endsWith("diff.tar")) return "none";
  return "detect";
}
