// Layer decompression as streams: gzip (zlib), zstd (fzstd, pure JS), or none — chosen by media
// type, or by magic bytes when the media type does not say (docker-archive layers, "detect").
import { Readable, Transform, pipeline, type TransformCallback } from "node:stream";
import { createGunzip } from "node:zlib";
import { Decompress as ZstdDecompress } from "fzstd";
import type { LayerCompression } from "./manifest.js";

const GZIP_MAGIC = [0x1f, 0x8b];
const ZSTD_MAGIC = [0x28, 0xb5, 0x2f, 0xfd];

export function sniffCompression(head: Uint8Array): Exclude<LayerCompression, "detect"> {
  if (GZIP_MAGIC.every((b, i) => head[i] === b)) return "gzip";
  if (ZSTD_MAGIC.every((b, i) => head[i] === b)) return "zstd";
  return "none";
}

class ZstdStream extends Transform {
  private readonly z: ZstdDecompress;
  constructor() {
    super();
    this.z = new ZstdDecompress((chunk) => {
      this.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
    });
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    try {
      this.z.push(chunk);
      cb();
    } catch (e) {
      cb(e instanceof Error ? e : new Error(String(e)));
    }
  }
  override _flush(cb: TransformCallback): void {
    try {
      this.z.push(new Uint8Array(0), true);
      cb();
    } catch (e) {
      cb(e instanceof Error ? e : new Error(String(e)));
    }
  }
}

class Identity extends Transform {
  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    cb(null, chunk);
  }
}

/** A decompressing transform for a known compression. */
export function decompressor(kind: Exclude<LayerCompression, "detect">): Transform {
  switch (kind) {
    case "gzip":
      return createGunzip({ chunkSize: 256 * 1024 });
    case "zstd":
      return new ZstdStream();
    case "none":
      return new Identity();
  }
}

/**
 * Decompresses a layer stream. With "detect" (docker save archives say nothing about compression,
 * and media types are untrusted), the first bytes decide. Backpressure is kept end to end; an
 * error anywhere surfaces on the returned stream.
 */
export async function decompressStream(input: Readable, hint: LayerCompression): Promise<Readable> {
  let kind: Exclude<LayerCompression, "detect">;
  let source: Readable = input;
  if (hint === "detect") {
    const it: AsyncIterator<Buffer> = input[Symbol.asyncIterator]();
    const head: Buffer[] = [];
    let n = 0;
    let done = false;
    while (n < 4) {
      const r = await it.next();
      if (r.done) {
        done = true;
        break;
      }
      head.push(r.value);
      n += r.value.length;
    }
    const first = Buffer.concat(head);
    kind = sniffCompression(first);
    source = Readable.from(
      (async function* () {
        if (first.length) yield first;
        if (done) return;
        for (;;) {
          const r = await it.next();
          if (r.done) return;
          yield r.value;
        }
      })(),
      { objectMode: false },
    );
  } else {
    kind = hint;
  }
  const out = decompressor(kind);
  pipeline(source, out, () => {
    /* errors are delivered on `out` */
  });
  return out;
}
