import { test } from "node:test";
import assert from "node:assert/strict";
import { parseImageRef } from "./compliance.js";

test("parseImageRef normalises Docker Hub names and defaults the tag", () => {
  assert.deepEqual(parseImageRef("nginx"), { registry: "docker.io", repository: "library/nginx", tag: "latest" });
  assert.deepEqual(parseImageRef("acme/web:1.2"), { registry: "docker.io", repository: "acme/web", tag: "1.2" });
  assert.deepEqual(parseImageRef("index.docker.io/nginx:1.27"), { registry: "docker.io", repository: "library/nginx", tag: "1.27" });
  assert.deepEqual(parseImageRef("docker.io/library/nginx:1.27"), { registry: "docker.io", repository: "library/nginx", tag: "1.27" });
});

test("parseImageRef keeps hosts with ports and digests", () => {
  const d = `sha256:${"a".repeat(64)}`;
  assert.deepEqual(parseImageRef(`127.0.0.1:5000/acme/web@${d}`), { registry: "127.0.0.1:5000", repository: "acme/web", digest: d });
  assert.deepEqual(parseImageRef(`ghcr.io/acme/web:1.0@${d}`), { registry: "ghcr.io", repository: "acme/web", tag: "1.0", digest: d });
  assert.deepEqual(parseImageRef("localhost/web:dev"), { registry: "localhost", repository: "web", tag: "dev" });
});
