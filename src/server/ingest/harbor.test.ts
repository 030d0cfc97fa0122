import { test } from "node:test";
import assert from "node:assert/strict";
import { namesImage } from "./distribution.js";
import { isHarborPayload, parseHarborWebhook } from "./harbor.js";
import { parseRegistryNotification } from "./registry-notification.js";
import { isBerthError } from "../../util/errors.js";

const D = `sha256:${"d".repeat(64)}`;

// Harbor 2.x Default format, as its webhook job posts it (src/pkg/notifier/model/event.go shape).
const push = {
  type: "PUSH_ARTIFACT",
  occur_at: 1763632800,
  operator: "admin",
  event_data: {
    resources: [{ digest: D, tag: "1.0", resource_url: `harbor.example.com/library/app:1.0` }],
    repository: { date_created: 1763600000, name: "app", namespace: "library", repo_full_name: "library/app", repo_type: "private" },
  },
};

// A pull by digest: Harbor puts the digest in `tag`.
const pull = {
  type: "PULL_ARTIFACT",
  occur_at: 1678082303,
  operator: "robot$library+scanner",
  event_data: {
    resources: [{ digest: D, tag: D, resource_url: `harbor.dev/library/busybox@${D}` }],
    repository: { date_created: 1677053165, name: "busybox", namespace: "library", repo_full_name: "library/busybox", repo_type: "public" },
  },
};

// The CloudEvents format of the same pull.
const cloudPull = {
  specversion: "1.0",
  requestid: "2eedfab8-61d3-4f3c-8ec3-8f82d1ec4c84",
  id: "4b2f89a6-548d-4c12-9993-a1f5790b97d2",
  source: "/projects/1/webhook/policies/3",
  type: "harbor.artifact.pulled",
  datacontenttype: "application/json",
  time: "2023-03-06T05:58:23Z",
  data: pull.event_data,
  operator: "robot$library+scanner",
};

test("a Harbor push becomes a push of the tag in the registry named by resource_url", () => {
  assert.equal(isHarborPayload(push), true);
  const { events, skipped } = parseHarborWebhook(push);
  assert.equal(skipped, 0);
  assert.equal(events.length, 1);
  const ev = events[0];
  assert.ok(ev);
  assert.deepEqual(
    { action: ev.action, host: ev.host, repository: ev.repository, tag: ev.tag, digest: ev.digest, actor: ev.actor, timestamp: ev.timestamp, source: ev.source },
    { action: "push", host: "harbor.example.com", repository: "library/app", tag: "1.0", digest: D, actor: "admin", timestamp: "2025-11-20T10:00:00.000Z", source: "harbor" },
  );
  assert.match(ev.id, /^harbor:[0-9a-f]{64}$/);
  assert.equal(namesImage(ev), true, "a Harbor artifact names an image without a media type");
});

test("a pull by digest has no tag; the Default and CloudEvents forms of one event get one id", () => {
  const a = parseHarborWebhook(pull).events[0];
  const b = parseHarborWebhook(cloudPull).events[0];
  assert.ok(a && b);
  assert.equal(a.tag, undefined);
  assert.equal(a.action, "pull");
  assert.equal(a.host, "harbor.dev");
  assert.equal(a.id, b.id);
  assert.equal(a.id, parseHarborWebhook(structuredClone(pull)).events[0]?.id, "a redelivery maps to the same id");
  assert.notEqual(a.id, parseHarborWebhook({ ...pull, occur_at: pull.occur_at + 1 }).events[0]?.id);
});

test("a delete; several resources become several events", () => {
  const E = `sha256:${"e".repeat(64)}`;
  const del = {
    ...push,
    type: "DELETE_ARTIFACT",
    event_data: { ...push.event_data, resources: [push.event_data.resources[0], { digest: E, tag: "2.0", resource_url: "harbor.example.com/library/app:2.0" }] },
  };
  const { events } = parseHarborWebhook(del);
  assert.deepEqual(
    events.map((e) => [e.action, e.digest, e.tag]),
    [
      ["delete", D, "1.0"],
      ["delete", E, "2.0"],
    ],
  );
  assert.notEqual(events[0]?.id, events[1]?.id);
});

test("event types Berth does not act on are skipped, not refused", () => {
  const scan = { ...push, type: "SCANNING_COMPLETED", event_data: { ...push.event_data, resources: [{ ...push.event_data.resources[0], scan_overview: {} }] } };
  assert.deepEqual(parseHarborWebhook(scan), { events: [], skipped: 1 });
  assert.deepEqual(parseHarborWebhook({ type: "QUOTA_EXCEED", occur_at: 1, operator: "", event_data: { custom_attributes: {} } }), { events: [], skipped: 1 });
  assert.deepEqual(parseHarborWebhook({ ...cloudPull, type: "harbor.scan.completed" }), { events: [], skipped: 1 });
});

test("the route's detector sends Harbor payloads to the Harbor parser", () => {
  assert.equal(parseRegistryNotification(push).source, "harbor");
  assert.equal(parseRegistryNotification(cloudPull).source, "harbor");
  assert.equal(isHarborPayload({ specversion: "1.0", type: "com.example.other" }), false);
  assert.equal(isHarborPayload({ events: [] }), false);
});

test("malformed Harbor payloads are refused naming the field", () => {
  const withResource = (r: unknown) => ({ ...push, event_data: { ...push.event_data, resources: [r] } });
  const cases: [unknown, RegExp][] = [
    [{ ...push, occur_at: "yesterday" }, /occur_at: expected unix seconds/],
    [{ ...push, occur_at: 1e20 }, /occur_at: expected unix seconds/],
    [{ ...push, type: 7 }, /type: expected a string/],
    [{ ...cloudPull, time: "not a time" }, /time: not an RFC 3339 time/],
    [{ ...push, event_data: { repository: push.event_data.repository } }, /event_data\.resources: expected a list/],
    [{ ...cloudPull, data: { resources: {} } }, /^invalid Harbor webhook: data\.resources: expected a list$/],
    [{ ...push, event_data: { resources: push.event_data.resources } }, /event_data\.repository: expected an object/],
    [{ ...push, event_data: { ...push.event_data, repository: { repo_full_name: "Library/App" } } }, /repo_full_name: not a repository name/],
    [withResource({ tag: "1.0", resource_url: "h.example/a:1.0" }), /resources\[0\]\.digest: required/],
    [withResource({ digest: "sha256:abc" }), /resources\[0\]\.digest: not a sha256/],
    [withResource({ digest: D, tag: "bad tag!" }), /resources\[0\]\.tag: not a valid tag/],
    [withResource({ digest: D, resource_url: "no-slash" }), /resource_url: expected <registry host>/],
    [withResource({ digest: D, resource_url: "bad host!/x/y" }), /resource_url: expected <registry host>/],
    [withResource(3), /resources\[0\]: expected an object/],
    [{ ...push, event_data: { ...push.event_data, resources: new Array(1001).fill(push.event_data.resources[0]) } }, /at most 1000/],
  ];
  for (const [body, re] of cases) {
    assert.throws(
      () => parseHarborWebhook(body),
      (e: unknown) => isBerthError(e) && re.test(e.message) && !e.message.includes("\n"),
      `${JSON.stringify(body).slice(0, 120)} → ${re}`,
    );
  }
});

test("a resource without resource_url is kept (recorded by id) but has no registry host", () => {
  const ev = parseHarborWebhook({ ...push, event_data: { ...push.event_data, resources: [{ digest: D, tag: "1.0" }] } }).events[0];
  assert.ok(ev);
  assert.equal(ev.host, undefined);
});
