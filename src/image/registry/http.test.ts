import { test } from "node:test";
import assert from "node:assert/strict";
import { backoffDelay, isRetryableStatus, parseRetryAfter } from "./http.js";

test("isRetryableStatus: 408, 429 and 5xx except 501/505", () => {
  for (const s of [408, 429, 500, 502, 503, 504]) assert.equal(isRetryableStatus(s), true, String(s));
  for (const s of [200, 301, 400, 401, 403, 404, 501, 505]) assert.equal(isRetryableStatus(s), false, String(s));
});

test("parseRetryAfter: seconds or HTTP date", () => {
  const now = Date.parse("2024-01-01T00:00:00Z");
  assert.equal(parseRetryAfter("3", now), 3000);
  assert.equal(parseRetryAfter(" 0 ", now), 0);
  assert.equal(parseRetryAfter("Mon, 01 Jan 2024 00:00:10 GMT", now), 10_000);
  assert.equal(parseRetryAfter("Sun, 31 Dec 2023 00:00:00 GMT", now), 0);
  assert.equal(parseRetryAfter(null, now), undefined);
  assert.equal(parseRetryAfter("soon", now), undefined);
  assert.equal(parseRetryAfter("-5", now), undefined);
});

test("backoffDelay: doubles, caps, jitters within [d/2, d]", () => {
  const policy = { attempts: 6, baseDelayMs: 100, maxDelayMs: 1000 };
  assert.equal(backoffDelay(policy, 1, () => 0), 50);
  assert.equal(backoffDelay(policy, 1, () => 1), 100);
  assert.equal(backoffDelay(policy, 3, () => 1), 400);
  assert.equal(backoffDelay(policy, 10, () => 1), 1000);
  assert.equal(backoffDelay(policy, 10, () => 0), 500);
});
