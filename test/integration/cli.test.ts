// Exit codes and messages a user sees: 0 ok, 2 for usage or input errors, one line, no stack.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCli } from "../support/cli.js";

test("--help explains sbom and its targets", async () => {
  const r = await runCli(["sbom", "--help"]);
  assert.equal(r.code, 0);
  assert.match(r.stdout, /docker-archive:FILE/);
  assert.match(r.stdout, /--format/);
});

test("an unknown option is a usage error (exit 2)", async () => {
  const r = await runCli(["sbom", "--no-such-flag", "x"]);
  assert.equal(r.code, 2);
});

test("an unknown format is a usage error (exit 2)", async () => {
  const r = await runCli(["sbom", "-f", "xml", "dir:/nonexistent"]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /Allowed choices/);
});

test("a file that is not an image is refused with one clear line and exit 2", async () => {
  const f = join(mkdtempSync(join(tmpdir(), "berth-cli-")), "junk.tar");
  writeFileSync(f, "this is not a tar archive at all".repeat(40));
  const r = await runCli(["sbom", "-q", `docker-archive:${f}`]);
  assert.equal(r.code, 2);
  assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
  assert.match(r.stderr, /^berth: .*not a tar archive/);
  assert.doesNotMatch(r.stderr, /\n\s+at /);
});

test("a missing OCI layout is refused (exit 2)", async () => {
  const r = await runCli(["sbom", "-q", "oci:/nonexistent/layout"]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /^berth: /);
});

test("an invalid platform is a usage error", async () => {
  const r = await runCli(["sbom", "-q", "--platform", "linux", "dir:/tmp"]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /invalid platform/);
});

test("`sbom fs DIR` catalogs a directory, as Trivy users write it", async () => {
  const root = mkdtempSync(join(tmpdir(), "berth-fs-"));
  const { mkdirSync } = await import("node:fs");
  mkdirSync(join(root, "var/lib/dpkg"), { recursive: true });
  writeFileSync(join(root, "var/lib/dpkg/status"), "Package: a\nStatus: install ok installed\nVersion: 1\nArchitecture: all\n\n");
  for (const verb of ["fs", "repo"]) {
    const r = await runCli(["sbom", "-q", "-f", "json", verb, root]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout).packages.map((p: { name: string }) => p.name), ["a"]);
  }
  const bad = await runCli(["sbom", "-q", "dir:/x", "extra"]);
  assert.equal(bad.code, 2);
});
