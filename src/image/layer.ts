// One pass over one layer: decompress, verify the diffID, walk the tar, keep the bytes of files
// some cataloger claims, and record links and whiteouts for squashing. Memory stays bounded by
// what catalogers claim (each file ≤ limits.maxFileBytes), never by the layer's size.
import { Transform, type Readable, type TransformCallback } from "node:stream";
import { posix } from "node:path";
import tar from "tar-stream";
type TarEntry = AsyncIterable<unknown> & { resume(): unknown };
import { BerthError, isBerthError } from "../util/errors.js";
import type { Limits } from "../util/limits.js";
import { decompressStream } from "./decompress.js";
import { DigestVerifier } from "./digest.js";
import type { LayerCompression } from "./manifest.js";
import { ByteLimit } from "../util/streams.js";

/** What one layer contributes to the final filesystem, for the paths Berth cares about. */
export interface LayerFiles {
  readonly diffId: string;
  /** Claimed regular files: relative path → bytes. */
  readonly files: Map<string, Buffer>;
  /** Every symlink: relative path → link target (as written). */
  readonly symlinks: Map<string, string>;
  /** Hard links to claimed paths: relative path → relative target path. */
  readonly hardlinks: Map<string, string>;
  /** Paths removed by `.wh.<name>` entries (relative). */
  readonly whiteouts: string[];
  /** Directories made opaque by `.wh..wh..opq` (relative; "" is the root). */
  readonly opaqueDirs: string[];
  /** Entries skipped as unsafe or unreadable, one line each. */
  readonly warnings: string[];
  readonly entries: number;
}

const WHITEOUT_PREFIX = ".wh.";
const NO_INFO = { mode: 0, size: 0 };
const OPAQUE = ".wh..wh..opq";

/**
 * Normalises a tar entry name to a relative path inside the root, or undefined when it would
 * escape it ("../../etc/passwd") — such entries are skipped, never written anywhere.
 */
export function safeEntryPath(name: string): string | undefined {
  if (name.includes("\0")) return undefined;
  const stripped = name.replace(/^(\.\/)+/, "").replace(/^\/+/, "");
  const parts: string[] = [];
  for (const part of stripped.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") return undefined;
    parts.push(part);
  }
  return parts.join("/");
}

/** Counts bytes flowing through and enforces the expanded-size and bomb-ratio bounds. */
class ExpansionGuard extends Transform {
  expanded = 0;
  constructor(
    private readonly compressed: () => number,
    private readonly limits: Limits,
    private readonly what: string,
  ) {
    super();
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.expanded += chunk.length;
    if (this.expanded > this.limits.maxLayerExpandedBytes) {
      return cb(new BerthError("limit", `${this.what}: expands beyond maxLayerExpandedBytes=${this.limits.maxLayerExpandedBytes}`));
    }
    // The ratio bound applies past 64 MiB so small, highly compressible layers are never refused.
    const c = Math.max(this.compressed(), 1);
    if (this.expanded > 64 * 1024 * 1024 && this.expanded / c > this.limits.maxLayerRatio) {
      return cb(new BerthError("limit", `${this.what}: compression ratio above maxLayerRatio=${this.limits.maxLayerRatio} (possible decompression bomb)`));
    }
    cb(null, chunk);
  }
}


async function readEntry(stream: TarEntry, size: number, limit: number, what: string): Promise<Buffer> {
  if (size > limit) {
    stream.resume();
    throw new BerthError("limit", `${what}: file of ${size} bytes exceeds maxFileBytes=${limit}`);
  }
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer); // tar-stream yields Buffers
  return Buffer.concat(chunks);
}

export interface ReadLayerOptions {
  readonly diffId: string;
  readonly compression: LayerCompression;
  readonly claims: (path: string, info: { mode: number; size: number }) => boolean;
  /** Reduces a claimed file to what is kept (see Cataloger.summarize); identity when absent. */
  readonly summarize?: (path: string, data: Buffer, info: { mode: number; size: number }) => Buffer | undefined;
  readonly limits: Limits;
  /** Name for messages, e.g. "layer sha256:ab12…". */
  readonly what: string;
}

/**
 * Reads one layer blob stream (as stored) into LayerFiles. Fails with BerthError on a digest
 * mismatch, a truncated or corrupt archive, or a bound exceeded; skips unsafe entries with a warning.
 */
export async function readLayer(blob: Readable, opts: ReadLayerOptions): Promise<LayerFiles> {
  const { limits, what } = opts;
  const counter = new ByteLimit(limits.maxBlobBytes, what);
  const decompressed = await decompressStream(blob.pipe(counter), opts.compression);
  blob.on("error", (e) => counter.destroy(e));
  counter.on("error", (e) => decompressed.destroy(e));
  const guard = new ExpansionGuard(() => counter.bytes, limits, what);
  const verifier = new DigestVerifier(opts.diffId, `${what} (uncompressed)`);
  const extract = tar.extract();
  decompressed.on("error", (e) => guard.destroy(e));
  guard.on("error", (e) => verifier.destroy(e));
  verifier.on("error", (e) => extract.destroy(e));
  decompressed.pipe(guard).pipe(verifier).pipe(extract);

  const out: LayerFiles = {
    diffId: opts.diffId,
    files: new Map(),
    symlinks: new Map(),
    hardlinks: new Map(),
    whiteouts: [],
    opaqueDirs: [],
    warnings: [],
    entries: 0,
  };
  let entries = 0;
  try {
    for await (const entry of extract) {
      entries++;
      if (entries > limits.maxLayerEntries) throw new BerthError("limit", `${what}: more than maxLayerEntries=${limits.maxLayerEntries} entries`);
      const h = entry.header;
      const path = safeEntryPath(h.name);
      if (path === undefined) {
        out.warnings.push(`${what}: entry "${h.name.slice(0, 200)}" escapes the image root; skipped`);
        entry.resume();
        continue;
      }
      const base = posix.basename(path);
      const dir = posix.dirname(path) === "." ? "" : posix.dirname(path);
      if (base === OPAQUE) {
        out.opaqueDirs.push(dir);
        entry.resume();
        continue;
      }
      if (base.startsWith(WHITEOUT_PREFIX)) {
        out.whiteouts.push(dir ? `${dir}/${base.slice(WHITEOUT_PREFIX.length)}` : base.slice(WHITEOUT_PREFIX.length));
        entry.resume();
        continue;
      }
      switch (h.type) {
        case "file":
        case "contiguous-file": {
          const info = { mode: h.mode ?? 0, size: h.size ?? 0 };
          if (path && opts.claims(path, info)) {
            try {
              const data = await readEntry(entry, info.size, limits.maxFileBytes, `${what}: /${path}`);
              const kept = opts.summarize ? opts.summarize(path, data, info) : data;
              if (kept) out.files.set(path, kept);
            } catch (e) {
              if (!isBerthError(e) || e.code !== "limit") throw e;
              out.warnings.push(e.message);
            }
          } else {
            entry.resume();
          }
          break;
        }
        case "symlink":
          out.symlinks.set(path, h.linkname ?? "");
          entry.resume();
          break;
        case "link": {
          const target = safeEntryPath(h.linkname ?? "");
          if (target === undefined) out.warnings.push(`${what}: hard link "${path}" points outside the image root; skipped`);
          else if (opts.claims(path, NO_INFO) || opts.claims(target, NO_INFO)) out.hardlinks.set(path, target);
          entry.resume();
          break;
        }
        default:
          entry.resume();
      }
    }
  } catch (e) {
    extract.destroy();
    blob.destroy();
    throw asLayerError(e, what);
  }
  return { ...out, entries };
}

function asLayerError(e: unknown, what: string): BerthError {
  if (isBerthError(e)) return e;
  const msg = e instanceof Error ? e.message : String(e);
  if (/unexpected end|premature|truncated|aborted/i.test(msg)) return new BerthError("corrupt", `${what}: truncated layer (${msg})`);
  return new BerthError("corrupt", `${what}: unreadable layer (${msg})`);
}
