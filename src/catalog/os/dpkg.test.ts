import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { dpkgCataloger, parseSource, parseCopyrightLicenses } from "./dpkg.js";
import { withLimits } from "../../util/limits.js";
const info = { mode: 0o644, size: 1 };
import type { CatalogEnv, CatalogFile } from "../cataloger.js";

const status = readFileSync(new URL("./testdata/dpkg/status", import.meta.url));
const copyright = readFileSync(new URL("./testdata/dpkg/copyright-bash", import.meta.url));

function envWith(files: Record<string, string | Buffer>): CatalogEnv {
  return {
    limits: withLimits(),
    distro: { id: "debian", versionId: "12" },
    read: (p): CatalogFile | undefined => (files[p] === undefined ? undefined : { path: p, data: Buffer.from(files[p]!) }),
    list: (prefix) => Object.keys(files).filter((k) => k.startsWith(prefix)),
  };
}

test("dpkg status: installed packages only, with source, version and purl", async () => {
  const env = envWith({ "usr/share/doc/bash/copyright": copyright, "var/lib/dpkg/info/libssl3:amd64.list": "/.\n/usr\n/usr/lib/x86_64-linux-gnu/libssl.so.3\n" });
  const r = await dpkgCataloger.parse({ path: "var/lib/dpkg/status", layerDigest: "sha256:" + "b".repeat(64), data: status }, env);
  assert.deepEqual(
    r.packages.map((p) => [p.name, p.version, p.arch, p.sourceName, p.sourceVersion]),
    [
      ["libssl3", "3.0.15-1~deb12u1", "amd64", "openssl", "3.0.15-1~deb12u1"],
      ["libgcc-s1", "12.2.0-14", "amd64", "gcc-12", "12.2.0-14"],
      ["bash", "5.2.15-2+b7", "amd64", "bash", "5.2.15-2+b7"],
    ],
  );
  const ssl = r.packages[0]!;
  assert.equal(ssl.purl, "pkg:deb/debian/libssl3@3.0.15-1~deb12u1?arch=amd64&distro=debian-12&upstream=openssl");
  assert.deepEqual(ssl.files, ["usr", "usr/lib/x86_64-linux-gnu/libssl.so.3"]);
  assert.equal(r.packages[2]!.purl, "pkg:deb/debian/bash@5.2.15-2+b7?arch=amd64&distro=debian-12");
  assert.deepEqual(r.packages[2]!.licenses, ["GPL-3+", "BSD-3-clause"]);
});

test("Source field forms", () => {
  assert.deepEqual(parseSource("openssl"), { name: "openssl" });
  assert.deepEqual(parseSource("gcc-12 (12.2.0-14)"), { name: "gcc-12", version: "12.2.0-14" });
  assert.deepEqual(parseSource(undefined), {});
});

test("copyright files that are not machine-readable give no licences", () => {
  assert.deepEqual(parseCopyrightLicenses("This is free software.\nLicense: whatever\n"), []);
});

test("distroless status.d entries are primary inputs; md5sums are not", () => {
  assert.ok(dpkgCataloger.primary("var/lib/dpkg/status.d/base-files"));
  assert.ok(!dpkgCataloger.claims("var/lib/dpkg/status.d/base-files.md5sums", info));
  assert.ok(!dpkgCataloger.primary("var/lib/dpkg/info/bash.list"));
});
