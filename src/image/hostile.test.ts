// Hostile images are refused or contained, with a clear error and no crash (issue: foundation).
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync, readFileSync, mkdirSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { tarBytes, writeLayout, sha256 } from "../../test/support/oci-builder.js";
import { openOciLayout } from "./oci-layout.js";
import { dirStore } from "./local-store.js";
import { catalogImage, catalogDirectory } from "../catalog/catalog.js";
import { withLimits, type Limits } from "../util/limits.js";
import { BerthError } from "../util/errors.js";

const platform = { os: "linux", architecture: "amd64" };
const STATUS = "Package: libfoo\nStatus: install ok installed\nVersion: 1.0-1\nArchitecture: amd64\n\n";

async function catalogLayout(dir: string, limits: Limits = withLimits()) {
  const src = await openOciLayout(dirStore(dir, "oci:" + dir), { reference: "oci:" + dir, platform, limits });
  return catalogImage(src, { limits });
}

function tmp(): string {
  return mkdtempSync(join(tmpdir(), "berth-hostile-"));
}

test("a layer entry ../../etc/passwd is skipped with a warning, never written", async () => {
  const dir = tmp();
  writeLayout(dir, [{ tar: await tarBytes([{ name: "../../etc/passwd", data: "root:x:0:0\n" }, { name: "var/lib/dpkg/status", data: STATUS }]) }]);
  const inv = await catalogLayout(dir);
  assert.deepEqual(inv.packages.map((p) => p.name), ["libfoo"]);
  assert.ok(inv.warnings.some((w) => w.includes("escapes the image root")), inv.warnings.join("\n"));
});

test("an absolute symlink resolves inside the image root, never the host's", async () => {
  const dir = tmp();
  // /var/lib/dpkg/status -> /host-secret: inside the image there is no such file.
  writeLayout(dir, [{ tar: await tarBytes([{ name: "var/lib/dpkg/status", type: "symlink", linkname: "/../../../../etc/hostname" }, { name: "etc/os-release", type: "symlink", linkname: "../usr/lib/os-release" }, { name: "usr/lib/os-release", data: 'ID=debian\nVERSION_ID="12"\n' }]) }]);
  const inv = await catalogLayout(dir);
  assert.equal(inv.packages.length, 0);
  assert.equal(inv.distro?.id, "debian");
  assert.equal(inv.distro?.versionId, "12");
});

test("a dir: target never follows a symlink out of the root", async () => {
  const outside = tmp();
  writeFileSync(join(outside, "status"), STATUS);
  const root = tmp();
  mkdirSync(join(root, "var/lib"), { recursive: true });
  symlinkSync(outside, join(root, "var/lib/dpkg")); // points at a real host directory
  const inv = await catalogDirectory(root, withLimits());
  assert.equal(inv.packages.length, 0);
});

test("a symlink loop is reported, not followed forever", async () => {
  const dir = tmp();
  writeLayout(dir, [{ tar: await tarBytes([{ name: "etc/os-release", type: "symlink", linkname: "a" }, { name: "etc/a", type: "symlink", linkname: "b" }, { name: "etc/b", type: "symlink", linkname: "a" }, { name: "var/lib/dpkg/status", data: STATUS }]) }]);
  const inv = await catalogLayout(dir);
  assert.deepEqual(inv.packages.map((p) => p.name), ["libfoo"]);
  assert.ok(inv.warnings.some((w) => w.includes("too many levels of symbolic links")), inv.warnings.join("\n"));
});

test("a gzip bomb is refused by the expanded-size bound, naming the limit", async () => {
  const dir = tmp();
  const big = await tarBytes([{ name: "zeros", data: Buffer.alloc(8 * 1024 * 1024) }]);
  writeLayout(dir, [{ tar: big }]);
  await assert.rejects(catalogLayout(dir, withLimits({ maxLayerExpandedBytes: 1024 * 1024 })), (e: unknown) => e instanceof BerthError && e.code === "limit" && /maxLayerExpandedBytes/.test(e.message));
});

test("a gzip bomb is refused by the compression-ratio bound", async () => {
  const dir = tmp();
  const big = await tarBytes([{ name: "zeros", data: Buffer.alloc(80 * 1024 * 1024) }]);
  writeLayout(dir, [{ tar: big }]);
  await assert.rejects(catalogLayout(dir, withLimits({ maxLayerRatio: 100 })), (e: unknown) => e instanceof BerthError && e.code === "limit" && /maxLayerRatio/.test(e.message));
});

test("too many entries in a layer are refused", async () => {
  const dir = tmp();
  writeLayout(dir, [{ tar: await tarBytes(Array.from({ length: 50 }, (_, i) => ({ name: `f${i}`, data: "x" }))) }]);
  await assert.rejects(catalogLayout(dir, withLimits({ maxLayerEntries: 10 })), /maxLayerEntries=10/);
});

test("a truncated layer is refused with a clear error", async () => {
  const dir = tmp();
  const built = writeLayout(dir, [{ tar: await tarBytes([{ name: "var/lib/dpkg/status", data: STATUS.repeat(200) }]) }]);
  // Cut the stored blob in half and fix up nothing else: the digest no longer matches either,
  // but the gzip stream ends early first.
  const blob = join(dir, "blobs/sha256", built.layerDigests[0]!.slice(7));
  const bytes = readFileSync(blob);
  writeFileSync(blob, bytes.subarray(0, Math.floor(bytes.length / 2)));
  await assert.rejects(catalogLayout(dir), (e: unknown) => e instanceof BerthError && (e.code === "corrupt" || e.code === "digest-mismatch"));
});

test("a truncated but digest-consistent layer is refused as truncated", async () => {
  const dir = tmp();
  const full = gzipSync(await tarBytes([{ name: "var/lib/dpkg/status", data: STATUS.repeat(200) }]));
  const cut = full.subarray(0, Math.floor(full.length / 2));
  // Store the cut blob under its own digest, so only the decompressor can notice.
  mkdirSync(join(dir, "blobs/sha256"), { recursive: true });
  const built = writeLayout(dir, [{ tar: Buffer.alloc(0) }]);
  const manifestPath = join(dir, "blobs/sha256", built.manifestDigest.slice(7));
  const m = JSON.parse(readFileSync(manifestPath, "utf8"));
  writeFileSync(join(dir, "blobs/sha256", sha256(cut).slice(7)), cut);
  m.layers[0].digest = sha256(cut);
  m.layers[0].size = cut.length;
  const mb = Buffer.from(JSON.stringify(m));
  writeFileSync(join(dir, "blobs/sha256", sha256(mb).slice(7)), mb);
  writeFileSync(join(dir, "index.json"), JSON.stringify({ schemaVersion: 2, manifests: [{ mediaType: "application/vnd.oci.image.manifest.v1+json", digest: sha256(mb), size: mb.length }] }));
  await assert.rejects(catalogLayout(dir), (e: unknown) => e instanceof BerthError && e.code === "corrupt" && /truncated|unreadable/.test(e.message));
});

test("a layer whose bytes do not match its digest is refused", async () => {
  const dir = tmp();
  const built = writeLayout(dir, [{ tar: await tarBytes([{ name: "var/lib/dpkg/status", data: STATUS }]) }]);
  const other = gzipSync(await tarBytes([{ name: "var/lib/dpkg/status", data: STATUS.replace("1.0-1", "6.6-6") }]));
  writeFileSync(join(dir, "blobs/sha256", built.layerDigests[0]!.slice(7)), other);
  await assert.rejects(catalogLayout(dir), (e: unknown) => e instanceof BerthError && e.code === "digest-mismatch");
});

test("a layer whose content does not match the config's diff_id is refused", async () => {
  const dir = tmp();
  writeLayout(dir, [{ tar: await tarBytes([{ name: "var/lib/dpkg/status", data: STATUS }]), diffId: sha256("something else") }]);
  await assert.rejects(catalogLayout(dir), (e: unknown) => e instanceof BerthError && e.code === "digest-mismatch" && /uncompressed/.test(e.message));
});

test("a manifest over the size bound is refused before it is parsed", async () => {
  const dir = tmp();
  writeLayout(dir, [{ tar: await tarBytes([{ name: "a", data: "x" }]) }], { manifestPadding: 64 * 1024 });
  await assert.rejects(catalogLayout(dir, withLimits({ maxManifestBytes: 16 * 1024 })), (e: unknown) => e instanceof BerthError && e.code === "limit" && /maxManifestBytes/.test(e.message));
});

test("a corrupt dpkg status is a located unknown, not a crash", async () => {
  const dir = tmp();
  writeLayout(dir, [{ tar: await tarBytes([{ name: "var/lib/dpkg/status", data: Buffer.from([0xff, 0xfe, 0x00, 0x41, 0x0a]) }]) }]);
  const inv = await catalogLayout(dir);
  assert.equal(inv.packages.length, 0);
  assert.equal(inv.unknowns[0]?.path, "/var/lib/dpkg/status");
});
