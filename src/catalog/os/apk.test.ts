import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { apkCataloger } from "./apk.js";
import { withLimits } from "../../util/limits.js";
const info = { mode: 0o644, size: 1 };
import type { CatalogEnv } from "../cataloger.js";

const installed = readFileSync(new URL("./testdata/apk/installed", import.meta.url));
const env: CatalogEnv = { limits: withLimits(), distro: { id: "alpine", versionId: "3.20.1" }, read: () => undefined, list: () => [] };

test("apk installed database: packages, origins, licences, files and purls", async () => {
  const r = await apkCataloger.parse({ path: "lib/apk/db/installed", layerDigest: "sha256:" + "a".repeat(64), data: installed }, env);
  assert.deepEqual(
    r.packages.map((p) => [p.name, p.version, p.sourceName, p.arch]),
    [
      ["alpine-baselayout-data", "3.6.5-r0", "alpine-baselayout", "x86_64"],
      ["musl", "1.2.5-r0", "musl", "x86_64"],
      ["busybox", "1.36.1-r29", "busybox", "x86_64"],
      ["libcrypto3", "3.3.1-r0", "openssl", "x86_64"],
      ["libssl3", "3.3.1-r0", "openssl", "x86_64"],
    ],
  );
  const ssl = r.packages.find((p) => p.name === "libssl3")!;
  assert.equal(ssl.purl, "pkg:apk/alpine/libssl3@3.3.1-r0?arch=x86_64&distro=alpine-3.20.1");
  assert.deepEqual(ssl.licenses, ["Apache-2.0"]);
  assert.deepEqual(ssl.files, ["usr/lib/libssl.so.3"]);
  assert.deepEqual(ssl.locations, [{ path: "/lib/apk/db/installed", layerDigest: "sha256:" + "a".repeat(64) }]);
  // The last block has no P: line: reported, not invented.
  assert.equal(r.unknowns.length, 1);
  assert.match(r.unknowns[0]!.message, /without P:/);
});

test("apk cataloger claims only the installed database", () => {
  assert.ok(apkCataloger.claims("lib/apk/db/installed", info));
  assert.ok(!apkCataloger.claims("lib/apk/db/triggers", info));
});

test("an empty or garbage database yields nothing and does not throw", async () => {
  const r = await apkCataloger.parse({ path: "lib/apk/db/installed", data: Buffer.from("\x00\x01garbage\n\n") }, env);
  assert.equal(r.packages.length, 0);
});
