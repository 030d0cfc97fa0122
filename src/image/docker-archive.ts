// `docker save` archives (docker-archive:FILE[:NAME:TAG]): manifest.json names the config and the
// layer tars; a gzip-compressed archive is first expanded to a temporary file (bounded).
import { createReadStream, createWriteStream } from "node:fs";
import { mkdtemp, open, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";
import { createGunzip } from "node:zlib";
import type { Platform } from "../model/image.js";
import { BerthError } from "../util/errors.js";
import type { Limits } from "../util/limits.js";
import { assembleImage } from "./assemble.js";
import { digestOf, isDigest } from "./digest.js";
import { ByteLimit } from "../util/streams.js";
import { tarStore, type FileStore } from "./local-store.js";
import { MediaType, type ImageManifest } from "./manifest.js";
import { indexTar } from "./tar-index.js";
import type { ImageSource } from "./source.js";

interface ArchiveEntry {
  readonly config: string;
  readonly repoTags: string[];
  readonly layers: string[];
}

function parseArchiveManifest(bytes: Buffer, what: string): ArchiveEntry[] {
  let doc: unknown;
  try {
    doc = JSON.parse(bytes.toString("utf8"));
  } catch {
    throw new BerthError("corrupt", `${what}: manifest.json is not valid JSON`);
  }
  if (!Array.isArray(doc)) throw new BerthError("corrupt", `${what}: manifest.json is not a list`);
  return doc.map((e: unknown, i) => {
    const o = (typeof e === "object" && e !== null ? e : {}) as Record<string, unknown>;
    if (typeof o.Config !== "string" || !Array.isArray(o.Layers) || !o.Layers.every((l) => typeof l === "string")) {
      throw new BerthError("corrupt", `${what}: manifest.json entry ${i} lacks Config or Layers`);
    }
    const repoTags = Array.isArray(o.RepoTags) ? o.RepoTags.filter((t): t is string => typeof t === "string") : [];
    return { config: o.Config, repoTags, layers: o.Layers as string[] };
  });
}

/** A blob's digest from a path such as "blobs/sha256/<hex>", when the archive uses that form. */
function digestFromPath(path: string): string | undefined {
  const m = /^blobs\/(sha256|sha512)\/([a-f0-9]+)$/.exec(path);
  const d = m ? `${m[1]}:${m[2]}` : undefined;
  return d && isDigest(d) ? d : undefined;
}

async function isGzip(file: string): Promise<boolean> {
  const fh = await open(file, "r").catch((e: NodeJS.ErrnoException) => {
    throw new BerthError("not-found", `cannot open ${file} (${e.code ?? e.message})`);
  });
  try {
    const b = Buffer.alloc(2);
    await fh.read(b, 0, 2, 0);
    return b[0] === 0x1f && b[1] === 0x8b;
  } finally {
    await fh.close();
  }
}

export async function openDockerArchive(file: string, opts: { reference: string; name?: string; platform?: Platform; limits: Limits }): Promise<ImageSource> {
  const { limits, reference: what } = opts;
  let tarFile = file;
  let tmp: string | undefined;
  if (await isGzip(file)) {
    tmp = await mkdtemp(join(tmpdir(), "berth-archive-"));
    tarFile = join(tmp, "archive.tar");
    const guard = new ByteLimit(limits.maxLayerExpandedBytes, `${what} (decompressed)`);
    await pipeline(createReadStream(file), createGunzip(), guard, createWriteStream(tarFile)).catch(async (e: unknown) => {
      await rm(tmp!, { recursive: true, force: true });
      throw e instanceof BerthError ? e : new BerthError("corrupt", `${what}: cannot decompress archive (${e instanceof Error ? e.message : String(e)})`);
    });
  }
  const cleanup = async () => {
    if (tmp) await rm(tmp, { recursive: true, force: true });
  };
  try {
    const store: FileStore = tarStore(await indexTar(tarFile, limits, what), what);
    if (!(await store.exists("manifest.json"))) throw new BerthError("input", `${what}: not a docker-archive (no manifest.json)`);
    const entries = parseArchiveManifest(await store.read("manifest.json", limits.maxManifestBytes), what);
    let entry: ArchiveEntry | undefined;
    if (opts.name) {
      const want = opts.name.includes(":") ? opts.name : `${opts.name}:latest`;
      entry = entries.find((e) => e.repoTags.includes(want) || e.repoTags.includes(`docker.io/library/${want}`));
      if (!entry) throw new BerthError("not-found", `${what}: no image tagged ${want} (available: ${entries.flatMap((e) => e.repoTags).join(", ") || "none"})`);
    } else if (entries.length === 1) {
      entry = entries[0];
    } else {
      throw new BerthError("usage", `${what}: the archive holds ${entries.length} images; name one as docker-archive:FILE:NAME:TAG`);
    }
    const e = entry!;
    const configBytes = await store.read(e.config, limits.maxManifestBytes);
    const configDigest = digestFromPath(e.config) ?? digestOf(configBytes);
    // A docker save archive has no registry manifest: synthesise one. Layer tars are addressed by
    // path; their digest is checked as the diffID when read (uncompressed tar ⇒ blob = diff).
    const layerPaths = new Map<string, string>();
    const cfg = JSON.parse(configBytes.toString("utf8")) as { rootfs?: { diff_ids?: unknown } };
    const diffIds = Array.isArray(cfg.rootfs?.diff_ids) ? (cfg.rootfs.diff_ids as unknown[]) : [];
    const layers = await Promise.all(
      e.layers.map(async (p, i) => {
        const size = (await store.open(p)).size;
        const d = digestFromPath(p) ?? (typeof diffIds[i] === "string" && isDigest(diffIds[i] as string) ? (diffIds[i] as string) : undefined);
        if (!d) throw new BerthError("corrupt", `${what}: cannot tell the digest of layer ${p}`);
        layerPaths.set(d, p);
        return { mediaType: MediaType.dockerLayerTar, digest: d, size };
      }),
    );
    const manifest: ImageManifest = { kind: "manifest", mediaType: MediaType.dockerManifest, config: { mediaType: MediaType.dockerConfig, digest: configDigest, size: configBytes.length }, layers };
    return assembleImage({
      reference: what,
      tags: e.repoTags,
      manifest,
      configBytes,
      limits,
      openBlob: async (digest) => (await store.open(layerPaths.get(digest)!)).stream,
      close: cleanup,
    });
  } catch (err) {
    await cleanup();
    throw err;
  }
}
