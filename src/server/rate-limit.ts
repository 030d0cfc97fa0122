// Per-principal token-bucket rate limits on the API (/api/…). A bucket holds up to `burst` requests
// and refills at `perMinute`; an empty bucket answers 429 with Retry-After (whole seconds until one
// request's worth has refilled). The principal is known before authentication runs: the presented
// credential (an API token, the registry secret, Harbor's auth header; hashed, never kept) or, for a
// request without one, the client address. The registry-events route has its own, larger buckets.
// A client presenting credentials that fail (401) also draws on a per-address bucket of failures,
// so rotating made-up tokens does not escape the limit. Health, readiness, metrics, the OpenAPI
// document and the web UI are not limited. Buckets live in memory, per process, capped in number.
import { createHash } from "node:crypto";
import { isIP } from "node:net";
import type { FastifyInstance, FastifyRequest } from "fastify";
import { BerthError } from "../util/errors.js";

export interface BucketLimit {
  /** Sustained rate; 0 turns the limit off. */
  readonly perMinute: number;
  /** Requests allowed at once on a full bucket. */
  readonly burst: number;
}

export interface RateLimitOptions {
  readonly api: BucketLimit;
  /** POST /api/v1/events/registry (registries send bursts of notifications). */
  readonly events: BucketLimit;
  /** Failed authentications per client address. */
  readonly authFailures?: BucketLimit;
  /** Most buckets kept per kind (default 10 000); beyond, the least recently used are dropped. */
  readonly maxKeys?: number;
  /** Milliseconds clock (tests). */
  readonly clock?: () => number;
}

export const DEFAULT_API_LIMIT: BucketLimit = { perMinute: 600, burst: 120 };
export const DEFAULT_EVENTS_LIMIT: BucketLimit = { perMinute: 6000, burst: 1000 };
export const DEFAULT_AUTH_FAILURE_LIMIT: BucketLimit = { perMinute: 30, burst: 30 };
const MAX_RATE = 1_000_000;

/** "600" (burst = a fifth of a minute's worth, at least 1), "600:120", or "0"/"off" (no limit). */
export function parseBucketLimit(text: string, flag: string): BucketLimit {
  const t = text.trim().toLowerCase();
  if (t === "0" || t === "off") return { perMinute: 0, burst: 0 };
  const m = /^(\d{1,7})(?::(\d{1,7}))?$/.exec(t);
  const perMinute = Number(m?.[1]);
  const burst = m?.[2] !== undefined ? Number(m[2]) : Math.max(1, Math.ceil(perMinute / 5));
  if (!m || perMinute < 1 || perMinute > MAX_RATE || burst < 1 || burst > MAX_RATE) {
    throw new BerthError("usage", `${flag}: expected REQUESTS_PER_MINUTE[:BURST] (e.g. 600:120) or 0 for no limit, got "${text.slice(0, 40)}"`);
  }
  return { perMinute, burst };
}

interface Bucket {
  tokens: number;
  at: number;
}

export type Take = { readonly ok: true } | { readonly ok: false; readonly retryAfterSeconds: number };

/** Token buckets by key. `take` spends one request; `peek` only looks. */
export function tokenBuckets(limit: BucketLimit, maxKeys: number) {
  const buckets = new Map<string, Bucket>();
  const perMs = limit.perMinute / 60_000;

  function refreshed(key: string, now: number): Bucket {
    const b = buckets.get(key);
    if (b) buckets.delete(key); // re-inserted below: the Map's order is least recently used first
    const tokens = b ? Math.min(limit.burst, b.tokens + (now - b.at) * perMs) : limit.burst;
    const next = { tokens, at: now };
    buckets.set(key, next);
    if (buckets.size > maxKeys) {
      const oldest = buckets.keys().next().value;
      if (oldest !== undefined) buckets.delete(oldest);
    }
    return next;
  }

  const refused = (b: Bucket): Take => ({ ok: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - b.tokens) / perMs / 1000)) });

  return {
    take(key: string, now: number): Take {
      if (limit.perMinute <= 0) return { ok: true };
      const b = refreshed(key, now);
      if (b.tokens < 1) return refused(b);
      b.tokens -= 1;
      return { ok: true };
    },
    peek(key: string, now: number): Take {
      if (limit.perMinute <= 0 || !buckets.has(key)) return { ok: true };
      const b = refreshed(key, now);
      return b.tokens < 1 ? refused(b) : { ok: true };
    },
    get size(): number {
      return buckets.size;
    },
  };
}

/**
 * `--trust-proxy` values: the reverse proxies' addresses (IPv4/IPv6, optionally /prefix). Behind a
 * proxy every request comes from its address, so the per-address buckets (requests without a token,
 * failed logins) would be one for all clients: trusting it makes the address the client's, from
 * X-Forwarded-For. Checked here so a typo is a usage error, not a start-up crash.
 */
export function parseTrustProxy(values: readonly string[]): string[] {
  return values.map((v) => {
    const [addr = "", prefix, extra] = v.trim().split("/");
    const family = isIP(addr);
    const max = family === 4 ? 32 : 128;
    if (family === 0 || extra !== undefined || (prefix !== undefined && !(/^\d{1,3}$/.test(prefix) && Number(prefix) <= max))) {
      throw new BerthError("usage", `--trust-proxy: expected an IP address or CIDR range of a reverse proxy, got "${v.slice(0, 60)}"`);
    }
    return v.trim();
  });
}

function principalKey(req: FastifyRequest): string {
  const auth = req.headers.authorization;
  if (auth) return `cred:${createHash("sha256").update(auth).digest("base64url").slice(0, 22)}`;
  return `ip:${req.ip}`;
}

function isLimited(url: string): boolean {
  return url.startsWith("/api/");
}

function isEventsRoute(url: string): boolean {
  return url.startsWith("/api/v1/events/");
}

export function registerRateLimit(app: FastifyInstance, opts: RateLimitOptions): void {
  const clock = opts.clock ?? Date.now;
  const maxKeys = opts.maxKeys ?? 10_000;
  const api = tokenBuckets(opts.api, maxKeys);
  const events = tokenBuckets(opts.events, maxKeys);
  const failures = tokenBuckets(opts.authFailures ?? DEFAULT_AUTH_FAILURE_LIMIT, maxKeys);

  app.addHook("onRequest", async (req, reply) => {
    if (!isLimited(req.url)) return undefined;
    const now = clock();
    const failed = failures.peek(`ip:${req.ip}`, now);
    const verdict = failed.ok ? (isEventsRoute(req.url) ? events : api).take(principalKey(req), now) : failed;
    if (verdict.ok) return undefined;
    return reply
      .code(429)
      .header("retry-after", String(verdict.retryAfterSeconds))
      .send({ error: "rate-limited", message: `too many requests; retry in ${verdict.retryAfterSeconds} s` });
  });
  app.addHook("onResponse", async (req, reply) => {
    if (reply.statusCode === 401 && isLimited(req.url)) failures.take(`ip:${req.ip}`, clock());
  });
}
