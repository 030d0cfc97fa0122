import { test } from "node:test";
import assert from "node:assert/strict";
import { parseImageId, specDigest } from "./kubernetes-image.js";

const h = "4315c8fd5a82533f56a83922bc1d5a2cff2b1f1e76117f66673abbcffd6c9fff";

test("imageID: docker-pullable (dockershim) repo digest", () => {
  assert.deepEqual(parseImageId(`docker-pullable://nginx@sha256:${h}`), {
    digest: `sha256:${h}`,
    repository: "nginx",
    imageID: `docker-pullable://nginx@sha256:${h}`,
    kind: "repo-digest",
  });
});

test("imageID: containerd / CRI-O repo digest with registry host and port", () => {
  assert.equal(parseImageId(`docker.io/library/nginx@sha256:${h}`)?.repository, "docker.io/library/nginx");
  const r = parseImageId(`localhost:5000/team/app@sha256:${h}`);
  assert.equal(r?.repository, "localhost:5000/team/app");
  assert.equal(r?.kind, "repo-digest");
});

test("imageID: local image IDs are digests but not manifest digests", () => {
  assert.deepEqual(parseImageId(`docker://sha256:${h}`), { digest: `sha256:${h}`, imageID: `docker://sha256:${h}`, kind: "image-id" });
  assert.equal(parseImageId(`sha256:${h}`)?.kind, "image-id");
});

test("imageID: empty, truncated, uppercase, tag-only and hostile values yield nothing", () => {
  for (const bad of [
    "",
    "nginx:1.25",
    `sha256:${h.slice(0, 63)}`,
    `sha256:${h.toUpperCase()}`,
    `nginx@sha256:${h}x`,
    `@sha256:${h}`,
    `bad repo@sha256:${h}`,
    `md5:${h}`,
    "x".repeat(5000),
    `${"a/".repeat(400)}b@sha256:${h}`,
  ]) {
    assert.equal(parseImageId(bad), undefined, bad.slice(0, 40));
  }
});

test("specDigest: a digest pinned in the pod spec", () => {
  assert.equal(specDigest(`registry.example.com/shop/admin@sha256:${h}`), `sha256:${h}`);
  assert.equal(specDigest("nginx:1.25"), undefined);
});
