// HTTP for the registry client over Node's global fetch: per-attempt timeouts (until the response
// headers, and idle gaps while the body streams), bounded retries with exponential backoff and
// jitter on 429/5xx/connection errors honouring Retry-After, manual redirects (the Authorization
// header never follows a redirect to another origin; no downgrade to plain HTTP unless insecure),
// and bounded body reads.
import { Readable } from "node:stream";
import { BerthError } from "../../util/errors.js";

export interface RetryPolicy {
  /** Attempts in all, including the first (1 = no retry). */
  readonly attempts: number;
  /** First backoff delay; doubles each retry, with jitter. */
  readonly baseDelayMs: number;
  /** Longest single wait; a Retry-After asking for more ends the retries. */
  readonly maxDelayMs: number;
}

export const defaultRetryPolicy: RetryPolicy = { attempts: 4, baseDelayMs: 300, maxDelayMs: 15_000 };

export type Log = (message: string) => void;

export interface TransportOptions {
  /** Time allowed until the response headers, and the longest idle gap while reading a body. */
  readonly timeoutMs: number;
  readonly retry: RetryPolicy;
  /** Allow plain-HTTP URLs (for redirects and token realms; the registry URL is chosen by the client). */
  readonly insecure: boolean;
  readonly log?: Log;
  readonly userAgent: string;
}

export type HttpMethod = "GET" | "HEAD" | "POST" | "PUT" | "PATCH" | "DELETE";

export interface HttpRequest {
  readonly method: HttpMethod;
  readonly url: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: Uint8Array;
  /** Names the request in messages, e.g. "registry 127.0.0.1:5000: manifest test/app:1". */
  readonly what: string;
}

export interface HttpResponse {
  readonly status: number;
  readonly headers: Headers;
  /** The URL that answered (after redirects). */
  readonly url: string;
  /** Reads the whole body; fails with `tooLarge()` past maxBytes (Content-Length checked first). */
  bytes(maxBytes: number, tooLarge: () => BerthError): Promise<Uint8Array>;
  /** The body as a stream with the idle timeout applied; fails with BerthError("network"). */
  stream(): Readable;
  /** Drops the body. */
  discard(): Promise<void>;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const MAX_REDIRECTS = 5;
const TLS_CODES = new Set([
  "EPROTO",
  "CERT_HAS_EXPIRED",
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "CERT_NOT_YET_VALID",
]);

/** True for statuses worth retrying: 408, 429 and 5xx except 501/505. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || (status >= 500 && status <= 599 && status !== 501 && status !== 505);
}

/** Retry-After (delta-seconds or HTTP-date) in ms from `now`; undefined when absent or invalid. */
export function parseRetryAfter(value: string | null, now: number = Date.now()): number | undefined {
  if (value === null) return undefined;
  const v = value.trim();
  if (/^[0-9]+$/.test(v)) return Number(v) * 1000;
  if (!/^[A-Za-z]{3}, /.test(v)) return undefined; // HTTP-date: "Wed, 21 Oct 2015 07:28:00 GMT"
  const t = Date.parse(v);
  return Number.isNaN(t) ? undefined : Math.max(0, t - now);
}

/** Backoff before retry number `retry` (1-based): exponential, capped, with jitter in [d/2, d]. */
export function backoffDelay(policy: RetryPolicy, retry: number, random: () => number = Math.random): number {
  const d = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (retry - 1));
  return Math.round(d / 2 + random() * (d / 2));
}

class TimeoutSignal extends Error {
  constructor(readonly ms: number) {
    super(`timed out after ${ms} ms`);
  }
}

interface FailedAttempt {
  readonly retryable: boolean;
  readonly error: BerthError;
}

function errorCode(e: unknown): string | undefined {
  const c = (e as { code?: unknown } | undefined)?.code;
  return typeof c === "string" ? c : undefined;
}

function classifyFetchError(e: unknown, what: string, url: string): FailedAttempt {
  if (e instanceof TimeoutSignal) {
    return { retryable: true, error: new BerthError("network", `${what}: no response within ${e.ms} ms`, { cause: e }) };
  }
  if (e instanceof BerthError) return { retryable: false, error: e };
  const cause = (e as { cause?: unknown }).cause ?? e;
  const code = errorCode(cause) ?? "";
  const detail = (cause instanceof Error ? cause.message : String(cause)).split("\n")[0]!.slice(0, 200);
  if (code.startsWith("ERR_SSL_") || code.startsWith("ERR_TLS_") || TLS_CODES.has(code)) {
    const plainHttp = code === "ERR_SSL_WRONG_VERSION_NUMBER" || /wrong version number|packet length too long|http request/i.test(detail);
    const hint = plainHttp ? "; the server may speak plain HTTP — allow that with the insecure option (--insecure)" : "";
    return { retryable: false, error: new BerthError("network", `${what}: TLS connection to ${new URL(url).host} failed (${code})${hint}`, { cause: e }) };
  }
  if (code === "ENOTFOUND") return { retryable: false, error: new BerthError("network", `${what}: cannot resolve host ${new URL(url).hostname}`, { cause: e }) };
  return { retryable: true, error: new BerthError("network", `${what}: connection to ${new URL(url).host} failed (${code || detail})`, { cause: e }) };
}

/** A Readable over a fetch body whose idle timer only runs while a read waits for the peer. */
class BodyStream extends Readable {
  private readonly reader: ReadableStreamDefaultReader<Uint8Array>;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    body: ReadableStream<Uint8Array>,
    private readonly idleMs: number,
    private readonly what: string,
    private readonly abort: () => void,
  ) {
    super();
    this.reader = body.getReader();
  }

  override _read(): void {
    this.timer = setTimeout(() => {
      this.destroy(new BerthError("network", `${this.what}: no data received for ${this.idleMs} ms`));
    }, this.idleMs);
    this.reader.read().then(
      (r) => {
        clearTimeout(this.timer);
        if (this.destroyed) return;
        if (r.done) this.push(null);
        else if (r.value.byteLength === 0) this._read();
        else this.push(Buffer.from(r.value.buffer, r.value.byteOffset, r.value.byteLength));
      },
      (e: unknown) => {
        clearTimeout(this.timer);
        if (this.destroyed) return;
        this.destroy(e instanceof BerthError ? e : new BerthError("network", `${this.what}: connection failed while reading (${errorCode((e as { cause?: unknown }).cause) ?? (e as Error).message})`, { cause: e }));
      },
    );
  }

  override _destroy(err: Error | null, cb: (error?: Error | null) => void): void {
    clearTimeout(this.timer);
    if (err) this.abort();
    this.reader.cancel().catch(() => {});
    cb(err);
  }
}

function makeResponse(res: Response, url: string, what: string, idleMs: number, abort: () => void): HttpResponse {
  let used = false;
  const stream = (): Readable => {
    if (used) throw new Error("response body already used");
    used = true;
    if (!res.body) return Readable.from([]);
    return new BodyStream(res.body, idleMs, what, abort);
  };
  return {
    status: res.status,
    headers: res.headers,
    url,
    stream,
    async bytes(maxBytes, tooLarge) {
      const cl = res.headers.get("content-length");
      if (cl !== null && /^[0-9]+$/.test(cl.trim()) && Number(cl) > maxBytes) {
        await this.discard();
        throw tooLarge();
      }
      const s = stream();
      const chunks: Buffer[] = [];
      let n = 0;
      for await (const chunk of s as AsyncIterable<Buffer>) {
        n += chunk.length;
        if (n > maxBytes) {
          s.destroy();
          throw tooLarge();
        }
        chunks.push(chunk);
      }
      return new Uint8Array(Buffer.concat(chunks, n));
    },
    async discard() {
      if (used) return;
      used = true;
      await res.body?.cancel().catch(() => {});
    },
  };
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export class Transport {
  constructor(readonly opts: TransportOptions) {}

  /** One attempt, following redirects; throws FailedAttempt-classified errors. */
  private async attempt(req: HttpRequest): Promise<HttpResponse> {
    const controller = new AbortController();
    const timeoutMs = this.opts.timeoutMs;
    const origin = new URL(req.url).origin;
    let url = req.url;
    let method: HttpMethod = req.method;
    let body = req.body;
    const headers: Record<string, string> = { "user-agent": this.opts.userAgent, "accept-encoding": "identity", ...req.headers };
    for (let hop = 0; ; hop++) {
      const timer = setTimeout(() => controller.abort(new TimeoutSignal(timeoutMs)), timeoutMs);
      let res: Response;
      try {
        res = await fetch(url, { method, headers, ...(body ? { body: body.slice() } : {}), redirect: "manual", signal: controller.signal });
      } finally {
        clearTimeout(timer);
      }
      const location = res.headers.get("location");
      if (!REDIRECTS.has(res.status) || location === null || method === "PUT" || method === "POST" || method === "PATCH") {
        return makeResponse(res, url, req.what, timeoutMs, () => controller.abort(new TimeoutSignal(timeoutMs)));
      }
      await res.body?.cancel().catch(() => {});
      if (hop >= MAX_REDIRECTS) throw new BerthError("network", `${req.what}: more than ${MAX_REDIRECTS} redirects`);
      let next: URL;
      try {
        next = new URL(location, url);
      } catch {
        throw new BerthError("network", `${req.what}: invalid redirect location`);
      }
      if (next.protocol !== "https:" && !(next.protocol === "http:" && this.opts.insecure)) {
        throw new BerthError("network", `${req.what}: refusing redirect to ${next.protocol}//${next.host} (only https is followed unless insecure is set)`);
      }
      if (next.origin !== origin) delete headers.authorization;
      this.opts.log?.(`${req.what}: redirected to ${next.origin}`);
      if (res.status === 303) {
        method = "GET";
        body = undefined;
      }
      url = next.toString();
    }
  }

  /**
   * Sends a request, retrying connection errors, timeouts and retryable statuses (bounded by the
   * retry policy). Returns the last response whatever its status; throws BerthError("network")
   * when no response was had.
   */
  async send(req: HttpRequest): Promise<HttpResponse> {
    const { attempts } = this.opts.retry;
    for (let i = 1; ; i++) {
      let res: HttpResponse | undefined;
      let failure: FailedAttempt | undefined;
      try {
        res = await this.attempt(req);
      } catch (e) {
        failure = classifyFetchError(e, req.what, req.url);
      }
      if (res && !isRetryableStatus(res.status)) return res;
      if (i >= attempts || (failure && !failure.retryable)) {
        if (res) return res;
        throw failure!.error;
      }
      let delay = backoffDelay(this.opts.retry, i);
      if (res) {
        const retryAfter = parseRetryAfter(res.headers.get("retry-after"));
        if (retryAfter !== undefined) {
          if (retryAfter > this.opts.retry.maxDelayMs) return res; // asked to wait longer than we will
          delay = Math.max(delay, retryAfter);
        }
        await res.discard();
      }
      this.opts.log?.(`${req.what}: ${res ? `HTTP ${res.status}` : failure!.error.message}; retry ${i}/${attempts - 1} in ${delay} ms`);
      await sleep(delay);
    }
  }
}

/** A one-line description of a registry error response body ({"errors":[{code,message}]} or text). */
export async function errorDetail(res: HttpResponse): Promise<string> {
  let bytes: Uint8Array;
  try {
    bytes = await res.bytes(16 * 1024, () => new BerthError("limit", "error body too large"));
  } catch {
    return "";
  }
  const text = Buffer.from(bytes).toString("utf8");
  try {
    const v = JSON.parse(text) as unknown;
    const errors = (v as { errors?: unknown }).errors;
    if (Array.isArray(errors) && errors.length > 0) {
      const e = errors[0] as { code?: unknown; message?: unknown };
      const parts = [typeof e.code === "string" ? e.code : "", typeof e.message === "string" ? e.message : ""].filter(Boolean);
      return oneLine(parts.join(": "));
    }
    for (const k of ["details", "error_description", "message", "error"]) {
      const x = (v as Record<string, unknown>)[k];
      if (typeof x === "string" && x) return oneLine(x);
    }
  } catch {
    // not JSON
  }
  return oneLine(text);
}

function oneLine(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\x00-\x1f\x7f]+/g, " ").trim().slice(0, 200);
}
