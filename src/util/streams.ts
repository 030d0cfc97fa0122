// Small stream helpers shared by the readers of untrusted input.
import { Transform, type TransformCallback } from "node:stream";
import { BerthError } from "./errors.js";

/** Passes bytes through, counting them, and fails once more than `max` have passed. */
export class ByteLimit extends Transform {
  bytes = 0;
  constructor(
    private readonly max: number,
    private readonly what: string,
  ) {
    super();
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.bytes += chunk.length;
    if (this.bytes > this.max) cb(new BerthError("limit", `${this.what}: larger than the limit of ${this.max} bytes`));
    else cb(null, chunk);
  }
}
