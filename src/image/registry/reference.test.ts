import { test } from "node:test";
import assert from "node:assert/strict";
import { BerthError } from "../../util/errors.js";
import { formatReference, parseReference, repositoryName } from "./reference.js";

const D = `sha256:${"a".repeat(64)}`;

test("parseReference: registry, repository, tag and digest", () => {
  const rows: [string, ReturnType<typeof parseReference>][] = [
    ["registry.example.com/team/app:1.2", { registry: "registry.example.com", repository: "team/app", tag: "1.2" }],
    ["registry.example.com/team/app", { registry: "registry.example.com", repository: "team/app", tag: "latest" }],
    [`registry.example.com/team/app@${D}`, { registry: "registry.example.com", repository: "team/app", digest: D }],
    [`registry.example.com/team/app:1@${D}`, { registry: "registry.example.com", repository: "team/app", tag: "1", digest: D }],
    ["localhost:5000/app", { registry: "localhost:5000", repository: "app", tag: "latest" }],
    ["localhost/app:v1", { registry: "localhost", repository: "app", tag: "v1" }],
    ["127.0.0.1:5000/a/b/c:t", { registry: "127.0.0.1:5000", repository: "a/b/c", tag: "t" }],
    ["[::1]:5000/app:1", { registry: "[::1]:5000", repository: "app", tag: "1" }],
    ["Registry.Example.com/app", { registry: "registry.example.com", repository: "app", tag: "latest" }],
    ["my_org/my-app__x.y:TAG_1.0-rc", { registry: "registry-1.docker.io", repository: "my_org/my-app__x.y", tag: "TAG_1.0-rc" }],
  ];
  for (const [input, want] of rows) assert.deepEqual(parseReference(input), want, input);
});

test("parseReference: Docker Hub short names and aliases", () => {
  const hub = { registry: "registry-1.docker.io", repository: "library/alpine", tag: "latest" };
  assert.deepEqual(parseReference("alpine"), hub);
  assert.deepEqual(parseReference("docker.io/alpine"), hub);
  assert.deepEqual(parseReference("docker.io/library/alpine:latest"), hub);
  assert.deepEqual(parseReference("index.docker.io/library/alpine"), hub);
  assert.deepEqual(parseReference("registry-1.docker.io/alpine"), hub);
  assert.deepEqual(parseReference("bitnami/redis:7"), { registry: "registry-1.docker.io", repository: "bitnami/redis", tag: "7" });
  // a first component without "." or ":" (and not localhost) is a path, not a host
  assert.deepEqual(parseReference("team/app"), { registry: "registry-1.docker.io", repository: "team/app", tag: "latest" });
});

test("parseReference: refuses malformed references with a usage error", () => {
  for (const bad of ["", "  ", "Alpine", "app:", "app:-bad", "a//b", "/app", "app@sha256:abc", "app@md5:" + "a".repeat(32), "https://example.com/app", "host:99999/app", "a b", "app:" + "x".repeat(200), "ex.com/" + "a/".repeat(200) + "a"]) {
    assert.throws(() => parseReference(bad), (e: unknown) => e instanceof BerthError && e.code === "usage" && !e.message.includes("\n"), bad);
  }
});

test("repositoryName and formatReference", () => {
  assert.equal(repositoryName(parseReference("alpine")), "docker.io/library/alpine");
  assert.equal(formatReference(parseReference("alpine")), "docker.io/library/alpine:latest");
  assert.equal(formatReference(parseReference(`localhost:5000/app:1@${D}`)), `localhost:5000/app:1@${D}`);
  assert.equal(formatReference(parseReference(`localhost:5000/app@${D}`)), `localhost:5000/app@${D}`);
});
