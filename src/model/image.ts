// Pure data describing a container image (what the SBOM names as its subject).

export interface Platform {
  readonly os: string;
  readonly architecture: string;
  readonly variant?: string;
}

export interface LayerInfo {
  /** Digest of the blob as stored (compressed). */
  readonly digest: string;
  /** Digest of the uncompressed tar (from the config's rootfs.diff_ids). */
  readonly diffId: string;
  readonly mediaType: string;
  readonly size: number;
  /** The history entry (Dockerfile command) that created this layer, when known. */
  readonly createdBy?: string;
}

export interface ImageConfigSummary {
  readonly env: readonly string[];
  readonly entrypoint: readonly string[];
  readonly cmd: readonly string[];
  readonly workingDir?: string;
  readonly user?: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly created?: string;
  readonly history: readonly { readonly createdBy?: string; readonly emptyLayer?: boolean; readonly created?: string }[];
}

export interface ImageMetadata {
  /** What the user asked for, e.g. "registry:localhost:5000/app:1". */
  readonly reference: string;
  /** Repository name without tag/digest when known, e.g. "localhost:5000/app". */
  readonly repository?: string;
  readonly tags: readonly string[];
  /** Manifest digest (sha256:…), when the source has a manifest. */
  readonly manifestDigest?: string;
  /** Digest of the image config blob (the image ID). */
  readonly configDigest?: string;
  readonly mediaType?: string;
  readonly platform?: Platform;
  readonly layers: readonly LayerInfo[];
  readonly config?: ImageConfigSummary;
}
