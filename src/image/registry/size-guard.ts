// A pass-through stream that fails once more bytes pass than a descriptor declared: a peer
// streaming past the declared size is serving the wrong content, so the error is a
// digest mismatch, raised before reading on.
import { Transform, type TransformCallback } from "node:stream";
import { BerthError } from "../../util/errors.js";

export class SizeGuard extends Transform {
  private bytes = 0;

  constructor(
    private readonly size: number,
    private readonly what: string,
  ) {
    super();
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.bytes += chunk.length;
    if (this.bytes > this.size) {
      cb(new BerthError("digest-mismatch", `${this.what}: more bytes than the declared size ${this.size}`));
      return;
    }
    cb(null, chunk);
  }

  override _flush(cb: TransformCallback): void {
    if (this.bytes !== this.size) cb(new BerthError("digest-mismatch", `${this.what}: ${this.bytes} bytes received, the descriptor declares ${this.size}`));
    else cb();
  }
}
