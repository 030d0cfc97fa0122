import { test } from "node:test";
import assert from "node:assert/strict";
import Fastify from "fastify";
import { parseBucketLimit, parseTrustProxy, registerRateLimit, tokenBuckets } from "./rate-limit.js";
import { isBerthError } from "../util/errors.js";

test("parseBucketLimit: perMinute[:burst], 0/off for none, else a usage error naming the flag", () => {
  assert.deepEqual(parseBucketLimit("600:120", "--rate-limit"), { perMinute: 600, burst: 120 });
  assert.deepEqual(parseBucketLimit("600", "--rate-limit"), { perMinute: 600, burst: 120 });
  assert.deepEqual(parseBucketLimit("2", "--rate-limit"), { perMinute: 2, burst: 1 });
  assert.deepEqual(parseBucketLimit("off", "--rate-limit"), { perMinute: 0, burst: 0 });
  assert.deepEqual(parseBucketLimit("0", "--rate-limit"), { perMinute: 0, burst: 0 });
  for (const bad of ["", "-1", "10:0", "1:2:3", "ten", "99999999"]) {
    assert.throws(() => parseBucketLimit(bad, "--rate-limit-events"), (e: unknown) => isBerthError(e) && e.code === "usage" && e.message.startsWith("--rate-limit-events:"), bad);
  }
});

test("a bucket allows the burst, then refills at the rate; Retry-After is the wait for one request", () => {
  const b = tokenBuckets({ perMinute: 60, burst: 3 }, 100);
  for (let i = 0; i < 3; i++) assert.deepEqual(b.take("k", 0), { ok: true });
  assert.deepEqual(b.take("k", 0), { ok: false, retryAfterSeconds: 1 });
  assert.deepEqual(b.take("other", 0), { ok: true }, "buckets are per key");
  assert.deepEqual(b.take("k", 999), { ok: false, retryAfterSeconds: 1 });
  assert.deepEqual(b.take("k", 1000), { ok: true }, "one request refilled after a second at 60/min");
  assert.deepEqual(b.take("k", 1000), { ok: false, retryAfterSeconds: 1 });
  const slow = tokenBuckets({ perMinute: 2, burst: 1 }, 100);
  slow.take("k", 0);
  assert.deepEqual(slow.take("k", 0), { ok: false, retryAfterSeconds: 30 });
  assert.deepEqual(tokenBuckets({ perMinute: 0, burst: 0 }, 1).take("k", 0), { ok: true }, "0: no limit");
});

test("the number of buckets is capped (least recently used dropped)", () => {
  const b = tokenBuckets({ perMinute: 60, burst: 1 }, 3);
  for (const k of ["a", "b", "c", "d"]) b.take(k, 0);
  assert.equal(b.size, 3);
  assert.deepEqual(b.take("a", 0), { ok: true }, "a was dropped, so it starts full");
});

async function app(clock: { t: number }, trustProxy?: string[]) {
  const a = Fastify(trustProxy ? { trustProxy } : {});
  registerRateLimit(a, { api: { perMinute: 60, burst: 2 }, events: { perMinute: 60, burst: 4 }, authFailures: { perMinute: 60, burst: 3 }, clock: () => clock.t });
  a.get("/healthz", async () => ({ status: "ok" }));
  a.get("/metrics", async () => "");
  a.get("/api/v1/images/:d", async (req, reply) => (req.headers.authorization === "Bearer good" || !req.headers.authorization ? { ok: true } : reply.code(401).send({ error: "unauthorized" })));
  a.post("/api/v1/events/registry", async () => ({ ok: true }));
  return a;
}

test("over the limit: 429 with Retry-After, per principal; health and metrics are never limited", async () => {
  const clock = { t: 0 };
  const a = await app(clock);
  const get = (url: string, auth?: string) => a.inject({ method: "GET", url, headers: auth ? { authorization: auth } : {} });
  assert.equal((await get("/api/v1/images/x", "Bearer good")).statusCode, 200);
  assert.equal((await get("/api/v1/images/x", "Bearer good")).statusCode, 200);
  const limited = await get("/api/v1/images/x", "Bearer good");
  assert.equal(limited.statusCode, 429);
  assert.equal(limited.headers["retry-after"], "1");
  assert.deepEqual(limited.json(), { error: "rate-limited", message: "too many requests; retry in 1 s" });
  assert.equal((await get("/api/v1/images/x")).statusCode, 200, "another principal (the address, without credentials) has its own bucket");
  for (let i = 0; i < 20; i++) {
    assert.equal((await get("/healthz", "Bearer good")).statusCode, 200);
    assert.equal((await get("/metrics", "Bearer good")).statusCode, 200);
  }
  // The events route has its own buckets.
  for (let i = 0; i < 4; i++) assert.equal((await a.inject({ method: "POST", url: "/api/v1/events/registry", headers: { authorization: "Bearer good" }, payload: {} })).statusCode, 200);
  assert.equal((await a.inject({ method: "POST", url: "/api/v1/events/registry", headers: { authorization: "Bearer good" }, payload: {} })).statusCode, 429);
  clock.t += 1000;
  assert.equal((await get("/api/v1/images/x", "Bearer good")).statusCode, 200, "refilled");
  await a.close();
});

test("made-up tokens do not escape the limit: failures draw on a per-address bucket", async () => {
  const clock = { t: 0 };
  const a = await app(clock);
  for (let i = 0; i < 3; i++) assert.equal((await a.inject({ method: "GET", url: "/api/v1/images/x", headers: { authorization: `Bearer guess-${i}` } })).statusCode, 401);
  const r = await a.inject({ method: "GET", url: "/api/v1/images/x", headers: { authorization: "Bearer guess-99" } });
  assert.equal(r.statusCode, 429);
  assert.equal(r.headers["retry-after"], "1");
  await a.close();
});

test("behind a reverse proxy: --trust-proxy makes failed logins count per client (X-Forwarded-For), not once for everyone", async () => {
  const guess = (a: Awaited<ReturnType<typeof app>>, client: string, i: number) =>
    a.inject({ method: "GET", url: "/api/v1/images/x", remoteAddress: "10.0.0.2", headers: { authorization: `Bearer guess-${i}`, "x-forwarded-for": client } });
  for (const [trust, otherClient] of [[undefined, 429], [["10.0.0.0/8"], 401]] as const) {
    const a = await app({ t: 0 }, trust ? [...trust] : undefined);
    for (let i = 0; i < 3; i++) assert.equal((await guess(a, "203.0.113.7", i)).statusCode, 401);
    assert.equal((await guess(a, "203.0.113.7", 9)).statusCode, 429, "the guessing client is limited");
    assert.equal((await guess(a, "198.51.100.4", 1)).statusCode, otherClient, trust ? "another client behind the trusted proxy is not" : "untrusted: every client shares the proxy's address");
    await a.close();
  }
  assert.deepEqual(parseTrustProxy(["10.0.0.1", " 10.0.0.0/8 ", "::1", "fd00::/8"]), ["10.0.0.1", "10.0.0.0/8", "::1", "fd00::/8"]);
  for (const bad of ["proxy.local", "10.0.0.0/33", "10.0.0.1/8/2", "::1/129", ""]) {
    assert.throws(() => parseTrustProxy([bad]), (e: unknown) => isBerthError(e) && e.code === "usage" && e.message.startsWith("--trust-proxy:"), bad);
  }
});
