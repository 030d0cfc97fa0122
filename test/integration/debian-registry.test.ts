// The real Debian 12 image pulled from a real registry (Debian's docker-registry) behind token
// auth, with credentials from a Docker config file, as a user would run it: the inventory equals
// dpkg-query's on the same rootfs.
import { test, after, before } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { debianImage } from "../support/debian-image.js";
import { startRegistry, type TestRegistry } from "../support/registry.js";
import { pushTinyImage } from "../support/tiny-image.js";
import { runCli } from "../support/cli.js";

const img = debianImage();
const expected = img.expected.map((r) => `${r.name}\t${r.version}\t${r.arch}\t${r.source}`).sort();
let registry: TestRegistry;
let digest: string;
let dockerConfig: string;

before(async () => {
  registry = await startRegistry({ auth: { kind: "token", users: { ci: "s3cret" } } });
  digest = await pushTinyImage(img.ociDir, img.ociRef, `${registry.host}/team/debian:12`, { creds: "ci:s3cret" });
  dockerConfig = mkdtempSync(join(tmpdir(), "berth-dockercfg-"));
  writeFileSync(join(dockerConfig, "config.json"), JSON.stringify({ auths: { [registry.host]: { auth: Buffer.from("ci:s3cret").toString("base64") } } }));
});

after(async () => {
  await registry?.stop();
});

test("registry pull with token auth: inventory equals dpkg-query (by tag)", async () => {
  const r = await runCli(["sbom", "-q", "--no-cache", "--insecure", "-f", "json", `${registry.host}/team/debian:12`], { DOCKER_CONFIG: dockerConfig });
  assert.equal(r.code, 0, r.stderr);
  const inv = JSON.parse(r.stdout);
  assert.deepEqual(inv.packages.map((p: { name: string; version: string; arch: string; sourceName: string }) => `${p.name}\t${p.version}\t${p.arch}\t${p.sourceName}`).sort(), expected);
  assert.equal(inv.subject.image.manifestDigest, digest);
  assert.ok(registry.tokenRequests.some((t) => t.user === "ci" && t.granted), "the token flow was used");
});

test("registry pull by digest with the registry: prefix", async () => {
  const r = await runCli(["sbom", "-q", "--no-cache", "--insecure", "-f", "cyclonedx", `registry:${registry.host}/team/debian@${digest}`], { DOCKER_CONFIG: dockerConfig });
  assert.equal(r.code, 0, r.stderr);
  const bom = JSON.parse(r.stdout);
  assert.equal(bom.metadata.component.version, digest);
  assert.match(bom.metadata.component.purl, new RegExp(`^pkg:oci/debian@${digest.replace(":", "%3A")}\\?repository_url=`));
});

test("without credentials the registry refuses, and berth says so in one line (exit 2)", async () => {
  const empty = mkdtempSync(join(tmpdir(), "berth-dockercfg-"));
  const r = await runCli(["sbom", "-q", "--no-cache", "--insecure", `${registry.host}/team/debian:12`], { DOCKER_CONFIG: empty });
  assert.equal(r.code, 2);
  assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
});

test("plain HTTP without --insecure is refused", async () => {
  const r = await runCli(["sbom", "-q", "--no-cache", `${registry.host}/team/debian:12`], { DOCKER_CONFIG: dockerConfig });
  assert.equal(r.code, 2);
  assert.match(r.stderr, /--insecure/);
});
