import { test } from "node:test";
import assert from "node:assert/strict";
import { namesImage, parseDistributionEnvelope } from "./distribution.js";
import { isBerthError } from "../../util/errors.js";

const D = `sha256:${"a".repeat(64)}`;

// As docker-registry 2.8 sends it (fields trimmed to what Berth reads, plus some it ignores).
const pushEvent = {
  id: "320678d8-ca14-430f-8bb6-4ca139cd83f7",
  timestamp: "2026-11-20T10:00:00.123456789Z",
  action: "push",
  target: {
    mediaType: "application/vnd.oci.image.manifest.v1+json",
    size: 708,
    digest: D,
    length: 708,
    repository: "team/app",
    url: `http://127.0.0.1:5000/v2/team/app/manifests/${D}`,
    tag: "1.0",
  },
  request: { id: "r1", addr: "127.0.0.1:40000", host: "127.0.0.1:5000", method: "PUT", useragent: "skopeo/1.9" },
  actor: {},
  source: { addr: "host:5000", instanceID: "i1" },
};

test("a push of a manifest: host from the target URL, tag and digest kept", () => {
  const [ev] = parseDistributionEnvelope({ events: [pushEvent] });
  assert.ok(ev);
  assert.equal(ev.host, "127.0.0.1:5000");
  assert.equal(ev.tag, "1.0");
  assert.equal(ev.digest, D);
  assert.equal(ev.action, "push");
  assert.equal(namesImage(ev), true);
});

test("the client's user agent is kept (cut to 256 characters), so Berth's own pulls can be told apart", () => {
  assert.equal(parseDistributionEnvelope({ events: [pushEvent] })[0]?.userAgent, "skopeo/1.9");
  const long = { ...pushEvent, request: { ...pushEvent.request, useragent: `berth ${"x".repeat(5000)}` } };
  assert.equal(parseDistributionEnvelope({ events: [long] })[0]?.userAgent?.length, 256);
});

test("layer blob events are parsed but name no image", () => {
  const blob = { ...pushEvent, target: { ...pushEvent.target, mediaType: "application/vnd.oci.image.layer.v1.tar+gzip", tag: undefined } };
  const [ev] = parseDistributionEnvelope({ events: [blob] });
  assert.ok(ev);
  assert.equal(namesImage(ev), false);
});

test("without target.url the request host is used", () => {
  const ev = { ...pushEvent, target: { ...pushEvent.target, url: undefined } };
  assert.equal(parseDistributionEnvelope({ events: [ev] })[0]?.host, "127.0.0.1:5000");
});

test("malformed envelopes are refused naming every bad field", () => {
  const cases: [unknown, RegExp][] = [
    [null, /expected \{"events"/],
    [[], /expected \{"events"/],
    [{ events: {} }, /expected \{"events"/],
    [{ events: [1] }, /events\[0\]: expected an object/],
    [{ events: [{ action: "push", target: { repository: "a" } }] }, /events\[0\]\.id: required/],
    [{ events: [{ id: "x", action: "push" }] }, /events\[0\]\.target: expected an object/],
    [{ events: [{ id: "x", action: "pus", target: { repository: "a" } }] }, /events\[0\]\.action: "pus" is not one of/],
    [{ events: [{ id: 7, action: "push", target: { repository: "a" } }] }, /events\[0\]\.id: expected a string/],
    [{ events: [{ id: "x", action: "push", target: { repository: "a", digest: "sha256:XYZ" } }] }, /target\.digest: not a sha256/],
    [{ events: [{ id: "x", action: "push", target: { repository: "r".repeat(5000) } }] }, /longer than 4096/],
    [{ events: Array.from({ length: 1001 }, () => pushEvent) }, /at most 1000/],
  ];
  for (const [body, re] of cases) {
    assert.throws(
      () => parseDistributionEnvelope(body),
      (e: unknown) => isBerthError(e) && re.test(e.message),
      JSON.stringify(body).slice(0, 100),
    );
  }
});
