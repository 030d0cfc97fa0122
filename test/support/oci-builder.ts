// Synthetic OCI images for unit tests of hostile input: layers built entry by entry with
// tar-stream (so a test can write what no well-behaved tool would), then laid out as an OCI layout.
import { createHash } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import tar from "tar-stream";

export type TarEntrySpec =
  | { name: string; type?: "file"; data: string | Buffer }
  | { name: string; type: "symlink" | "link"; linkname: string }
  | { name: string; type: "directory" };

export async function tarBytes(entries: TarEntrySpec[]): Promise<Buffer> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  const done = new Promise<void>((resolve, reject) => {
    pack.on("data", (c: unknown) => {
      chunks.push(c as Buffer);
    });
    pack.on("end", () => resolve());
    pack.on("error", reject);
  });
  for (const e of entries) {
    if (e.type === "symlink" || e.type === "link") pack.entry({ name: e.name, type: e.type, linkname: e.linkname });
    else if (e.type === "directory") pack.entry({ name: e.name, type: "directory" });
    else if ("data" in e) pack.entry({ name: e.name }, e.data);
  }
  pack.finalize();
  await done;
  return Buffer.concat(chunks);
}

export function sha256(b: Buffer | string): string {
  return `sha256:${createHash("sha256").update(b).digest("hex")}`;
}

export interface BuiltLayout {
  readonly dir: string;
  readonly manifestDigest: string;
  readonly layerDigests: string[];
  readonly diffIds: string[];
}

export interface LayerSpec {
  readonly tar: Buffer;
  readonly compress?: "gzip" | "none";
  /** Override the diffID recorded in the config (to test mismatches). */
  readonly diffId?: string;
}

/** Writes an OCI layout with one image (ref "latest") made of the given layers. */
export function writeLayout(dir: string, layers: LayerSpec[], opts: { config?: Record<string, unknown>; manifestPadding?: number } = {}): BuiltLayout {
  mkdirSync(join(dir, "blobs/sha256"), { recursive: true });
  const put = (b: Buffer) => {
    const d = sha256(b);
    writeFileSync(join(dir, "blobs/sha256", d.slice(7)), b);
    return d;
  };
  const descs = layers.map((l) => {
    const blob = l.compress === "none" ? l.tar : gzipSync(l.tar);
    return {
      mediaType: l.compress === "none" ? "application/vnd.oci.image.layer.v1.tar" : "application/vnd.oci.image.layer.v1.tar+gzip",
      digest: put(blob),
      size: blob.length,
      diffId: l.diffId ?? sha256(l.tar),
    };
  });
  const config = Buffer.from(
    JSON.stringify({
      architecture: "amd64",
      os: "linux",
      config: { Env: ["PATH=/usr/bin"], Labels: { "org.opencontainers.image.source": "https://example.com/repo" } },
      rootfs: { type: "layers", diff_ids: descs.map((d) => d.diffId) },
      history: descs.map((_, i) => ({ created_by: `RUN step ${i + 1}` })),
      ...opts.config,
    }),
  );
  const configDigest = put(config);
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: "application/vnd.oci.image.manifest.v1+json",
      config: { mediaType: "application/vnd.oci.image.config.v1+json", digest: configDigest, size: config.length },
      layers: descs.map(({ mediaType, digest, size }) => ({ mediaType, digest, size })),
      ...(opts.manifestPadding ? { annotations: { padding: "x".repeat(opts.manifestPadding) } } : {}),
    }),
  );
  const manifestDigest = put(manifest);
  writeFileSync(join(dir, "oci-layout"), JSON.stringify({ imageLayoutVersion: "1.0.0" }));
  writeFileSync(
    join(dir, "index.json"),
    JSON.stringify({
      schemaVersion: 2,
      manifests: [{ mediaType: "application/vnd.oci.image.manifest.v1+json", digest: manifestDigest, size: manifest.length, annotations: { "org.opencontainers.image.ref.name": "latest" } }],
    }),
  );
  return { dir, manifestDigest, layerDigests: descs.map((d) => d.digest), diffIds: descs.map((d) => d.diffId) };
}
