// The catalog stage end to end on images: each OS cataloger's database placed where real images
// keep it, read through layers, squashed and parsed with the detected distribution.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { tarBytes, writeLayout, type TarEntrySpec } from "../../test/support/oci-builder.js";
import { openOciLayout } from "../image/oci-layout.js";
import { dirStore } from "../image/local-store.js";
import { catalogImage } from "./catalog.js";
import { withLimits } from "../util/limits.js";

const limits = withLimits();
const fixture = (p: string) => readFileSync(new URL(`./os/testdata/${p}`, import.meta.url));

async function catalogLayers(layers: TarEntrySpec[][]) {
  const dir = mkdtempSync(join(tmpdir(), "berth-catalog-"));
  writeLayout(dir, await Promise.all(layers.map(async (l) => ({ tar: await tarBytes(l) }))));
  const src = await openOciLayout(dirStore(dir, dir), { reference: dir, platform: { os: "linux", architecture: "amd64" }, limits });
  return catalogImage(src, { limits });
}

function expectedRows(p: string): string[] {
  return fixture(p).toString("utf8").split("\n").filter((l) => l && !l.startsWith("#")).sort();
}

test("RHEL 8 image with a Berkeley DB rpm database", async () => {
  const inv = await catalogLayers([[{ name: "etc/os-release", data: 'ID="rhel"\nVERSION_ID="8.8"\n' }, { name: "var/lib/rpm/Packages", data: fixture("rpm/bdb-libuuid/Packages") }]]);
  assert.equal(inv.distro?.id, "rhel");
  assert.deepEqual(inv.packages.map((p) => `${p.name}\t${p.version}`), expectedRows("rpm/bdb-libuuid/expected.tsv"));
  assert.match(inv.packages[0]!.purl, /^pkg:rpm\/redhat\/libuuid@2\.32\.1-42\.el8_8\?arch=x86_64&distro=rhel-8\.8/);
});

test("SUSE image with an NDB rpm database under /usr/lib/sysimage", async () => {
  const inv = await catalogLayers([[{ name: "etc/os-release", data: 'ID="sles"\nVERSION_ID="15.4"\n' }, { name: "usr/lib/sysimage/rpm/Packages.db", data: fixture("rpm/ndb-sle15-bci/Packages.db") }]]);
  assert.deepEqual(inv.packages.map((p) => `${p.name}\t${p.version}`).sort(), expectedRows("rpm/ndb-sle15-bci/expected.tsv"));
});

test("Alpine image: apk database, os-release through a symlink", async () => {
  const inv = await catalogLayers([
    [
      { name: "etc/os-release", type: "symlink", linkname: "../usr/lib/os-release" },
      { name: "usr/lib/os-release", data: fixture("apk/os-release") },
      { name: "lib/apk/db/installed", data: fixture("apk/installed") },
    ],
  ]);
  assert.equal(inv.distro?.id, "alpine");
  assert.equal(inv.packages.length, 5);
  assert.ok(inv.packages.every((p) => p.purl.includes("distro=alpine-3.20.1")));
});

test("a whiteout in an upper layer removes a lower layer's package database", async () => {
  const status = "Package: a\nStatus: install ok installed\nVersion: 1\nArchitecture: all\n\n";
  const inv = await catalogLayers([[{ name: "var/lib/dpkg/status", data: status }], [{ name: "var/lib/dpkg/.wh.status", data: "" }]]);
  assert.equal(inv.packages.length, 0);
});

test("an opaque directory hides everything below it from lower layers", async () => {
  const status = "Package: a\nStatus: install ok installed\nVersion: 1\nArchitecture: all\n\n";
  const inv = await catalogLayers([[{ name: "var/lib/dpkg/status", data: status }], [{ name: "var/lib/dpkg/.wh..wh..opq", data: "" }, { name: "var/lib/dpkg/status.d/b", data: status.replace("Package: a", "Package: b") }]]);
  assert.deepEqual(inv.packages.map((p) => p.name), ["b"]);
});

test("an upper layer's rewrite wins and carries its own layer", async () => {
  const status = (v: string) => `Package: a\nStatus: install ok installed\nVersion: ${v}\nArchitecture: all\n\n`;
  const inv = await catalogLayers([[{ name: "var/lib/dpkg/status", data: status("1") }], [{ name: "var/lib/dpkg/status", data: status("2") }]]);
  assert.deepEqual(inv.packages.map((p) => p.version), ["2"]);
  assert.notEqual(inv.packages[0]!.locations[0]!.layerDigest, undefined);
});
