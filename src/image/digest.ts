// Content digests (OCI "algorithm:hex") and a pass-through stream that verifies one.
import { createHash, type Hash } from "node:crypto";
import { Transform, type TransformCallback } from "node:stream";
import { BerthError } from "../util/errors.js";

const DIGEST_RE = /^(sha256|sha512):([a-f0-9]+)$/;
const HEX_LEN: Record<string, number> = { sha256: 64, sha512: 128 };

export interface ParsedDigest {
  readonly algorithm: "sha256" | "sha512";
  readonly hex: string;
}

export function parseDigest(digest: string): ParsedDigest {
  const m = DIGEST_RE.exec(digest);
  if (!m || m[2]!.length !== HEX_LEN[m[1]!]) throw new BerthError("input", `invalid digest "${digest.slice(0, 100)}"`);
  return { algorithm: m[1] as "sha256" | "sha512", hex: m[2]! };
}

export function isDigest(s: string): boolean {
  const m = DIGEST_RE.exec(s);
  return !!m && m[2]!.length === HEX_LEN[m[1]!];
}

export function digestOf(data: Uint8Array, algorithm: "sha256" | "sha512" = "sha256"): string {
  return `${algorithm}:${createHash(algorithm).update(data).digest("hex")}`;
}

export function verifyBytes(data: Uint8Array, expected: string, what: string): void {
  const { algorithm } = parseDigest(expected);
  const actual = digestOf(data, algorithm);
  if (actual !== expected) throw new BerthError("digest-mismatch", `${what}: digest mismatch (expected ${expected}, got ${actual})`);
}

/**
 * Passes bytes through unchanged, counting them; at the end, fails the stream with
 * BerthError("digest-mismatch") if the content's digest is not `expected`, or with
 * BerthError("limit") as soon as more than `maxBytes` pass.
 */
export class DigestVerifier extends Transform {
  private readonly hash: Hash;
  private readonly algorithm: "sha256" | "sha512";
  bytes = 0;

  constructor(
    private readonly expected: string,
    private readonly what: string,
    private readonly maxBytes = Number.MAX_SAFE_INTEGER,
  ) {
    super();
    this.algorithm = parseDigest(expected).algorithm;
    this.hash = createHash(this.algorithm);
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.bytes += chunk.length;
    if (this.bytes > this.maxBytes) {
      cb(new BerthError("limit", `${this.what}: larger than the limit of ${this.maxBytes} bytes`));
      return;
    }
    this.hash.update(chunk);
    cb(null, chunk);
  }

  override _flush(cb: TransformCallback): void {
    const actual = `${this.algorithm}:${this.hash.digest("hex")}`;
    if (actual !== this.expected) cb(new BerthError("digest-mismatch", `${this.what}: digest mismatch (expected ${this.expected}, got ${actual})`));
    else cb();
  }
}
