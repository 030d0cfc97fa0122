import { test } from "node:test";
import assert from "node:assert/strict";
import { namesImage } from "./distribution.js";
import { isGenericEnvelope, parseGenericEnvelope } from "./generic.js";
import { parseRegistryNotification } from "./registry-notification.js";
import { isBerthError } from "../../util/errors.js";

const D = `sha256:${"a".repeat(64)}`;
const push = { action: "push", registry: "registry.example.com:5000", repository: "team/app", digest: D, tag: "1.0", at: "2026-11-20T10:00:00Z", actor: "ci" };

test("the generic form maps field by field onto the one event model", () => {
  const [ev] = parseGenericEnvelope({ events: [push] });
  assert.ok(ev);
  assert.deepEqual(
    { action: ev.action, host: ev.host, repository: ev.repository, digest: ev.digest, tag: ev.tag, timestamp: ev.timestamp, actor: ev.actor, source: ev.source },
    { action: "push", host: "registry.example.com:5000", repository: "team/app", digest: D, tag: "1.0", timestamp: "2026-11-20T10:00:00Z", actor: "ci", source: "generic" },
  );
  assert.equal(namesImage(ev), true);
});

test("ids: the sender's when given, else derived from the fields (a redelivery gets the same id)", () => {
  assert.equal(parseGenericEnvelope({ events: [{ ...push, id: "evt-1" }] })[0]?.id, "generic:evt-1");
  const a = parseGenericEnvelope({ events: [push] })[0]?.id;
  assert.match(a ?? "", /^generic:[0-9a-f]{64}$/);
  assert.equal(parseGenericEnvelope({ events: [{ ...push }] })[0]?.id, a);
  assert.notEqual(parseGenericEnvelope({ events: [{ ...push, at: "2026-11-20T10:00:01Z" }] })[0]?.id, a);
  assert.notEqual(parseGenericEnvelope({ events: [{ ...push, action: "pull" }] })[0]?.id, a);
});

test("a delete may name only a tag; a media type of a layer names no image", () => {
  const [del] = parseGenericEnvelope({ events: [{ action: "delete", registry: "r.example", repository: "a", tag: "old" }] });
  assert.equal(del?.digest, undefined);
  assert.equal(del?.tag, "old");
  const [blob] = parseGenericEnvelope({ events: [{ ...push, mediaType: "application/vnd.oci.image.layer.v1.tar+gzip" }] });
  assert.ok(blob);
  assert.equal(namesImage(blob), false);
});

test("shape detection: generic events name a registry, Distribution events carry a target", () => {
  assert.equal(isGenericEnvelope({ events: [push] }), true);
  assert.equal(isGenericEnvelope({ events: [{ id: "x", action: "push", target: { repository: "a" } }] }), false);
  assert.equal(parseRegistryNotification({ events: [push] }).source, "generic");
  assert.equal(parseRegistryNotification({ events: [] }).source, "distribution");
  assert.throws(() => parseRegistryNotification({ hello: 1 }), /not a registry notification/);
  assert.throws(() => parseRegistryNotification("x"), /not a registry notification/);
});

test("malformed generic events are refused naming every bad field", () => {
  const cases: [unknown, RegExp][] = [
    [{ events: [{ ...push, action: "tag" }] }, /events\[0\]\.action: "tag" is not one of push, pull, delete/],
    [{ events: [{ ...push, registry: "https://r.example" }] }, /events\[0\]\.registry: expected a host\[:port\]/],
    [{ events: [{ ...push, repository: "Team/App" }] }, /events\[0\]\.repository: not a repository name/],
    [{ events: [{ ...push, digest: undefined }] }, /events\[0\]\.digest: required/],
    [{ events: [{ ...push, digest: "sha256:1" }] }, /events\[0\]\.digest: not a sha256/],
    [{ events: [{ ...push, tag: "-x" }] }, /events\[0\]\.tag: not a valid tag/],
    [{ events: [{ ...push, at: "soon" }] }, /events\[0\]\.at: not an RFC 3339 time/],
    [{ events: [{ ...push, id: "i".repeat(300) }] }, /events\[0\]\.id: longer than 256/],
    [{ events: [{ ...push, extra: 1 }] }, /events\[0\]: unknown field "extra"/],
    [{ events: [{ action: "delete", registry: "r.example", repository: "a" }] }, /a delete names a digest or a tag/],
    [{ events: [push, 5] }, /events\[1\]: expected an object/],
    [{ events: [{ ...push, actor: 5 }] }, /events\[0\]\.actor: expected a string/],
    [{ events: new Array(1001).fill(push) }, /at most 1000/],
  ];
  for (const [body, re] of cases) {
    assert.throws(
      () => parseGenericEnvelope(body),
      (e: unknown) => isBerthError(e) && re.test(e.message) && !e.message.includes("\n"),
      `${JSON.stringify(body).slice(0, 120)} → ${re}`,
    );
  }
});
