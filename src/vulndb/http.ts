// Conditional downloads with plain fetch: If-None-Match / If-Modified-Since from the previous
// response, an idle timeout, a byte bound, and the body written to a temporary file that is renamed
// over the cached copy only when complete.
import { createHash } from "node:crypto";
import { mkdir, open, unlink } from "node:fs/promises";
import { dirname } from "node:path";
import { BerthError, describeError } from "../util/errors.js";
import { atomicReplace, tempPathFor } from "../util/atomic.js";

export type FetchFn = typeof fetch;

export interface Validators {
  readonly etag?: string;
  readonly lastModified?: string;
}

export type DownloadResult =
  | { readonly status: "not-modified" }
  | { readonly status: "downloaded"; readonly bytes: number; readonly sha256: string; readonly etag?: string; readonly lastModified?: string };

export interface HttpOptions {
  readonly fetch?: FetchFn;
  readonly timeoutMs: number;
  readonly maxBytes: number;
  /** Names the bound in the error when maxBytes is exceeded. */
  readonly limitName: string;
}

export function isHttpUrl(s: string): boolean {
  return /^https?:\/\//i.test(s);
}

/** Starts a request whose body must keep flowing: the timer restarts on every chunk. */
async function start(url: string, headers: Record<string, string>, opts: HttpOptions): Promise<{ res: Response; touch: () => void; done: () => void }> {
  const ctl = new AbortController();
  let timer = setTimeout(() => ctl.abort(), opts.timeoutMs);
  const touch = (): void => {
    clearTimeout(timer);
    timer = setTimeout(() => ctl.abort(), opts.timeoutMs);
  };
  const done = (): void => clearTimeout(timer);
  try {
    const res = await (opts.fetch ?? fetch)(url, { headers, signal: ctl.signal, redirect: "follow" });
    touch();
    return { res, touch, done };
  } catch (e) {
    done();
    const why = ctl.signal.aborted ? `no response within ${opts.timeoutMs} ms` : describeError(e);
    throw new BerthError("network", `${url}: ${why}`);
  }
}

/**
 * Downloads `url` to `dest` unless the server says the cached copy (described by `prev`) is current.
 * A 404 is BerthError "not-found"; other failures are "network".
 */
export async function download(url: string, dest: string, prev: Validators | undefined, opts: HttpOptions): Promise<DownloadResult> {
  const headers: Record<string, string> = { "user-agent": "berth-vulndb" };
  if (prev?.etag) headers["if-none-match"] = prev.etag;
  if (prev?.lastModified) headers["if-modified-since"] = prev.lastModified;
  const { res, touch, done } = await start(url, headers, opts);
  try {
    if (res.status === 304) {
      await res.body?.cancel().catch(() => undefined);
      return { status: "not-modified" };
    }
    if (res.status === 404) throw new BerthError("not-found", `${url}: HTTP 404`);
    if (res.status !== 200 || res.body === null) throw new BerthError("network", `${url}: HTTP ${res.status}`);
    const declared = Number(res.headers.get("content-length") ?? "NaN");
    if (Number.isFinite(declared) && declared > opts.maxBytes) {
      await res.body.cancel().catch(() => undefined);
      throw new BerthError("limit", `${url}: ${declared} bytes: exceeds limit ${opts.limitName}=${opts.maxBytes}`);
    }
    await mkdir(dirname(dest), { recursive: true });
    const tmp = tempPathFor(dest);
    const fh = await open(tmp, "w");
    const hash = createHash("sha256");
    let bytes = 0;
    try {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        touch();
        bytes += chunk.length;
        if (bytes > opts.maxBytes) throw new BerthError("limit", `${url}: exceeds limit ${opts.limitName}=${opts.maxBytes}`);
        hash.update(chunk);
        await fh.write(chunk);
      }
      await fh.close();
      await atomicReplace(tmp, dest);
    } catch (e) {
      await fh.close().catch(() => undefined);
      await unlink(tmp).catch(() => undefined);
      if (e instanceof BerthError) throw e;
      throw new BerthError("network", `${url}: download failed (${describeError(e)})`);
    }
    const etag = res.headers.get("etag") ?? undefined;
    const lastModified = res.headers.get("last-modified") ?? undefined;
    return { status: "downloaded", bytes, sha256: hash.digest("hex"), ...(etag ? { etag } : {}), ...(lastModified ? { lastModified } : {}) };
  } finally {
    done();
  }
}

/** GETs a small text file; undefined on 404. */
export async function fetchText(url: string, opts: HttpOptions): Promise<string | undefined> {
  const { res, done } = await start(url, { "user-agent": "berth-vulndb" }, opts);
  try {
    if (res.status === 404) {
      await res.body?.cancel().catch(() => undefined);
      return undefined;
    }
    if (res.status !== 200) throw new BerthError("network", `${url}: HTTP ${res.status}`);
    const buf = Buffer.from(await res.arrayBuffer());
    if (buf.length > opts.maxBytes) throw new BerthError("limit", `${url}: exceeds limit ${opts.limitName}=${opts.maxBytes}`);
    return buf.toString("utf8");
  } catch (e) {
    if (e instanceof BerthError) throw e;
    throw new BerthError("network", `${url}: ${describeError(e)}`);
  } finally {
    done();
  }
}
